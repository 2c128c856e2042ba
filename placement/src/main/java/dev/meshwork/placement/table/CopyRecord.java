package dev.meshwork.placement.table;

import java.io.Serializable;

/**
 * One copy of a model as the placement table holds it: where it is and how it is. Immutable.
 *
 * @param lastUsedMillis when a request last ran on it, as its node last reported (milliseconds since the epoch)
 * @param error          why it FAILED, else empty
 * @param spec           the {@code ModelSpec.fingerprint()} of the registration the node loaded; empty when unknown
 * @param digest         {@code sha256:<hex>} of the artifact bytes the node loaded; empty until LOADED (or when unknown)
 * @param crashed        FAILED because loading or running it crashed a process on that node: routers load that
 *                       registration nowhere else until it is unloaded, so a bad file crashes one process, not one per node
 * @param downloadedBytes while LOADING: the bytes of its artifact downloaded so far (0 when nothing is downloading)
 * @param downloadBytes   while LOADING: the artifact's size as its source declared it (0 when unknown)
 */
public record CopyRecord(String nodeId, String slot, CopyState state, long sizeBytes, long lastUsedMillis, String error, String spec,
                         String digest, boolean crashed, long downloadedBytes, long downloadBytes) implements Serializable {
    public CopyRecord(String nodeId, String slot, CopyState state, long sizeBytes, long lastUsedMillis, String error) {
        this(nodeId, slot, state, sizeBytes, lastUsedMillis, error, "", "", false);
    }

    public CopyRecord(String nodeId, String slot, CopyState state, long sizeBytes, long lastUsedMillis, String error, String spec,
                      String digest, boolean crashed) {
        this(nodeId, slot, state, sizeBytes, lastUsedMillis, error, spec, digest, crashed, 0, 0);
    }

    public CopyRecord {
        error = error == null ? "" : error;
        spec = spec == null ? "" : spec;
        digest = digest == null ? "" : digest;
    }

    public boolean loaded() {
        return state == CopyState.LOADED;
    }

    /**
     * Whether it is LOADED with the registration of that fingerprint (a copy that does not say is
     * taken at its word) and, when the registration pins a digest, with exactly those bytes.
     */
    public boolean serves(String fingerprint, String pinnedDigest) {
        return loaded() && (spec.isEmpty() || spec.equals(fingerprint)) && (pinnedDigest.isEmpty() || pinnedDigest.equals(digest));
    }
}
