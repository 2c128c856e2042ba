package dev.meshwork.placement.tenant;

import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The slot memory of a set of nodes and the bytes each namespace's copies hold in it, summed from
 * their node records. Immutable.
 *
 * @param slotBytes   the nodes' slot memory in all
 * @param byNamespace bytes per namespace
 */
public record MeshUsage(long slotBytes, Map<String, Long> byNamespace) {
    public static final MeshUsage NONE = new MeshUsage(0, Map.of());

    public MeshUsage {
        byNamespace = Map.copyOf(byNamespace);
    }

    /** The usage of every node but {@code exceptNodeId} (a node adds its own slots live); null excludes none. */
    public static MeshUsage of(List<NodeRecord> nodes, String exceptNodeId) {
        long slots = 0;
        Map<String, Long> usage = new HashMap<>();
        for (NodeRecord n : nodes) {
            if (n.nodeId().equals(exceptNodeId)) {
                continue;
            }
            for (SlotRecord s : n.slots()) {
                slots += s.capacityBytes();
                s.namespaceBytes().forEach((ns, b) -> usage.merge(ns, b, Long::sum));
            }
        }
        return new MeshUsage(slots, usage);
    }

    public long bytes(String namespace) {
        return byNamespace.getOrDefault(namespace, 0L);
    }
}
