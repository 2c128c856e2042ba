package dev.meshwork.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Bearer JWTs (OIDC issuers: Keycloak, Dex, Kubernetes service-account tokens) checked against a
 * JWKS file (read again when it changes) or URL (fetched in the background, {@link JwksUrlSource}): the
 * signature (RSA, RSA-PSS or ECDSA), {@code iss}, {@code aud}, {@code exp} and {@code nbf} with
 * the configured clock skew. The principal, its namespaces and its roles come from configurable
 * claims (a string or a list of strings).
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Set<JWSAlgorithm> ALGORITHMS = algorithms();
    private final AuthConfig config;
    private final WatchedFile<DefaultJWTProcessor<SecurityContext>> fromFile;
    private final DefaultJWTProcessor<SecurityContext> fromUrl;

    public JwtAuthenticator(AuthConfig config, MeterRegistry metrics) {
        this.config = config;
        if (!config.jwksFile().isEmpty()) {
            this.fromFile = new WatchedFile<>("auth.jwksFile", List.of(Path.of(config.jwksFile())),
                    b -> processor(new ImmutableJWKSet<>(parse(b.get(0)))), config.reloadMs(), metrics);
            this.fromUrl = null;
        } else {
            this.fromFile = null;
            try {
                this.fromUrl = processor(new JwksUrlSource(config.jwksUrl(), Math.max(config.reloadMs(), 60_000)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("auth.jwksUrl is not a URL: " + e.getMessage());
            }
        }
    }

    private static JWKSet parse(byte[] json) {
        try {
            JWKSet set = JWKSet.parse(new String(json, StandardCharsets.UTF_8));
            if (set.getKeys().isEmpty()) {
                throw new IllegalArgumentException("the JWKS holds no keys");
            }
            return set;
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWKS document: " + e.getMessage());
        }
    }

    private DefaultJWTProcessor<SecurityContext> processor(JWKSource<SecurityContext> keys) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(Set.of(config.audience()),
                new JWTClaimsSet.Builder().issuer(config.issuer()).build(), Set.of("exp"), Set.of());
        claims.setMaxClockSkew((int) config.clockSkewSeconds());
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }

    private static Set<JWSAlgorithm> algorithms() {
        Set<JWSAlgorithm> s = new HashSet<>();
        s.addAll(JWSAlgorithm.Family.RSA);
        s.addAll(JWSAlgorithm.Family.EC);
        return Set.copyOf(s);
    }

    /** Whether a token has a JWT's shape (three dot-separated parts), so that it is this authenticator's to check. */
    static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first + 1 && token.chars().filter(c -> c == '.').count() == 2;
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        String token = credentials.bearer();
        if (token == null || !looksLikeJwt(token)) {
            return null;
        }
        JWTClaimsSet claims;
        try {
            claims = (fromFile != null ? fromFile.get() : fromUrl).process(token, null);
        } catch (ParseException e) {
            throw new AuthenticationException("the bearer token is not a valid JWT");
        } catch (BadJOSEException e) {
            throw new AuthenticationException("the JWT was refused: " + e.getMessage());
        } catch (JOSEException e) {
            throw new AuthenticationException("the JWT's signature could not be checked: " + e.getMessage());
        }
        String name = text(claims, config.principalClaim());
        if (name.isEmpty()) {
            throw new AuthenticationException("the JWT has no '" + config.principalClaim() + "' claim to name its principal");
        }
        Set<Role> roles = new LinkedHashSet<>();
        for (String r : list(claims, config.rolesClaim())) {
            try {
                roles.add(Role.parse(r));
            } catch (IllegalArgumentException ignored) {
                // an issuer's other roles (offline_access, ...) mean nothing here
            }
        }
        return new Principal(name, new LinkedHashSet<>(list(claims, config.namespacesClaim())), roles);
    }

    private static String text(JWTClaimsSet claims, String name) {
        Object v = claims.getClaim(name);
        return v == null ? "" : v.toString();
    }

    private static List<String> list(JWTClaimsSet claims, String name) {
        Object v = claims.getClaim(name);
        if (v instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        if (v instanceof String s && !s.isEmpty()) {
            return List.of(s.split("[,\\s]+"));
        }
        return List.of();
    }
}
