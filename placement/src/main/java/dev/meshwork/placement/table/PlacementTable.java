package dev.meshwork.placement.table;

import java.util.List;
import java.util.Map;

/**
 * Model id to its copies, shared by every member of the mesh. Nodes write the rows of their own
 * copies; routers read them on every request, so {@link #copies} must be a local memory read.
 * Implementations are thread-safe.
 */
public interface PlacementTable {
    /** The model's copies; empty when it has none. */
    List<CopyRecord> copies(String modelId);

    /**
     * The model's copies as the table's owner holds them now, not as a local cache last heard:
     * slower (a call to the owner), for decisions that must not act on a stale view, such as
     * whether a model needs loading once its load claim is held.
     */
    default List<CopyRecord> copiesNow(String modelId) {
        return copies(modelId);
    }

    /** Adds the copy, or replaces the copy of the same node. */
    void putCopy(String modelId, CopyRecord copy);

    /** Removes the node's copy of the model, if any. */
    void removeCopy(String modelId, String nodeId);

    /** Removes every copy on the node (it left the cluster). */
    void removeNode(String nodeId);

    /** Every model that has copies, with them. */
    Map<String, List<CopyRecord>> all();

    /** The models with a row naming {@code nodeId}; slow (it reads every row), for a node's occasional sweep of its own rows. */
    default java.util.Set<String> modelsOn(String nodeId) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        all().forEach((id, copies) -> {
            if (copies.stream().anyMatch(c -> c.nodeId().equals(nodeId))) {
                out.add(id);
            }
        });
        return out;
    }
}
