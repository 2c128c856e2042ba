package dev.meshwork.perf;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meshwork bench standalone}: the same tiny model called (a) directly through ONNX
 * Runtime's Java API in-process, (b) over REST v2 and (c) over gRPC (raw contents) through the
 * standalone router, side by side in one JVM, at each configured concurrency.
 */
final class StandaloneBench {
    private final BenchConfig config;

    StandaloneBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path modelFile = root.resolve("examples/onnx").resolve(config.model()).resolve("model.onnx");
        BenchRequests.Input in = BenchRequests.input(config.model());
        RouterConfig defaults = RouterConfig.defaults();
        RouterConfig rc = new RouterConfig(new RouterConfig.Http("127.0.0.1", 0, defaults.http().maxRequestBytes()),
                new RouterConfig.Grpc("127.0.0.1", 0, defaults.grpc().maxMessageBytes()), config.requestThreads(),
                List.of(root.resolve("examples").toString()), NodeConfig.defaults(), new RouterConfig.Registry("", "", ""),
                defaults.runtimes(), defaults.models(), defaults.cluster(), defaults.forward(), defaults.scaling(),
                defaults.tls(), defaults.auth(), defaults.security(), defaults.tenants(), defaults.payloadLog(), defaults.tracing(), defaults.autoscale());
        List<ClosedLoop.Result> results = new ArrayList<>();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Vertx vertx = Vertx.vertx();
        try (Standalone mesh = Standalone.start(rc);
             OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = env.createSession(modelFile.toString(), opts);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", mesh.grpcPort()).usePlaintext().build();
            var stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
            var health = HealthGrpc.newFutureStub(channel);
            ModelInferRequest grpcRequest = BenchRequests.grpcRequest(config.model(), in);
            Buffer restBody = Buffer.buffer(in.json());
            String restPath = "/v2/models/" + config.model() + "/infer";
            verify(stub.modelInfer(grpcRequest).get(30, TimeUnit.SECONDS));
            for (String c : config.concurrency()) {
                int n = Integer.parseInt(c.trim());
                HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(n));
                System.err.printf(Locale.ROOT, "concurrency %d: direct ONNX Runtime...%n", n);
                results.add(loop.runBlocking("direct-onnxruntime", n, () -> direct(env, session, in)));
                System.err.printf(Locale.ROOT, "concurrency %d: REST floor (health check on the event loop)...%n", n);
                results.add(loop.runAsync("rest-floor", n, () -> restGet(http, mesh.httpPort(), "/v2/health/live")));
                // the readiness probe runs on a request thread like an inference: the floor plus the hand-off and back
                System.err.printf(Locale.ROOT, "concurrency %d: REST floor with the hand-off (readiness on a request thread)...%n", n);
                results.add(loop.runAsync("rest-handoff", n, () -> restGet(http, mesh.httpPort(), "/v2/health/ready")));
                System.err.printf(Locale.ROOT, "concurrency %d: REST v2 through the router...%n", n);
                results.add(loop.runAsync("rest-v2", n, () -> rest(http, mesh.httpPort(), restPath, restBody)));
                System.err.printf(Locale.ROOT, "concurrency %d: gRPC floor (health check on the transport)...%n", n);
                results.add(loop.runAsync("grpc-floor", n, () -> BenchRequests.toCompletable(health.check(HealthCheckRequest.getDefaultInstance()))));
                System.err.printf(Locale.ROOT, "concurrency %d: gRPC through the router...%n", n);
                results.add(loop.runAsync("grpc-raw", n, () -> grpc(stub, grpcRequest)));
                http.close().await();
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            session.close();
        } finally {
            vertx.close().await();
        }
        String summary = summary(results);
        Map<String, Object> settings = config.closedLoopSettings("standalone");
        Path dir = ResultWriter.write(root, "standalone", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static void direct(OrtEnvironment env, OrtSession session, BenchRequests.Input in) throws Exception {
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, float[]> e : in.tensors().entrySet()) {
                inputs.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), in.shapes().get(e.getKey())));
            }
            try (OrtSession.Result r = session.run(inputs)) {
                if (r.size() == 0) {
                    throw new IllegalStateException("no output");
                }
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static CompletableFuture<?> rest(HttpClient http, int port, String path, Buffer body) {
        return http.request(HttpMethod.POST, port, "127.0.0.1", path)
                .compose(req -> req.putHeader("content-type", "application/json").send(body))
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : io.vertx.core.Future.failedFuture("HTTP " + resp.statusCode()))
                .toCompletionStage().toCompletableFuture();
    }

    private static CompletableFuture<?> restGet(HttpClient http, int port, String path) {
        return http.request(HttpMethod.GET, port, "127.0.0.1", path)
                .compose(req -> req.send())
                .compose(resp -> resp.statusCode() == 200 ? resp.body()
                        : io.vertx.core.Future.failedFuture("HTTP " + resp.statusCode()))
                .toCompletionStage().toCompletableFuture();
    }

    private static CompletableFuture<?> grpc(GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub, ModelInferRequest req) {
        return BenchRequests.toCompletable(stub.modelInfer(req));
    }

    private void verify(ModelInferResponse r) {
        if (r.getOutputsCount() == 0 || r.getRawOutputContentsCount() != r.getOutputsCount()) {
            throw new IllegalStateException("unexpected answer from the router: " + r);
        }
        if (config.model().equals("add-vectors")) {
            ByteBuffer b = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (b.getFloat() != 11f || b.getFloat() != 22f) {
                throw new IllegalStateException("add-vectors answered a wrong sum");
            }
        }
    }

    static String summary(List<ClosedLoop.Result> results) {
        StringBuilder b = new StringBuilder();
        b.append("| path | users | req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | errors |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ClosedLoop.Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %d |%n",
                    r.name(), r.concurrency(), r.throughput(), r.p50us(), r.p90us(), r.p99us(), r.p999us(), r.errors()));
        }
        b.append("\nOverhead over the direct call (same users, same run):\n\n");
        b.append("| users | path | p50 added µs | p50 ratio | throughput ratio |\n|---:|---|---:|---:|---:|\n");
        for (ClosedLoop.Result direct : results.stream().filter(r -> r.name().startsWith("direct")).toList()) {
            for (ClosedLoop.Result r : results) {
                if (r.concurrency() == direct.concurrency() && !r.name().startsWith("direct") && !r.name().endsWith("floor")
                        && !r.name().endsWith("handoff")) {
                    b.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.2fx | %.2fx |%n", r.concurrency(), r.name(),
                            r.p50us() - direct.p50us(), r.p50us() / direct.p50us(), r.throughput() / direct.throughput()));
                }
            }
        }
        b.append("\nWhat Meshwork adds over the bare transport (path minus its floor, same users, same run):\n\n");
        b.append("| users | path | p50 over floor µs | throughput vs floor |\n|---:|---|---:|---:|\n");
        for (ClosedLoop.Result r : results) {
            String floorName = r.name().startsWith("rest-v2") || r.name().equals("rest-handoff") ? "rest-floor"
                    : r.name().startsWith("grpc-raw") ? "grpc-floor" : null;
            if (floorName == null) {
                continue;
            }
            results.stream().filter(f -> f.name().equals(floorName) && f.concurrency() == r.concurrency()).findFirst().ifPresent(f ->
                    b.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.2fx |%n", r.concurrency(), r.name(),
                            r.p50us() - f.p50us(), r.throughput() / f.throughput())));
        }
        return b.toString();
    }
}
