package dev.meshwork.node.storage;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends a download that stalls (no byte for {@code idleMs}) or runs past its deadline, however
 * steadily it drips: one timer thread for the process looks at each running download a few times
 * per idle period and, when one is over, closes its stream and interrupts its thread, which is
 * what unblocks a read. The download thread calls {@link Ticket#progress} as bytes arrive.
 */
final class DownloadWatch {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshwork-download-watch");
        t.setDaemon(true);
        return t;
    });
    private final long idleMs;
    private final long deadlineMs;

    DownloadWatch(long idleMs, long deadlineMs) {
        this.idleMs = idleMs;
        this.deadlineMs = deadlineMs;
    }

    /** Watches the calling thread's download of {@code uri} from {@code stream} until the ticket is closed. */
    Ticket start(String uri, Closeable stream) {
        return new Ticket(uri, stream);
    }

    /** One watched download. Closing it stops the watch and clears an interrupt the watch caused. */
    final class Ticket implements AutoCloseable {
        private final String uri;
        private final Closeable stream;
        private final Thread thread = Thread.currentThread();
        private final long started = System.nanoTime();
        private volatile long lastProgress = started;
        private volatile String ended;
        private boolean closed;
        private final ScheduledFuture<?> check;

        private Ticket(String uri, Closeable stream) {
            this.uri = uri;
            this.stream = stream;
            long period = Math.max(5, Math.min(idleMs, deadlineMs) / 4);
            this.check = TIMER.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        private synchronized void check() {
            long now = System.nanoTime();
            if (closed || ended != null) {
                return;
            }
            if (now - started > TimeUnit.MILLISECONDS.toNanos(deadlineMs)) {
                ended = "did not finish within " + deadlineMs + " ms (node.storage.downloads.deadlineMs)";
            } else if (now - lastProgress > TimeUnit.MILLISECONDS.toNanos(idleMs)) {
                ended = "received no byte for " + idleMs + " ms (node.storage.downloads.idleTimeoutMs)";
            } else {
                return;
            }
            try {
                stream.close();
            } catch (IOException | RuntimeException ignored) {
                // the interrupt below ends the read as well
            }
            thread.interrupt();
        }

        /** The failure to report for an I/O error: the watch's reason when it ended the download, else null. */
        MeshError failure() {
            String why = ended;
            return why == null ? null : new MeshError(ErrorCode.UNAVAILABLE, "storageUri " + ModelSpec.redactUri(uri) + ": the download " + why);
        }

        @Override
        public synchronized void close() {
            closed = true;
            check.cancel(false);
            if (ended != null) {
                Thread.interrupted(); // the interrupt was ours, for the read; the load thread must not inherit it
            }
        }
    }
}
