package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registrations and vmodels survive kill -9 of the process that took them (the default H2 store in its working folder). */
class RegistryDurabilityTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    Path workDir;

    static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What a registration is, without what is loaded where. */
    static List<String> registrations(MeshProcess mesh) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode m : Fixtures.JSON.readTree(send("GET", mesh.http() + "/v1/mesh/models", null).body()).get("models")) {
            out.add(m.get("name").asText() + " " + m.get("modelFormat") + " " + m.get("storageUri").asText() + " " + m.get("runtime").asText());
        }
        return out;
    }

    @Test
    void aHundredRegistrationsAndAVModelSurviveKillMinusNine() throws Exception {
        Path model = Files.copy(MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"), workDir.resolve("adder.onnx"));
        List<String> before;
        String vmodelBefore;
        MeshProcess first = MeshProcess.start(workDir);
        try {
            for (int i = 0; i < 100; i++) {
                String body = "{\"modelFormat\":{\"name\":\"onnx\",\"version\":\"" + (i % 2 == 0 ? "1" : "") + "\"},\"storageUri\":\"" + model
                        + "\",\"sizeHint\":" + (1000 + i) + "}";
                assertThat(send("PUT", first.http() + "/v1/mesh/models/tenant-" + i, body).statusCode()).isEqualTo(201);
            }
            assertThat(send("PUT", first.http() + "/v1/mesh/vmodels/tenant-alias",
                    "{\"targetModel\":\"tenant-7\",\"owner\":\"team-a\",\"autoDeleteTargetModel\":true}").statusCode()).isEqualTo(201);
            assertThat(send("DELETE", first.http() + "/v1/mesh/models/tenant-99", null).statusCode()).isEqualTo(200);
            before = registrations(first);
            vmodelBefore = send("GET", first.http() + "/v1/mesh/vmodels/tenant-alias", null).body();
        } finally {
            first.kill(); // right after the last answer: no shutdown, no flush
        }
        assertThat(before).hasSizeGreaterThanOrEqualTo(99);

        try (MeshProcess second = MeshProcess.start(workDir)) {
            assertThat(registrations(second)).isEqualTo(before);
            assertThat(registrations(second)).anyMatch(r -> r.startsWith("tenant-98 ")).noneMatch(r -> r.startsWith("tenant-99 "));
            JsonNode alias = Fixtures.JSON.readTree(send("GET", second.http() + "/v1/mesh/vmodels/tenant-alias", null).body());
            JsonNode was = Fixtures.JSON.readTree(vmodelBefore);
            for (String field : List.of("owner", "state", "activeModel", "targetModel")) {
                assertThat(alias.get(field)).as(field).isEqualTo(was.get(field));
            }
            // and they serve: the vmodel's model loads on its first request
            JsonNode c = Fixtures.cases("add-vectors").get(0);
            HttpResponse<String> r = send("POST", second.http() + "/v2/models/tenant-alias/infer", Fixtures.v2Body(c));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
        }
    }
}
