package dev.meshwork.router.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Router-local memory of things that went wrong lately, each forgotten after a while: nodes a
 * forward could not reach (keyed by node) and nodes where a model failed to load (keyed by model
 * and node). Thread-safe.
 */
final class RecentFailures {
    private final ConcurrentMap<String, Long> until = new ConcurrentHashMap<>();
    private final long memoryMs;
    private final LongSupplier clock;

    RecentFailures(long memoryMs, LongSupplier clock) {
        this.memoryMs = memoryMs;
        this.clock = clock;
    }

    void record(String key) {
        until.put(key, clock.getAsLong() + memoryMs);
        if (until.size() > 10_000) { // bounded: drop what has lapsed
            long now = clock.getAsLong();
            until.values().removeIf(t -> t <= now);
        }
    }

    boolean contains(String key) {
        Long t = until.get(key);
        if (t == null) {
            return false;
        }
        if (t <= clock.getAsLong()) {
            until.remove(key, t);
            return false;
        }
        return true;
    }

    /** The keys recorded under {@code prefix} that have not lapsed, without the prefix. */
    Set<String> under(String prefix) {
        return until.keySet().stream().filter(k -> k.startsWith(prefix) && contains(k)).map(k -> k.substring(prefix.length()))
                .collect(Collectors.toSet());
    }
}
