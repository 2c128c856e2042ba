package dev.meshwork.router.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.router.InJvmMesh;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console's files and the two endpoints only it uses (the event stream and a model's history), on a real router. */
class ConsoleApiTest {
    @RegisterExtension
    static final InJvmMesh mesh = new InJvmMesh();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theConsoleIsServedFromTheJarUnderAStrictPolicy() throws Exception {
        InJvmMesh.Http root = mesh.get("/ui");
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.headers().get("location")).containsExactly("/ui/");
        InJvmMesh.Http page = mesh.get("/ui/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"console.js\"");
        assertThat(page.headers().get("content-security-policy").getFirst()).contains("default-src 'none'").contains("script-src 'self'")
                .contains("frame-ancestors 'none'");
        assertThat(page.headers().get("x-frame-options")).containsExactly("DENY");
        InJvmMesh.Http script = mesh.get("/ui/console.js");
        assertThat(script.headers().get("content-type").getFirst()).startsWith("text/javascript");
        String etag = script.headers().get("etag").getFirst();
        assertThat(mesh.send("GET", "/ui/console.js", "", "application/json", "If-None-Match", etag).status()).isEqualTo(304);
        InJvmMesh.Http missing = mesh.get("/ui/secrets.txt");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("/ui/secrets.txt");
        assertThat(mesh.get("/ui/..%2F..%2Fpom.xml").status()).isEqualTo(404);
    }

    @Test
    void theEventStreamStartsWithTheMeshThenSendsOnlyChanges() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + mesh.router().httpPort() + "/v1/mesh/events")).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (Stream<String> body = response.body()) {
                body.forEach(lines::add);
            } catch (RuntimeException e) {
                // the test closed the stream
            }
        });
        try {
            JsonNode models = JSON.readTree(next(lines, "models"));
            assertThat(models.get("models").findValuesAsText("name")).contains("mlp-classifier", "add-vectors");
            assertThat(JSON.readTree(next(lines, "nodes")).get("nodes")).as("anonymous is admin when authentication is off").isNotEmpty();
            next(lines, "vmodels");

            String body = "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file://"
                    + java.nio.file.Path.of("..", "examples", "onnx", "add-vectors", "model.onnx").toAbsolutePath().normalize() + "\"}";
            mesh.put("/v1/mesh/models/events-adder", body);
            JsonNode added;
            do {
                added = JSON.readTree(next(lines, "model"));
            } while (!added.get("name").asText().equals("events-adder"));
            assertThat(added.get("state").asText()).isEqualTo("NOT_LOADED");
            mesh.delete("/v1/mesh/models/events-adder");
            JsonNode removed = JSON.readTree(next(lines, "removed"));
            assertThat(removed.get("name").asText()).isEqualTo("events-adder");
            assertThat(removed.get("namespace").asText()).isEqualTo("default");
        } finally {
            reader.interrupt();
            client.shutdownNow();
        }
    }

    @Test
    void aModelsHistoryIsItsLastMinutesOfRequests() throws Exception {
        assertThat(mesh.post("/v2/models/add-vectors/infer", RestApiTest.ADD).status()).isEqualTo(200);
        JsonNode samples = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && (samples == null || samples.isEmpty())) {
            samples = JSON.readTree(mesh.get("/v1/mesh/models/add-vectors/history").body()).get("samples");
            Thread.sleep(200);
        }
        assertThat(samples).as("a sample within two intervals").isNotEmpty();
        assertThat(samples.get(0).get("requests").asLong()).isPositive();
        assertThat(java.time.Instant.parse(samples.get(0).get("at").asText())).isBefore(java.time.Instant.now().plusSeconds(1));
        InJvmMesh.Http history = mesh.get("/v1/mesh/models/mlp-classifier/history");
        assertThat(history.status()).isEqualTo(200);
        JsonNode body = JSON.readTree(history.body());
        assertThat(body.get("intervalSeconds").asInt()).isEqualTo(5);
        assertThat(body.get("samples").isArray()).isTrue();
        InJvmMesh.Http unknown = mesh.get("/v1/mesh/models/no-such-model/history");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("no-such-model");
    }

    /** The data of the next event named {@code name}, skipping others; fails after 10 s. */
    private static String next(BlockingQueue<String> lines, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String event = null;
        while (System.nanoTime() < deadline) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ") && name.equals(event)) {
                return line.substring(6);
            }
        }
        throw new AssertionError("no '" + name + "' event within 10 s");
    }

}
