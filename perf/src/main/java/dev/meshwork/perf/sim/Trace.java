package dev.meshwork.perf.sim;

/**
 * A request trace: which model each request asks for, and every model's size. Immutable by
 * convention (the arrays are not copied: traces are large and only read).
 *
 * @param requests model index per request, in arrival order
 * @param sizes    bytes per model index
 */
public record Trace(int[] requests, long[] sizes) {
    public int models() {
        return sizes.length;
    }

    public long totalBytes() {
        long sum = 0;
        for (long s : sizes) {
            sum += s;
        }
        return sum;
    }
}
