package dev.meshwork.placement.table;

import java.io.Serializable;
import java.util.List;

/**
 * One node as the node table holds it; the node rewrites its record whenever its slots change.
 * Immutable.
 *
 * @param endpoint the node's gRPC {@code host:port}, where routers forward requests
 * @param memberId the node's cluster member id: when that member leaves, the node is gone
 * @param inFlight requests running on the node when it last reported
 * @param draining the node takes no new loads and is about to leave
 */
public record NodeRecord(String nodeId, String endpoint, String memberId, List<SlotRecord> slots, int inFlight, boolean draining,
                         long updatedMillis) implements Serializable {
    public NodeRecord {
        slots = List.copyOf(slots);
    }

    public long capacityBytes() {
        return slots.stream().mapToLong(SlotRecord::capacityBytes).sum();
    }

    public long usedBytes() {
        return slots.stream().mapToLong(SlotRecord::usedBytes).sum();
    }

    public NodeRecord withDraining(boolean value) {
        return new NodeRecord(nodeId, endpoint, memberId, slots, inFlight, value, updatedMillis);
    }
}
