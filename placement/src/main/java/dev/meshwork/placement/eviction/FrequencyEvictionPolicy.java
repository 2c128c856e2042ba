package dev.meshwork.placement.eviction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Least frequently used per byte, with a frequency that decays and outlives the copy: a copy's
 * priority is {@code frequency x max(loadMillis, 1) / size in MiB}, and the lowest goes first.
 *
 * <p>Two things set it apart from {@link GdsfEvictionPolicy}, and each is worth points of hit
 * ratio on skewed, persistent popularity (perf/README.md, "Eviction live"):
 * <ul>
 * <li>No inflation term. GDSF adds the priority of the last victim as of a copy's last use, which
 * makes it partly LRU: a popular model that happened to be idle a while ranks below a rare one just
 * used. Here only the decaying frequency ages a copy.</li>
 * <li>History past eviction. A model evicted and loaded again resumes its decayed count instead
 * of starting at one, so a popular model pushed out by a burst is not the next victim on return.
 * The history of models not resident is kept until it has decayed below a thousandth of a use,
 * and at most {@link #MAX_HISTORY_PER_COPY} entries per resident copy (the least used go first).
 * A victim that stays after all (a request pinned it first) counts its uses again when next seen:
 * that errs towards keeping it.</li>
 * </ul>
 * The frequency halves every {@code halfLifeTurnovers} x (resident copies) evictions, so
 * yesterday's favourites fade once popularity moves on.
 *
 * <p>Stateful: one instance per slot. Load threads of the slot call {@link #victim}; synchronized.
 */
public final class FrequencyEvictionPolicy implements EvictionPolicy {
    /** The half-life, in turnovers of the slot's resident copies, that the cache-sim traces favoured (steady and drifting). */
    public static final double DEFAULT_HALF_LIFE_TURNOVERS = 4;
    /** How many remembered models a slot keeps per resident copy, at most ... */
    static final int MAX_HISTORY_PER_COPY = 32;
    /** ... or this many, if that is more. */
    static final int MIN_HISTORY = 1024;
    private static final double FORGOTTEN = 1.0 / 1024;

    /**
     * What the slot knows of one model.
     *
     * @param uses      the copy's use count when last read; 0 once it was evicted
     * @param frequency the decayed use count as of {@code at}
     * @param at        the slot's eviction count when {@code frequency} was computed
     */
    private record Seen(long uses, double frequency, long at) {
    }

    private final double halfLifeTurnovers;
    private final Map<String, Seen> seen = new HashMap<>();
    private long evictions;

    public FrequencyEvictionPolicy() {
        this(DEFAULT_HALF_LIFE_TURNOVERS);
    }

    public FrequencyEvictionPolicy(double halfLifeTurnovers) {
        this.halfLifeTurnovers = halfLifeTurnovers;
    }

    @Override
    public synchronized Optional<EvictionCandidate> victim(List<EvictionCandidate> candidates) {
        double halfLife = Math.max(1, halfLifeTurnovers * candidates.size());
        EvictionCandidate best = null;
        double bestPriority = Double.MAX_VALUE;
        for (EvictionCandidate c : candidates) {
            Seen s = seen.get(c.modelId());
            if (s == null || s.uses() != c.uses()) {
                // a count below the one read last is a new copy: all of its uses are new
                long fresh = s == null || c.uses() < s.uses() ? c.uses() : c.uses() - s.uses();
                s = new Seen(c.uses(), (s == null ? 0 : decayed(s, halfLife)) + fresh, evictions);
                seen.put(c.modelId(), s);
            }
            double mib = Math.max(1, c.sizeBytes()) / (double) (1 << 20);
            double priority = decayed(s, halfLife) * Math.max(1, c.loadMillis()) / mib;
            if (priority < bestPriority || (priority == bestPriority && c.lastUsed() < best.lastUsed())) {
                best = c;
                bestPriority = priority;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        Seen gone = seen.get(best.modelId());
        seen.put(best.modelId(), new Seen(0, decayed(gone, halfLife), evictions));
        evictions++;
        int cap = Math.max(MIN_HISTORY, MAX_HISTORY_PER_COPY * candidates.size());
        if (evictions % Math.max(64, candidates.size()) == 0 || seen.size() > cap) {
            forget(candidates, halfLife, cap);
        }
        return Optional.of(best);
    }

    /**
     * Drops the history of models not resident that has decayed away and, past the cap, the least
     * used down to three quarters of it (so the sort runs once per quarter of the cap in new models).
     */
    private void forget(List<EvictionCandidate> candidates, double halfLife, int cap) {
        Set<String> resident = new HashSet<>(candidates.size() * 2);
        candidates.forEach(c -> resident.add(c.modelId()));
        seen.entrySet().removeIf(e -> !resident.contains(e.getKey()) && decayed(e.getValue(), halfLife) < FORGOTTEN);
        if (seen.size() > cap) {
            List<Map.Entry<String, Double>> absent = new ArrayList<>();
            seen.forEach((id, s) -> {
                if (!resident.contains(id)) {
                    absent.add(Map.entry(id, decayed(s, halfLife)));
                }
            });
            absent.sort(Map.Entry.comparingByValue());
            for (int i = 0; i < absent.size() && seen.size() > cap * 3 / 4; i++) {
                seen.remove(absent.get(i).getKey());
            }
        }
    }

    /** How many models the slot remembers (resident or not); for tests. */
    synchronized int remembered() {
        return seen.size();
    }

    private double decayed(Seen s, double halfLife) {
        return HalfLife.decay(s.frequency(), evictions - s.at(), halfLife);
    }

    /** Registered for {@link EvictionPolicies} as "lfu". */
    public static final class Provider implements EvictionPolicyProvider {
        @Override
        public String name() {
            return "lfu";
        }

        @Override
        public EvictionPolicy create() {
            return new FrequencyEvictionPolicy();
        }

        /** {@code lfu:N}: the frequency's half-life in turnovers of the slot (at least 1; {@code Infinity}: it never decays). */
        @Override
        public EvictionPolicy create(String parameter) {
            return parameter.isEmpty() ? create() : new FrequencyEvictionPolicy(HalfLife.parse(name(), parameter));
        }
    }
}
