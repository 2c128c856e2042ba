package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.mmesh.ModelRuntimeGrpc;
import dev.meshwork.protocol.mmesh.RuntimeStatusRequest;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.testing.RuntimeServerProcess;
import dev.meshwork.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime-server's listener behind the same tls block and a secret: the node that is
 * configured for it loads and infers through it; a caller without the client certificate or the
 * secret is refused.
 */
class RuntimeServerTrustTest {
    static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";
    final HttpClient http = HttpClient.newHttpClient();

    private String inferThroughMesh(Path dir, String externalYaml, int port) throws Exception {
        Path meshDir = Files.createDirectories(dir.resolve("mesh-" + port));
        Path model = Files.createDirectories(meshDir.resolve("adder")).resolve("model.onnx");
        Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), model);
        Path config = Files.writeString(dir.resolve("mesh-" + port + ".yaml"), "node:\n  externalRuntimes:\n    - name: ext\n"
                + "      formats: [onnx]\n      endpoint: \"127.0.0.1:" + port + "\"\n      startupTimeoutMs: 5000\n      " + externalYaml + "\n");
        try (MeshProcess mesh = MeshProcess.start(meshDir, "--config=" + config)) {
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/mesh/models/ext-adder"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"modelFormat\": {\"name\": \"onnx\"}, \"runtime\": \"ext\", \"storageUri\": \""
                            + model + "\"}")).header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            return http.send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v2/models/ext-adder/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(INFER)).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    private static void assertRefused(ManagedChannel ch, Status.Code code) throws InterruptedException {
        try {
            assertThatThrownBy(() -> ModelRuntimeGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .runtimeStatus(RuntimeStatusRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void overMutualTlsOnlyTheConfiguredNodeGetsIn(@TempDir Path work) throws Exception {
        Path dir = work.toRealPath();
        TestCertificates ca = TestCertificates.authority(dir.resolve("pki"));
        TestCertificates.Issued server = ca.server("runtime", "runtime");
        TestCertificates.Issued node = ca.client("node", "CN=node-0", "node-0");
        int port = MeshProcess.freePort();
        try (RuntimeServerProcess runtime = RuntimeServerProcess.start(dir, port, "runtime.log", "--tls.certFile=" + server.certFile(),
                "--tls.keyFile=" + server.keyFile(), "--tls.clientCaFile=" + ca.ca().certFile())) {
            String answer = inferThroughMesh(dir, "tls: {certFile: \"" + node.certFile() + "\", keyFile: \"" + node.keyFile()
                    + "\", serverCaFile: \"" + ca.ca().certFile() + "\"}", port);
            assertThat(answer).contains("[11.0,22.0]");
            assertRefused(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), Status.Code.UNAVAILABLE);
            assertRefused(NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .sslContext(GrpcSslContexts.forClient().trustManager(ca.ca().certificate()).build()).build(), Status.Code.UNAVAILABLE);
        }
    }

    @Test
    void inPlainTextEveryCallCarriesTheSecret(@TempDir Path work) throws Exception {
        Path dir = work.toRealPath();
        Path secret = Files.writeString(dir.resolve("runtime.secret"), "runtime-secret-0123456789\n");
        int port = MeshProcess.freePort();
        try (RuntimeServerProcess runtime = RuntimeServerProcess.start(dir, port, "runtime.log", "--secretFile=" + secret)) {
            assertThat(inferThroughMesh(dir, "secretFile: \"" + secret + "\"", port)).contains("[11.0,22.0]");
            assertRefused(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), Status.Code.UNAUTHENTICATED);
        }
    }
}
