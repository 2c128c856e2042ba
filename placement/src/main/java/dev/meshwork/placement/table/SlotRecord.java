package dev.meshwork.placement.table;

import java.io.Serializable;
import java.util.List;

/**
 * One runtime slot of a node as the node table holds it. Immutable.
 *
 * @param runtime    the name registrations use in their {@code runtime} field
 * @param formats    the model formats its runtime serves
 * @param autoSelect whether models that name no runtime may land here
 * @param models     the models it holds (any state), for status pages
 */
public record SlotRecord(String name, String runtime, String device, List<String> formats, boolean autoSelect,
                         long capacityBytes, long usedBytes, long evictions, List<String> models) implements Serializable {
    public SlotRecord {
        formats = List.copyOf(formats);
        models = List.copyOf(models);
    }

    public long freeBytes() {
        return Math.max(0, capacityBytes - usedBytes);
    }
}
