package dev.meshwork.node.storage;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's download threads: at most {@code threads} downloads at once, and at most
 * {@code perHost} from one host; a download over its host's share waits in that host's line
 * without holding a thread, so one slow server cannot take every download thread. Any thread
 * submits; the queue's state is guarded by its monitor.
 */
final class DownloadQueue {
    private final ExecutorService threads;
    private final int perHost;
    private final Map<String, Integer> running = new HashMap<>();
    private final Map<String, ArrayDeque<Runnable>> waiting = new HashMap<>();

    DownloadQueue(int threads, int perHost) {
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "meshwork-download-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.perHost = perHost;
    }

    /** Runs {@code task} on a download thread once {@code host} has a free share. */
    void submit(String host, Runnable task) {
        synchronized (this) {
            if (running.getOrDefault(host, 0) >= perHost) {
                waiting.computeIfAbsent(host, h -> new ArrayDeque<>()).add(task);
                return;
            }
            running.merge(host, 1, Integer::sum);
        }
        threads.execute(() -> runThenNext(host, task));
    }

    private void runThenNext(String host, Runnable task) {
        try {
            task.run();
        } finally {
            Runnable next;
            synchronized (this) {
                ArrayDeque<Runnable> line = waiting.get(host);
                next = line == null ? null : line.poll();
                if (line != null && line.isEmpty()) {
                    waiting.remove(host);
                }
                if (next == null && running.merge(host, -1, Integer::sum) == 0) {
                    running.remove(host);
                }
            }
            if (next != null) {
                Runnable n = next;
                threads.execute(() -> runThenNext(host, n));
            }
        }
    }

    void shutdown() {
        threads.shutdownNow();
    }
}
