package dev.meshwork.placement.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The placement table of one process, for unit tests and single-process use. Thread-safe. */
public final class InMemoryPlacementTable implements PlacementTable {
    private final ConcurrentMap<String, List<CopyRecord>> map = new ConcurrentHashMap<>();

    @Override
    public List<CopyRecord> copies(String modelId) {
        return map.getOrDefault(modelId, List.of());
    }

    @Override
    public void putCopy(String modelId, CopyRecord copy) {
        map.compute(modelId, (k, cur) -> {
            List<CopyRecord> next = new ArrayList<>();
            if (cur != null) {
                cur.stream().filter(c -> !c.nodeId().equals(copy.nodeId())).forEach(next::add);
            }
            next.add(copy);
            return List.copyOf(next);
        });
    }

    @Override
    public void removeCopy(String modelId, String nodeId) {
        map.computeIfPresent(modelId, (k, cur) -> {
            List<CopyRecord> next = cur.stream().filter(c -> !c.nodeId().equals(nodeId)).toList();
            return next.isEmpty() ? null : next;
        });
    }

    @Override
    public void removeNode(String nodeId) {
        map.keySet().forEach(k -> removeCopy(k, nodeId));
    }

    @Override
    public Map<String, List<CopyRecord>> all() {
        return new TreeMap<>(map);
    }
}
