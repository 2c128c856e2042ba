package dev.meshwork.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** An issuer's JWKS URL on loopback: keys fetched at start, and a new signing key picked up without a request waiting. */
class JwksUrlSourceTest {
    @Test
    void keysComeFromTheUrlAndANewKeyIsFetchedInTheBackground() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
        AtomicReference<String> served = new AtomicReference<>(new JWKSet(first.toPublicJWK()).toString());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks", ex -> {
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
            JwtAuthenticator jwt = new JwtAuthenticator(new AuthConfig("", "", url, "https://issuer.test", "meshwork", 30, "sub", "namespaces",
                    "roles", "", false, 1000), new SimpleMeterRegistry());
            String one = JwtAuthenticatorTest.token(first, "https://issuer.test", "meshwork", Instant.now().plusSeconds(60));
            assertThat(jwt.authenticate(new Credentials(one, List.of())).name()).isEqualTo("svc-fraud");

            served.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString()); // the issuer rotates its key
            String two = JwtAuthenticatorTest.token(second, "https://issuer.test", "meshwork", Instant.now().plusSeconds(60));
            await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(AuthenticationException.class)
                    .until(() -> jwt.authenticate(new Credentials(two, List.of())).name().equals("svc-fraud"));
            RSAKey stranger = new RSAKeyGenerator(2048).keyID("k3").generate();
            String three = JwtAuthenticatorTest.token(stranger, "https://issuer.test", "meshwork", Instant.now().plusSeconds(60));
            assertThatThrownBy(() -> jwt.authenticate(new Credentials(three, List.of()))).isInstanceOf(AuthenticationException.class);
        } finally {
            server.stop(0);
        }
    }
}
