package dev.meshwork.node.storage;

import java.nio.file.Path;

/**
 * A local artifact a runtime may read, held open (pinned in the disk cache) until closed, so the
 * cache never deletes a file a load is reading. Not thread-safe: one load uses one handle.
 */
public final class Artifact implements AutoCloseable {
    private final Path path;
    private final Runnable onClose;
    private boolean closed;

    Artifact(Path path, Runnable onClose) {
        this.path = path;
        this.onClose = onClose;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
