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
 * The placement table in a Hazelcast map (model id to its list of copies). Changes run as entry
 * processors on the entry's owner, so two nodes changing copies of one model never lose each
 * other's write; reads come from the near cache. Thread-safe.
 */
public final class HazelcastPlacementTable implements PlacementTable {
    private final IMap<String, List<CopyRecord>> map;

    public HazelcastPlacementTable(HazelcastInstance hz) {
        this.map = hz.getMap(MapNames.PLACEMENT);
    }

    @Override
    public List<CopyRecord> copies(String modelId) {
        List<CopyRecord> copies = map.get(modelId);
        return copies == null ? List.of() : copies;
    }

    @Override
    public List<CopyRecord> copiesNow(String modelId) {
        List<CopyRecord> copies = map.executeOnKey(modelId, new ReadCopies());
        return copies == null ? List.of() : copies;
    }

    @Override
    public void putCopy(String modelId, CopyRecord copy) {
        map.executeOnKey(modelId, new PutCopy(copy));
    }

    @Override
    public void removeCopy(String modelId, String nodeId) {
        map.executeOnKey(modelId, new RemoveCopies(nodeId));
    }

    @Override
    public void removeNode(String nodeId) {
        map.executeOnKeys(map.keySet(), new RemoveCopies(nodeId));
    }

    @Override
    public Map<String, List<CopyRecord>> all() {
        return new TreeMap<>(map);
    }

    /** Reads the entry on its owner, past every near cache. */
    record ReadCopies() implements EntryProcessor<String, List<CopyRecord>, List<CopyRecord>>, ReadOnly {
        @Override
        public List<CopyRecord> process(Map.Entry<String, List<CopyRecord>> entry) {
            return entry.getValue();
        }

        @Override
        public EntryProcessor<String, List<CopyRecord>, List<CopyRecord>> getBackupProcessor() {
            return null;
        }
    }

    /** Adds or replaces the copy of one node. Runs on the entry's owner. */
    record PutCopy(CopyRecord copy) implements EntryProcessor<String, List<CopyRecord>, Void> {
        @Override
        public Void process(Map.Entry<String, List<CopyRecord>> entry) {
            List<CopyRecord> next = new ArrayList<>();
            if (entry.getValue() != null) {
                entry.getValue().stream().filter(c -> !c.nodeId().equals(copy.nodeId())).forEach(next::add);
            }
            next.add(copy);
            entry.setValue(List.copyOf(next));
            return null;
        }
    }

    /** Removes the copies of one node; an entry left without copies is removed. Runs on the entry's owner. */
    record RemoveCopies(String nodeId) implements EntryProcessor<String, List<CopyRecord>, Void> {
        @Override
        public Void process(Map.Entry<String, List<CopyRecord>> entry) {
            List<CopyRecord> cur = entry.getValue();
            if (cur == null || cur.stream().noneMatch(c -> c.nodeId().equals(nodeId))) {
                return null; // unchanged: no write, no near-cache invalidation
            }
            List<CopyRecord> next = cur.stream().filter(c -> !c.nodeId().equals(nodeId)).toList();
            entry.setValue(next.isEmpty() ? null : next);
            return null;
        }
    }
}
