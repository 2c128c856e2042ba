package dev.meshwork.node;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.ToLongFunction;

/**
 * Which of a node's slots a model runs in. Candidates are the slots of the runtime the model names,
 * else the auto-select slots that serve its format. A model keeps the slot it was first placed in
 * until it is unloaded (so concurrent requests for a cold model agree on one slot and cause one
 * load); a first placement takes the candidate with the most free memory, the first one on a tie.
 * Thread-safe: the slots are fixed, the placements a concurrent map.
 */
final class SlotChooser {
    private final String nodeId;
    private final Map<String, List<NodeAgent.Slot>> byRuntime;
    private final Map<String, List<NodeAgent.Slot>> autoByFormat;
    private final ToLongFunction<NodeAgent.Slot> freeBytes;
    /** Which slot each model went to, so that it stays there. */
    private final ConcurrentMap<String, NodeAgent.Slot> placed = new ConcurrentHashMap<>();

    SlotChooser(String nodeId, List<NodeAgent.Slot> slots, ToLongFunction<NodeAgent.Slot> freeBytes) {
        this.nodeId = nodeId;
        this.freeBytes = freeBytes;
        Map<String, List<NodeAgent.Slot>> runtimes = new LinkedHashMap<>();
        Map<String, List<NodeAgent.Slot>> formats = new LinkedHashMap<>();
        for (NodeAgent.Slot slot : slots) {
            runtimes.computeIfAbsent(slot.runtimeName(), k -> new ArrayList<>()).add(slot);
            if (slot.autoSelect()) {
                slot.runtime().formats().stream().sorted().forEach(f -> formats.computeIfAbsent(f, k -> new ArrayList<>()).add(slot));
            }
        }
        runtimes.replaceAll((k, v) -> List.copyOf(v));
        formats.replaceAll((k, v) -> List.copyOf(v));
        // unmodifiable views keep the slots' order for messages and formats()
        this.byRuntime = Collections.unmodifiableMap(runtimes);
        this.autoByFormat = Collections.unmodifiableMap(formats);
    }

    NodeAgent.Slot slotFor(ModelSpec spec) {
        List<NodeAgent.Slot> candidates = candidates(spec);
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        return placed.compute(spec.id(), (id, previous) -> previous != null && candidates.contains(previous) ? previous
                : candidates.stream().max(Comparator.comparingLong(freeBytes)).orElseThrow());
    }

    /** Places the model in the named slot (a router's decision), which must serve it. */
    void place(ModelSpec spec, String slotName) {
        NodeAgent.Slot chosen = candidates(spec).stream().filter(s -> s.name().equals(slotName)).findFirst()
                .orElseThrow(() -> MeshError.invalid("node %s has no slot '%s' that serves model '%s'", nodeId, slotName, spec.id()));
        placed.put(spec.id(), chosen);
    }

    /** The model was unloaded: its next load may go to another slot. */
    void forget(String modelId) {
        placed.remove(modelId);
    }

    /** The slots that may run the model; a clear error when none may. */
    List<NodeAgent.Slot> candidates(ModelSpec spec) {
        String format = spec.format().name();
        if (!spec.runtime().isEmpty()) {
            List<NodeAgent.Slot> named = byRuntime.getOrDefault(spec.runtime(), List.of());
            if (named.isEmpty()) {
                throw MeshError.invalid("model '%s' asks for runtime '%s', which node %s does not have; its runtimes: %s",
                        spec.id(), spec.runtime(), nodeId, List.copyOf(byRuntime.keySet()));
            }
            if (!named.get(0).serves(format)) {
                throw MeshError.invalid("runtime '%s' does not serve model format '%s'; it serves %s",
                        spec.runtime(), format, named.get(0).runtime().formats());
            }
            return named;
        }
        List<NodeAgent.Slot> serving = autoByFormat.getOrDefault(format, List.of());
        if (serving.isEmpty()) {
            throw MeshError.invalid("no runtime on node %s serves model format '%s'; served formats: %s", nodeId, format, formats());
        }
        return serving;
    }

    /** The model formats the auto-select slots serve. */
    List<String> formats() {
        return List.copyOf(autoByFormat.keySet());
    }
}
