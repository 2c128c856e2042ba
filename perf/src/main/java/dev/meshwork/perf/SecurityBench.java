package dev.meshwork.perf;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import dev.meshwork.security.TokenFile;
import dev.meshwork.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meshwork bench security}: what the closed front door costs. Two standalone meshes in one
 * JVM, one in plain text without authentication, one with TLS on both listeners and API-token
 * authentication (the token file's hash lookup on every request); the same model over REST v2 and
 * gRPC, each pair measured back to back at each concurrency so the machine's noise hits both alike,
 * in {@code rounds} rounds that alternate which of the two goes first (JIT warm-up favours the
 * second); the summary gives each path's median over the rounds.
 */
final class SecurityBench {
    private static final String TOKEN = "bench-token-0123456789";
    private final BenchConfig config;

    SecurityBench(BenchConfig config) {
        this.config = config;
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("meshwork-security-bench-");
        TestCertificates ca = TestCertificates.authority(work.resolve("pki"));
        TestCertificates.Issued server = ca.server("server", "meshwork");
        Path tokens = work.resolve("tokens.yaml");
        Files.writeString(tokens, "tokens:\n  - {sha256: " + TokenFile.sha256(TOKEN)
                + ", principal: bench, namespaces: [default], roles: [invoker]}\n");
        List<String> common = List.of("--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=", "--examples=" + root.resolve("examples"),
                "--requestThreads=" + config.requestThreads());
        List<String> secured = new ArrayList<>(common);
        secured.addAll(List.of("--tls.certFile=" + server.certFile(), "--tls.keyFile=" + server.keyFile(), "--auth.tokensFile=" + tokens));
        BenchRequests.Input in = BenchRequests.input(config.model());
        ModelInferRequest grpcRequest = BenchRequests.grpcRequest(config.model(), in);
        Buffer body = Buffer.buffer(in.json());
        String path = "/v2/models/" + config.model() + "/infer";
        if (!OpenSSLEngineOptions.isAvailable()) {
            throw new IllegalStateException("BoringSSL (netty-tcnative) is not on the class path: the REST listener would use the JDK's TLS");
        }
        List<ClosedLoop.Result> results = new ArrayList<>();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        Vertx vertx = Vertx.vertx();
        try (Standalone plain = Standalone.start(load(common)); Standalone tls = Standalone.start(load(secured))) {
            ManagedChannel plainChannel = NettyChannelBuilder.forAddress("127.0.0.1", plain.grpcPort()).usePlaintext().build();
            ManagedChannel tlsChannel = NettyChannelBuilder.forAddress("127.0.0.1", tls.grpcPort())
                    .sslContext(GrpcSslContexts.forClient().trustManager(ca.ca().certificate()).build()).build();
            Metadata auth = new Metadata();
            auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TOKEN);
            var plainStub = GRPCInferenceServiceGrpc.newFutureStub(plainChannel);
            var tlsStub = GRPCInferenceServiceGrpc.newFutureStub(tlsChannel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
            plainStub.modelInfer(grpcRequest).get(30, TimeUnit.SECONDS);
            tlsStub.modelInfer(grpcRequest).get(30, TimeUnit.SECONDS);
            for (int round = 0; round < config.rounds(); round++) {
                for (String c : config.concurrency()) {
                    int n = Integer.parseInt(c.trim());
                    HttpClient plainHttp = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(n));
                    HttpClient tlsHttp = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setSsl(true)
                            .setSslEngineOptions(new OpenSSLEngineOptions()).setTrustOptions(new PemTrustOptions().addCertPath(ca.ca().certFile().toString())), new PoolOptions().setHttp1MaxSize(n));
                    List<Measure> pairs = List.of(
                            () -> loop.runAsync("rest-plain", n, () -> BenchRequests.rest(plainHttp, plain.httpPort(), path, body, null)),
                            () -> loop.runAsync("rest-tls-token", n, () -> BenchRequests.rest(tlsHttp, tls.httpPort(), path, body, "Bearer " + TOKEN)),
                            () -> loop.runAsync("grpc-plain", n, () -> BenchRequests.toCompletable(plainStub.modelInfer(grpcRequest))),
                            () -> loop.runAsync("grpc-tls-token", n, () -> BenchRequests.toCompletable(tlsStub.modelInfer(grpcRequest))));
                    boolean plainFirst = round % 2 == 0;
                    System.err.printf(Locale.ROOT, "round %d, concurrency %d (%s first)...%n", round + 1, n, plainFirst ? "plain" : "TLS + token");
                    for (int p = 0; p < 2; p++) {
                        results.add(pairs.get(2 * p + (plainFirst ? 0 : 1)).run());
                        results.add(pairs.get(2 * p + (plainFirst ? 1 : 0)).run());
                    }
                    plainHttp.close().await();
                    tlsHttp.close().await();
                }
            }
            plainChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            tlsChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            vertx.close().await();
        }
        String summary = summary(results);
        Map<String, Object> settings = config.closedLoopSettings("security");
        settings.put("rounds", config.rounds());
        settings.put("command", settings.get("command") + " --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "security", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static RouterConfig load(List<String> flags) {
        return ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), flags).config();
    }

    private interface Measure {
        ClosedLoop.Result run() throws Exception;
    }

    static String summary(List<ClosedLoop.Result> results) {
        return PairedRounds.summary(results, "-plain", "-tls-token", "TLS + token against plain text");
    }
}
