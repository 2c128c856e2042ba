package dev.meshwork.security;

import dev.meshwork.config.ConfigCheck;

/**
 * How a listener's callers prove who they are ({@code auth.*}). Authentication is on when any
 * source is configured; then every request but health probes (and the metrics scrape unless
 * {@code protectMetrics}) needs credentials.
 *
 * @param tokensFile       static API tokens: {@code tokens: [{sha256, principal, namespaces, roles}]}
 * @param jwksFile         a JWKS file whose keys sign accepted JWTs
 * @param jwksUrl          a JWKS URL (an OIDC issuer's {@code jwks_uri}) instead of a file
 * @param issuer           the {@code iss} a JWT must carry
 * @param audience         the {@code aud} a JWT must carry
 * @param clockSkewSeconds how far {@code exp} and {@code nbf} may be off
 * @param principalClaim   the JWT claim that names the principal
 * @param namespacesClaim  the JWT claim that lists its namespaces
 * @param rolesClaim       the JWT claim that lists its roles (invoker, deployer, viewer, admin)
 * @param clientsFile      client certificates as principals: {@code clients: [{subject | san, principal, namespaces, roles}]}
 * @param protectMetrics   whether {@code GET /metrics} needs a principal with the viewer right
 * @param reloadMs         how often the files above are checked for changes
 */
public record AuthConfig(String tokensFile, String jwksFile, String jwksUrl, String issuer, String audience, long clockSkewSeconds,
                         String principalClaim, String namespacesClaim, String rolesClaim, String clientsFile,
                         boolean protectMetrics, long reloadMs) {
    public AuthConfig {
        ConfigCheck.fileOrEmpty("auth.tokensFile", tokensFile, "file");
        ConfigCheck.fileOrEmpty("auth.jwksFile", jwksFile, "file");
        ConfigCheck.fileOrEmpty("auth.clientsFile", clientsFile, "file");
        ConfigCheck.require(jwksFile.isEmpty() || jwksUrl.isEmpty(), "give auth.jwksFile or auth.jwksUrl, not both");
        ConfigCheck.require((jwksFile.isEmpty() && jwksUrl.isEmpty()) || (!issuer.isBlank() && !audience.isBlank()),
                "JWTs are checked against auth.issuer and auth.audience: set both with auth.jwksFile or auth.jwksUrl");
        ConfigCheck.range("auth.clockSkewSeconds", clockSkewSeconds, 0, 600, "seconds");
        ConfigCheck.notBlank("auth.principalClaim", principalClaim);
        ConfigCheck.notBlank("auth.namespacesClaim", namespacesClaim);
        ConfigCheck.notBlank("auth.rolesClaim", rolesClaim);
        ConfigCheck.atLeast("auth.reloadMs", reloadMs, 10);
    }


    public static AuthConfig defaults() {
        return new AuthConfig("", "", "", "", "", 60, "sub", "namespaces", "roles", "", false, 1000);
    }

    public boolean jwks() {
        return !jwksFile.isEmpty() || !jwksUrl.isEmpty();
    }

    /** Whether any way to authenticate is configured. */
    public boolean enabled() {
        return !tokensFile.isEmpty() || jwks() || !clientsFile.isEmpty();
    }
}
