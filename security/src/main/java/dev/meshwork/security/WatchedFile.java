package dev.meshwork.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value read from one or more files and read again when any of them changes (as cert-manager
 * and Kubernetes secret volumes replace files), checked at most once per {@code checkMs} on use.
 * A file that no longer parses keeps the last good value, says so in the log and in the metrics
 * {@code meshwork_security_reload_failures_total} and {@code meshwork_security_file_current}
 * (0 while a stale value is in use). The first read must succeed: a process does not start on a
 * broken file. Any thread may call {@link #get}; a reload runs on the caller's thread under this
 * object's monitor, once per change.
 */
public final class WatchedFile<T> {
    private static final Logger LOG = LoggerFactory.getLogger(WatchedFile.class);
    private final List<Path> paths;
    private final Function<List<byte[]>, T> parse;
    private final long checkNanos;
    private final Counter failures;
    private final String what;
    private volatile T value;
    private volatile String stamp;
    private volatile long nextCheck;
    private volatile boolean current = true;

    /**
     * @param what    how log lines and the metric's {@code file} tag name it ({@code auth.tokensFile})
     * @param parse   reads the files' bytes, in the order of {@code paths}; throws with a message on bad content
     */
    public WatchedFile(String what, List<Path> paths, Function<List<byte[]>, T> parse, long checkMs, MeterRegistry metrics) {
        this.what = what;
        this.paths = List.copyOf(paths);
        this.parse = parse;
        this.checkNanos = checkMs * 1_000_000L;
        this.failures = Counter.builder("meshwork_security_reload_failures").tag("file", what)
                .description("times a changed security file (tokens, keys, certificates) could not be read; the last good one stays in use")
                .register(metrics);
        Gauge.builder("meshwork_security_file_current", this, w -> w.current ? 1 : 0).tag("file", what)
                .description("1 when the file in use is the newest on disk, 0 while a broken newer file is refused")
                .register(metrics);
        this.stamp = stamp();
        try {
            this.value = parse.apply(read());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        this.nextCheck = System.nanoTime() + checkNanos;
    }

    /** The value, read again first when a file has changed since the last check. */
    public T get() {
        if (System.nanoTime() - nextCheck >= 0) {
            refresh();
        }
        return value;
    }

    private synchronized void refresh() {
        if (System.nanoTime() - nextCheck < 0) {
            return;
        }
        nextCheck = System.nanoTime() + checkNanos;
        String now = stamp();
        if (Objects.equals(now, stamp)) {
            return;
        }
        try {
            value = parse.apply(read());
            stamp = now;
            current = true;
            LOG.info("{}: read again after a change", what);
        } catch (RuntimeException e) {
            failures.increment();
            current = false;
            stamp = now; // the same broken content is reported once, not on every check
            LOG.warn("{}: the changed file cannot be used, keeping the last good one: {}", what, e.getMessage());
        }
    }

    private List<byte[]> read() {
        return paths.stream().map(p -> {
            try {
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage(), e);
            }
        }).toList();
    }

    /** Modification time and size of every file: what changes when a file is replaced. */
    private String stamp() {
        StringBuilder b = new StringBuilder();
        for (Path p : paths) {
            try {
                FileTime t = Files.getLastModifiedTime(p);
                b.append(t.toMillis()).append('/').append(Files.size(p)).append(';');
            } catch (IOException e) {
                b.append("missing;");
            }
        }
        return b.toString();
    }
}
