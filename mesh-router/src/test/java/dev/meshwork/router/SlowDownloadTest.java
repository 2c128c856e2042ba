package dev.meshwork.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hostile server of issue 12's second hole: it accepts an artifact download and drips a byte
 * now and then. With one load thread, a model on local storage still loads meanwhile (downloads
 * have their own threads), and the drip ends at the idle timeout with a message that says so.
 */
class SlowDownloadTest {
    @RegisterExtension
    static final InJvmMesh mesh = new InJvmMesh("--node.loadThreads=1", "--node.storage.downloads.idleTimeoutMs=2000");
    static HttpServer dripping;
    static final ExecutorService handlers = Executors.newCachedThreadPool();
    static final CountDownLatch downloading = new CountDownLatch(1);

    @BeforeAll
    static void serve() throws IOException {
        dripping = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        dripping.setExecutor(handlers);
        dripping.createContext("/", ex -> {
            downloading.countDown();
            ex.sendResponseHeaders(200, 100_000);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(1);
                out.flush();
                Thread.sleep(30_000); // then nothing: the node must give up long before
            } catch (IOException | InterruptedException gone) {
                // the node closed the download
            }
        });
        dripping.start();
    }

    @AfterAll
    static void stop() {
        dripping.stop(0);
        handlers.shutdownNow();
    }

    @Test
    void aDrippingDownloadHoldsNoLoadAndEndsSayingWhy() throws Exception {
        String uri = "http://127.0.0.1:" + dripping.getAddress().getPort() + "/model.onnx";
        assertThat(mesh.put("/v1/mesh/models/dripping", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri + "\"}").status())
                .isEqualTo(201);
        CompletableFuture<InJvmMesh.Http> stuck = CompletableFuture.supplyAsync(() -> {
            try {
                return mesh.post("/v2/repository/models/dripping/load", "");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(downloading.await(20, TimeUnit.SECONDS)).isTrue();
        // the copy's status shows how far its download came: one byte of the 100,000 the server declared
        com.fasterxml.jackson.databind.JsonNode copy = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline && (copy == null || copy.path("downloadedBytes").asLong() == 0)) {
            copy = new com.fasterxml.jackson.databind.ObjectMapper().readTree(mesh.get("/v1/mesh/models/dripping").body()).path("copies").path(0);
            Thread.sleep(20);
        }
        assertThat(copy.path("state").asText()).isEqualTo("LOADING");
        assertThat(copy.path("downloadedBytes").asLong()).isEqualTo(1);
        assertThat(copy.path("downloadBytes").asLong()).isEqualTo(100_000);
        long start = System.nanoTime();
        InJvmMesh.Http local = mesh.post("/v2/repository/models/add-vectors/load", "");
        long localMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(local.status()).isEqualTo(200);
        assertThat(stuck).as("the local model loaded while the download was still dripping (%d ms)", localMs).isNotDone();

        InJvmMesh.Http failed = stuck.get(20, TimeUnit.SECONDS);
        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.body()).contains("the download received no byte for 2000 ms (node.storage.downloads.idleTimeoutMs)");
        assertThat(mesh.post("/v2/models/add-vectors/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
                + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}").status()).isEqualTo(200);
    }
}
