package dev.meshwork.perf.sim;

import java.util.Arrays;

/**
 * An upper bound on the hit ratio any eviction policy can reach on a trace with unequal model
 * sizes, where Belady's rule is no longer optimal. A hit at request {@code r} for a model last
 * requested at {@code p} needs the model resident through the whole gap, which spends
 * {@code size x (r - p)} of the cache's byte-time; all hits together cannot spend more than
 * {@code capacity x requests}. Dropping the per-moment limit and keeping only that total leaves a
 * fractional knapsack, solved exactly by taking the cheapest gaps first: no real cache does
 * better (the relaxation behind Berger et al.'s PFOO-U bound, 2018). Single-threaded.
 */
public final class HitRatioBound {
    private HitRatioBound() {
    }

    public static double upper(Trace trace, long capacity) {
        int[] requests = trace.requests();
        long[] sizes = trace.sizes();
        int n = requests.length;
        int[] last = new int[trace.models()];
        Arrays.fill(last, -1);
        long[] costs = new long[n];
        int gaps = 0;
        for (int r = 0; r < n; r++) {
            int m = requests[r];
            if (last[m] >= 0 && sizes[m] <= capacity) {
                costs[gaps++] = Math.multiplyHigh(sizes[m], r - last[m]) == 0 ? sizes[m] * (r - last[m]) : Long.MAX_VALUE;
            }
            last[m] = r;
        }
        Arrays.sort(costs, 0, gaps);
        double budget = (double) capacity * n;
        double hits = 0;
        for (int i = 0; i < gaps && budget > 0; i++) {
            double take = Math.min(1, budget / costs[i]);
            hits += take;
            budget -= take * costs[i];
        }
        return n == 0 ? 0 : hits / n;
    }
}
