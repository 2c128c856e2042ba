package dev.meshwork.placement.eviction;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GreedyDual-Size-Frequency (Cherkasova, 1998), weighted by load time, with a frequency that
 * decays. A copy's priority is {@code L + frequency x max(loadMillis, 1) / size in MiB}: {@code L}
 * (the inflation) is the priority of the last copy evicted, as of the copy's last use, so copies not
 * used for a while age out; the lowest priority goes first. Small, often used, slow-to-load models
 * stay; large, rarely used, quick-to-load ones go.
 *
 * <p>The frequency halves every {@code halfLifeTurnovers} x (resident copies) evictions: plain
 * GDSF counts uses since the load, and a count that only grows keeps yesterday's hot models for
 * as long as it takes {@code L} to climb past them once popularity moves on (in the cache-sim
 * scenario it then lost to LRU by half). Uses are read from the candidates; a copy's base is set
 * again at the first eviction after its use count changed.
 *
 * <p>Stateful: one instance per slot. Load threads of the slot call {@link #victim}; synchronized.
 */
public final class GdsfEvictionPolicy implements EvictionPolicy {
    /** The half-life, in turnovers of the slot's resident copies, that the cache-sim scenario favoured. */
    public static final double DEFAULT_HALF_LIFE_TURNOVERS = 4;

    private record Seen(long uses, double base, double frequency, long evictionsAt) {
    }

    private final double halfLifeTurnovers;
    private double inflation;
    private long evictions;
    private Map<String, Seen> seen = new HashMap<>();

    public GdsfEvictionPolicy() {
        this(DEFAULT_HALF_LIFE_TURNOVERS);
    }

    public GdsfEvictionPolicy(double halfLifeTurnovers) {
        this.halfLifeTurnovers = halfLifeTurnovers;
    }

    @Override
    public synchronized Optional<EvictionCandidate> victim(List<EvictionCandidate> candidates) {
        Map<String, Seen> next = new HashMap<>(candidates.size() * 2);
        double halfLife = Math.max(1, halfLifeTurnovers * candidates.size());
        EvictionCandidate best = null;
        double bestPriority = Double.MAX_VALUE;
        for (EvictionCandidate c : candidates) {
            Seen s = seen.get(c.modelId());
            if (s == null || s.uses() != c.uses()) {
                double frequency = s == null ? c.uses() : decayed(s, halfLife) + Math.max(1, c.uses() - s.uses());
                s = new Seen(c.uses(), inflation, frequency, evictions);
            }
            next.put(c.modelId(), s);
            double mib = Math.max(1, c.sizeBytes()) / (double) (1 << 20);
            double priority = s.base() + decayed(s, halfLife) * Math.max(1, c.loadMillis()) / mib;
            if (priority < bestPriority || (priority == bestPriority && c.lastUsed() < best.lastUsed())) {
                best = c;
                bestPriority = priority;
            }
        }
        // a copy that is not a candidate now is pinned by a request (or gone): keep its history until it has decayed away
        seen.forEach((id, old) -> {
            if (!next.containsKey(id) && evictions - old.evictionsAt() < 10 * halfLife) {
                next.put(id, old);
            }
        });
        seen = next;
        if (best == null) {
            return Optional.empty();
        }
        inflation = Math.max(inflation, bestPriority);
        evictions++;
        seen.remove(best.modelId());
        return Optional.of(best);
    }

    private double decayed(Seen s, double halfLife) {
        return HalfLife.decay(s.frequency(), evictions - s.evictionsAt(), halfLife);
    }

    /** Registered for {@link EvictionPolicies} as "gdsf". */
    public static final class Provider implements EvictionPolicyProvider {
        @Override
        public String name() {
            return "gdsf";
        }

        @Override
        public EvictionPolicy create() {
            return new GdsfEvictionPolicy();
        }

        /** {@code gdsf:N}: the frequency's half-life in turnovers of the slot (at least 1; {@code Infinity}: it never decays). */
        @Override
        public EvictionPolicy create(String parameter) {
            return parameter.isEmpty() ? create() : new GdsfEvictionPolicy(HalfLife.parse(name(), parameter));
        }
    }
}
