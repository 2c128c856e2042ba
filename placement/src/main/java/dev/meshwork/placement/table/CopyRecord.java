package dev.meshwork.placement.table;

import java.io.Serializable;

/**
 * One copy of a model as the placement table holds it: where it is and how it is. Immutable.
 *
 * @param lastUsedMillis when a request last ran on it, as its node last reported (milliseconds since the epoch)
 * @param error          why it FAILED, else empty
 */
public record CopyRecord(String nodeId, String slot, CopyState state, long sizeBytes, long lastUsedMillis, String error)
        implements Serializable {
    public CopyRecord {
        error = error == null ? "" : error;
    }

    public boolean loaded() {
        return state == CopyState.LOADED;
    }
}
