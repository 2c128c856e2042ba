package dev.meshwork.kserve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a YAML document with its path, whose typed reads fail with the file, the path and what
 * was expected. Unknown fields are never an error here: Kubernetes documents carry many. Immutable.
 */
record YamlPath(String source, String path, JsonNode node) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The non-empty documents of a YAML text (several separated by {@code ---}), each named by its source and position. */
    static List<YamlPath> documents(String source, String text) {
        List<YamlPath> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
            int index = 0;
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && !(doc.isObject() && doc.isEmpty())) {
                    out.add(new YamlPath(index == 0 ? source : source + " (document " + (index + 1) + ")", "", doc));
                }
                index++;
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MeshError m) {
                throw m;
            }
            throw MeshError.invalid("%s: not valid YAML: %s", source, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        return out;
    }
    YamlPath at(String field) {
        JsonNode child = node == null ? null : node.get(field);
        return new YamlPath(source, path + "/" + field, child);
    }

    boolean present() {
        return node != null && !node.isNull() && !node.isMissingNode();
    }

    MeshError wrong(String expected) {
        String got = present() ? node.getNodeType().name().toLowerCase() + " " + abbreviate(node.toString()) : "nothing";
        return MeshError.invalid("%s: %s: expected %s, got %s", source, path.isEmpty() ? "/" : path, expected, got);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    String requiredText() {
        if (!present() || !node.isTextual() || node.textValue().isEmpty()) {
            throw wrong("a non-empty string");
        }
        return node.textValue();
    }

    String text(String absent) {
        if (!present()) {
            return absent;
        }
        if (!node.isTextual()) {
            throw wrong("a string");
        }
        return node.textValue();
    }

    boolean bool(boolean absent) {
        if (!present()) {
            return absent;
        }
        if (!node.isBoolean()) {
            throw wrong("true or false");
        }
        return node.booleanValue();
    }

    int integer(int absent) {
        if (!present()) {
            return absent;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw wrong("an integer");
        }
        return node.intValue();
    }

    /** The elements of a list; absent is empty. */
    List<YamlPath> list() {
        if (!present()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw wrong("a list");
        }
        List<YamlPath> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(new YamlPath(source, path + "/" + i, node.get(i)));
        }
        return out;
    }

    List<String> texts() {
        return list().stream().map(YamlPath::requiredText).toList();
    }

    /** A mapping as plain values (scalars as text, nested mappings and lists as maps and lists); absent is empty. */
    Map<String, Object> mapping() {
        if (!present()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw wrong("a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) plain(node);
        return out;
    }

    /** A node as unmodifiable plain values, so that an API shows a nested mapping as one, not as its text. */
    private static Object plain(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> out.put(e.getKey(), plain(e.getValue())));
            return java.util.Collections.unmodifiableMap(out);
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            n.forEach(e -> out.add(plain(e)));
            return java.util.Collections.unmodifiableList(out);
        }
        return n.isNull() ? "" : n.asText();
    }

    YamlPath requireMapping() {
        if (!present() || !node.isObject()) {
            throw wrong("a mapping");
        }
        return this;
    }
}
