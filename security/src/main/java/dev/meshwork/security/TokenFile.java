package dev.meshwork.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Static API tokens from {@code auth.tokensFile}: {@code tokens: [{sha256, principal, namespaces, roles}]}.
 * The file holds only each token's SHA-256, so reading it gives no token away; a request's token
 * is hashed and looked up. Read again when it changes.
 */
public final class TokenFile implements Authenticator {
    private final WatchedFile<Map<String, Principal>> tokens;

    public TokenFile(Path file, long checkMs, MeterRegistry metrics) {
        this.tokens = new WatchedFile<>("auth.tokensFile", List.of(file), b -> parse(b.get(0)), checkMs, metrics);
    }

    static Map<String, Principal> parse(byte[] yaml) {
        Map<String, Principal> out = new HashMap<>();
        int i = 0;
        for (JsonNode e : PrincipalDocuments.entries(yaml, "tokens")) {
            String hash = e.path("sha256").asText("").toLowerCase(java.util.Locale.ROOT);
            if (!hash.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("entry " + i + " needs sha256: the 64 hex digits of the token's SHA-256"
                        + " (for example: printf %s \"$TOKEN\" | sha256sum)");
            }
            out.put(hash, PrincipalDocuments.principal(e, e.path("principal").asText(""), i));
            i++;
        }
        return Map.copyOf(out);
    }

    /** The hex SHA-256 of a token, as the file lists it. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The principal of one of the file's tokens, or null (then a JWT-shaped token goes on to the JWT check). */
    Principal lookup(String token) {
        return tokens.get().get(sha256(token));
    }

    /** Whether the token is one of the file's. */
    boolean knows(String token) {
        return lookup(token) != null;
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        if (credentials.bearer() == null) {
            return null;
        }
        Principal p = lookup(credentials.bearer());
        if (p == null) {
            throw new AuthenticationException("the bearer token is not a known API token");
        }
        return p;
    }
}
