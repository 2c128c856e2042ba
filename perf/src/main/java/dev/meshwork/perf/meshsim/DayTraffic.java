package dev.meshwork.perf.meshsim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The requests of a {@link PoolSim} day: the models' sizes (log-normal), their popularity (Zipf over
 * a random ranking that rotates by {@code driftPerHour} ranks each simulated hour) and the gaps
 * between arrivals (Poisson at the day's rate). Deterministic for a seed, so every pool of a run
 * serves the same requests. Single-threaded.
 */
final class DayTraffic {
    private final PoolSim config;
    private final long[] sizes;
    private final String[] ids;
    private final int[] modelAtRank;
    private final double[] cdf;
    private final SplittableRandom random;

    DayTraffic(PoolSim config) {
        this.config = config;
        SplittableRandom setup = new SplittableRandom(config.seed());
        this.sizes = new long[config.models()];
        this.ids = new String[config.models()];
        for (int m = 0; m < sizes.length; m++) {
            double g = Math.sqrt(-2 * Math.log(1 - setup.nextDouble())) * Math.cos(2 * Math.PI * setup.nextDouble());
            sizes[m] = Math.max(1 << 20, Math.round(((long) config.medianSizeMb() << 20) * Math.exp(config.sizeSigma() * g)));
            ids[m] = "m" + m;
        }
        this.modelAtRank = new int[config.models()];
        for (int i = 0; i < modelAtRank.length; i++) {
            modelAtRank[i] = i;
        }
        for (int i = modelAtRank.length - 1; i > 0; i--) {
            int j = setup.nextInt(i + 1);
            int t = modelAtRank[i];
            modelAtRank[i] = modelAtRank[j];
            modelAtRank[j] = t;
        }
        this.cdf = new double[config.models()];
        double sum = 0;
        for (int rank = 0; rank < cdf.length; rank++) {
            sum += 1.0 / Math.pow(rank + 1, config.zipf());
            cdf[rank] = sum;
        }
        for (int rank = 0; rank < cdf.length; rank++) {
            cdf[rank] /= sum;
        }
        this.random = new SplittableRandom(config.seed() * 31 + 7);
    }

    /** Each model's bytes, by index. */
    long[] sizes() {
        return sizes;
    }

    /** Each model's id, by index. */
    String[] ids() {
        return ids;
    }

    /** The time to the next arrival, in ms, at {@code ratePerSecond}. */
    double gapMs(double ratePerSecond) {
        return -Math.log(1 - random.nextDouble()) * 1000.0 / ratePerSecond;
    }

    /** A request's model at {@code at}: by popularity, the ranking rotated by the hours gone. */
    int pick(long at) {
        int rank = Arrays.binarySearch(cdf, random.nextDouble());
        rank = rank >= 0 ? rank : Math.min(-rank - 1, cdf.length - 1);
        long offset = (at / 3_600_000L) * config.driftPerHour();
        return modelAtRank[(int) ((rank + offset) % cdf.length)];
    }
}
