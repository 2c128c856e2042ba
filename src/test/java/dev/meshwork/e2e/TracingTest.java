package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.testing.OtlpReceiver;
import dev.meshwork.testing.OtlpReceiver.ReceivedSpan;
import dev.meshwork.testing.RuntimeServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing across real processes: a router, a node and an external runtime-server, each exporting
 * to a real OTLP/gRPC collector in this test. One client request with a {@code traceparent} is one
 * trace whose spans cross every process with the right parents; a cold request shows its load.
 */
class TracingTest {
    static final JsonNode CASE = Fixtures.cases("add-vectors").get(0);

    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The one span of the trace with that name (and service), waiting for it to be exported. */
    static ReceivedSpan span(OtlpReceiver otlp, String traceId, String name, String service) {
        return await(name + " of " + service).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> otlp.trace(traceId).stream().filter(s -> s.name().equals(name) && s.service().equals(service)).findFirst(),
                        Optional::isPresent).get();
    }

    @Test
    void oneRequestIsOneTraceAcrossRouterNodeAndExternalRuntimeWithItsLoad(@TempDir Path work) throws Exception {
        Path dir = work.toRealPath();
        try (OtlpReceiver otlp = OtlpReceiver.start()) {
            List<String> tracing = List.of("--tracing.endpoint=" + otlp.endpoint(), "--tracing.exportDelayMs=100");
            int runtimePort = MeshProcess.freePort();
            Path nodeConfig = RuntimeServerProcess.nodeConfig(dir.resolve("node.yaml"), runtimePort, 8_000_000);
            Files.createDirectories(dir.resolve("runtime"));
            RuntimeServerProcess runtime = RuntimeServerProcess.start(dir.resolve("runtime"), runtimePort, "runtime.log", tracing.toArray(String[]::new));
            List<String> nodeFlags = new java.util.ArrayList<>(tracing);
            nodeFlags.add("--config=" + nodeConfig);
            try (MeshCluster cluster = MeshCluster.start(dir, 1, 1, nodeFlags, tracing)) {
                MeshProcess router = cluster.router(0);
                cluster.registerOnnx(router, "traced", "add-vectors");

                // a cold request over REST: the client's span is the parent of the router's, the node's spans hang below the forward
                String traceId = hex(16);
                String clientSpan = hex(8);
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(router.http() + "/v2/models/traced/infer"))
                        .header("traceparent", "00-" + traceId + "-" + clientSpan + "-01").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(CASE))).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                ReceivedSpan infer = span(otlp, traceId, "infer", "meshwork-router");
                assertThat(infer.parentSpanId()).isEqualTo(clientSpan);
                assertThat(infer.kind()).isEqualTo("SPAN_KIND_SERVER");
                assertThat(infer.attributes()).containsEntry("meshwork.model", "traced").containsEntry("meshwork.protocol", "rest-v2");
                assertThat(span(otlp, traceId, "resolve", "meshwork-router").parentSpanId()).isEqualTo(infer.spanId());
                ReceivedSpan loadWait = span(otlp, traceId, "load wait", "meshwork-router");
                assertThat(loadWait.parentSpanId()).isEqualTo(infer.spanId());
                ReceivedSpan nodeLoad = span(otlp, traceId, "node load", "meshwork-node");
                assertThat(nodeLoad.parentSpanId()).as("the node's load is a child of the router's wait for it").isEqualTo(loadWait.spanId());
                ReceivedSpan load = span(otlp, traceId, "load", "meshwork-node");
                assertThat(load.parentSpanId()).isEqualTo(nodeLoad.spanId());
                assertThat(load.attributes()).containsEntry("meshwork.model", "traced").containsKey("meshwork.slot");
                assertThat(span(otlp, traceId, "download", "meshwork-node").parentSpanId()).isEqualTo(load.spanId());
                assertThat(span(otlp, traceId, "runtime load", "meshwork-node").parentSpanId()).isEqualTo(load.spanId());
                ReceivedSpan forward = span(otlp, traceId, "forward", "meshwork-router");
                assertThat(forward.parentSpanId()).isEqualTo(infer.spanId());
                assertThat(forward.kind()).isEqualTo("SPAN_KIND_CLIENT");
                assertThat(forward.attributes()).containsEntry("meshwork.node", "node-0");
                ReceivedSpan nodeInfer = span(otlp, traceId, "node infer", "meshwork-node");
                assertThat(nodeInfer.parentSpanId()).as("the node's request is a child of the router's forward").isEqualTo(forward.spanId());
                ReceivedSpan runtimeInfer = span(otlp, traceId, "runtime infer", "meshwork-node");
                assertThat(runtimeInfer.parentSpanId()).isEqualTo(nodeInfer.spanId());
                assertThat(runtimeInfer.attributes()).containsEntry("meshwork.node", "node-0").containsKey("meshwork.slot");
                assertThat(otlp.trace(traceId)).allMatch(s -> s.traceId().equals(traceId)).noneMatch(ReceivedSpan::error);

                // a warm request over gRPC through the external runtime: no load, and the runtime-server's span below the node's
                Path artifact = Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"),
                        dir.resolve("runtime/add-vectors.onnx")); // under the roots of both the node and the runtime-server
                cluster.put(router, "/v1/mesh/models/traced-ext", "{\"modelFormat\":{\"name\":\"onnx\"},\"runtime\":\"ext\",\"storageUri\":\""
                        + artifact + "\"}");
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
                try {
                    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                    stub.modelInfer(Fixtures.rawRequest("traced-ext", CASE)); // loads it, in a trace of its own
                    String warm = hex(16);
                    Metadata h = new Metadata();
                    h.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + warm + "-" + hex(8) + "-01");
                    Fixtures.assertOutputs(Fixtures.outputs(stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
                            .modelInfer(Fixtures.rawRequest("traced-ext", CASE))), CASE.get("outputs"));
                    ReceivedSpan grpcInfer = span(otlp, warm, "infer", "meshwork-router");
                    assertThat(grpcInfer.attributes()).containsEntry("meshwork.protocol", "grpc");
                    ReceivedSpan nodeRuntime = span(otlp, warm, "runtime infer", "meshwork-node");
                    ReceivedSpan external = span(otlp, warm, "runtime-server infer", "meshwork-runtime-server");
                    assertThat(external.parentSpanId()).as("the external runtime's span is a child of the node's").isEqualTo(nodeRuntime.spanId());
                    assertThat(otlp.trace(warm)).noneMatch(s -> s.name().equals("load wait") || s.name().equals("load"));
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            } finally {
                runtime.kill();
            }
        }
    }
}
