package dev.meshwork.client;

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
import javax.net.ssl.SSLContext;

/**
 * The mesh's REST API as its own clients call it (the controller, the command-line client): one
 * call at a time in a namespace ({@code meshwork-namespace}), with the caller's bearer token,
 * answered as a status and a JSON body. A mesh that cannot be reached is an {@link IOException}; a
 * mesh that says no is an {@link Answer} that is not {@link Answer#ok}. Thread-safe (the JDK's HttpClient).
 */
public final class MeshApi {
    public static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String base;
    private final String token;
    private final Duration timeout;

    /** What the mesh answered: its status code and JSON body. */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /** The mesh's error message ({@code {"error": ...}}), or the body. */
        public String error() {
            return body.has("error") ? body.get("error").asText() : body.toString();
        }
    }

    /** {@code base}: {@code http(s)://host:port}; {@code ssl}: how to trust an https mesh, null for the JDK's default trust. */
    public MeshApi(String base, String token, SSLContext ssl, Duration timeout) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token == null ? "" : token;
        this.timeout = timeout;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    public String base() {
        return base;
    }

    public Answer get(String namespace, String path) throws IOException, InterruptedException {
        return send(namespace, HttpRequest.newBuilder(uri(path)).GET(), "application/json");
    }

    /** A GET of a text resource (Prometheus' {@code /metrics}): the answer's body is {@code {"text": ...}}. */
    public Answer getText(String namespace, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = exchange(namespace, HttpRequest.newBuilder(uri(path)).GET(), "text/plain");
        return new Answer(r.statusCode(), JSON.createObjectNode().put(r.statusCode() / 100 == 2 ? "text" : "error", r.body()));
    }

    public Answer put(String namespace, String path, String body, String contentType) throws IOException, InterruptedException {
        return send(namespace, HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)), contentType);
    }

    public Answer post(String namespace, String path, String body) throws IOException, InterruptedException {
        return send(namespace, HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)), "application/json");
    }

    public Answer delete(String namespace, String path) throws IOException, InterruptedException {
        return send(namespace, HttpRequest.newBuilder(uri(path)).DELETE(), "application/json");
    }

    private Answer send(String namespace, HttpRequest.Builder request, String contentType) throws IOException, InterruptedException {
        HttpResponse<String> r = exchange(namespace, request, contentType);
        JsonNode body;
        try {
            body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("error", r.body());
        }
        return new Answer(r.statusCode(), body);
    }

    private HttpResponse<String> exchange(String namespace, HttpRequest.Builder request, String contentType)
            throws IOException, InterruptedException {
        request.timeout(timeout).header("Content-Type", contentType);
        if (namespace != null && !namespace.isEmpty()) {
            request.header("meshwork-namespace", namespace);
        }
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    /** A path segment (a model's name, an owner) as a URL carries it. */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A token kept in a file (the file's text, stripped); empty for no file. {@code what} names the setting in the error. */
    public static String readToken(String what, String file) {
        if (file == null || file.isEmpty()) {
            return "";
        }
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
