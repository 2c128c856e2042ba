package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that hangs (SIGSTOP) with a request in flight: once the cluster declares it gone, the
 * router fails that call over to another node within the client's deadline, instead of waiting
 * for the node to wake up or for the whole forward timeout (60 s).
 */
class HungNodeTest {
    @TempDir
    Path dir;

    static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";

    static void signal(MeshProcess p, String sig) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCallToAHungNodeFailsOverOnceTheNodeIsDeclaredGone() throws Exception {
        try (MeshCluster cluster = MeshCluster.start(dir, 1, 2, List.of(), List.of("--forward.timeoutMs=60000"))) {
            MeshProcess router = cluster.router(0);
            cluster.registerOnnx(router, "adder", "add-vectors");
            assertThat(cluster.post(router, "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");
            String holder = cluster.get(router, "/v1/mesh/models/adder").body().replaceAll("(?s).*\"node\":\"(node-\\d)\".*", "$1");
            MeshProcess hung = cluster.node(holder.equals("node-0") ? 0 : 1);
            signal(hung, "STOP");
            try {
                long started = System.nanoTime();
                CompletableFuture<MeshExtension.Http> call = CompletableFuture.supplyAsync(() -> {
                    try {
                        return cluster.post(router, "/v2/models/adder/infer", INFER);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                MeshExtension.Http answer = call.get(40, TimeUnit.SECONDS);
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(answer.status()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).contains("[11.0,22.0]");
                assertThat(tookMs).as("answered by the other node after failure detection, well before the 60 s forward timeout")
                        .isLessThan(30_000);
            } finally {
                signal(hung, "CONT");
            }
        }
    }
}
