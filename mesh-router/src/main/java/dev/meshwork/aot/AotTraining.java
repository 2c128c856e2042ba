package dev.meshwork.aot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.cluster.NodeProcess;
import dev.meshwork.node.cluster.NodeProcessConfig;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.router.ClusterRouter;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.Standalone;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The training run of the release's ahead-of-time cache ({@code meshwork aot-train}, run by the
 * distribution's build under {@code -XX:AOTCacheOutput}): what every process kind does first, in one
 * JVM, so that the cache holds its classes, linked, and the profiles of its request path. A
 * standalone mesh registers the examples and answers each over REST v2 and gRPC; then a cluster (a
 * node and a router, as Hazelcast members of their own cluster on loopback) serves one model
 * through the router's forward. Errors of single requests are ignored (a model whose runtime cannot
 * run here, such as Python without its packages); the run only has to touch the code. One thread.
 */
public final class AotTraining {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: AotTraining EXAMPLES_DIR [REQUESTS_PER_MODEL]");
            System.exit(2);
        }
        Path examples = Path.of(args[0]).toAbsolutePath();
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path work = Files.createTempDirectory("meshwork-aot-train-");
        long started = System.nanoTime();
        int answered = standalone(examples, work, requests);
        answered += cluster(examples, work, requests);
        System.out.printf("AOT training: %d answers in %.1f s%n", answered, (System.nanoTime() - started) / 1e9);
        System.exit(0); // the cache is written as the JVM exits; no lingering non-daemon thread may hold it up
    }

    private static int standalone(Path examples, Path work, int requests) throws Exception {
        RouterConfig config = ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), List.of(
                "--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=", "--examples=" + examples,
                "--node.storage.cacheDir=" + work.resolve("standalone/cache"), "--node.isolation.stateDir=" + work.resolve("standalone/state")))
                .config();
        int answered = 0;
        try (Standalone mesh = Standalone.start(config)) {
            for (Path expected : expectations(examples)) {
                String model = expected.getParent().getFileName().toString();
                if (mesh.registered().contains(model)) {
                    answered += drive(mesh.httpPort(), mesh.grpcPort(), model, body(expected), requests);
                }
            }
        }
        return answered;
    }

    private static int cluster(Path examples, Path work, int requests) throws Exception {
        int nodePort = freePort();
        int routerPort = freePort();
        String members = "127.0.0.1:" + nodePort + ",127.0.0.1:" + routerPort;
        String name = "aot-train-" + ProcessHandle.current().pid();
        NodeProcessConfig nodeConfig = ConfigLoader.load(NodeProcessConfig.class, NodeProcessConfig.defaults(), "MESHWORK_", Map.of(), List.of(
                "--grpc.port=0", "--http.port=0", "--cluster.name=" + name, "--cluster.port=" + nodePort, "--cluster.members=" + members,
                "--node.nodeId=node-0", "--node.storage.roots=" + examples, "--node.storage.cacheDir=" + work.resolve("node/cache"),
                "--node.isolation.stateDir=" + work.resolve("node/state"))).config();
        RouterConfig routerConfig = ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), List.of(
                "--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=", "--cluster.name=" + name, "--cluster.port=" + routerPort,
                "--cluster.members=" + members)).config();
        // the router first: a node waits for a router to join before it starts
        try (ClusterRouter router = ClusterRouter.start(routerConfig); NodeProcess node = NodeProcess.start(nodeConfig)) {
            awaitReady(router.httpPort());
            Path model = examples.resolve("onnx/add-vectors");
            String doc = "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"" + model.resolve("model.onnx") + "\"}";
            HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.httpPort() + "/v1/mesh/models/add-vectors"))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(doc)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return drive(router.httpPort(), router.grpcPort(), "add-vectors", body(model.resolve("expected.json")), requests);
        }
    }

    /** Sends {@code n} requests over REST v2 and {@code n} over gRPC; answers how many succeeded. */
    private static int drive(int httpPort, int grpcPort, String model, byte[] body, int n) throws Exception {
        int ok = 0;
        HttpRequest rest = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v2/models/" + model + "/infer"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        for (int i = 0; i < n; i++) {
            ok += HTTP.send(rest, HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? 1 : 0;
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            var request = GrpcTensorCodec.encode(JsonTensorCodec.decodeV2(body, model, ""));
            for (int i = 0; i < n; i++) {
                try {
                    stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request);
                    ok++;
                } catch (io.grpc.StatusRuntimeException e) {
                    break; // this model does not answer here (its runtime cannot run): the next one
                }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        return ok;
    }

    /** The example's first case as a REST v2 request body. */
    private static byte[] body(Path expected) throws IOException {
        JsonNode inputs = JSON.readTree(expected.toFile()).get("cases").get(0).get("inputs");
        return JSON.writeValueAsString(Map.of("inputs", inputs)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Path> expectations(Path examples) throws IOException {
        try (Stream<Path> found = Files.find(examples, 3, (p, a) -> p.getFileName().toString().equals("expected.json"))) {
            return new ArrayList<>(found.sorted().toList());
        }
    }

    private static void awaitReady(int httpPort) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v2/health/ready")).build();
        for (int i = 0; i < 300; i++) {
            if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the training cluster's router never became ready");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
