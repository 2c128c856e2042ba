package dev.meshwork.node.storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far one artifact's download has come: the bytes so far and, when the source said (HTTP's
 * Content-Length, S3's object sizes), how many there are in all, so that a LOADING copy can show
 * its download in its status. The download thread writes; status readers read, any thread.
 */
public final class DownloadProgress {
    private final AtomicLong bytes = new AtomicLong();
    private volatile long totalBytes;

    /** Bytes downloaded so far. */
    public long bytes() {
        return bytes.get();
    }

    /** The artifact's size as its source declared it; 0 when it did not say. */
    public long totalBytes() {
        return totalBytes;
    }

    void expect(long total) {
        totalBytes = Math.max(0, total);
    }

    void add(long n) {
        bytes.addAndGet(n);
    }
}
