package dev.meshwork.placement.tenant;

import dev.meshwork.protocol.error.MeshError;
import java.util.regex.Pattern;

/**
 * What one namespace (a tenant) may use of the mesh; {@code namespace} {@value #DEFAULTS} holds the
 * defaults of namespaces without a document of their own. A limit of 0 means none. Immutable.
 *
 * @param maxModels         registrations the namespace may hold
 * @param memoryShare       the slot memory the namespace is guaranteed, of the whole mesh: its copies are evicted
 *                          for other namespaces' loads only while it holds more than this
 * @param maxMemory         the slot memory the namespace may hold at most, of the whole mesh, even when the rest is idle
 * @param maxCopiesPerModel copies of one model that copy scaling may make
 * @param requestsPerSecond inference requests per second, across the routers (a token bucket refilled at this rate)
 * @param burst             the bucket's size: requests that may come at once after a quiet spell; 0 means one second's worth
 * @param maxInFlight       inference requests of the namespace running at once, across the routers
 * @param priority          who is shed first when a router is overloaded: lower first
 * @param source            where the document came from: empty for the API, {@code file:<path>} for the watched directory
 */
public record TenantPolicy(String namespace, int maxModels, MemoryAmount memoryShare, MemoryAmount maxMemory, int maxCopiesPerModel,
                           double requestsPerSecond, int burst, int maxInFlight, int priority, String source)
        implements java.io.Serializable {
    /** The name of the defaults document. */
    public static final String DEFAULTS = "*";
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public TenantPolicy {
        memoryShare = memoryShare == null ? MemoryAmount.NONE : memoryShare;
        maxMemory = maxMemory == null ? MemoryAmount.NONE : maxMemory;
        source = source == null ? "" : source;
        if (namespace == null || !(namespace.equals(DEFAULTS) || NAMESPACE.matcher(namespace).matches())) {
            throw MeshError.invalid("'%s' is not a namespace: lower-case letters, digits and '-', at most 63, or '*' for the defaults",
                    namespace);
        }
        nonNegative("maxModels", maxModels);
        nonNegative("maxCopiesPerModel", maxCopiesPerModel);
        nonNegative("burst", burst);
        nonNegative("maxInFlight", maxInFlight);
        if (!(requestsPerSecond >= 0 && requestsPerSecond < 1e9)) {
            throw MeshError.invalid("requestsPerSecond must be 0 (no limit) or a positive rate below 10^9, got %s", requestsPerSecond);
        }
        if (burst > 0 && requestsPerSecond == 0) {
            throw MeshError.invalid("burst is the size of the requestsPerSecond bucket; set requestsPerSecond too");
        }
        if (memoryShare.isSet() && maxMemory.isSet() && memoryShare.fraction() > 0 == maxMemory.fraction() > 0
                && (memoryShare.fraction() > maxMemory.fraction() || memoryShare.bytes() > maxMemory.bytes())) {
            throw MeshError.invalid("memoryShare (%s) is more than maxMemory (%s): a namespace cannot be guaranteed more than it may hold",
                    memoryShare.toDocument(), maxMemory.toDocument());
        }
    }

    /** No limit and no guarantee: a namespace without a document when there are no defaults. */
    public static TenantPolicy unlimited(String namespace) {
        return new TenantPolicy(namespace, 0, MemoryAmount.NONE, MemoryAmount.NONE, 0, 0, 0, 0, 0, "");
    }

    private static void nonNegative(String field, long value) {
        if (value < 0) {
            throw MeshError.invalid("%s must be 0 (no limit) or more, got %d", field, value);
        }
    }

    /** The bucket's size: as given, else one second's worth of requests (at least one). */
    public int effectiveBurst() {
        return burst > 0 ? burst : (int) Math.max(1, Math.ceil(requestsPerSecond));
    }

    /** This policy for another namespace (the defaults applied to a namespace without its own). */
    public TenantPolicy forNamespace(String ns) {
        return new TenantPolicy(ns, maxModels, memoryShare, maxMemory, maxCopiesPerModel, requestsPerSecond, burst, maxInFlight, priority,
                source);
    }
}
