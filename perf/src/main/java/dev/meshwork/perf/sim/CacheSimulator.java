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

    /** What a replay counted. */
    public record Result(long requests, long hits, long loads, long evictions, long loadedBytes) {
        public double hitRatio() {
            return requests == 0 ? 0 : (double) hits / requests;
        }
    }

    public static Result run(Trace trace, long capacity, EvictionPolicy policy) {
        Map<Integer, Long> lastUsed = new HashMap<>();
        return new SlotReplay() {
            @Override
            void touch(int model, int r) {
                lastUsed.put(model, (long) r);
            }

            @Override
            int victim() {
                List<EvictionCandidate> candidates = new ArrayList<>(lastUsed.size());
                lastUsed.forEach((m, at) -> candidates.add(new EvictionCandidate(Integer.toString(m), trace.sizes()[m], at, 0)));
                return Integer.parseInt(policy.victim(candidates).orElseThrow().modelId());
            }

            @Override
            void insert(int model, int r) {
                lastUsed.put(model, (long) r);
            }

            @Override
            void remove(int model) {
                lastUsed.remove(model);
            }

            @Override
            boolean resident(int model) {
                return lastUsed.containsKey(model);
            }
        }.replay(trace, capacity);
    }
}
