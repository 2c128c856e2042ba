package dev.meshwork.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that stalls or drips cannot hold a download for ever, nor take every download thread. */
class DownloadLimitsTest {
    @TempDir
    Path cacheDir;
    HttpServer server;
    final ExecutorService handlers = Executors.newCachedThreadPool();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/drip/", ex -> {
            long pause = Long.parseLong(ex.getRequestURI().getPath().replaceAll("\\D", ""));
            ex.sendResponseHeaders(200, 1000);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 1000; i++) { // bounded: at most 1,000 bytes, and it stops when the client goes
                    out.write(i);
                    out.flush();
                    Thread.sleep(pause);
                }
            } catch (IOException | InterruptedException gone) {
                // the client ended the download
            }
        });
        server.createContext("/quick/", ex -> {
            ex.sendResponseHeaders(200, 4);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(new byte[] {1, 2, 3, 4});
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        handlers.shutdownNow();
    }

    private String url(String host, String path) {
        return "http://" + host + ":" + server.getAddress().getPort() + path;
    }

    private ArtifactStore store(int threads, int perHost, long idleMs, long deadlineMs) {
        return new ArtifactStore(new NodeConfig.Storage(List.of(), 1 << 20, cacheDir.toString(), 1 << 20, 5_000, null, List.of(),
                new NodeConfig.DownloadLimits(threads, perHost, idleMs, deadlineMs)));
    }

    @Test
    void aStalledDownloadEndsAfterTheIdleTimeout() {
        ArtifactStore store = store(2, 2, 400, 60_000);
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.open(url("127.0.0.1", "/drip/5000/model.onnx")).close()).isInstanceOf(MeshError.class)
                .hasMessageContaining("the download received no byte for 400 ms (node.storage.downloads.idleTimeoutMs)");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4_000);
        assertThat(Thread.currentThread().isInterrupted()).isFalse(); // the watch's interrupt stays with the download
        store.close();
    }

    @Test
    void aDownloadThatDripsPastItsDeadlineEnds() {
        ArtifactStore store = store(2, 2, 2_000, 800);
        assertThatThrownBy(() -> store.open(url("127.0.0.1", "/drip/100/model.onnx")).close()).isInstanceOf(MeshError.class)
                .hasMessageContaining("the download did not finish within 800 ms (node.storage.downloads.deadlineMs)");
        store.close();
    }

    @Test
    void oneSlowHostDoesNotHoldTheOthersDownloads() throws Exception {
        ArtifactStore store = store(2, 1, 10_000, 60_000);
        CompletableFuture<Void> slow1 = store.prefetch(url("127.0.0.1", "/drip/200/a.onnx"));
        CompletableFuture<Void> slow2 = store.prefetch(url("127.0.0.1", "/drip/200/b.onnx")); // waits in 127.0.0.1's line, holding no thread
        CompletableFuture<Void> quick = store.prefetch(url("localhost", "/quick/c.onnx"));
        quick.get(5, TimeUnit.SECONDS);
        assertThat(slow1).isNotDone();
        assertThat(slow2).isNotDone();
        assertThat(store.prefetch(url("localhost", "/quick/c.onnx"))).isDone(); // cached now: nothing to fetch
        store.close();
    }
}
