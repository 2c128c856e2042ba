package dev.meshwork.config;

import dev.meshwork.protocol.error.MeshError;
import java.util.Collection;

/**
 * The checks configuration records run on their values as they are built: each refuses a value
 * with one line that names the key and what it may be ({@code forward.timeoutMs must be at least
 * 1 (milliseconds), got 0}). Stateless.
 */
public final class ConfigCheck {
    private ConfigCheck() {
    }

    /** A TCP port to bind: 0 picks a free one. */
    public static void port(String key, long value) {
        range(key, value, 0, 65_535, "a TCP port, 0 for any free one");
    }

    public static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw MeshError.invalid("%s must be at least %d, got %d", key, min, value);
        }
    }

    public static void range(String key, long value, long min, long max, String what) {
        if (value < min || value > max) {
            throw MeshError.invalid("%s must be %s (%d to %d), got %d", key, what, min, max, value);
        }
    }

    public static void positive(String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw MeshError.invalid("%s must be a number above 0, got %s", key, value);
        }
    }

    public static void notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw MeshError.invalid("%s must not be empty", key);
        }
    }

    public static void oneOf(String key, String value, Collection<String> allowed) {
        if (!allowed.contains(value)) {
            throw MeshError.invalid("%s must be one of %s, got '%s'", key, allowed, value);
        }
    }

    /** A directory the process reads at start: empty means none; otherwise it must exist now. */
    public static void directoryOrEmpty(String key, String path) {
        if (!path.isEmpty() && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(path))) {
            throw MeshError.invalid("%s must be an existing directory (or empty for none), got '%s'", key, path);
        }
    }

    /** A file the process reads ({@code what}: "file", "PEM file"): empty means none; otherwise it must be a regular file now. */
    public static void fileOrEmpty(String key, String path, String what) {
        if (!path.isEmpty() && !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(path))) {
            throw MeshError.invalid("%s must name a readable %s, got '%s'", key, what, path);
        }
    }

    /** A condition between keys, with the line that explains it when it fails. */
    public static void require(boolean holds, String message, Object... args) {
        if (!holds) {
            throw MeshError.invalid(message, args);
        }
    }
}
