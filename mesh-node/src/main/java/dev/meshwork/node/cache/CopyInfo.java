package dev.meshwork.node.cache;

import dev.meshwork.placement.table.CopyState;

/**
 * A snapshot of one copy: what the node reports in status and the placement table.
 *
 * @param spec   the fingerprint of the registration it was loaded for
 * @param digest {@code sha256:<hex>} of the artifact bytes it loaded, once LOADED
 * @param crashed  FAILED because loading or running it crashed a process (see {@code CrashLedger})
 * @param storageUri the registration's storageUri (with its pin), to find the copy's download while it is LOADING
 */
public record CopyInfo(String modelId, String slot, CopyState state, long sizeBytes, long lastUsedMillis, String error, String spec,
                       String digest, boolean crashed, String storageUri) {
}
