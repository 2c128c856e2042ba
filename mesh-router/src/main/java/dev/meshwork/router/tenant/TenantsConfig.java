package dev.meshwork.router.tenant;

import dev.meshwork.config.ConfigCheck;

/**
 * How the router treats tenants (namespaces): their documents' directory, and its own overload limit.
 *
 * @param dir                 a directory of tenant documents (YAML, one or more per file, each with {@code namespace}); added,
 *                            changed and removed documents are applied like API changes; empty for none
 * @param pollMs              how often the directory is checked
 * @param maxInFlight         the most inference requests this router runs at once; beyond, it answers 429 / RESOURCE_EXHAUSTED;
 *                            0 for no limit
 * @param shedAt              the fraction of {@code maxInFlight} above which namespaces below the highest priority are refused
 * @param metricsPerNamespace whether request and throttle meters carry a {@code namespace} tag (turn off with very many
 *                            namespaces: the meters then say {@code namespace="all"})
 */
public record TenantsConfig(String dir, long pollMs, int maxInFlight, double shedAt, boolean metricsPerNamespace) {
    public TenantsConfig {
        dir = dir == null ? "" : dir;
        ConfigCheck.directoryOrEmpty("tenants.dir", dir);
        ConfigCheck.atLeast("tenants.pollMs", pollMs, 10);
        ConfigCheck.atLeast("tenants.maxInFlight", maxInFlight, 0);
        ConfigCheck.require(shedAt > 0 && shedAt <= 1, "tenants.shedAt must be above 0 and at most 1, got %s", shedAt);
    }

    public static TenantsConfig defaults() {
        return new TenantsConfig("", 1000, 0, 0.8, true);
    }
}
