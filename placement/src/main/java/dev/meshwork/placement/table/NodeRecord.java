package dev.meshwork.placement.table;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One node as the node table holds it; the node rewrites its record whenever its slots change.
 * Immutable.
 *
 * @param endpoint the node's gRPC {@code host:port}, where routers forward requests
 * @param memberId the node's cluster member id: when that member leaves, the node is gone
 * @param inFlight requests running on the node when it last reported
 * @param draining the node takes no new loads and is about to leave
 * @param labels   what the node is and where it runs ({@link #ZONE}: its failure zone), from its configuration
 * @param incarnation the fencing token of the node process that wrote the record (its start time in milliseconds
 *                    since the epoch; 0 for none): a later process with the same node id has a higher one, and a
 *                    router's calls name the incarnation they are meant for, so an earlier process that wakes up
 *                    never answers them
 */
public record NodeRecord(String nodeId, String endpoint, String memberId, List<SlotRecord> slots, int inFlight, boolean draining,
                         long updatedMillis, Map<String, String> labels, long incarnation) implements Serializable {
    /** The label of a node's zone: Kubernetes' well-known topology label. */
    public static final String ZONE = "topology.kubernetes.io/zone";

    public NodeRecord {
        slots = List.copyOf(slots);
        // sorted: a row's MAC covers its text, and Map.copyOf's order differs from one JVM to the next
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(labels));
    }

    public NodeRecord(String nodeId, String endpoint, String memberId, List<SlotRecord> slots, int inFlight, boolean draining,
                      long updatedMillis) {
        this(nodeId, endpoint, memberId, slots, inFlight, draining, updatedMillis, Map.of(), 0);
    }

    public NodeRecord(String nodeId, String endpoint, String memberId, List<SlotRecord> slots, int inFlight, boolean draining,
                      long updatedMillis, Map<String, String> labels) {
        this(nodeId, endpoint, memberId, slots, inFlight, draining, updatedMillis, labels, 0);
    }

    /** The node's zone, or empty when it has none. */
    public String zone() {
        return labels.getOrDefault(ZONE, "");
    }

    public long capacityBytes() {
        return slots.stream().mapToLong(SlotRecord::capacityBytes).sum();
    }

    public long usedBytes() {
        return slots.stream().mapToLong(SlotRecord::usedBytes).sum();
    }

    public NodeRecord withDraining(boolean value) {
        return new NodeRecord(nodeId, endpoint, memberId, slots, inFlight, value, updatedMillis, labels, incarnation);
    }
}
