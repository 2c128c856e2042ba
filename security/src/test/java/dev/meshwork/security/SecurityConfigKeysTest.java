package dev.meshwork.security;

import static dev.meshwork.testing.ConfigAssertions.assertDefaults;
import static dev.meshwork.testing.ConfigAssertions.assertFullMapping;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.security.tls.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls, auth and security blocks every listening process embeds: their defaults, every key, and what is refused. */
class SecurityConfigKeysTest {
    @TempDir
    static Path dir;

    static String file(String name) throws Exception {
        Path f = dir.resolve(name);
        if (!Files.exists(f)) {
            Files.writeString(f, "x");
        }
        return f.toString();
    }

    @Test
    void tls() throws Exception {
        assertDefaults(TlsConfig.class, TlsConfig.defaults(), Map.of("certFile", "", "keyFile", "", "clientCaFile", "",
                "clientAuth", "require", "serverCaFile", "", "reloadMs", "1000"));
        assertFullMapping(TlsConfig.class, TlsConfig.defaults(), Map.of("certFile", file("c.pem"), "keyFile", file("k.pem"),
                "clientCaFile", file("ca.pem"), "clientAuth", "optional", "serverCaFile", file("sca.pem"), "reloadMs", "50"));
        assertThatThrownBy(() -> load(TlsConfig.class, TlsConfig.defaults(), "--certFile=" + file("c.pem")))
                .hasMessage("tls.certFile and tls.keyFile go together: give both or neither");
        assertThatThrownBy(() -> load(TlsConfig.class, TlsConfig.defaults(), "--clientAuth=maybe"))
                .hasMessageStartingWith("tls.clientAuth must be one of");
    }

    @Test
    void auth() throws Exception {
        assertDefaults(AuthConfig.class, AuthConfig.defaults(), Map.ofEntries(Map.entry("tokensFile", ""), Map.entry("jwksFile", ""),
                Map.entry("jwksUrl", ""), Map.entry("issuer", ""), Map.entry("audience", ""), Map.entry("clockSkewSeconds", "60"),
                Map.entry("principalClaim", "sub"), Map.entry("namespacesClaim", "namespaces"), Map.entry("rolesClaim", "roles"),
                Map.entry("clientsFile", ""), Map.entry("protectMetrics", "false"), Map.entry("reloadMs", "1000")));
        // jwksFile and jwksUrl exclude each other, so the keys are set in two loads
        Map<String, String> flags = Map.ofEntries(Map.entry("tokensFile", file("t.yaml")), Map.entry("issuer", "https://issuer"),
                Map.entry("audience", "mesh"), Map.entry("clockSkewSeconds", "5"), Map.entry("principalClaim", "email"),
                Map.entry("namespacesClaim", "groups"), Map.entry("rolesClaim", "mesh_roles"), Map.entry("clientsFile", file("clients.yaml")),
                Map.entry("protectMetrics", "true"), Map.entry("reloadMs", "200"));
        for (Map.Entry<String, String> source : Map.of("jwksFile", file("jwks.json"), "jwksUrl", "https://issuer/keys").entrySet()) {
            Map<String, String> all = new java.util.HashMap<>(flags);
            all.put(source.getKey(), source.getValue());
            Map<String, String> loaded = ConfigLoader.keys(load(AuthConfig.class, AuthConfig.defaults(),
                    all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new)));
            all.forEach((k, v) -> org.assertj.core.api.Assertions.assertThat(loaded.get(k)).as("--%s", k).isEqualTo(v));
        }
        org.assertj.core.api.Assertions.assertThat(ConfigLoader.keys(AuthConfig.defaults()).keySet())
                .containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(flags.keySet().stream(), java.util.stream.Stream.of("jwksFile", "jwksUrl")).toList());
        assertThatThrownBy(() -> load(AuthConfig.class, AuthConfig.defaults(), "--jwksUrl=https://issuer/keys"))
                .hasMessage("JWTs are checked against auth.issuer and auth.audience: set both with auth.jwksFile or auth.jwksUrl");
        assertThatThrownBy(() -> load(AuthConfig.class, AuthConfig.defaults(), "--tokensFile=/no/such/file"))
                .hasMessage("auth.tokensFile must name a readable file, got '/no/such/file'");
    }

    @Test
    void security() {
        assertDefaults(SecurityConfig.class, SecurityConfig.defaults(), Map.of("insecure", "false", "auditFile", "",
                "auditMaxBytes", "67108864", "auditKeep", "5"));
        assertFullMapping(SecurityConfig.class, SecurityConfig.defaults(), Map.of("insecure", "true", "auditFile", "/var/log/audit.log",
                "auditMaxBytes", "10000", "auditKeep", "3"));
    }

    private static <T> T load(Class<T> type, T defaults, String... flags) {
        return ConfigLoader.load(type, defaults, "TEST_", Map.of(), List.of(flags)).config();
    }
}
