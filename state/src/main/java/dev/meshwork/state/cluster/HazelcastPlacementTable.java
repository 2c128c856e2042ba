package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.PlacementTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The placement table in a Hazelcast map (model id to its copies). Changes run as entry processors
 * on the entry's owner, so two nodes changing copies of one model never lose each other's write;
 * reads come from the near cache. Each copy is signed by its writer with the cluster key when there
 * is one ({@link RowSigner}), and a copy that does not check out is not read. Thread-safe.
 */
public final class HazelcastPlacementTable implements PlacementTable {
    static final String KIND = "copy";
    private final IMap<String, Object> map;
    private final RowSigner signer;
    /** A router's memo of its requests' reads, or null (nodes read the near cache). */
    private final RouteMemo memo;

    public HazelcastPlacementTable(HazelcastInstance hz) {
        this(hz, RowSigner.NONE);
    }

    public HazelcastPlacementTable(HazelcastInstance hz, RowSigner signer) {
        this(hz, signer, null);
    }

    /** With {@code memo}, a router's: a registered model's copies are read from it, and every write here drops its entry. */
    public HazelcastPlacementTable(HazelcastInstance hz, RowSigner signer, RouteMemo memo) {
        this.map = hz.getMap(MapNames.PLACEMENT);
        this.signer = signer;
        this.memo = memo;
    }

    @Override
    public List<CopyRecord> copies(String modelId) {
        if (memo != null) {
            RouteMemo.Route route = memo.route(modelId);
            // a model no longer registered keeps no entry: its copies, while they are cleaned up, are read on their owner
            return route != null ? route.copies() : copiesNow(modelId);
        }
        return verified(modelId, map.get(modelId));
    }

    @Override
    public List<CopyRecord> copiesNow(String modelId) {
        return verified(modelId, map.executeOnKey(modelId, new ReadCopies()));
    }

    @Override
    public void putCopy(String modelId, CopyRecord copy) {
        map.executeOnKey(modelId, new PutCopy(new Signed<>(copy, signer.sign(KIND, modelId, copy))));
        written(modelId);
    }

    @Override
    public void removeCopy(String modelId, String nodeId) {
        map.executeOnKey(modelId, new RemoveCopies(nodeId));
        written(modelId);
    }

    @Override
    public void removeNode(String nodeId) {
        java.util.Set<String> keys = map.keySet();
        map.executeOnKeys(keys, new RemoveCopies(nodeId));
        keys.forEach(this::written);
    }

    /** This member wrote the model's row: its memo entry goes now, not when the event arrives. */
    private void written(String modelId) {
        if (memo != null) {
            memo.drop(modelId);
        }
    }

    @Override
    public Map<String, List<CopyRecord>> all() {
        Map<String, List<CopyRecord>> out = new TreeMap<>();
        map.forEach((k, v) -> {
            List<CopyRecord> copies = verified(k, v);
            if (!copies.isEmpty()) {
                out.put(k, copies);
            }
        });
        return out;
    }

    /** Asks the members that hold the rows, each for its own partitions, instead of reading every row here. */
    @Override
    public java.util.Set<String> modelsOn(String nodeId) {
        return new java.util.TreeSet<>(map.keySet(new NamesNode(nodeId)));
    }

    /** Whether a row has a copy naming the node (signature unchecked: the sweep only removes that node's own rows). */
    record NamesNode(String nodeId) implements com.hazelcast.query.Predicate<String, Object> {
        @Override
        public boolean apply(Map.Entry<String, Object> entry) {
            return entry.getValue() instanceof Copies c && c.rows.stream().anyMatch(r -> r.value.nodeId().equals(nodeId));
        }
    }

    /** The copies of a row that check out; a row of any other shape counts as none. */
    private List<CopyRecord> verified(String modelId, Object row) {
        return verified(signer, modelId, row);
    }

    static List<CopyRecord> verified(RowSigner signer, String modelId, Object row) {
        return row instanceof Copies c ? c.verified(signer, modelId) : List.of();
    }

    /**
     * A model's row: its copies, each signed by its writer. The copies that check out are kept on
     * the instance, which the near cache hands out on every read, so a request pays no check.
     */
    static final class Copies implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final List<Signed<CopyRecord>> rows;
        private transient volatile List<CopyRecord> verified;

        Copies(List<Signed<CopyRecord>> rows) {
            this.rows = List.copyOf(rows);
        }

        List<CopyRecord> verified(RowSigner signer, String modelId) {
            List<CopyRecord> v = verified;
            if (v == null) {
                v = rows.stream().map(r -> r.verified(signer, KIND, modelId)).filter(java.util.Objects::nonNull).toList();
                verified = v;
            }
            return v;
        }
    }

    /** Reads the entry on its owner, past every near cache; any map's row (the route memo reads registrations with it too). */
    record ReadCopies() implements EntryProcessor<String, Object, Object>, ReadOnly {
        @Override
        public Object process(Map.Entry<String, Object> entry) {
            return entry.getValue();
        }

        @Override
        public EntryProcessor<String, Object, Object> getBackupProcessor() {
            return null;
        }
    }

    /** Adds or replaces the copy of one node. Runs on the entry's owner. */
    record PutCopy(Signed<CopyRecord> copy) implements EntryProcessor<String, Object, Void> {
        @Override
        public Void process(Map.Entry<String, Object> entry) {
            List<Signed<CopyRecord>> next = new ArrayList<>();
            if (entry.getValue() instanceof Copies cur) {
                cur.rows.stream().filter(c -> !c.value.nodeId().equals(copy.value.nodeId())).forEach(next::add);
            }
            next.add(copy);
            entry.setValue(new Copies(next));
            return null;
        }
    }

    /** Removes the copies of one node; an entry left without copies is removed. Runs on the entry's owner. */
    record RemoveCopies(String nodeId) implements EntryProcessor<String, Object, Void> {
        @Override
        public Void process(Map.Entry<String, Object> entry) {
            if (!(entry.getValue() instanceof Copies cur) || cur.rows.stream().noneMatch(c -> c.value.nodeId().equals(nodeId))) {
                return null; // unchanged: no write, no near-cache invalidation
            }
            List<Signed<CopyRecord>> next = cur.rows.stream().filter(c -> !c.value.nodeId().equals(nodeId)).toList();
            entry.setValue(next.isEmpty() ? null : new Copies(next));
            return null;
        }
    }
}
