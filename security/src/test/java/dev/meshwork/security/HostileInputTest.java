package dev.meshwork.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.meshwork.security.tls.PemFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an attacker or a careless edit hands the security module's readers: each is refused with a message, never a crash. */
class HostileInputTest {
    @TempDir
    Path dir;

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Test
    void garbageKeysAndCertificatesAreRefusedSayingSo() {
        for (byte[] der : new byte[][] {{}, {0x30}, {0x30, (byte) 0x84, 1, 2}, {0x30, (byte) 0xff, 1, 2, 3}, {0x30, 0x7f, 1}}) {
            for (String type : List.of("EC PRIVATE KEY", "RSA PRIVATE KEY", "PRIVATE KEY")) {
                assertThatThrownBy(() -> PemFiles.privateKey(pem(type, der).getBytes(StandardCharsets.US_ASCII)))
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
        assertThatThrownBy(() -> PemFiles.privateKey("-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PemFiles.privateKey("no pem here".getBytes(StandardCharsets.US_ASCII)))
                .hasMessage("no PRIVATE KEY block in the PEM file");
        assertThatThrownBy(() -> PemFiles.certificates(pem("CERTIFICATE", new byte[] {0x30, 3, 1, 2, 3}).getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedAndUnsignedJwtsAreRefused() throws Exception {
        Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"k\", \"n\": \"sXch\", \"e\": \"AQAB\"}]}");
        JwtAuthenticator jwt = new JwtAuthenticator(new AuthConfig("", jwks.toString(), "", "https://issuer", "mesh", 30, "sub", "namespaces",
                "roles", "", false, 1000), new SimpleMeterRegistry());
        String unsigned = new PlainJWT(new PlainHeader.Builder().type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().subject("root").issuer("https://issuer").audience("mesh").claim("roles", List.of("admin")).build())
                .serialize();
        for (String token : List.of("a.b.c", "e30.e30.", unsigned, "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln")) {
            assertThatThrownBy(() -> jwt.authenticate(new Credentials(token, List.of()))).as(token).isInstanceOf(AuthenticationException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
        }
    }

    @Test
    void brokenJwksTokenAndClientFilesAreRefusedAtStart() throws Exception {
        Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\": 7");
        assertThatThrownBy(() -> new JwtAuthenticator(new AuthConfig("", jwks.toString(), "", "https://issuer", "mesh", 30, "sub", "namespaces",
                "roles", "", false, 1000), new SimpleMeterRegistry())).hasMessageStartingWith("auth.jwksFile: not a JWKS document");
        Path tokens = Files.writeString(dir.resolve("tokens.yaml"), "tokens: {not: a list}\n");
        assertThatThrownBy(() -> new TokenFile(tokens, 1000, new SimpleMeterRegistry()))
                .hasMessage("auth.tokensFile: expected a top-level list 'tokens:'");
        Path yamlBomb = Files.writeString(dir.resolve("bomb.yaml"), "tokens: [&a [*a]]\n");
        assertThatThrownBy(() -> new TokenFile(yamlBomb, 1000, new SimpleMeterRegistry())).isInstanceOf(IllegalArgumentException.class);
        Path clients = Files.writeString(dir.resolve("clients.yaml"), "clients:\n  - {principal: nobody, namespaces: [a], roles: [invoker]}\n");
        assertThatThrownBy(() -> new ClientCertificates(clients, 1000, new SimpleMeterRegistry()))
                .hasMessage("auth.clientsFile: entry 0 needs exactly one of subject and san");
    }
}
