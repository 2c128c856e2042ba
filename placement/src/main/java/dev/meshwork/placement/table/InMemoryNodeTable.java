package dev.meshwork.placement.table;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The node table of one process, for unit tests. Thread-safe. */
public final class InMemoryNodeTable implements NodeTable {
    private final ConcurrentMap<String, NodeRecord> map = new ConcurrentHashMap<>();

    @Override
    public void put(NodeRecord node) {
        map.put(node.nodeId(), node);
    }

    @Override
    public void remove(String nodeId) {
        map.remove(nodeId);
    }

    @Override
    public Optional<NodeRecord> get(String nodeId) {
        return Optional.ofNullable(map.get(nodeId));
    }

    @Override
    public List<NodeRecord> list() {
        return map.values().stream().sorted(Comparator.comparing(NodeRecord::nodeId)).toList();
    }
}
