package dev.meshwork.placement.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the runtime catalog in step with its directory without a restart: polls the files' names,
 * sizes and modification times, and on a change loads them all again. A broken edit is logged and
 * shown by {@link #reloadError()}, and the last good catalog stays in force. Polling rather than a
 * WatchService: it behaves the same on every file system, including network and container mounts.
 * Readers on any thread; the poll runs on one daemon thread.
 */
public final class CatalogWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogWatcher.class);
    private final Path dir;
    private final AtomicReference<RuntimeCatalog> current;
    private final AtomicReference<String> reloadError = new AtomicReference<>("");
    private final Runnable onChange;
    private final ScheduledExecutorService poller;
    private volatile String fingerprint;

    /** Loads the catalog now (a bad directory fails the start) and, with a directory, polls it every {@code pollMs}. */
    public CatalogWatcher(Path dir, long pollMs, Runnable onChange) {
        this.dir = dir;
        this.onChange = onChange;
        this.fingerprint = fingerprint();
        this.current = new AtomicReference<>(RuntimeCatalog.load(dir));
        if (dir == null) {
            this.poller = null;
            return;
        }
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshwork-runtime-catalog");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, pollMs, pollMs, TimeUnit.MILLISECONDS);
    }

    public RuntimeCatalog catalog() {
        return current.get();
    }

    public Path dir() {
        return dir;
    }

    /** Why the newest edit was not taken, or empty. */
    public String reloadError() {
        return reloadError.get();
    }

    private void poll() {
        String now = fingerprint();
        if (now.equals(fingerprint)) {
            return;
        }
        fingerprint = now;
        try {
            RuntimeCatalog loaded = RuntimeCatalog.load(dir);
            current.set(loaded);
            reloadError.set("");
            LOG.info("runtime catalog reloaded from {}: {} runtimes", dir, loaded.runtimes().size());
            onChange.run();
        } catch (RuntimeException e) {
            reloadError.set(e.getMessage());
            LOG.warn("runtime catalog in {} not reloaded, the previous one stays: {}", dir, e.getMessage());
        }
    }

    private String fingerprint() {
        if (dir == null) {
            return "";
        }
        try {
            StringBuilder b = new StringBuilder();
            for (Path f : RuntimeCatalog.files(dir)) {
                b.append(f.getFileName()).append(':').append(Files.size(f)).append(':').append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            }
            return b.toString();
        } catch (IOException | RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
