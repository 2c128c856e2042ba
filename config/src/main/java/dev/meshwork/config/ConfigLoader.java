package dev.meshwork.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a process's one typed configuration object from, in rising precedence: the record's
 * defaults, a YAML file, environment variables, and command-line flags.
 *
 * <p>Every leaf has a dotted path ({@code http.port}); the environment variable is the prefix
 * plus the path upper-cased with dots as underscores ({@code MESHWORK_HTTP_PORT}) and the flag is
 * {@code --http.port=9000} (or {@code --http.port 9000}). Lists take comma-separated values.
 * Unknown keys and flags are errors, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
    // a fraction for a whole-number key (a port of 80.5) is an error, not silently cut to 80
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {
    }

    /** What the command line held besides configuration flags (the positional words). */
    public record Loaded<T>(T config, List<String> positional) {
    }

    /**
     * Loads a process's configuration from its real environment and command line; a bad value
     * prints what was wrong, prefixed with the program's name, and exits with status 2.
     */
    public static <T> Loaded<T> loadOrExit(String program, Class<T> type, T defaults, String envPrefix, String[] args) {
        try {
            return load(type, defaults, envPrefix, System.getenv(), List.of(args));
        } catch (MeshError e) {
            System.err.println(program + ": " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    public static <T> Loaded<T> load(Class<T> type, T defaults, String envPrefix, Map<String, String> env, List<String> args) {
        ObjectNode tree = JSON.valueToTree(defaults);
        List<String> rest = new ArrayList<>();
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                rest.add(a);
                continue;
            }
            String body = a.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                flags.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                flags.put(body, args.get(++i));
            } else {
                flags.put(body, "true");
            }
        }
        String file = flags.remove("config");
        if (file == null) {
            file = env.get(envPrefix + "CONFIG");
        }
        if (file != null) {
            Path path;
            try {
                path = Path.of(file);
            } catch (java.nio.file.InvalidPathException e) {
                throw MeshError.invalid("config file '%s' is not a valid path: %s", file.replace("\0", "\\0"), e.getReason());
            }
            merge(tree, readYaml(path), "");
        }
        for (String path : leafPaths(tree, "")) {
            String value = env.get(envPrefix + path.replace('.', '_').toUpperCase(Locale.ROOT));
            if (value != null) {
                set(tree, path, value, "environment variable " + envPrefix + path.replace('.', '_').toUpperCase(Locale.ROOT));
            }
        }
        for (Map.Entry<String, String> f : flags.entrySet()) {
            set(tree, f.getKey(), f.getValue(), "flag --" + f.getKey());
        }
        try {
            return new Loaded<>(JSON.treeToValue(tree, type), rest);
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof MeshError checked) { // a record's own check (ConfigCheck): its one line says it all
                    throw checked;
                }
            }
            throw MeshError.invalid("configuration is not valid: %s", e.getMessage());
        }
    }

    private static JsonNode readYaml(Path file) {
        try {
            JsonNode node = YAML.readTree(Files.readAllBytes(file));
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw MeshError.invalid("config file %s must hold a YAML mapping", file);
            }
            return node;
        } catch (IOException e) {
            throw MeshError.invalid("cannot read config file %s: %s", file, e.getMessage());
        }
    }

    private static void merge(ObjectNode target, JsonNode source, String prefix) {
        Iterator<Map.Entry<String, JsonNode>> it = source.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix + e.getKey();
            JsonNode existing = target.get(e.getKey());
            if (existing == null) {
                throw MeshError.invalid("unknown configuration key '%s'; known keys: %s", path, leafPaths(target, prefix));
            }
            if (existing.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) existing, e.getValue(), path + ".");
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * Every configuration key of a process with its value in {@code config}, in declaration order
     * ({@code http.port -> 8080}); lists are comma-joined. For the configuration reference and the
     * tests that pin defaults and the key mapping.
     */
    public static Map<String, String> keys(Object config) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode tree = JSON.valueToTree(config);
        for (String path : leafPaths(tree, "")) {
            JsonNode v = tree.at("/" + path.replace('.', '/'));
            out.put(path, v.isArray() ? join(v) : v.isNull() ? "" : v.asText());
        }
        return out;
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(e -> parts.add(e.isValueNode() ? e.asText() : e.toString()));
        return String.join(",", parts);
    }

    private static List<String> leafPaths(JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) {
                out.addAll(leafPaths(e.getValue(), prefix + e.getKey() + "."));
            } else {
                out.add(prefix + e.getKey());
            }
        });
        return out;
    }

    private static void set(ObjectNode tree, String path, String value, String source) {
        String[] parts = path.split("\\.");
        ObjectNode cur = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = cur.get(parts[i]);
            if (next == null || !next.isObject()) {
                throw MeshError.invalid("%s names unknown configuration key '%s'; known keys: %s", source, path, leafPaths(tree, ""));
            }
            cur = (ObjectNode) next;
        }
        String leaf = parts[parts.length - 1];
        JsonNode old = cur.get(leaf);
        if (old == null || old.isObject()) {
            throw MeshError.invalid("%s names unknown configuration key '%s'; known keys: %s", source, path, leafPaths(tree, ""));
        }
        try {
            if (old.isArray()) {
                ArrayNode arr = cur.putArray(leaf);
                for (String v : value.split(",")) {
                    if (!v.isBlank()) {
                        arr.add(v.trim());
                    }
                }
            } else if (old.isBoolean()) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new NumberFormatException("expected true or false");
                }
                cur.put(leaf, Boolean.parseBoolean(value));
            } else if (old.isIntegralNumber() && !value.contains(".") && !value.contains("e") && !value.contains("E")) {
                cur.put(leaf, Long.parseLong(value.trim().replace("_", "")));
            } else if (old.isNumber()) {
                // a YAML file may have written a whole number where the field is fractional; whether a
                // fraction fits the field is for the binding to say
                cur.put(leaf, Double.parseDouble(value.trim()));
            } else {
                cur.put(leaf, value);
            }
        } catch (NumberFormatException e) {
            throw MeshError.invalid("%s has value '%s' which is not a valid %s", source, value, old.getNodeType().name().toLowerCase(Locale.ROOT));
        }
    }
}
