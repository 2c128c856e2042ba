package dev.meshwork.security;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a request presents: the bearer token of its {@code Authorization} header (null without one)
 * and the client certificate chain of its TLS session (empty without mTLS).
 */
public record Credentials(String bearer, List<X509Certificate> clientCertificates) {
    public Credentials {
        clientCertificates = clientCertificates == null ? List.of() : List.copyOf(clientCertificates);
    }

    /** The token of an {@code Authorization: Bearer <token>} header value; null for anything else. */
    public static String bearerOf(String authorization) {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }
}
