package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line client ({@code ./meshwork models ...}) as its own process against a real mesh:
 * every verb, table and JSON output, progress lines when output is not a terminal, and the exit
 * codes (0 ok, 1 the mesh said no, 2 usage, 3 the server cannot be reached).
 */
class CliTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension();
    static final Path EXAMPLES = MeshProcess.repoRoot().resolve("examples");

    @TempDir
    Path dir;

    /** Runs the client with {@code args} (and {@code stdin}) against the test's mesh. */
    static CliProcess.Run cli(String stdin, String... args) throws IOException, InterruptedException {
        return CliProcess.run(mesh.process().http(), stdin, args);
    }

    static CliProcess.Run ok(String... args) throws IOException, InterruptedException {
        CliProcess.Run r = cli(null, args);
        assertThat(r.exit()).as("%s: %s%s", List.of(args), r.out(), r.err()).isZero();
        return r;
    }

    @Test
    void waitShowsTheDownloadBeforeTheLoad() throws Exception {
        byte[] model = Files.readAllBytes(EXAMPLES.resolve("onnx/mlp-classifier/model.onnx"));
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(200, model.length);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                int quarter = model.length / 4 + 1;
                for (int at = 0; at < model.length; at += quarter) {
                    out.write(model, at, Math.min(quarter, model.length - at));
                    out.flush();
                    Thread.sleep(700); // slow enough for the client's 200 ms polls to see each quarter
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/model.onnx";
            Files.writeString(dir.resolve("remote.json"), "{\"name\": \"cli-remote\", \"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \""
                    + uri + "\"}");
            CliProcess.Run run = ok("models", "register", "-f", dir.resolve("remote.json").toString(), "--wait");
            assertThat(run.out()).contains("model cli-remote downloading on node-0/onnx-0: 25% of")
                    .containsPattern("model cli-remote LOADED in [0-9.]+ m?s on node-0/onnx-0");
            assertThat(run.out().indexOf("downloading")).as("the download comes before LOADED").isLessThan(run.out().indexOf("LOADED"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void modelsAreListedAsATableAndAsTheMeshsJson() throws Exception {
        CliProcess.Run table = ok("models", "list");
        assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("NAME").contains("NAMESPACE", "FORMAT", "RUNTIME", "STATE", "COPIES");
        assertThat(table.out()).containsPattern("(?m)^mlp-classifier +default +onnx +kserve-tritonserver +");
        JsonNode json = Fixtures.JSON.readTree(ok("models", "list", "-o", "json").out());
        assertThat(json.get("models").isArray()).isTrue();
        assertThat(ok("models", "list", "-o", "yaml").out()).contains("models:", "name: \"mlp-classifier\"");
    }

    @Test
    void registerTakesInferenceServicesAndDirectoriesAndWaitShowsProgressLines() throws Exception {
        String onnx = EXAMPLES.resolve("onnx/add-vectors/model.onnx").toString();
        Files.writeString(dir.resolve("two.yaml"), """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: cli-adder}
                spec: {predictor: {model: {modelFormat: {name: onnx}, storageUri: %s}}}
                ---
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: cli-adder-2}
                spec: {predictor: {model: {modelFormat: {name: onnx}, storageUri: %s}}}
                """.formatted(onnx, onnx));
        Path folder = Files.createDirectories(dir.resolve("folder"));
        Files.writeString(folder.resolve("mlp.json"), "{\"name\": \"cli-mlp\", \"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \""
                + EXAMPLES.resolve("onnx/mlp-classifier/model.onnx") + "\"}");
        Files.writeString(folder.resolve("notes.txt"), "not a model");
        CliProcess.Run two = ok("models", "register", "-f", dir.resolve("two.yaml").toString());
        assertThat(two.out()).contains("model cli-adder registered", "model cli-adder-2 registered");
        CliProcess.Run waited = ok("models", "register", "-f", folder.toString(), "--wait");
        assertThat(waited.out()).contains("model cli-mlp registered").containsPattern("model cli-mlp LOADED in [0-9.]+ m?s on node-0/onnx-0");
        assertThat(waited.out()).as("plain lines, no carriage returns, when output is not a terminal").doesNotContain("\r");
        assertThat(ok("models", "get", "cli-mlp").out()).contains("LOADED", "node-0", "storageUri:");
        CliProcess.Run load = ok("models", "load", "cli-adder", "--wait");
        assertThat(load.out()).containsPattern("model cli-adder LOADED in");
        assertThat(ok("models", "unload", "cli-adder").out()).contains("model cli-adder unloaded");
        assertThat(Fixtures.JSON.readTree(ok("models", "get", "cli-adder", "-o", "json").out()).get("state").asText()).isEqualTo("NOT_LOADED");
        CliProcess.Run fromStdin = cli("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + onnx + "\", \"name\": \"cli-stdin\"}",
                "models", "register", "-f", "-");
        assertThat(fromStdin.exit()).as(fromStdin.err()).isZero();
        for (String m : List.of("cli-adder", "cli-adder-2", "cli-mlp", "cli-stdin")) {
            assertThat(ok("models", "delete", m).out()).contains("model " + m + " deleted");
        }
        CliProcess.Run gone = cli(null, "models", "get", "cli-mlp");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).startsWith("meshwork: ").contains("cli-mlp").contains("HTTP 404");
    }

    @Test
    void inferTakesShorthandsOrAFileAndPrintsTheOutputs() throws Exception {
        CliProcess.Run shorthand = ok("infer", "add-vectors", "--input", "a=1,2", "--input", "b=10,20");
        assertThat(shorthand.out()).containsPattern("(?m)^sum +FP32 +\\[1,2\\] +\\[11\\.0,22\\.0\\]$");
        JsonNode c = Fixtures.cases("mlp-classifier").get(0);
        CliProcess.Run file = cli(Fixtures.v2Body(c), "infer", "mlp-classifier", "-f", "-", "-o", "json");
        assertThat(file.exit()).as(file.err()).isZero();
        Fixtures.assertOutputs(Fixtures.JSON.readTree(file.out()).get("outputs"), c.get("outputs"));
        CliProcess.Run bad = cli(null, "infer", "add-vectors", "--input", "a=1,2");
        assertThat(bad.exit()).as("the mesh said no: b is missing").isEqualTo(1);
        assertThat(bad.err()).contains("needs inputs");
    }

    @Test
    void vmodelsRuntimesNodesNamespacesAndStatus() throws Exception {
        assertThat(ok("vmodels", "set", "cli-stable", "--target", "mlp-classifier").out()).contains("vmodel cli-stable: ");
        assertThat(ok("vmodels", "list").out()).containsPattern("(?m)^cli-stable +default +");
        assertThat(ok("vmodels", "delete", "cli-stable").out()).contains("vmodel cli-stable deleted");
        assertThat(ok("runtimes", "list").out()).containsPattern("(?m)^kserve-sklearnserver +ClusterServingRuntime +external +no +sklearn:1$");
        ok("infer", "add-vectors", "--input", "a=1,2", "--input", "b=10,20"); // something is loaded
        assertThat(ok("nodes", "list").out()).containsPattern("(?m)^node-0 +onnx-0 +cpu +[0-9.]+ [KMG]?i?B / [0-9.]+ [KMG]iB +\\[[#.]{10}\\] +[0-9]+ +serving$");
        assertThat(ok("namespaces", "list").out()).containsPattern("(?m)^default +[0-9]+ ");
        CliProcess.Run status = ok("status");
        assertThat(status.out()).contains("mesh at " + mesh.process().http(), "nodes:   1", "models:  ");
        assertThat(Fixtures.JSON.readTree(ok("status", "-o", "json").out()).get("nodes").asInt()).isEqualTo(1);
    }

    @Test
    void topShowsTheNodesAndTheBusiestModelsWithTheirRates() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(mesh.process().http() + "/v2/models/add-vectors/infer"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(Fixtures.cases("add-vectors").get(0)))).build();
        java.util.concurrent.atomic.AtomicBoolean going = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread traffic = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 100_000 && going.get(); i++) {
                try {
                    client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding());
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        CliProcess.Run top;
        try {
            top = ok("top", "--frames=2", "--interval=2");
        } finally {
            going.set(false);
            traffic.join(10_000);
        }
        String second = top.out().substring(top.out().lastIndexOf("meshwork top"));
        assertThat(second).containsPattern("(?m)^NODE +SLOTS +MEMORY +USED / BUDGET +IN FLIGHT +STATE$").containsPattern("(?m)^node-0 +[0-9]+ +\\[");
        assertThat(second).as("add-vectors is the busiest model, with a rate and a p99")
                .containsPattern("(?m)^MODEL +REQ/S +P99 MS +COPIES +STATE\\n^add-vectors +[1-9][0-9.]* +[0-9.]+ +1 +LOADED$");
        assertThat(second).contains("recent:");
    }

    @Test
    void exitCodesSayWhoFailedAndCompletionIsGenerated() throws Exception {
        CliProcess.Run usage = cli(null, "models", "list", "--no-such-flag");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("Unknown option: '--no-such-flag'");
        CliProcess.Run unreachable = cli(null, "models", "list", "--server", "http://127.0.0.1:" + MeshProcess.freePort());
        assertThat(unreachable.exit()).isEqualTo(3);
        assertThat(unreachable.err()).startsWith("meshwork: cannot reach the server at http://127.0.0.1:");
        CliProcess.Run no = cli(null, "models", "load", "no-such-model");
        assertThat(no.exit()).isEqualTo(1);
        assertThat(no.err()).contains("no-such-model");
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n"); // 9^10 strings once expanded
        for (char c = 'b'; c <= 'k'; c++) {
            bomb.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ", ").repeat(8)).append('*').append((char) (c - 1)).append("]\n");
        }
        for (String hostile : List.of("- a list, not a document\n", "{\"unclosed\": [1, 2\n")) {
            CliProcess.Run bad = cli(hostile, "models", "register", "-f", "-");
            assertThat(bad.exit()).as("%s: %s", hostile, bad.err()).isEqualTo(2);
            assertThat(bad.err()).startsWith("meshwork: standard input");
        }
        // the client does not expand the aliases (it would hold 9^10 strings): it sends the document as written, and the mesh says no
        CliProcess.Run bombed = cli(bomb.toString(), "models", "register", "-f", "-");
        assertThat(bombed.exit()).as(bombed.err()).isEqualTo(1);
        assertThat(bombed.err()).contains("unknown field 'a'");
        CliProcess.Run drain = cli(null, "nodes", "drain", "node-0");
        assertThat(drain.exit()).isEqualTo(1);
        assertThat(drain.err()).contains("a standalone mesh has one node");
        assertThat(ok("completion").out()).contains("complete -F", "meshwork");
        assertThat(ok("--help").out()).contains("Exit codes: 0 ok, 1 the mesh said no");
    }
}
