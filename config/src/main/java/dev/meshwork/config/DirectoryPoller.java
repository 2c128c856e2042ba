package dev.meshwork.config;

import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Calls back when the YAML files of a directory change (names, sizes, modification times),
 * checked every {@code pollMs} on one daemon thread. Polling rather than a WatchService: it behaves
 * the same on every file system, including network and container mounts. A change is reported only
 * once the directory has looked the same for two polls in a row: a save that truncates and then
 * writes is never read half-way (an empty file would otherwise unregister its models for a moment).
 * The callback runs on the poll thread, one call at a time.
 */
public final class DirectoryPoller implements AutoCloseable {
    /** A directory of more than this many documents is a mistake, not configuration. */
    public static final int MAX_FILES = 1000;
    private final Path dir;
    private final ScheduledExecutorService poller;
    private final Runnable onChange;
    // both touched only by the poll thread after construction
    private String applied;
    private String seen;

    public DirectoryPoller(Path dir, long pollMs, String threadName, Runnable onChange) {
        this.dir = dir;
        this.applied = fingerprint(dir);
        this.seen = applied;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.onChange = onChange;
        poller.scheduleWithFixedDelay(this::poll, pollMs, pollMs, TimeUnit.MILLISECONDS);
    }

    /** One check; package-private so a test can step it without waiting for the schedule. */
    void poll() {
        String now = fingerprint(dir);
        if (!now.equals(seen)) {
            seen = now;
        } else if (!now.equals(applied)) {
            applied = now;
            onChange.run();
        }
    }

    /** The directory's {@code .yaml} / {@code .yml} files in name order (not its subdirectories). */
    public static List<Path> yamlFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw MeshError.invalid("%s is not a directory", dir);
        }
        try (Stream<Path> list = Files.list(dir)) {
            List<Path> files = list.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted().toList();
            if (files.size() > MAX_FILES) {
                throw MeshError.invalid("%s holds %d YAML files, more than %d", dir, files.size(), MAX_FILES);
            }
            return files;
        } catch (IOException e) {
            throw MeshError.invalid("%s cannot be listed: %s", dir, e.getMessage());
        }
    }

    private static String fingerprint(Path dir) {
        try {
            StringBuilder b = new StringBuilder();
            for (Path f : yamlFiles(dir)) {
                b.append(f.getFileName()).append(':').append(Files.size(f)).append(':').append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            }
            return b.toString();
        } catch (IOException | RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
