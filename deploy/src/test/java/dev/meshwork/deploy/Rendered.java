package dev.meshwork.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One kustomization of deploy/ as {@code kubectl kustomize} renders it: its objects, as JSON trees,
 * in the order kubectl printed them. Immutable.
 */
record Rendered(String path, List<ObjectNode> objects) {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The files do not change while tests run: each kustomization is rendered once per test JVM (test threads). */
    private static final java.util.Map<String, Rendered> RENDERED = new java.util.HashMap<>(); // guarded by the class

    /** Renders {@code deploy/<path>} (an overlay or a component directory); kubectl is installed when missing. */
    static synchronized Rendered of(String path) throws IOException, InterruptedException {
        Rendered done = RENDERED.get(path);
        if (done == null) {
            done = render(path);
            RENDERED.put(path, done);
        }
        return done; // computeIfAbsent cannot: rendering throws checked exceptions
    }

    private static Rendered render(String path) throws IOException, InterruptedException {
        Path dir = deployDir().resolve(path);
        String out = run(kubectl(), "kustomize", dir.toString());
        List<ObjectNode> objects = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(out)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject()) {
                    objects.add((ObjectNode) doc);
                }
            }
        }
        return new Rendered(path, List.copyOf(objects));
    }

    static Path deployDir() {
        return MeshProcess.repoRoot().resolve("deploy");
    }

    /** The objects of one kind. */
    List<ObjectNode> ofKind(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    /** The object of a kind and name; fails when there is none. */
    ObjectNode named(String kind, String name) {
        return ofKind(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(path + " renders no " + kind + " named " + name));
    }

    /** The ConfigMap whose name kustomize derived from {@code name} (a generated one carries a hash suffix). */
    ObjectNode configMap(String name) {
        return ofKind("ConfigMap").stream().filter(o -> o.path("metadata").path("name").asText().matches(java.util.regex.Pattern.quote(name) + "(-[a-z0-9]{10})?"))
                .findFirst().orElseThrow(() -> new AssertionError(path + " renders no ConfigMap " + name));
    }

    private static String kubectl() throws IOException, InterruptedException {
        return run(deployDir().resolve("tools/ensure-kubectl.sh").toString()).strip();
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within 300 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed with status " + p.exitValue());
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
