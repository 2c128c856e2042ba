package dev.meshwork.router;

import dev.meshwork.config.ConfigLoader;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A standalone mesh (router with its embedded node, REST and gRPC on free loopback ports, registry
 * in memory, the repository's example models) started in this JVM once per test class: the fast
 * way to test the router's services over their real listeners. End-to-end tests start separate
 * processes instead (meshwork-testing's MeshExtension). Register it with
 * {@code @RegisterExtension static final InJvmMesh mesh = new InJvmMesh();}.
 */
public final class InJvmMesh implements BeforeAllCallback, AfterAllCallback {
    private final List<String> flags;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Path storage;
    private MeshRouter router;
    private ManagedChannel channel;

    public InJvmMesh(String... flags) {
        this.flags = List.of(flags);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        storage = Files.createTempDirectory("meshwork-injvm-").toRealPath();
        List<String> args = new ArrayList<>(List.of("--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=",
                "--examples=" + Path.of("..", "examples").toAbsolutePath().normalize(),
                "--node.storage.roots=" + storage, "--node.storage.cacheDir=" + storage.resolve("artifact-cache")));
        args.addAll(flags);
        router = Standalone.start(ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "MESHWORK_", Map.of(), args).config());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (router != null) {
            router.close();
        }
    }

    public MeshRouter router() {
        return router;
    }

    /** A directory inside the node's storage roots, for artifacts a test writes. */
    public Path storage() {
        return storage;
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** A response's status, body and headers. */
    public record Http(int status, String body, Map<String, List<String>> headers) {
    }

    public Http get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    public Http post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Http put(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Http delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    /** A request with a body, a Content-Type and other headers ({@code name, value, ...}) of the test's choosing. */
    public Http send(String method, String path, String body, String contentType, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path).header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.httpPort() + path)).timeout(Duration.ofSeconds(30));
    }

    private Http send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Http(r.statusCode(), r.body(), r.headers().map());
    }
}
