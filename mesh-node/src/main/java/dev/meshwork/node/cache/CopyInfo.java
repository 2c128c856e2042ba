package dev.meshwork.node.cache;

import dev.meshwork.placement.table.CopyState;

/** A snapshot of one copy: what the node reports in status and the placement table. */
public record CopyInfo(String modelId, String slot, CopyState state, long sizeBytes, long lastUsedMillis, String error, String spec) {
}
