package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The node table in a Hazelcast map; each node writes only its own record. Thread-safe. */
public final class HazelcastNodeTable implements NodeTable {
    private final IMap<String, NodeRecord> map;

    public HazelcastNodeTable(HazelcastInstance hz) {
        this.map = hz.getMap(MapNames.NODES);
    }

    @Override
    public void put(NodeRecord node) {
        map.set(node.nodeId(), node);
    }

    @Override
    public void remove(String nodeId) {
        map.delete(nodeId);
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
