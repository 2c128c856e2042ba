package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshProcess;
import dev.meshwork.testing.TamperedModels;
import dev.meshwork.testing.TamperedModels.Tampered;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tampered tree models (made by {@link TamperedModels} from the examples) against a real mesh
 * process, over file and http: with the model-file checks they are refused with what is wrong;
 * without them, the native parsers really crash, and the crash costs an isolated slot's process,
 * not the mesh; an in-process crash kills the process once, and after the restart the model is
 * refused without being read again. Other models keep serving throughout.
 */
class PoisonPillTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    Path dir;
    HttpServer artifacts;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();

    record Reply(int status, String body) {
    }

    @BeforeEach
    void serveArtifacts() throws Exception {
        artifacts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        artifacts.createContext("/", ex -> {
            byte[] body = served.get(ex.getRequestURI().getPath());
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (var out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
            ex.close();
        });
        artifacts.start();
    }

    @AfterEach
    void stopServing() {
        artifacts.stop(0);
    }

    static Reply send(MeshProcess mesh, String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(mesh.http() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /** Registers the tampered model from a file under the mesh's storage root, or over http. */
    String register(MeshProcess mesh, Path root, Tampered t, boolean overHttp) throws Exception {
        String uri;
        if (overHttp) {
            served.put("/" + t.name() + "/" + t.file(), t.bytes());
            uri = "http://127.0.0.1:" + artifacts.getAddress().getPort() + "/" + t.name() + "/" + t.file();
        } else {
            uri = t.writeUnder(root.resolve("tampered")).toString();
        }
        Reply r = send(mesh, "PUT", "/v1/mesh/models/" + t.name(), "{\"modelFormat\":{\"name\":\"" + t.format() + "\"},\"storageUri\":\"" + uri + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return t.name();
    }

    static void assertServes(MeshProcess mesh, String model) throws Exception {
        JsonNode c = Fixtures.cases(model).get(0);
        Reply r = send(mesh, "POST", "/v2/models/" + model + "/infer", Fixtures.v2Body(c));
        assertThat(r.status()).as("%s: %s", model, r.body()).isEqualTo(200);
        Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
    }

    static Reply infer(MeshProcess mesh, String model) throws Exception {
        return send(mesh, "POST", "/v2/models/" + model + "/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}");
    }

    static Tampered named(String name) {
        return Stream.concat(TamperedModels.lightgbm().stream(), TamperedModels.xgboost().stream()).filter(t -> t.name().equals(name))
                .findFirst().orElseThrow();
    }

    @Test
    void checkedModelFilesAreRefusedWithWhatIsWrong() throws Exception {
        Path root = dir.resolve("checked");
        try (MeshProcess mesh = MeshProcess.start(root)) {
            List<Tampered> all = Stream.concat(TamperedModels.lightgbm().stream(), TamperedModels.xgboost().stream()).toList();
            for (int i = 0; i < all.size(); i++) {
                Tampered t = all.get(i);
                register(mesh, root, t, i % 2 == 1);
                Reply r = infer(mesh, t.name());
                assertThat(r.status()).as(r.body()).isEqualTo(503); // a model whose load failed is not ready, with the reason
                assertThat(r.body()).as(t.name()).contains(t.refusal());
            }
            assertThat(mesh.isAlive()).isTrue();
            for (String good : List.of("xgb-binary", "lgbm-binary", "add-vectors")) {
                assertServes(mesh, good);
            }
        }
    }

    @Test
    void aCrashInAnIsolatedSlotCostsThatProcessAndTheModelIsNotTriedAgain() throws Exception {
        Path root = dir.resolve("isolated");
        try (MeshProcess mesh = MeshProcess.start(root, "--node.isolation.checkModelFiles=false")) {
            assertServes(mesh, "xgb-binary");
            assertServes(mesh, "lgbm-binary");
            List<ProcessHandle> before = mesh.children();
            assertThat(before).as("one child process per isolated slot in use").hasSize(2);

            for (Tampered t : List.of(named("xgb-child-index"), named("lgbm-num-leaves"))) {
                register(mesh, root, t, t.format().equals("lightgbm"));
                Reply r = infer(mesh, t.name());
                assertThat(r.body()).as(t.name()).containsPattern("the process of runtime (xgboost|lightgbm)-0 \\(pid \\d+\\) died with SIG(ABRT|SEGV)")
                        .contains("while loading it; it is not loaded again until it is unloaded or registered again");
                assertThat(mesh.isAlive()).isTrue();
                assertServes(mesh, "add-vectors");
            }
            // the slots' other models come back in new processes
            assertServes(mesh, "xgb-binary");
            assertServes(mesh, "lgbm-binary");
            List<ProcessHandle> after = mesh.children();
            assertThat(after).hasSize(2).noneMatch(before::contains);

            // asked again, the poisoned model is refused at once: no process dies for it twice
            for (String bad : List.of("xgb-child-index", "lgbm-num-leaves")) {
                assertThat(infer(mesh, bad).body()).contains("while loading it; it is not loaded again");
            }
            assertThat(mesh.children()).containsExactlyInAnyOrderElementsOf(after);
            assertThat(Fixtures.JSON.readTree(send(mesh, "GET", "/v1/mesh/models/xgb-child-index", null).body()).get("state").asText())
                    .isEqualTo("FAILED");
        }
    }

    @Test
    void aModelThatKilledTheProcessWhileLoadingIsRefusedAfterTheRestart() throws Exception {
        Path root = dir.resolve("in-process");
        Files.createDirectories(root);
        Path config = Files.writeString(root.resolve("in-process.yaml"), """
                node:
                  slots:
                    - {adapter: onnx}
                    - {adapter: xgboost, isolation: in-process}
                  isolation:
                    checkModelFiles: false
                """);
        Tampered bad = named("xgb-child-index");
        MeshProcess first = MeshProcess.start(root, "--config=" + config);
        try {
            assertServes(first, "add-vectors");
            register(first, root, bad, false);
            try {
                infer(first, bad.name());
            } catch (java.io.IOException expected) {
                // the process died under the request
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !first.isAlive());
        } finally {
            first.close();
        }
        try (MeshProcess restarted = MeshProcess.start(root, "--config=" + config)) {
            Reply r = infer(restarted, bad.name());
            assertThat(r.status()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).containsPattern("the node process \\(pid \\d+\\) died while loading it");
            assertThat(restarted.isAlive()).isTrue();
            assertServes(restarted, "add-vectors");
            assertServes(restarted, "xgb-binary");
            // an unload forgets the crash: the operator's way of saying "try it again"
            assertThat(send(restarted, "POST", "/v2/repository/models/" + bad.name() + "/unload", "{}").status()).isEqualTo(200);
            assertThat(Files.list(root.resolve("node-state")).filter(p -> p.toString().endsWith(".poisoned")).count()).isZero();
        }
    }

    @Test
    void inAClusterABadFileCrashesOneProcessNotOnePerNode() throws Exception {
        Path root = dir.resolve("cluster");
        try (MeshCluster cluster = MeshCluster.start(root, 1, 2, List.of("--node.isolation.checkModelFiles=false"), List.of())) {
            MeshProcess router = cluster.router(0);
            Tampered bad = named("xgb-child-index");
            Path file = bad.writeUnder(root.resolve("tampered"));
            assertThat(send(router, "PUT", "/v1/mesh/models/" + bad.name(), "{\"modelFormat\":{\"name\":\"xgboost\"},\"storageUri\":\""
                    + file + "\"}").status()).isEqualTo(201);
            Reply first = infer(router, bad.name());
            assertThat(first.status()).as(first.body()).isEqualTo(503);
            assertThat(first.body()).containsPattern("died with SIG(ABRT|SEGV) \\(exit status 1[34][49]\\) while loading it");
            // asked again and again, the router places it on no other node: one child process died, not one per node
            String crashedOn = "";
            for (int i = 0; i < 3; i++) {
                Reply again = infer(router, bad.name());
                assertThat(again.status()).isEqualTo(503);
                assertThat(again.body()).contains("is not loaded on any node: on node node-");
                crashedOn = again.body().replaceAll("(?s).*on node (node-\\d).*", "$1");
            }
            MeshProcess other = cluster.node(crashedOn.equals("node-0") ? 1 : 0);
            assertThat(other.children()).as("the other node never started its xgboost slot's process").isEmpty();
            // the mesh serves other XGBoost models all along
            assertThat(send(router, "PUT", "/v1/mesh/models/xgb-binary", "{\"modelFormat\":{\"name\":\"xgboost\"},\"storageUri\":\""
                    + MeshProcess.repoRoot().resolve("examples/xgboost/xgb-binary/model.json") + "\"}").status()).isEqualTo(201);
            assertServes(router, "xgb-binary");
        }
    }
}
