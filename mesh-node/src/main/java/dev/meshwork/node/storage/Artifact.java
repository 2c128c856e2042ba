package dev.meshwork.node.storage;

import java.nio.file.Path;

/**
 * A local artifact a runtime may read, held open (pinned in the disk cache) until closed, so the
 * cache never deletes a file a load is reading. Not thread-safe: one load uses one handle.
 */
public final class Artifact implements AutoCloseable {
    private final Path path;
    private final Runnable onClose;
    private String digest;
    private boolean closed;

    /** {@code digest} is the one the disk cache checked for a download, or null to read the bytes when asked. */
    Artifact(Path path, Runnable onClose, String digest) {
        this.path = path;
        this.onClose = onClose;
        this.digest = digest;
    }

    public Path path() {
        return path;
    }

    /** {@code sha256:<hex>} of the artifact's bytes ({@link ArtifactDigest}); a local artifact is read once per handle. */
    public String digest() {
        if (digest == null) {
            digest = ArtifactDigest.of(path);
        }
        return digest;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
