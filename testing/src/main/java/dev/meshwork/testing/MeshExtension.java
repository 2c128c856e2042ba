package dev.meshwork.testing;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one standalone mesh process per test class and hands the tests its REST address and a
 * gRPC channel; register it with {@code @RegisterExtension static MeshExtension mesh = new MeshExtension(...)}.
 */
public final class MeshExtension implements BeforeAllCallback, AfterAllCallback {
    private final String[] flags;
    private MeshProcess process;
    private ManagedChannel channel;
    private Path workDir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public MeshExtension(String... flags) {
        this.flags = flags;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        workDir = Files.createTempDirectory("meshwork-e2e-");
        process = MeshProcess.start(workDir, flags);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", process.grpcPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (process != null) {
            process.close();
        }
    }

    /** A directory inside the node's storage roots, for artifacts a test writes. */
    public Path storage() {
        return workDir;
    }

    public MeshProcess process() {
        return process;
    }

    public ManagedChannel channel() {
        return channel;
    }

    public String url(String path) {
        return process.http() + path;
    }

    /** A response's status and body. */
    public record Http(int status, String body) {
    }

    public Http get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60)).GET().build());
    }

    public Http post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** A POST with extra headers, given as name, value, name, value... */
    public Http post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    public Http post(String path, byte[] body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public Http put(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Http delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60)).DELETE().build());
    }

    private Http send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Http(r.statusCode(), r.body());
    }
}
