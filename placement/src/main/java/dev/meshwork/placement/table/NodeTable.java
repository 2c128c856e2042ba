package dev.meshwork.placement.table;

import java.util.List;
import java.util.Optional;

/** Node id to the node's record, shared by every member of the mesh. Implementations are thread-safe. */
public interface NodeTable {
    void put(NodeRecord node);

    void remove(String nodeId);

    Optional<NodeRecord> get(String nodeId);

    /** Every node, sorted by id. */
    List<NodeRecord> list();
}
