package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshwork.client.MeshApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the client's mesh is and who it is there: {@code --server}, else {@code $MESHWORK_SERVER},
 * else the client file ({@code $MESHWORK_CONFIG}, else {@code ~/.config/meshwork/client.yaml}:
 * {@code server}, {@code token} or {@code tokenFile}, {@code namespace}, {@code caFile}), else
 * {@code http://127.0.0.1:8080}; the token likewise from {@code --token}, {@code $MESHWORK_TOKEN} or
 * the file. Options every command takes (picocli mixes them into each). The command's thread reads it, and a
 * load's watcher calls through it from a second thread: the client is made once, under a lock.
 */
final class Connection {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Option(names = "--server", scope = ScopeType.INHERIT, description = "the router's REST address (default: $MESHWORK_SERVER, the client file, http://127.0.0.1:8080)")
    String server;

    @Option(names = "--token", scope = ScopeType.INHERIT, description = "an API token or JWT (default: $MESHWORK_TOKEN or the client file)")
    String token;

    @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT, description = "the namespace to act in (default: the client file's, else default)")
    String namespace;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, description = "table (default), json or yaml")
    Printer.Format output = Printer.Format.table;

    @Option(names = "--ca-file", scope = ScopeType.INHERIT, description = "a PEM file of the CA that signed an https router's certificate")
    String caFile;

    private Map<String, String> file;
    private MeshApi api;

    /** The one client of this command line (its HTTP client is reused by every call, the load watcher's polls included). */
    synchronized MeshApi api() {
        if (api == null) {
            String ca = first(caFile, null, "caFile");
            api = new MeshApi(server(), token(), ca.isEmpty() ? null : dev.meshwork.security.tls.ClientTls.trusting("--ca-file", ca, 10_000),
                    Duration.ofMinutes(10));
        }
        return api;
    }

    String server() {
        return first(server, System.getenv("MESHWORK_SERVER"), "server", "http://127.0.0.1:8080");
    }

    String namespace() {
        return first(namespace, null, "namespace");
    }

    Printer printer() {
        return new Printer(output);
    }

    private String token() {
        String t = first(token, System.getenv("MESHWORK_TOKEN"), "token");
        return t.isEmpty() ? MeshApi.readToken("tokenFile in " + filePath(), fileValue("tokenFile")) : t;
    }

    private String first(String flag, String env, String key) {
        return first(flag, env, key, "");
    }

    private String first(String flag, String env, String key, String fallback) {
        if (flag != null && !flag.isEmpty()) {
            return flag;
        }
        if (env != null && !env.isEmpty()) {
            return env;
        }
        String v = fileValue(key);
        return v.isEmpty() ? fallback : v;
    }

    private synchronized String fileValue(String key) {
        if (file == null) {
            file = readFile();
        }
        return file.getOrDefault(key, "");
    }

    static Path filePath() {
        String configured = System.getenv("MESHWORK_CONFIG");
        return configured != null && !configured.isEmpty() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".config", "meshwork", "client.yaml");
    }

    private static Map<String, String> readFile() {
        Path p = filePath();
        if (!Files.isRegularFile(p)) {
            return Map.of();
        }
        try {
            JsonNode doc = YAML.readTree(p.toFile());
            Map<String, String> out = new java.util.HashMap<>();
            for (String key : java.util.List.of("server", "token", "tokenFile", "namespace", "caFile")) {
                if (doc != null && doc.hasNonNull(key)) {
                    out.put(key, doc.get(key).asText());
                }
            }
            return out;
        } catch (IOException e) {
            throw new CliFailure(2, "the client file " + p + " is not YAML: " + e.getMessage());
        }
    }

    /** Calls the mesh; a connection that fails is exit 3, a mesh that says no is exit 1 with its message. */
    MeshApi.Answer call(Call call) {
        MeshApi.Answer a;
        try {
            a = call.on(api());
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException | java.nio.channels.UnresolvedAddressException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "cannot reach the server at " + server() + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (IOException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "cannot reach the server at " + server() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(CliFailure.MESH_SAID_NO, "interrupted");
        }
        if (!a.ok()) {
            throw new CliFailure(CliFailure.MESH_SAID_NO, a.error() + " (HTTP " + a.status() + ")");
        }
        return a;
    }

    /** One REST call. */
    @FunctionalInterface
    interface Call {
        MeshApi.Answer on(MeshApi api) throws IOException, InterruptedException;
    }
}
