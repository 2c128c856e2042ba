package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.protocol.node.NodeStatusRequest;
import dev.meshwork.protocol.node.UnloadRequest;
import com.sun.net.httpserver.HttpServer;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hop from router to node, as someone else on the cluster's network would try it: with mTLS a
 * node takes calls only from certificates named as routers, and a router reaches it; without TLS,
 * only calls that carry the cluster secret.
 */
class ClusterTrustTest {
    @TempDir
    Path dir;

    static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";

    private static void assertRefused(Function<NodeServiceGrpc.NodeServiceBlockingStub, Object> call, NodeServiceGrpc.NodeServiceBlockingStub stub,
                                      Status.Code code) {
        assertThatThrownBy(() -> call.apply(stub.withDeadlineAfter(10, TimeUnit.SECONDS)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    @Test
    void withMutualTlsANodeTakesCallsOnlyFromRouters() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir.resolve("pki"));
        TestCertificates.Issued router = ca.client("router", "CN=router-0", "router-0");
        TestCertificates.Issued node = ca.server("node-0", "node-0");
        TestCertificates.Issued intruder = ca.client("intruder", "CN=intruder", "intruder");
        Path caFile = ca.ca().certFile();
        try (MeshCluster cluster = MeshCluster.start(dir.resolve("mesh"), 1, 1,
                List.of("--tls.certFile=" + node.certFile(), "--tls.keyFile=" + node.keyFile(), "--tls.clientCaFile=" + caFile),
                List.of("--cluster.tls.certFile=" + router.certFile(), "--cluster.tls.keyFile=" + router.keyFile(), "--cluster.tls.serverCaFile=" + caFile))) {
            cluster.registerOnnx(cluster.router(0), "adder", "add-vectors");
            assertThat(cluster.post(cluster.router(0), "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");

            int port = cluster.node(0).grpcPort();
            for (TestCertificates.Issued who : new TestCertificates.Issued[] {intruder, null}) {
                SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(ca.ca().certificate());
                if (who != null) {
                    ssl.keyManager(who.certFile().toFile(), who.keyFile().toFile());
                }
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).overrideAuthority("node-0").sslContext(ssl.build()).build();
                try {
                    NodeServiceGrpc.NodeServiceBlockingStub stub = NodeServiceGrpc.newBlockingStub(ch);
                    // a certificate the CA signed but not a router's: refused; no certificate: no connection at all
                    Status.Code expected = who != null ? Status.Code.PERMISSION_DENIED : Status.Code.UNAVAILABLE;
                    assertRefused(s -> s.unload(UnloadRequest.newBuilder().setModelId("adder").build()), stub, expected);
                    assertRefused(s -> s.status(NodeStatusRequest.getDefaultInstance()), stub, expected);
                } finally {
                    ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
            ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                assertRefused(s -> s.status(NodeStatusRequest.getDefaultInstance()), NodeServiceGrpc.newBlockingStub(plain), Status.Code.UNAVAILABLE);
            } finally {
                plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            // the model is still there and still answers through the router
            assertThat(cluster.post(cluster.router(0), "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");
        }
    }

    @Test
    void withoutTlsInternalCallsNeedTheClusterSecret() throws Exception {
        Path secret = Files.writeString(dir.resolve("cluster.secret"), "s3cret-for-this-cluster-only\n");
        try (MeshCluster cluster = MeshCluster.start(dir.resolve("mesh"), 1, 1, List.of("--cluster.secretFile=" + secret),
                List.of("--cluster.secretFile=" + secret))) {
            cluster.registerOnnx(cluster.router(0), "adder", "add-vectors");
            assertThat(cluster.post(cluster.router(0), "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", cluster.node(0).grpcPort()).usePlaintext().build();
            try {
                NodeServiceGrpc.NodeServiceBlockingStub stranger = NodeServiceGrpc.newBlockingStub(ch);
                assertRefused(s -> s.unload(UnloadRequest.newBuilder().setModelId("adder").build()), stranger, Status.Code.UNAUTHENTICATED);
                Metadata wrong = new Metadata();
                wrong.put(Metadata.Key.of("meshwork-cluster-secret", Metadata.ASCII_STRING_MARSHALLER), "guess-guess-guess-guess");
                assertRefused(s -> s.status(NodeStatusRequest.getDefaultInstance()),
                        stranger.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(wrong)), Status.Code.UNAUTHENTICATED);
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertThat(cluster.post(cluster.router(0), "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");
            pinnedDigestsKeepSubstitutedBytesOut(cluster);
        }
    }

    /** A storageUri that pins a digest loads only those bytes, whatever its server serves later; copies report what they read. */
    private void pinnedDigestsKeepSubstitutedBytesOut(MeshCluster cluster) throws Exception {
        byte[] adder = Files.readAllBytes(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"));
        byte[] other = Files.readAllBytes(MeshProcess.repoRoot().resolve("examples/onnx/typed-ops/model.onnx"));
        AtomicReference<byte[]> served = new AtomicReference<>(adder);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/m.onnx", ex -> {
            byte[] body = served.get();
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(adder));
            String pinned = "http://127.0.0.1:" + server.getAddress().getPort() + "/m.onnx#sha256=" + digest;
            String body = "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + pinned + "\"}";
            assertThat(cluster.put(cluster.router(0), "/v1/mesh/models/pinned", body).status()).isEqualTo(201);
            assertThat(cluster.post(cluster.router(0), "/v2/models/pinned/infer", INFER).body()).contains("[11.0,22.0]");
            assertThat(cluster.get(cluster.router(0), "/v1/mesh/models/pinned").body()).contains("\"digest\":\"sha256:" + digest + "\"");

            served.set(other); // the server now hands out other bytes (a query string keeps the node's download cache out of it)
            assertThat(cluster.put(cluster.router(0), "/v1/mesh/models/substituted", body.replace("/m.onnx#", "/m.onnx?fresh=1#")).status())
                    .isEqualTo(201);
            MeshExtension.Http refused = cluster.post(cluster.router(0), "/v2/models/substituted/infer", INFER);
            assertThat(refused.status()).as(refused.body()).isEqualTo(503); // a model whose load failed is not ready, with the reason
            assertThat(refused.body()).contains("not the sha256:" + digest + " its storageUri pins");
            assertThat(cluster.get(cluster.router(0), "/v1/mesh/models/substituted").body()).contains("\"state\":\"FAILED\"");
            assertThat(cluster.post(cluster.router(0), "/v2/models/pinned/infer", INFER).body()).as("the verified copy serves on")
                    .contains("[11.0,22.0]");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aNodeOpenToTheNetworkWithoutTlsOrSecretDoesNotStart() {
        assertThatThrownBy(() -> dev.meshwork.testing.MeshProcess.node(dir.resolve("exposed"), List.of("--grpc.host=0.0.0.0")))
                .hasMessageContaining("meshwork node: the node's gRPC listener would listen on 0.0.0.0 with neither TLS nor authentication");
    }
}
