package dev.meshwork.perf.sim;

import dev.meshwork.placement.eviction.EvictionCandidate;
import dev.meshwork.placement.eviction.EvictionPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a trace against one slot of {@code capacity} bytes whose evictions the real
 * {@link EvictionPolicy} decides, as the node's model cache asks it: on a miss, victims are taken
 * until the model fits; a model larger than the slot is never cached. Single-threaded.
 */
public final class CacheSimulator {
    private CacheSimulator() {
    }

    /**
     * How long loading a model of that size takes, in the simulation: a fixed 50 ms (open,
     * parse, set up a session) plus reading at 200 MB/s. What a cost-aware policy weighs.
     */
    public static long loadMillis(long sizeBytes) {
        return 50 + sizeBytes / 200_000;
    }

    /** What a replay counted; {@code loadMillis} is the simulated time all its loads took. */
    public record Result(long requests, long hits, long loads, long evictions, long loadedBytes, long loadMillis) {
        public double hitRatio() {
            return requests == 0 ? 0 : (double) hits / requests;
        }
    }

    public static Result run(Trace trace, long capacity, EvictionPolicy policy) {
        Map<Integer, Long> lastUsed = new HashMap<>();
        Map<Integer, Long> uses = new HashMap<>();
        return new SlotReplay() {
            @Override
            void touch(int model, int r) {
                lastUsed.put(model, (long) r);
                uses.merge(model, 1L, Long::sum);
            }

            @Override
            int victim() {
                List<EvictionCandidate> candidates = new ArrayList<>(lastUsed.size());
                lastUsed.forEach((m, at) -> candidates.add(new EvictionCandidate(Integer.toString(m), trace.sizes()[m], at,
                        loadMillis(trace.sizes()[m]), uses.get(m))));
                return Integer.parseInt(policy.victim(candidates).orElseThrow().modelId());
            }

            @Override
            void insert(int model, int r) {
                lastUsed.put(model, (long) r);
                uses.put(model, 1L);
            }

            @Override
            void remove(int model) {
                lastUsed.remove(model);
                uses.remove(model);
            }

            @Override
            boolean resident(int model) {
                return lastUsed.containsKey(model);
            }
        }.replay(trace, capacity);
    }
}
