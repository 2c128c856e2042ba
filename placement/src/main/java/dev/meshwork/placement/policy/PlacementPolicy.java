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
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Where a model loads: a pure function over a snapshot of the node table and the model's copies.
 *
 * <p>Candidates are the slots whose runtime serves the model (the runtime it names, else an
 * auto-select slot of its format) on nodes that are not draining, carry the labels the request
 * requires and hold no live copy of it yet (copies spread across nodes), in slots large enough
 * for it at all. Among them, in order: nodes
 * where the model did not recently fail to load (named by the caller, or holding a FAILED copy:
 * such a node answers with its remembered failure until its back-off ends, so it is the last
 * resort, not excluded); nodes in a zone that holds no live copy of it yet (copies spread across
 * zones before they double up in one, so losing a zone never takes the last copy of a model with
 * two or more; nodes without a zone count as zones of their own); slots where it fits without
 * evicting; slots where it can make room without evicting a namespace that is within its guaranteed
 * memory share (tenants' fair share, {@code Request.keep}); nodes with fewer loads underway (as the
 * caller counts them: the loads it sent and that have not answered, so the loads of one moment
 * spread over the nodes instead of queueing behind each other on the one that looked best);
 * nodes with fewer requests in flight; slots with more free bytes; then node and slot
 * name, so the answer is stable.
 *
 * <p>In a cluster of more than {@link #SAMPLE_NODES} nodes, a random sample of that many is weighed
 * (the power of d choices), and ties go to the sample's random order rather than the name, which
 * would send every tie to the same node: a placement then costs the same at 1,000 nodes as at 64.
 * The placement simulator ({@code ./meshwork bench mesh-sim}) measures the balance this keeps.
 */
public final class PlacementPolicy {
    /** The most nodes one placement weighs. */
    public static final int SAMPLE_NODES = 64;

    private PlacementPolicy() {
    }

    /**
     * What is to be placed.
     *
     * @param runtime    the node runtime the model must run on, or empty for any auto-select slot of its format
     * @param sizeBytes  the model's expected size; 0 when unknown
     * @param avoidNodes nodes where this model recently failed to load
     * @param requiredLabels labels a node must carry to take the model (its ServingRuntime's {@code nodeSelector}); empty: any node
     * @param namespace   the model's namespace
     * @param keep        namespaces within their guaranteed memory share, whose copies this load may not evict (unless its own)
     */
    public record Request(String modelId, String format, String runtime, long sizeBytes, Set<String> avoidNodes,
                          java.util.Map<String, String> requiredLabels, String namespace, Set<String> keep) {
        public Request {
            runtime = runtime == null ? "" : runtime;
            avoidNodes = Set.copyOf(avoidNodes);
            requiredLabels = requiredLabels == null ? java.util.Map.of() : java.util.Map.copyOf(requiredLabels);
            namespace = namespace == null ? "" : namespace;
            keep = keep == null ? Set.of() : Set.copyOf(keep);
        }

        public Request(String modelId, String format, String runtime, long sizeBytes, Set<String> avoidNodes,
                       java.util.Map<String, String> requiredLabels) {
            this(modelId, format, runtime, sizeBytes, avoidNodes, requiredLabels, "", Set.of());
        }

        public Request(String modelId, String format, String runtime, long sizeBytes, Set<String> avoidNodes) {
            this(modelId, format, runtime, sizeBytes, avoidNodes, java.util.Map.of());
        }

        /** The bytes of the slot this load could have: free, plus what copies it may evict hold. */
        long room(SlotRecord slot) {
            long room = slot.freeBytes();
            for (java.util.Map.Entry<String, Long> e : slot.namespaceBytes().entrySet()) {
                if (!keep.contains(e.getKey()) || e.getKey().equals(namespace)) {
                    room += e.getValue();
                }
            }
            return keep.isEmpty() ? Math.max(room, slot.capacityBytes()) : room;
        }
    }

    /** Whether the node carries every one of {@code labels} (a runtime's nodeSelector). */
    public static boolean carries(NodeRecord node, java.util.Map<String, String> labels) {
        for (java.util.Map.Entry<String, String> l : labels.entrySet()) {
            if (!l.getValue().equals(node.labels().get(l.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The slot chosen. */
    public record Choice(String nodeId, String endpoint, String slot, long incarnation) {
    }

    private record Candidate(NodeRecord node, SlotRecord slot, boolean avoided, boolean zoneTaken, boolean fits, boolean roomy,
                             int loads, int rank) {
    }

    /** No loads underway anywhere, as far as the caller knows. */
    public static final ToIntFunction<String> NO_LOADS = nodeId -> 0;

    public static Optional<Choice> choose(Request request, List<NodeRecord> nodes, List<CopyRecord> copies) {
        return choose(request, nodes, copies, NO_LOADS);
    }

    /** As {@link #choose(Request, List, List)}, with the loads underway on each node by its id. */
    public static Optional<Choice> choose(Request request, List<NodeRecord> nodes, List<CopyRecord> copies, ToIntFunction<String> loads) {
        return choose(request, nodes, copies, loads, SAMPLE_NODES, ThreadLocalRandom.current());
    }

    /** As {@link #choose(Request, List, List, ToIntFunction)}, weighing a sample of at most {@code sampleNodes} drawn with {@code random}. */
    public static Optional<Choice> choose(Request request, List<NodeRecord> nodes, List<CopyRecord> copies, int sampleNodes,
                                          RandomGenerator random) {
        return choose(request, nodes, copies, NO_LOADS, sampleNodes, random);
    }

    private static Optional<Choice> choose(Request request, List<NodeRecord> nodes, List<CopyRecord> copies, ToIntFunction<String> loads,
                                           int sampleNodes, RandomGenerator random) {
        Set<String> takenZones = zonesWithLiveCopies(nodes, copies);
        if (nodes.size() <= sampleNodes) {
            return best(request, nodes, copies, loads, false, takenZones);
        }
        List<NodeRecord> sample = sample(nodes, sampleNodes, random);
        Optional<Choice> choice = best(request, sample, copies, loads, true, takenZones);
        // a sample without a slot that serves the model (a rare runtime) must not mean "nowhere"
        return choice.isPresent() ? choice : best(request, nodes, copies, loads, false, takenZones);
    }

    /** The zones of the nodes that hold a live copy of the model (its copies are few: a scan of them, a lookup per copy). */
    private static Set<String> zonesWithLiveCopies(List<NodeRecord> nodes, List<CopyRecord> copies) {
        if (copies.isEmpty()) {
            return Set.of();
        }
        java.util.Map<String, String> zoneOf = new java.util.HashMap<>();
        for (NodeRecord n : nodes) {
            if (!n.zone().isEmpty()) {
                zoneOf.put(n.nodeId(), n.zone());
            }
        }
        Set<String> zones = new java.util.HashSet<>();
        for (CopyRecord c : copies) {
            String zone = c.state() == CopyState.FAILED ? null : zoneOf.get(c.nodeId());
            if (zone != null) {
                zones.add(zone);
            }
        }
        return zones;
    }

    /** {@code k} distinct nodes in random order; drawn by rejection, which for k far below n costs O(k^2) compares, not O(n). */
    private static List<NodeRecord> sample(List<NodeRecord> nodes, int k, RandomGenerator random) {
        int n = nodes.size();
        int[] picked = new int[k];
        List<NodeRecord> sample = new ArrayList<>(k);
        while (sample.size() < k) {
            int candidate = random.nextInt(n);
            boolean seen = false;
            for (int i = 0; i < sample.size() && !seen; i++) {
                seen = picked[i] == candidate;
            }
            if (!seen) {
                picked[sample.size()] = candidate;
                sample.add(nodes.get(candidate));
            }
        }
        return sample;
    }

    private static Optional<Choice> best(Request request, List<NodeRecord> nodes, List<CopyRecord> copies, ToIntFunction<String> loads,
                                         boolean rankedByOrder, Set<String> takenZones) {
        // a loop rather than a comparator chain over a stream: this runs once per load, over up to SAMPLE_NODES nodes
        Candidate best = null;
        for (int i = 0; i < nodes.size(); i++) {
            NodeRecord n = nodes.get(i);
            if (n.draining() || holds(copies, n.nodeId(), false) || !carries(n, request.requiredLabels())) {
                continue;
            }
            boolean failedHere = request.avoidNodes().contains(n.nodeId()) || holds(copies, n.nodeId(), true);
            int underway = loads.applyAsInt(n.nodeId());
            for (SlotRecord s : n.slots()) {
                if (serves(s, request) && request.sizeBytes() <= s.capacityBytes()) {
                    Candidate c = new Candidate(n, s, failedHere, !n.zone().isEmpty() && takenZones.contains(n.zone()),
                            s.freeBytes() > 0 && s.freeBytes() >= request.sizeBytes(), request.room(s) >= Math.max(1, request.sizeBytes()),
                            underway, rankedByOrder ? i : 0);
                    if (best == null || ORDER.compare(c, best) < 0) {
                        best = c;
                    }
                }
            }
        }
        return best == null ? Optional.empty() : Optional.of(new Choice(best.node().nodeId(), best.node().endpoint(), best.slot().name(),
                best.node().incarnation()));
    }

    private static final Comparator<Candidate> ORDER = (a, b) -> {
        int c = Boolean.compare(a.avoided(), b.avoided());
        if (c == 0) {
            c = Boolean.compare(a.zoneTaken(), b.zoneTaken());
        }
        if (c == 0) {
            c = Boolean.compare(!a.fits(), !b.fits());
        }
        if (c == 0) {
            c = Boolean.compare(!a.roomy(), !b.roomy());
        }
        if (c == 0) {
            c = Integer.compare(a.loads(), b.loads());
        }
        if (c == 0) {
            c = Integer.compare(a.node().inFlight(), b.node().inFlight());
        }
        if (c == 0) {
            c = Long.compare(b.slot().freeBytes(), a.slot().freeBytes());
        }
        if (c == 0) {
            c = Integer.compare(a.rank(), b.rank());
        }
        if (c == 0) {
            c = a.node().nodeId().compareTo(b.node().nodeId());
        }
        return c == 0 ? a.slot().name().compareTo(b.slot().name()) : c;
    };

    /** Whether the node holds a copy of the model: a FAILED one when {@code failed}, else a live one. */
    private static boolean holds(List<CopyRecord> copies, String nodeId, boolean failed) {
        for (CopyRecord c : copies) {
            if (c.nodeId().equals(nodeId) && (c.state() == CopyState.FAILED) == failed) {
                return true;
            }
        }
        return false;
    }

    /** Whether the slot may run the model: by its runtime name when the model names one, else by format and auto-select. */
    public static boolean serves(SlotRecord slot, Request request) {
        return request.runtime().isEmpty() ? slot.autoSelect() && slot.formats().contains(request.format())
                : slot.runtime().equals(request.runtime()) && slot.formats().contains(request.format());
    }
}
