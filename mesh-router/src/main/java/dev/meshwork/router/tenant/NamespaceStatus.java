package dev.meshwork.router.tenant;

import java.util.Map;

/**
 * A namespace as {@code GET /v1/mesh/namespaces} shows it. Rates are this router's, smoothed over a few seconds.
 *
 * @param ownPolicy     whether the namespace has a document of its own (else the defaults hold)
 * @param policy        the policy that holds for it
 * @param loadedBytes   the slot memory its copies hold across the mesh
 * @param shareBytes    its guaranteed share in bytes, of the mesh as it is now
 * @param maxBytes      its ceiling in bytes; null for none
 * @param hitRatio      admitted requests that found their model loaded; null before the first
 * @param hits          admitted requests that found their model loaded, since the router started
 * @param misses        admitted requests that did not
 */
public record NamespaceStatus(String namespace, boolean ownPolicy, Map<String, Object> policy, long models, long loadedBytes,
                              long shareBytes, Long maxBytes, double requestsPerSecond, double throttledPerSecond, Double hitRatio,
                              int inFlight, long hits, long misses) {
}
