package dev.meshwork.placement.table;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One runtime slot of a node as the node table holds it. Immutable.
 *
 * @param runtime    the name registrations use in their {@code runtime} field
 * @param formats    the model formats its runtime serves
 * @param autoSelect whether models that name no runtime may land here
 * @param models     the models it holds (any state), for status pages
 * @param namespaceBytes the bytes each namespace's copies hold in it (tenants' fair shares are weighed from these)
 */
public record SlotRecord(String name, String runtime, String device, List<String> formats, boolean autoSelect,
                         long capacityBytes, long usedBytes, long evictions, List<String> models, Map<String, Long> namespaceBytes)
        implements Serializable {
    public SlotRecord {
        formats = List.copyOf(formats);
        models = List.copyOf(models);
        // sorted, as NodeRecord's labels: the MAC covers the text
        namespaceBytes = namespaceBytes == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(namespaceBytes));
    }

    public SlotRecord(String name, String runtime, String device, List<String> formats, boolean autoSelect,
                      long capacityBytes, long usedBytes, long evictions, List<String> models) {
        this(name, runtime, device, formats, autoSelect, capacityBytes, usedBytes, evictions, models, Map.of());
    }

    public long freeBytes() {
        return Math.max(0, capacityBytes - usedBytes);
    }
}
