package dev.meshwork.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWTs: signature against the JWKS, issuer, audience, expiry with skew, and the claims that name rights. */
class JwtAuthenticatorTest {
    @TempDir
    static Path dir;
    static RSAKey key;
    static RSAKey stranger;
    static JwtAuthenticator jwt;

    @BeforeAll
    static void setUp() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        jwt = new JwtAuthenticator(new AuthConfig("", jwks.toString(), "", "https://issuer.test", "meshwork", 30, "sub", "namespaces", "roles",
                "", false, 1000), new SimpleMeterRegistry());
    }

    static String token(RSAKey signer, String issuer, String audience, Instant expiry) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("svc-fraud").issuer(issuer).audience(audience)
                .expirationTime(Date.from(expiry)).claim("namespaces", List.of("team-a")).claim("roles", List.of("invoker", "offline_access"))
                .build();
        SignedJWT s = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID()).build(), claims);
        s.sign(new RSASSASigner(signer));
        return s.serialize();
    }

    private static Principal auth(String token) {
        return jwt.authenticate(new Credentials(token, List.of()));
    }

    @Test
    void aValidTokenNamesItsPrincipalNamespacesAndRoles() throws Exception {
        Principal p = auth(token(key, "https://issuer.test", "meshwork", Instant.now().plusSeconds(60)));
        assertThat(p.name()).isEqualTo("svc-fraud");
        assertThat(p.namespaces()).containsExactly("team-a");
        assertThat(p.roles()).containsExactly(Role.INVOKER);
        // within the clock skew an expired token still passes
        assertThat(auth(token(key, "https://issuer.test", "meshwork", Instant.now().minusSeconds(10))).name()).isEqualTo("svc-fraud");
    }

    @Test
    void everyCheckRefuses() throws Exception {
        for (String bad : List.of(token(stranger, "https://issuer.test", "meshwork", Instant.now().plusSeconds(60)),
                token(key, "https://evil.test", "meshwork", Instant.now().plusSeconds(60)),
                token(key, "https://issuer.test", "other", Instant.now().plusSeconds(60)),
                token(key, "https://issuer.test", "meshwork", Instant.now().minusSeconds(120)))) {
            assertThatThrownBy(() -> auth(bad)).isInstanceOf(AuthenticationException.class).message().startsWith("the JWT was refused");
        }
        assertThat(auth("not-a-jwt")).isNull(); // not its kind: the token file's
        assertThat(Set.of(Role.values())).hasSize(4);
    }
}
