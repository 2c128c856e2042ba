package dev.meshwork.kserve;

import dev.meshwork.config.DirectoryPoller;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the runtime catalog in step with its directory without a restart: on a change the files
 * are all loaded again. A broken edit is logged and shown by {@link #reloadError()}, and the last
 * good catalog stays in force. Readers on any thread; reloads on the poller's thread.
 */
public final class CatalogWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogWatcher.class);
    private final Path dir;
    private final AtomicReference<RuntimeCatalog> current;
    private final AtomicReference<String> reloadError = new AtomicReference<>("");
    private final Runnable onChange;
    private final java.util.List<java.util.function.Consumer<String>> reloads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final DirectoryPoller poller;

    /** Loads the catalog now (a bad directory fails the start) and, with a directory, polls it every {@code pollMs}. */
    public CatalogWatcher(Path dir, long pollMs, Runnable onChange) {
        this.dir = dir;
        this.onChange = onChange;
        this.current = new AtomicReference<>(RuntimeCatalog.load(dir));
        this.poller = dir == null ? null : new DirectoryPoller(dir, pollMs, "meshwork-runtime-catalog", this::reload);
    }

    public RuntimeCatalog catalog() {
        return current.get();
    }

    public Path dir() {
        return dir;
    }

    /** Tells {@code listener} of every reload of the directory: empty when it was taken, else why not (the poller's thread calls it). */
    public void onReload(java.util.function.Consumer<String> listener) {
        reloads.add(listener);
    }

    /** Why the newest edit was not taken, or empty. */
    public String reloadError() {
        return reloadError.get();
    }

    private void reload() {
        try {
            RuntimeCatalog loaded = RuntimeCatalog.load(dir);
            current.set(loaded);
            reloadError.set("");
            LOG.info("runtime catalog reloaded from {}: {} runtimes", dir, loaded.runtimes().size());
            onChange.run();
            reloads.forEach(l -> l.accept(""));
        } catch (RuntimeException e) {
            reloadError.set(e.getMessage());
            LOG.warn("runtime catalog in {} not reloaded, the previous one stays: {}", dir, e.getMessage());
            reloads.forEach(l -> l.accept(e.getMessage()));
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.close();
        }
    }
}
