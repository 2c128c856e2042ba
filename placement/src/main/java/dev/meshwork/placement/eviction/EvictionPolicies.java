package dev.meshwork.placement.eviction;

import dev.meshwork.protocol.error.MeshError;
import java.util.List;

/** The eviction policies a slot can run, by the name configuration uses. */
public final class EvictionPolicies {
    public static final List<String> NAMES = List.of("lru", "gdsf");

    private EvictionPolicies() {
    }

    /** A policy for one slot (GDSF keeps per-slot state, so each slot gets its own). */
    public static EvictionPolicy create(String name) {
        return switch (name == null || name.isEmpty() ? "lru" : name) {
            case "lru" -> new LruEvictionPolicy();
            case "gdsf" -> new GdsfEvictionPolicy();
            default -> throw MeshError.invalid("node.evictionPolicy '%s' is not one of %s", name, NAMES);
        };
    }
}
