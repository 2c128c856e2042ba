package dev.meshwork.placement.policy;

import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a model loads: a pure function over a snapshot of the node table and the model's copies.
 *
 * <p>Candidates are the slots whose runtime serves the model (the runtime it names, else an
 * auto-select slot of its format) on nodes that are not draining and hold no live copy of it yet
 * (copies spread across nodes), in slots large enough for it at all. Among them, in order: nodes
 * where the model did not recently fail to load (named by the caller, or holding a FAILED copy:
 * such a node answers with its remembered failure until its back-off ends, so it is the last
 * resort, not excluded); slots where it fits without evicting; nodes with fewer requests in
 * flight; slots with more free bytes; then node and slot name, so the answer is stable.
 */
public final class PlacementPolicy {
    private PlacementPolicy() {
    }

    /**
     * What is to be placed.
     *
     * @param runtime    the node runtime the model must run on, or empty for any auto-select slot of its format
     * @param sizeBytes  the model's expected size; 0 when unknown
     * @param avoidNodes nodes where this model recently failed to load
     */
    public record Request(String modelId, String format, String runtime, long sizeBytes, Set<String> avoidNodes) {
        public Request {
            runtime = runtime == null ? "" : runtime;
            avoidNodes = Set.copyOf(avoidNodes);
        }
    }

    /** The slot chosen. */
    public record Choice(String nodeId, String endpoint, String slot) {
    }

    private record Candidate(NodeRecord node, SlotRecord slot, boolean avoided, boolean fits) {
    }

    public static Optional<Choice> choose(Request request, List<NodeRecord> nodes, List<CopyRecord> copies) {
        List<Candidate> candidates = new ArrayList<>();
        for (NodeRecord n : nodes) {
            if (n.draining() || copies.stream().anyMatch(c -> c.nodeId().equals(n.nodeId()) && c.state() != CopyState.FAILED)) {
                continue;
            }
            boolean failedHere = request.avoidNodes().contains(n.nodeId())
                    || copies.stream().anyMatch(c -> c.nodeId().equals(n.nodeId()) && c.state() == CopyState.FAILED);
            for (SlotRecord s : n.slots()) {
                if (serves(s, request) && request.sizeBytes() <= s.capacityBytes()) {
                    candidates.add(new Candidate(n, s, failedHere,
                            s.freeBytes() > 0 && s.freeBytes() >= request.sizeBytes()));
                }
            }
        }
        return candidates.stream().min(Comparator.comparing(Candidate::avoided)
                        .thenComparing(c -> !c.fits())
                        .thenComparingInt(c -> c.node().inFlight())
                        .thenComparing(c -> -c.slot().freeBytes())
                        .thenComparing(c -> c.node().nodeId())
                        .thenComparing(c -> c.slot().name()))
                .map(c -> new Choice(c.node().nodeId(), c.node().endpoint(), c.slot().name()));
    }

    /** Whether the slot may run the model: by its runtime name when the model names one, else by format and auto-select. */
    public static boolean serves(SlotRecord slot, Request request) {
        return request.runtime().isEmpty() ? slot.autoSelect() && slot.formats().contains(request.format())
                : slot.runtime().equals(request.runtime()) && slot.formats().contains(request.format());
    }
}
