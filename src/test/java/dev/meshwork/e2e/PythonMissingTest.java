package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a Python that can run the runtime, up skips the Python examples in one line each and serves the rest; sklearn models fail fast, saying why. */
class PythonMissingTest {
    @Test
    void upSaysWhyTheSklearnExampleIsSkippedAndServesTheRest(@TempDir Path dir) throws Exception {
        try (MeshProcess mesh = MeshProcess.start(dir, Map.of("MESHWORK_PYTHON", "/nonexistent/python3"))) {
            HttpClient http = HttpClient.newHttpClient();
            String out = mesh.output();
            assertThat(out).contains("example sklearn-iris skipped: the Python runtime cannot start: /nonexistent/python3 does not run");
            assertThat(out.lines().filter(l -> l.contains("example sklearn-iris skipped"))).hasSize(1);
            assertThat(get(http, mesh, "/v1/mesh/models/sklearn-iris").statusCode()).isEqualTo(404);
            assertThat(get(http, mesh, "/v2/models/mlp-classifier").statusCode()).isEqualTo(200);
            String registration = "{\"modelFormat\":{\"name\":\"sklearn\"},\"storageUri\":\""
                    + MeshProcess.repoRoot().resolve("examples/python/sklearn-iris/model.joblib") + "\"}";
            HttpResponse<String> reg = http.send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/mesh/models/iris"))
                    .PUT(HttpRequest.BodyPublishers.ofString(registration)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
            long started = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(mesh.http() + "/v1/models/iris:predict"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[[6.8,2.8,4.8,1.4]]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("is not running: the Python runtime cannot start: /nonexistent/python3 does not run");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("at once, not after the startup timeout").isLessThan(Duration.ofSeconds(20));
        }
    }

    static HttpResponse<String> get(HttpClient http, MeshProcess mesh, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(mesh.http() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
