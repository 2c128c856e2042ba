package dev.meshwork.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * mTLS client certificates as principals, from {@code auth.clientsFile}:
 * {@code clients: [{subject: "CN=alice,O=team-a" | san: "alice.team-a", principal, namespaces, roles}]}.
 * The TLS layer has already checked the chain against {@code tls.clientCaFile}; this maps the
 * verified leaf certificate's subject (RFC 2253) or one of its subject alternative names.
 */
public final class ClientCertificates implements Authenticator {
    private record Grant(String subject, String san, Principal principal) {
    }

    private final WatchedFile<List<Grant>> grants;

    public ClientCertificates(Path file, long checkMs, MeterRegistry metrics) {
        this.grants = new WatchedFile<>("auth.clientsFile", List.of(file), b -> parse(b.get(0)), checkMs, metrics);
    }

    private static List<Grant> parse(byte[] yaml) {
        List<Grant> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : PrincipalDocuments.entries(yaml, "clients")) {
            String subject = e.path("subject").asText("");
            String san = e.path("san").asText("");
            if (subject.isEmpty() == san.isEmpty()) {
                throw new IllegalArgumentException("entry " + i + " needs exactly one of subject and san");
            }
            String normalized = subject.isEmpty() ? "" : new X500Principal(subject).getName(X500Principal.RFC2253);
            String name = e.path("principal").asText(subject.isEmpty() ? san : subject);
            out.add(new Grant(normalized, san, PrincipalDocuments.principal(e, name, i)));
            i++;
        }
        return List.copyOf(out);
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        if (credentials.clientCertificates().isEmpty()) {
            return null;
        }
        X509Certificate leaf = credentials.clientCertificates().get(0);
        String subject = leaf.getSubjectX500Principal().getName(X500Principal.RFC2253);
        List<String> sans = sans(leaf);
        for (Grant g : grants.get()) {
            if (!g.subject().isEmpty() ? g.subject().equals(subject) : sans.contains(g.san())) {
                return g.principal();
            }
        }
        throw new AuthenticationException("the client certificate '" + subject + "' is not mapped to a principal in auth.clientsFile");
    }

    private static List<String> sans(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            return names == null ? List.of() : names.stream().map(n -> String.valueOf(n.get(1))).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
