package dev.meshwork.perf;

import java.util.Arrays;

/** The median the benchmarks quote: the middle value, or the mean of the middle two; NaN for none. Pure. */
public final class Median {
    private Median() {
    }

    public static double of(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
