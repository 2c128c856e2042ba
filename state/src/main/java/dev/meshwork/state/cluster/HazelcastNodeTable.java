package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The node table in a Hazelcast map; each node writes only its own record, signed with the
 * cluster key when there is one, and a record that does not check out (or is not a signed node
 * record at all) is as good as absent. {@link #list} reads the node ids this member holds
 * ({@link KeyIndex}) through the near cache: a router lists the nodes for every load it places,
 * and a query of every partition, each record decoded again, cost more than the load's placement.
 * Thread-safe.
 */
public final class HazelcastNodeTable implements NodeTable {
    private static final String KIND = "node";
    /** How long a lost map event can hide a node that joined, at most. */
    static final long INDEX_REPAIR_MILLIS = 5_000;
    private final IMap<String, Object> map;
    private final RowSigner signer;
    private final KeyIndex ids;

    public HazelcastNodeTable(HazelcastInstance hz) {
        this(hz, RowSigner.NONE);
    }

    public HazelcastNodeTable(HazelcastInstance hz, RowSigner signer) {
        this.map = hz.getMap(MapNames.NODES);
        this.signer = signer;
        this.ids = new KeyIndex(map, INDEX_REPAIR_MILLIS);
    }

    @Override
    public void put(NodeRecord node) {
        map.set(node.nodeId(), new Signed<>(node, signer.sign(KIND, node.nodeId(), node)));
        ids.added(node.nodeId());
    }

    @Override
    public void remove(String nodeId) {
        map.delete(nodeId);
        ids.removed(nodeId);
    }

    @Override
    public Optional<NodeRecord> get(String nodeId) {
        return Optional.ofNullable(verified(nodeId, map.get(nodeId)));
    }

    @Override
    public List<NodeRecord> list() {
        return map.getAll(ids.keys()).entrySet().stream().map(e -> verified(e.getKey(), e.getValue())).filter(Objects::nonNull)
                .sorted(Comparator.comparing(NodeRecord::nodeId)).toList();
    }

    KeyIndex index() {
        return ids;
    }

    private NodeRecord verified(String key, Object row) {
        if (row instanceof Signed<?> s && s.value instanceof NodeRecord n && n.nodeId().equals(key)) {
            return n == s.verified(signer, KIND, key) ? n : null;
        }
        return null;
    }
}
