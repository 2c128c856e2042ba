package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.HttpSink;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Payload logging against a separate mesh process and real HTTP sinks on loopback: every protocol's
 * requests and answers arrive as KServe's CloudEvents, and a failing or hanging sink costs serving
 * nothing but the events it drops, which are counted.
 */
class PayloadLoggingTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--payloadLog.queueSize=16", "--payloadLog.concurrency=2",
            "--payloadLog.timeoutMs=300", "--payloadLog.retries=1", "--payloadLog.retryBackoffMs=20");
    static final JsonNode CASE = Fixtures.cases("add-vectors").get(0);

    static void register(String name, String logger) throws Exception {
        Path to = mesh.storage().resolve(name + ".onnx");
        if (!Files.exists(to)) {
            Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), to);
        }
        MeshExtension.Http r = mesh.put("/v1/mesh/models/" + name, "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"" + to + "\""
                + (logger.isEmpty() ? "" : ",\"logger\":" + logger) + "}");
        assertThat(r.status()).as(r.body()).isIn(200, 201);
    }

    static HttpSink.Received next(HttpSink sink) throws InterruptedException {
        HttpSink.Received r = sink.next(30);
        assertThat(r).as("an event within 30 s").isNotNull();
        return r;
    }

    /**
     * A request's two events, the request's first: they are posted concurrently, so they may arrive
     * in either order (KServe's sinks match them by ce-id, as this does).
     */
    static HttpSink.Received[] pair(HttpSink sink) throws InterruptedException {
        HttpSink.Received a = next(sink);
        HttpSink.Received b = next(sink);
        assertThat(a.header("ce-id")).isEqualTo(b.header("ce-id"));
        return a.header("ce-type").endsWith(".request") ? new HttpSink.Received[] {a, b} : new HttpSink.Received[] {b, a};
    }

    static void assertEvent(HttpSink.Received e, String type, String id, String service, String endpoint) {
        assertThat(e.header("ce-specversion")).isEqualTo("1.0");
        assertThat(e.header("ce-type")).isEqualTo("org.kubeflow.serving.inference." + type);
        assertThat(e.header("ce-id")).isEqualTo(id);
        assertThat(e.header("ce-inferenceservicename")).isEqualTo(service);
        assertThat(e.header("ce-endpoint")).isEqualTo(endpoint);
        assertThat(e.header("ce-namespace")).isEqualTo("default");
        assertThat(e.header("ce-component")).isEqualTo("predictor");
        assertThat(e.header("ce-source")).startsWith("http://127.0.0.1:");
        assertThat(e.header("ce-time")).isNotEmpty();
        assertThat(e.header("content-type")).isEqualTo("application/json");
    }

    @Test
    void everyProtocolsRequestsAndAnswersReachTheSinkAsKServesCloudEvents() throws Exception {
        try (HttpSink sink = HttpSink.start(HttpSink.Behaviour.ACCEPT)) {
            register("logged", "{\"mode\":\"all\",\"url\":\"" + sink.url() + "\"}");
            assertThat(mesh.get("/v1/mesh/models/logged").body()).contains("\"logger\":{\"mode\":\"all\",\"url\":\"" + sink.url() + "\"}");

            // REST v2, the client's x-request-id as the events' id; the bodies are what was sent and answered
            String body = Fixtures.v2Body(CASE);
            MeshExtension.Http answer = mesh.post("/v2/models/logged/infer", body, "x-request-id", "req-v2");
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            HttpSink.Received[] v2 = pair(sink);
            HttpSink.Received request = v2[0];
            assertEvent(request, "request", "req-v2", "logged", "logged");
            assertThat(Fixtures.JSON.readTree(request.body())).isEqualTo(Fixtures.JSON.readTree(body));
            HttpSink.Received response = v2[1];
            assertEvent(response, "response", "req-v2", "logged", "logged");
            assertThat(Fixtures.JSON.readTree(response.body())).isEqualTo(Fixtures.JSON.readTree(answer.body()));

            // KServe v1: the instances as sent, the predictions as answered; a new id shared by both events
            String v1 = "{\"inputs\":{\"a\":[[1,2]],\"b\":[[10,20]]}}";
            MeshExtension.Http predicted = mesh.post("/v1/models/logged:predict", v1);
            assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
            HttpSink.Received[] v1Events = pair(sink);
            HttpSink.Received v1Request = v1Events[0];
            HttpSink.Received v1Response = v1Events[1];
            assertThat(v1Request.text()).isEqualTo(v1);
            assertThat(v1Response.text()).isEqualTo(predicted.body());
            assertThat(v1Request.header("ce-id")).isNotEmpty().isEqualTo(v1Response.header("ce-id"));

            // gRPC with raw contents: both events are the JSON form, the raw bytes decoded
            var grpc = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
            Metadata id = new Metadata();
            id.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "req-grpc");
            var reply = grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(id)).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .modelInfer(Fixtures.rawRequest("logged", CASE));
            HttpSink.Received[] grpcEvents = pair(sink);
            HttpSink.Received grpcRequest = grpcEvents[0];
            assertEvent(grpcRequest, "request", "req-grpc", "logged", "logged");
            JsonNode inputs = Fixtures.JSON.readTree(grpcRequest.body()).get("inputs");
            assertThat(inputs).hasSize(2);
            Fixtures.assertOutputs(inputs, CASE.get("inputs"));
            HttpSink.Received grpcResponse = grpcEvents[1];
            assertEvent(grpcResponse, "response", "req-grpc", "logged", "logged");
            Fixtures.assertOutputs(Fixtures.JSON.readTree(grpcResponse.body()).get("outputs"), Fixtures.outputs(reply));

            // through a vmodel: the service is the name called, the endpoint the model that served
            assertThat(mesh.put("/v1/mesh/vmodels/logged-live", "{\"targetModel\":\"logged\"}").status()).isEqualTo(201);
            assertThat(mesh.post("/v2/models/logged-live/infer", body, "x-request-id", "via-vmodel").status()).isEqualTo(200);
            HttpSink.Received[] viaVModel = pair(sink);
            assertEvent(viaVModel[0], "request", "via-vmodel", "logged-live", "logged");
            assertEvent(viaVModel[1], "response", "via-vmodel", "logged-live", "logged");
            assertThat(mesh.delete("/v1/mesh/vmodels/logged-live").status()).isEqualTo(200);

            // a request the model refuses: its answer event is the error, as the client got it
            String wrong = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
                    + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
            MeshExtension.Http refused = mesh.post("/v2/models/logged/infer", wrong, "x-request-id", "bad");
            assertThat(refused.status()).isEqualTo(400);
            HttpSink.Received[] bad = pair(sink);
            assertEvent(bad[0], "request", "bad", "logged", "logged");
            HttpSink.Received error = bad[1];
            assertEvent(error, "response", "bad", "logged", "logged");
            assertThat(Fixtures.JSON.readTree(error.body()).get("error").asText()).isEqualTo(Fixtures.JSON.readTree(refused.body())
                    .get("error").asText());

            // mode request: only requests; a model without a logger sends nothing
            register("logged-requests", "{\"mode\":\"request\",\"url\":\"" + sink.url() + "\"}");
            register("unlogged", "");
            for (String model : List.of("logged-requests", "unlogged")) {
                assertThat(mesh.post("/v2/models/" + model + "/infer", body, "x-request-id", "only-" + model).status()).isEqualTo(200);
            }
            assertEvent(next(sink), "request", "only-logged-requests", "logged-requests", "logged-requests");
            Thread.sleep(300);
            assertThat(sink.drain()).as("no answer event, nothing for the unlogged model").isEmpty();
        }
    }

    @Test
    void aFailingOrHangingSinkCostsServingNothingAndItsDropsAreCounted() throws Exception {
        try (HttpSink failing = HttpSink.start(HttpSink.Behaviour.FAIL); HttpSink hanging = HttpSink.start(HttpSink.Behaviour.HANG);
             HttpSink live = HttpSink.start(HttpSink.Behaviour.ACCEPT)) {
            register("to-failing", "{\"url\":\"" + failing.url() + "\"}");
            for (int i = 0; i < 5; i++) {
                assertThat(mesh.post("/v2/models/to-failing/infer", Fixtures.v2Body(CASE)).status()).isEqualTo(200);
            }
            // each event is tried twice (retries=1), then dropped as failed
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> dropped("failed") >= 10);
            assertThat(failing.posts()).isGreaterThanOrEqualTo(20);

            // a sink that never answers: two posts hang (concurrency 2), the queue of 16 fills, the rest are dropped at once
            register("to-hanging", "{\"url\":\"" + hanging.url() + "\"}");
            long started = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                MeshExtension.Http r = mesh.post("/v2/models/to-hanging/infer", Fixtures.v2Body(CASE));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), CASE.get("outputs"));
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            // 200 events against a queue of 16: most are dropped, none waited for (the bound is loose: a shared machine)
            assertThat(dropped("queue_full")).isGreaterThan(100);
            assertThat(tookMs).as("100 requests beside a hanging sink").isLessThan(20_000);

            // another model's sink is not held up by the hanging one: each sink has its own queue
            register("to-live", "{\"url\":\"" + live.url() + "\"}");
            assertThat(mesh.post("/v2/models/to-live/infer", Fixtures.v2Body(CASE), "x-request-id", "beside-dead").status()).isEqualTo(200);
            assertEvent(pair(live)[0], "request", "beside-dead", "to-live", "to-live");
        }
    }

    @Test
    void aLoggerTheRouterWouldNeverPostToIsRefusedAtRegistration() throws Exception {
        Path to = mesh.storage().resolve("refused.onnx");
        Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), to);
        for (String[] bad : new String[][] {
            {"{\"url\":\"http://169.254.169.254/latest/meta-data/\"}", "link-local"},
            {"{\"url\":\"http://[fe80::1]/\"}", "link-local"},
            {"{\"url\":\"http://0.0.0.0:8080/\"}", "unspecified"},
            {"{\"url\":\"file:///etc/passwd\"}", "must be http:// or https://"},
            {"{\"mode\":\"sometimes\",\"url\":\"http://127.0.0.1/\"}", "logger mode must be all, request or response"},
            {"{\"mode\":\"all\"}", "needs a \\\"url\\\""},
            {"{\"url\":\"http://127.0.0.1/\",\"format\":\"json\"}", "unknown field 'format'"},
            {"\"http://127.0.0.1/\"", "must be an object"}}) {
            MeshExtension.Http r = mesh.put("/v1/mesh/models/refused", "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"" + to
                    + "\",\"logger\":" + bad[0] + "}");
            assertThat(r.status()).as(bad[0]).isEqualTo(400);
            assertThat(r.body()).as(bad[0]).contains(bad[1]);
        }
        assertThat(mesh.get("/v1/mesh/models/refused").status()).isEqualTo(404);
    }

    static double dropped(String reason) throws Exception {
        for (String line : mesh.get("/metrics").body().split("\n")) {
            if (line.startsWith("meshwork_payload_log_dropped_total{reason=\"" + reason + "\"}")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
