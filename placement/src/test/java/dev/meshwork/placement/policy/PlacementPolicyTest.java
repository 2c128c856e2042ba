package dev.meshwork.placement.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PlacementPolicyTest {
    private static final long MB = 1 << 20;

    /** A node with one onnx slot of 100 MB (used as given) and one xgboost slot that is full. */
    private static NodeRecord node(String id, long onnxUsedMb, int inFlight, boolean draining) {
        return new NodeRecord(id, id + ":1", "m-" + id, List.of(
                new SlotRecord("onnx-0", "onnx", "cpu", List.of("onnx"), true, 100 * MB, onnxUsedMb * MB, 0, List.of()),
                new SlotRecord("xgboost-0", "xgboost", "cpu", List.of("xgboost"), true, 100 * MB, 100 * MB, 0, List.of())),
                inFlight, draining, 0);
    }

    /** {@link #node} in a zone. */
    private static NodeRecord zoned(String id, String zone, long onnxUsedMb, int inFlight) {
        NodeRecord n = node(id, onnxUsedMb, inFlight, false);
        return new NodeRecord(n.nodeId(), n.endpoint(), n.memberId(), n.slots(), n.inFlight(), false, 0, java.util.Map.of(NodeRecord.ZONE, zone));
    }

    /** {@link #node} with one label. */
    private static NodeRecord labelled(String id, long onnxUsedMb, String key, String value) {
        NodeRecord n = node(id, onnxUsedMb, 0, false);
        return new NodeRecord(n.nodeId(), n.endpoint(), n.memberId(), n.slots(), 0, false, 0, java.util.Map.of(key, value));
    }

    private static NodeRecord dedicated(String id) {
        return new NodeRecord(id, id + ":1", "m-" + id, List.of(
                new SlotRecord("gold-0", "gold", "cpu", List.of("onnx"), false, 100 * MB, 0, 0, List.of())), 0, false, 0);
    }

    private static CopyRecord copyOn(String node) {
        return new CopyRecord(node, "onnx-0", CopyState.LOADED, 10 * MB, 0, "");
    }

    record Case(String name, PlacementPolicy.Request request, List<NodeRecord> nodes, List<CopyRecord> copies, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static PlacementPolicy.Request onnx(long sizeMb, String... avoid) {
        return new PlacementPolicy.Request("m", "onnx", "", sizeMb * MB, Set.copyOf(Arrays.asList(avoid)));
    }

    static List<Case> cases() {
        return List.of(
                new Case("most free memory wins", onnx(10), List.of(node("a", 50, 0, false), node("b", 20, 0, false)), List.of(), "b/onnx-0"),
                new Case("fitting beats a less loaded node that must evict", onnx(40),
                        List.of(node("a", 70, 0, false), node("b", 50, 5, false)), List.of(), "b/onnx-0"),
                new Case("among fitting slots the less loaded node wins", onnx(10),
                        List.of(node("a", 0, 3, false), node("b", 50, 1, false)), List.of(), "b/onnx-0"),
                new Case("draining nodes take no loads", onnx(10), List.of(node("a", 0, 0, true), node("b", 90, 0, false)), List.of(), "b/onnx-0"),
                new Case("a node that holds a copy takes no second one", onnx(10),
                        List.of(node("a", 0, 0, false), node("b", 90, 0, false)), List.of(copyOn("a")), "b/onnx-0"),
                new Case("a recent failure sends the load elsewhere", onnx(10, "a"),
                        List.of(node("a", 0, 0, false), node("b", 99, 9, false)), List.of(), "b/onnx-0"),
                new Case("a node holding a FAILED copy is a last resort", onnx(10),
                        List.of(node("a", 0, 0, false), node("b", 99, 9, false)),
                        List.of(new CopyRecord("a", "onnx-0", CopyState.FAILED, 0, 0, "bad file")), "b/onnx-0"),
                new Case("a node that failed is still used when it is the only one", onnx(10, "a"),
                        List.of(node("a", 0, 0, false)), List.of(), "a/onnx-0"),
                new Case("when nothing fits, the slot with most free memory evicts", onnx(60),
                        List.of(node("a", 80, 0, false), node("b", 60, 0, false)), List.of(), "b/onnx-0"),
                new Case("larger than every slot: nowhere", onnx(200), List.of(node("a", 0, 0, false)), List.of(), ""),
                new Case("a format no slot serves: nowhere", new PlacementPolicy.Request("m", "lightgbm", "", 0, Set.of()),
                        List.of(node("a", 0, 0, false)), List.of(), ""),
                new Case("auto-select ignores dedicated slots", onnx(10), List.of(dedicated("g"), node("a", 90, 0, false)), List.of(), "a/onnx-0"),
                new Case("a named runtime goes to its dedicated slot", new PlacementPolicy.Request("m", "onnx", "gold", 0, Set.of()),
                        List.of(node("a", 0, 0, false), dedicated("g")), List.of(), "g/gold-0"),
                new Case("ties are broken by node name", onnx(10), List.of(node("b", 0, 0, false), node("a", 0, 0, false)), List.of(), "a/onnx-0"),
                new Case("no nodes: nowhere", onnx(10), List.of(), List.of(), ""),
                new Case("a second copy goes to another zone, even a busier and fuller one", onnx(10),
                        List.of(zoned("a1", "a", 0, 0), zoned("a2", "a", 0, 0), zoned("b1", "b", 80, 9)), List.of(copyOn("a1")), "b1/onnx-0"),
                new Case("a third copy spreads to the zone without one", onnx(10),
                        List.of(zoned("a1", "a", 0, 0), zoned("a2", "a", 0, 0), zoned("b1", "b", 0, 0), zoned("c1", "c", 90, 0)),
                        List.of(copyOn("a1"), copyOn("b1")), "c1/onnx-0"),
                new Case("every zone holds a copy: the usual order decides", onnx(10),
                        List.of(zoned("a1", "a", 0, 0), zoned("a2", "a", 0, 0), zoned("b1", "b", 0, 0), zoned("b2", "b", 50, 0)),
                        List.of(copyOn("a1"), copyOn("b1")), "a2/onnx-0"),
                new Case("a FAILED copy does not take its zone", onnx(10),
                        List.of(zoned("a1", "a", 0, 0), zoned("a2", "a", 0, 0), zoned("b1", "b", 50, 0)),
                        List.of(new CopyRecord("a1", "onnx-0", CopyState.FAILED, 0, 0, "bad"), copyOn("b1")), "a2/onnx-0"),
                new Case("a zone is second to a recent failure elsewhere", onnx(10, "b1"),
                        List.of(zoned("a1", "a", 0, 0), zoned("a2", "a", 0, 0), zoned("b1", "b", 0, 0)), List.of(copyOn("a1")), "a2/onnx-0"),
                new Case("a required label keeps the model on the nodes that carry it, however full", new PlacementPolicy.Request("m", "onnx", "",
                        10 * MB, Set.of(), java.util.Map.of("pool", "gpu")),
                        List.of(node("a", 0, 0, false), labelled("g", 90, "pool", "gpu")), List.of(), "g/onnx-0"),
                new Case("a required label no node carries: nowhere", new PlacementPolicy.Request("m", "onnx", "", 10 * MB, Set.of(),
                        java.util.Map.of("pool", "tpu")), List.of(node("a", 0, 0, false), labelled("g", 0, "pool", "gpu")), List.of(), ""),
                new Case("nodes without a zone are zones of their own", onnx(10),
                        List.of(node("x", 0, 0, false), node("y", 50, 0, false), zoned("a2", "a", 90, 0)), List.of(copyOn("x")), "y/onnx-0"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void choosesTheExpectedSlot(Case c) {
        Optional<PlacementPolicy.Choice> choice = PlacementPolicy.choose(c.request(), c.nodes(), c.copies());
        assertThat(choice.map(x -> x.nodeId() + "/" + x.slot()).orElse("")).isEqualTo(c.expected());
    }

    @Test
    void loadsUnderwaySpreadTheLoadsOfOneMomentBeforeInFlightAndFreeMemoryDecide() {
        // both full: without the count, the node with more free bytes takes every load of a burst
        List<NodeRecord> full = List.of(node("a", 95, 0, false), node("b", 99, 0, false));
        assertThat(PlacementPolicy.choose(onnx(10), full, List.of()).orElseThrow().nodeId()).isEqualTo("a");
        java.util.Map<String, Integer> underway = java.util.Map.of("a", 2, "b", 1);
        assertThat(PlacementPolicy.choose(onnx(10), full, List.of(), id -> underway.getOrDefault(id, 0)).orElseThrow().nodeId())
                .isEqualTo("b");
        // fewer loads underway does not beat a slot where the model fits without evicting
        List<NodeRecord> roomOnA = List.of(node("a", 50, 0, false), node("b", 99, 0, false));
        assertThat(PlacementPolicy.choose(onnx(10), roomOnA, List.of(), id -> underway.getOrDefault(id, 0)).orElseThrow().nodeId())
                .isEqualTo("a");
        // and it comes before requests in flight
        List<NodeRecord> busyB = List.of(node("a", 95, 0, false), node("b", 99, 7, false));
        assertThat(PlacementPolicy.choose(onnx(10), busyB, List.of(), id -> underway.getOrDefault(id, 0)).orElseThrow().nodeId())
                .isEqualTo("b");
    }

    @Test
    void aLargeClusterIsSampledAndTiesSpreadOverTheNodes() {
        List<NodeRecord> many = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(node(String.format("n%04d", i), 100, 0, false)); // all full: every candidate ties
        }
        java.util.Map<String, Integer> chosen = new java.util.HashMap<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            chosen.merge(PlacementPolicy.choose(onnx(10), many, List.of(), PlacementPolicy.SAMPLE_NODES, random).orElseThrow().nodeId(), 1, Integer::sum);
        }
        // by name, one node would take all 10,000; by the sample's order they spread: about 10 each
        assertThat(chosen.size()).isGreaterThan(900);
        assertThat(chosen.values().stream().mapToInt(Integer::intValue).max().orElseThrow()).isLessThan(40);
        // the free node wins whenever it is in the sample, and a sample never overrides the rules
        many.set(500, node("free", 0, 0, false));
        long freeWins = java.util.stream.IntStream.range(0, 1000)
                .filter(i -> PlacementPolicy.choose(onnx(10), many, List.of(), PlacementPolicy.SAMPLE_NODES, random).orElseThrow().nodeId().equals("free")).count();
        assertThat(freeWins).isBetween(30L, 110L); // sampled with probability 64/1000
    }

    @Test
    void aSampleWithoutAServingSlotFallsBackToTheWholeCluster() {
        List<NodeRecord> many = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(node("n" + i, 0, 0, false));
        }
        many.add(dedicated("gold"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(2);
        for (int i = 0; i < 50; i++) {
            assertThat(PlacementPolicy.choose(new PlacementPolicy.Request("m", "onnx", "gold", 0, Set.of()), many, List.of(), 8, random)
                    .orElseThrow().nodeId()).isEqualTo("gold");
        }
    }

    /** A full onnx slot whose 100 MB belong to namespaces as given. */
    private static NodeRecord full(String id, java.util.Map<String, Long> byNamespaceMb, int inFlight) {
        java.util.Map<String, Long> bytes = new java.util.HashMap<>();
        byNamespaceMb.forEach((ns, mb) -> bytes.put(ns, mb * MB));
        return new NodeRecord(id, id + ":1", "m-" + id, List.of(new SlotRecord("onnx-0", "onnx", "cpu", List.of("onnx"), true, 100 * MB,
                100 * MB, 0, List.of(), bytes)), inFlight, false, 0);
    }

    @Test
    void aLoadGoesWhereItCanMakeRoomWithoutTakingFromANamespaceWithinItsShare() {
        // both nodes are full; on n1 everything is b's, which is within its share; on n2 half is the borrower a's
        List<NodeRecord> nodes = List.of(full("n1", java.util.Map.of("b", 100L), 0),
                full("n2", java.util.Map.of("b", 50L, "a", 50L), 5));
        PlacementPolicy.Request forA = new PlacementPolicy.Request("a/m", "onnx", "", 20 * MB, Set.of(), java.util.Map.of(), "a", Set.of("b"));
        assertThat(PlacementPolicy.choose(forA, nodes, List.of()).orElseThrow().nodeId()).isEqualTo("n2");
        // b's own load may use its own memory anywhere: the busier node loses the tie on requests in flight
        PlacementPolicy.Request forB = new PlacementPolicy.Request("b/m", "onnx", "", 20 * MB, Set.of(), java.util.Map.of(), "b", Set.of("b"));
        assertThat(PlacementPolicy.choose(forB, nodes, List.of()).orElseThrow().nodeId()).isEqualTo("n1");
        // without shares nobody is kept, and the node with fewer requests in flight wins as before
        assertThat(PlacementPolicy.choose(onnx(20), nodes, List.of()).orElseThrow().nodeId()).isEqualTo("n1");
    }
}
