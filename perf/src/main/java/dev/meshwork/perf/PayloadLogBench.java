package dev.meshwork.perf;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.PayloadLogging;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import dev.meshwork.testing.HttpSink;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code ./meshwork bench payload-log}: what payload logging costs serving. One standalone mesh
 * serves the example model under three names: without a logger ({@code -off}), logging every
 * request and answer to a real sink on loopback that accepts them ({@code -live}), and to one that
 * never answers ({@code -dead}, the sink that is down). REST v2 and gRPC, at each concurrency the
 * three back to back, in rounds that rotate which goes first; medians over rounds.
 */
final class PayloadLogBench {
    private final BenchConfig config;

    PayloadLogBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path artifact = root.resolve("examples/onnx").resolve(config.model()).resolve("model.onnx");
        RouterConfig rc = ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), List.of("--http.port=0",
                "--grpc.port=0", "--registry.jdbcUrl=", "--node.storage.roots=" + artifact.getParent(),
                "--requestThreads=" + config.requestThreads())).config();
        BenchRequests.Input in = BenchRequests.input(config.model());
        List<ClosedLoop.Result> results = new ArrayList<>();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        Vertx vertx = Vertx.vertx();
        double[] delivered;
        try (HttpSink live = HttpSink.start(HttpSink.Behaviour.ACCEPT); HttpSink dead = HttpSink.start(HttpSink.Behaviour.HANG);
             Standalone mesh = Standalone.start(rc)) {
            Map<String, String> sinks = Map.of("off", "", "live", live.url(), "dead", dead.url());
            for (Map.Entry<String, String> s : sinks.entrySet()) {
                mesh.service().register(new ModelSpec("bench-" + s.getKey(), new ModelFormat("onnx", ""), artifact.toUri().toString(), "", 0)
                        .withLogging(s.getValue().isEmpty() ? PayloadLogging.NONE : new PayloadLogging(PayloadLogging.Mode.ALL, s.getValue())));
            }
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", mesh.grpcPort()).usePlaintext().build();
            var stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
            List<String> variants = List.of("off", "live", "dead");
            Map<String, ModelInferRequest> grpc = new java.util.HashMap<>();
            for (String v : variants) {
                grpc.put(v, BenchRequests.grpcRequest("bench-" + v, in));
                stub.modelInfer(grpc.get(v)).get(60, TimeUnit.SECONDS);
            }
            Buffer body = Buffer.buffer(in.json());
            for (int round = 0; round < config.rounds(); round++) {
                for (String c : config.concurrency()) {
                    int n = Integer.parseInt(c.trim());
                    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(n));
                    for (int k = 0; k < variants.size(); k++) {
                        String v = variants.get((k + round) % variants.size()); // each variant goes first in turn
                        System.err.printf(Locale.ROOT, "round %d, concurrency %d: logger %s...%n", round + 1, n, v);
                        Supplier<CompletableFuture<?>> rest = () -> BenchRequests.rest(http, mesh.httpPort(), "/v2/models/bench-" + v + "/infer",
                                body, null);
                        results.add(loop.runAsync("rest-" + v, n, rest));
                        results.add(loop.runAsync("grpc-" + v, n, () -> BenchRequests.toCompletable(stub.modelInfer(grpc.get(v)))));
                    }
                    http.close().await();
                }
            }
            delivered = new double[] {counter(mesh, "meshwork_payload_log_sent_total", null),
                counter(mesh, "meshwork_payload_log_dropped_total", "queue_full"), counter(mesh, "meshwork_payload_log_dropped_total", "failed")};
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            vertx.close().await();
        }
        String summary = "# payload-log\n\n" + PairedRounds.summary(results, "-off", "-live", "Logging to a live sink against no logger")
                + "\n" + PairedRounds.comparison(results, "-off", "-dead", "Logging to a dead sink against no logger")
                + String.format(Locale.ROOT, "%nEvents: %.0f delivered to the live sink; for the dead sink %.0f dropped at once (queue full) and"
                + " %.0f after their retries timed out.%n", delivered[0], delivered[1], delivered[2]);
        Map<String, Object> settings = config.closedLoopSettings("payload-log");
        settings.put("rounds", config.rounds());
        settings.put("command", settings.get("command") + " --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "payload-log", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static double counter(Standalone mesh, String name, String reason) {
        var search = mesh.metrics().find(name.replace("_total", "").replace('_', '.'));
        if (reason != null) {
            search = search.tag("reason", reason);
        }
        var c = search.counter();
        return c == null ? 0 : c.count();
    }
}
