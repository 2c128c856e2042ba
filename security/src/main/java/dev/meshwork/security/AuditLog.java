package dev.meshwork.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one JSON line per management change and per refused request, appended to
 * {@code security.auditFile} and rotated by size. Request threads, event loops and gRPC transport
 * threads only put an entry on a bounded queue (never blocking: a full queue drops the entry and
 * counts it in {@code meshwork_audit_dropped_total}); one daemon thread writes.
 */
public final class AuditLog implements AutoCloseable {
    /**
     * One audited event.
     *
     * @param outcome {@code ok}, {@code refused:<reason>} or {@code failed:<status>}
     */
    public record Entry(String time, String principal, String namespace, String action, String target, String outcome,
                        String protocol, String detail) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Entry STOP = new Entry("", "", "", "", "", "", "", "");
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(10_000);
    private final Counter dropped;
    private final Thread writer;

    public AuditLog(SecurityConfig config, MeterRegistry metrics) {
        this.file = config.auditFile().isEmpty() ? null : Path.of(config.auditFile());
        this.maxBytes = config.auditMaxBytes();
        this.keep = config.auditKeep();
        this.dropped = Counter.builder("meshwork_audit_dropped").description("audit entries lost because the writer fell behind")
                .register(metrics);
        if (file != null) {
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
            } catch (IOException e) {
                throw new IllegalArgumentException("security.auditFile: cannot write " + file + ": " + e.getMessage(), e);
            }
            this.writer = Thread.ofPlatform().daemon().name("meshwork-audit").start(this::writeLoop);
        } else {
            this.writer = null;
        }
    }

    /** Queues one entry stamped now; never blocks. */
    public void record(String principal, String namespace, String action, String target, String outcome, String protocol, String detail) {
        if (file == null) {
            return;
        }
        Entry e = new Entry(Instant.now().toString(), principal, namespace, action, target, outcome, protocol, detail);
        if (!queue.offer(e)) {
            dropped.increment();
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                Entry first = queue.take();
                if (first == STOP) {
                    return;
                }
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                    Entry e = first;
                    while (e != null && e != STOP) {
                        out.write(JSON.writeValueAsBytes(e));
                        out.write('\n');
                        e = queue.poll();
                    }
                    if (e == STOP) {
                        return;
                    }
                } catch (IOException ex) {
                    LOG.warn("cannot write the audit file {}: {}", file, ex.getMessage());
                }
                rotateIfFull();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void rotateIfFull() {
        try {
            if (Files.size(file) < maxBytes) {
                return;
            }
            for (int i = keep - 1; i >= 1; i--) {
                Path from = Path.of(file + "." + i);
                if (Files.exists(from)) {
                    Files.move(from, Path.of(file + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, Path.of(file + ".1"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot rotate the audit file {}: {}", file, e.getMessage());
        }
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        if (writer == null) {
            return;
        }
        try {
            queue.offer(STOP, 1, TimeUnit.SECONDS);
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
