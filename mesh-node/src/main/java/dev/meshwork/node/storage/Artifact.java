package dev.meshwork.node.storage;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * A local artifact a runtime may read, held open (pinned in the disk cache) until closed, so the
 * cache never deletes a file a load is reading. Not thread-safe: one load uses one handle.
 */
public final class Artifact implements AutoCloseable {
    private final Path path;
    private final Runnable onClose;
    private final Function<Path, String> digester;
    private String digest;
    private boolean closed;

    /** {@code digest} is the one the disk cache checked for a download, or null to ask {@code digester} when it is wanted. */
    Artifact(Path path, Runnable onClose, String digest, Function<Path, String> digester) {
        this.path = path;
        this.onClose = onClose;
        this.digest = digest;
        this.digester = digester;
    }

    public Path path() {
        return path;
    }

    /** {@code sha256:<hex>} of the artifact's bytes ({@link ArtifactDigest}); asked of the digester once per handle. */
    public String digest() {
        if (digest == null) {
            digest = digester.apply(path);
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
