package dev.meshwork.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads the YAML files that grant principals their namespaces and roles (tokens, client certificates). */
final class PrincipalDocuments {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private PrincipalDocuments() {
    }

    /** The entries of the top-level list {@code key}. */
    static List<JsonNode> entries(byte[] yaml, String key) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.path(key).isArray()) {
            throw new IllegalArgumentException("expected a top-level list '" + key + ":'");
        }
        List<JsonNode> out = new ArrayList<>();
        root.path(key).forEach(out::add);
        return out;
    }

    /** The principal an entry grants: {@code namespaces} and {@code roles} lists, the name given. */
    static Principal principal(JsonNode entry, String name, int index) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("entry " + index + " names no principal");
        }
        Set<Role> roles = new LinkedHashSet<>();
        for (String r : strings(entry.path("roles"))) {
            roles.add(Role.parse(r));
        }
        Set<String> namespaces = new LinkedHashSet<>(strings(entry.path("namespaces")));
        if (roles.isEmpty() || namespaces.isEmpty()) {
            throw new IllegalArgumentException("entry " + index + " (" + name + ") needs at least one namespace and one role");
        }
        return new Principal(name, namespaces, roles);
    }

    /** A list of strings, or one string. */
    static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (node.isTextual() && !node.asText().isEmpty()) {
            out.add(node.asText());
        }
        return out;
    }
}
