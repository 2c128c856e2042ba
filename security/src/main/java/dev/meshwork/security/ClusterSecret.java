package dev.meshwork.security;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * The shared cluster secret ({@code cluster.secretFile}): every router and node of a cluster reads
 * the same file; internal calls carry it when there is no mTLS, so a stray process that reaches a
 * node's port cannot drive it. Read again when the file changes. Thread-safe.
 */
public final class ClusterSecret {
    private final WatchedFile<byte[]> secret;

    public ClusterSecret(Path file, long checkMs, MeterRegistry metrics) {
        this.secret = new WatchedFile<>("cluster.secretFile", List.of(file), b -> {
            String s = new String(b.get(0), StandardCharsets.UTF_8).strip();
            if (s.length() < 16) {
                throw new IllegalArgumentException("the cluster secret must hold at least 16 characters");
            }
            return s.getBytes(StandardCharsets.UTF_8);
        }, checkMs, metrics);
    }

    /** The value internal calls carry. */
    public String value() {
        return new String(secret.get(), StandardCharsets.UTF_8);
    }

    /** Whether a presented value is the secret, in time that does not depend on where they differ. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(secret.get(), presented.getBytes(StandardCharsets.UTF_8));
    }
}
