package dev.meshwork.perf.meshsim;

import java.util.Arrays;

/**
 * The bytes of the distinct models requested within a sliding window, as a router's autoscale
 * signal counts them: a ring of (time, model) per request, oldest first, and each model's last
 * request. Requests must come in time order. Single-threaded.
 */
final class WorkingSet {
    /** A model not in the set. */
    private static final long NEVER = Long.MIN_VALUE / 2;
    private final long windowMs;
    private final long[] sizes;
    private final long[] lastUsedMs;
    private long[] recent = new long[1 << 16];
    private int head;
    private int size;
    private long bytes;

    WorkingSet(long windowMs, long[] sizes) {
        this.windowMs = windowMs;
        this.sizes = sizes;
        this.lastUsedMs = new long[sizes.length];
        Arrays.fill(lastUsedMs, NEVER);
    }

    long bytes() {
        return bytes;
    }

    /**
     * A request for model {@code m} at {@code at}: the set gains the model when it is not in it. Not
     * "last used before the window": an entry that expired since the last {@link #expire} is still
     * counted until that takes it out, and counting it again here would count it twice.
     */
    void requested(int m, long at) {
        if (lastUsedMs[m] == NEVER) {
            bytes += sizes[m];
        }
        lastUsedMs[m] = at;
        if (size == recent.length) {
            long[] more = new long[recent.length * 2];
            for (int i = 0; i < size; i++) {
                more[i] = recent[(head + i) % recent.length];
            }
            recent = more;
            head = 0;
        }
        recent[(head + size++) % recent.length] = at << 20 | m;
    }

    /** Takes out the models whose last request is older than the window at {@code now}. */
    void expire(long now) {
        while (size > 0) {
            long e = recent[head];
            long at = e >>> 20;
            if (at >= now - windowMs) {
                return;
            }
            int m = (int) (e & ((1 << 20) - 1));
            if (lastUsedMs[m] == at) {
                bytes -= sizes[m];
                lastUsedMs[m] = NEVER;
            }
            head = (head + 1) % recent.length;
            size--;
        }
    }
}
