package dev.meshwork.perf.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Makes synthetic traces: popularity Zipf with exponent {@code s} (0 is uniform) over {@code models}
 * models, optionally drifting (every {@code shiftEvery} requests the ranking rotates by
 * {@code shiftBy}, so yesterday's hot models cool down), and sizes either equal or log-normal
 * around a median. Deterministic for a seed. Not thread-safe; one per trace.
 *
 * @param models     how many models
 * @param zipf       the popularity exponent (1.0 is the classic heavy head)
 * @param requests   how many requests
 * @param medianSize median model size in bytes
 * @param sizeSigma  log-normal sigma of the sizes; 0 makes every model the median size
 * @param shiftEvery rotate the popularity ranking every this many requests; 0 never
 * @param shiftBy    how many ranks a rotation moves
 * @param seed       the random seed
 */
public record TraceGenerator(int models, double zipf, int requests, long medianSize, double sizeSigma, int shiftEvery, int shiftBy,
                             long seed) {
    public Trace generate() {
        SplittableRandom random = new SplittableRandom(seed);
        double[] cdf = new double[models];
        double sum = 0;
        for (int rank = 0; rank < models; rank++) {
            sum += 1.0 / Math.pow(rank + 1, zipf);
            cdf[rank] = sum;
        }
        for (int rank = 0; rank < models; rank++) {
            cdf[rank] /= sum;
        }
        long[] sizes = new long[models];
        for (int m = 0; m < models; m++) {
            sizes[m] = sizeSigma == 0 ? medianSize : Math.max(1, Math.round(medianSize * Math.exp(sizeSigma * gaussian(random))));
        }
        // rank -> model: a random permutation, so popularity is not tied to the model index (or its size)
        int[] modelAtRank = new int[models];
        for (int i = 0; i < models; i++) {
            modelAtRank[i] = i;
        }
        for (int i = models - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = modelAtRank[i];
            modelAtRank[i] = modelAtRank[j];
            modelAtRank[j] = t;
        }
        int[] out = new int[requests];
        int offset = 0;
        for (int r = 0; r < requests; r++) {
            if (shiftEvery > 0 && r > 0 && r % shiftEvery == 0) {
                offset = (offset + shiftBy) % models;
            }
            int rank = Arrays.binarySearch(cdf, random.nextDouble());
            rank = rank >= 0 ? rank : Math.min(-rank - 1, models - 1);
            out[r] = modelAtRank[(rank + offset) % models];
        }
        return new Trace(out, sizes);
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
