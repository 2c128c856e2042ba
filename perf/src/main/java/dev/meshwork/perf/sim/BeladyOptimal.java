package dev.meshwork.perf.sim;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * The offline baseline: Belady's replacement (on a miss, evict the resident model whose next
 * request is furthest away), which knows the whole trace. A miss always loads the model, as the
 * node does. With equal model sizes it is optimal: no eviction policy reaches a higher hit ratio
 * at that capacity. With unequal sizes it is the usual "Belady-size" heuristic: a strong
 * reference point, not a proven bound. Single-threaded.
 */
public final class BeladyOptimal {
    private BeladyOptimal() {
    }

    public static CacheSimulator.Result run(Trace trace, long capacity) {
        int[] requests = trace.requests();
        int n = requests.length;
        // next[r]: the index of the next request for the same model after r, or n (never again)
        int[] next = new int[n];
        int[] seen = new int[trace.models()];
        Arrays.fill(seen, n);
        for (int r = n - 1; r >= 0; r--) {
            next[r] = seen[requests[r]];
            seen[requests[r]] = r;
        }
        long[][] keyOf = new long[trace.models()][];
        // residents by {next use, model}, the furthest last
        TreeSet<long[]> byNextUse = new TreeSet<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        return new SlotReplay() {
            @Override
            void touch(int model, int r) {
                remove(model);
                insert(model, r);
            }

            @Override
            int victim() {
                return (int) byNextUse.last()[1];
            }

            @Override
            void insert(int model, int r) {
                keyOf[model] = new long[]{next[r], model};
                byNextUse.add(keyOf[model]);
            }

            @Override
            void remove(int model) {
                byNextUse.remove(keyOf[model]);
                keyOf[model] = null;
            }

            @Override
            boolean resident(int model) {
                return keyOf[model] != null;
            }
        }.replay(trace, capacity);
    }
}
