package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The mesh's REST management API as the controller uses it: vmodels in a namespace, listed, set,
 * read and deleted, each call with the controller's token. Thread-safe (the JDK's HttpClient);
 * called from the controller's one worker thread.
 */
final class MeshClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String base;
    private final String token;

    /** What the mesh answered: its status code and JSON body. */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The mesh's error message ({@code {"error": ...}}), or the body. */
        String error() {
            return body.has("error") ? body.get("error").asText() : body.toString();
        }
    }

    MeshClient(ControllerConfig.Mesh config) {
        this.base = config.url();
        this.token = readToken(config.tokenFile());
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (!config.caFile().isEmpty()) {
            b.sslContext(dev.meshwork.security.tls.ClientTls.trusting("mesh.caFile", config.caFile(), 10_000));
        }
        this.http = b.build();
    }

    Answer setVModel(String namespace, String name, JsonNode body) throws IOException, InterruptedException {
        return send(namespace, HttpRequest.newBuilder(uri("/v1/mesh/vmodels/" + enc(name)))
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** The vmodel's status, empty when it does not exist (for this owner, when one is named). */
    Optional<JsonNode> vmodel(String namespace, String name, String owner) throws IOException, InterruptedException {
        Answer a = send(namespace, HttpRequest.newBuilder(uri("/v1/mesh/vmodels/" + enc(name) + owner(owner))).GET());
        if (a.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(require(a, "reading vmodel " + namespace + "/" + name).body());
    }

    Answer deleteVModel(String namespace, String name, String owner) throws IOException, InterruptedException {
        return send(namespace, HttpRequest.newBuilder(uri("/v1/mesh/vmodels/" + enc(name) + owner(owner))).DELETE());
    }

    /** Every vmodel the controller's principal may see, in every namespace. */
    JsonNode vmodels() throws IOException, InterruptedException {
        return require(send("", HttpRequest.newBuilder(uri("/v1/mesh/vmodels")).GET()), "listing vmodels").body().path("vmodels");
    }

    private Answer send(String namespace, HttpRequest.Builder request) throws IOException, InterruptedException {
        request.timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        if (!namespace.isEmpty()) {
            request.header("meshwork-namespace", namespace);
        }
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("error", r.body());
        }
        return new Answer(r.statusCode(), body);
    }

    private static Answer require(Answer a, String what) throws IOException {
        if (!a.ok()) {
            throw new IOException(what + ": the mesh answered " + a.status() + ": " + a.error());
        }
        return a;
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static String owner(String owner) {
        return owner.isEmpty() ? "" : "?owner=" + enc(owner);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String readToken(String file) {
        if (file.isEmpty()) {
            return "";
        }
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("mesh.tokenFile " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
