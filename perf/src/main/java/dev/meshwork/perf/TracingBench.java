package dev.meshwork.perf;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import dev.meshwork.telemetry.Tracing;
import dev.meshwork.telemetry.TracingConfig;
import dev.meshwork.testing.OtlpReceiver;
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
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meshwork bench tracing}: what recording every request's spans costs. One standalone mesh
 * serves the example model over REST v2 and gRPC, with tracing off and on (every trace sampled,
 * exported over OTLP/gRPC to a collector in this JVM), in rounds that alternate which goes first;
 * tracing is the process's, so it is switched between the runs. Medians over rounds.
 */
final class TracingBench {
    private final BenchConfig config;

    TracingBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        RouterConfig rc = ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), List.of("--http.port=0",
                "--grpc.port=0", "--registry.jdbcUrl=", "--examples=" + root.resolve("examples"),
                "--requestThreads=" + config.requestThreads())).config();
        BenchRequests.Input in = BenchRequests.input(config.model());
        ModelInferRequest grpcRequest = BenchRequests.grpcRequest(config.model(), in);
        Buffer body = Buffer.buffer(in.json());
        String path = "/v2/models/" + config.model() + "/infer";
        List<ClosedLoop.Result> results = new ArrayList<>();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        Vertx vertx = Vertx.vertx();
        try (OtlpReceiver collector = OtlpReceiver.start(); Standalone mesh = Standalone.start(rc)) {
            TracingConfig on = new TracingConfig(collector.endpoint(), 1.0, 1000);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", mesh.grpcPort()).usePlaintext().build();
            var stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
            stub.modelInfer(grpcRequest).get(60, TimeUnit.SECONDS);
            for (int round = 0; round < config.rounds(); round++) {
                for (String c : config.concurrency()) {
                    int n = Integer.parseInt(c.trim());
                    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(n));
                    for (int k = 0; k < 2; k++) {
                        boolean traced = (k == 0) == (round % 2 == 1);
                        if (traced) {
                            Tracing.start(on, "meshwork-bench", "bench");
                        }
                        String v = traced ? "-on" : "-off";
                        System.err.printf(Locale.ROOT, "round %d, concurrency %d: tracing %s...%n", round + 1, n, traced ? "on" : "off");
                        results.add(loop.runAsync("rest" + v, n, () -> BenchRequests.rest(http, mesh.httpPort(), path, body, null)));
                        results.add(loop.runAsync("grpc" + v, n, () -> BenchRequests.toCompletable(stub.modelInfer(grpcRequest))));
                        Tracing.shutdown();
                    }
                    http.close().await();
                }
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            Tracing.shutdown();
            vertx.close().await();
        }
        String summary = "# tracing\n\n" + PairedRounds.summary(results, "-off", "-on", "Tracing every request against tracing off");
        Map<String, Object> settings = config.closedLoopSettings("tracing");
        settings.put("rounds", config.rounds());
        settings.put("command", settings.get("command") + " --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "tracing", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }
}
