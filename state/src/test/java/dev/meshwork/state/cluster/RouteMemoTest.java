package dev.meshwork.state.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A router's route memo on real Hazelcast members over loopback: it answers what the shared tables
 * hold, follows other members' writes, reads its own at once, and keeps nothing it was told is stale.
 */
class RouteMemoTest {
    private final List<HazelcastInstance> members = new ArrayList<>();
    private final List<RouteMemo> memos = new ArrayList<>();
    private ClusterConfig cluster;

    @BeforeEach
    void newCluster() throws java.io.IOException {
        int port = dev.meshwork.testing.FreePorts.next();
        cluster = new ClusterConfig("memo-" + UUID.randomUUID(), "127.0.0.1", port, List.of("127.0.0.1:" + port + "-" + (port + 5)),
                1, 3, ClusterConfig.Kubernetes.disabled());
    }

    @AfterEach
    void stop() {
        memos.forEach(RouteMemo::close);
        members.forEach(HazelcastInstance::shutdown);
    }

    private HazelcastInstance member(ClusterMember.Role role) {
        HazelcastInstance hz = ClusterMember.start(cluster, role, role.name().toLowerCase(), RegistryStore.NONE);
        members.add(hz);
        return hz;
    }

    /** A router's two tables over one memo, as ClusterRouter wires them. */
    private record Router(RouteMemo memo, HazelcastModelRegistry registry, HazelcastPlacementTable placement) {
    }

    private Router router() {
        HazelcastInstance hz = member(ClusterMember.Role.ROUTER);
        RouteMemo memo = new RouteMemo(hz, RowSigner.NONE);
        memos.add(memo);
        return new Router(memo, new HazelcastModelRegistry(hz, RowSigner.NONE, memo), new HazelcastPlacementTable(hz, RowSigner.NONE, memo));
    }

    private static ModelSpec spec(String id, String uri) {
        return new ModelSpec(id, new ModelFormat("onnx", "1"), uri, "", 0);
    }

    private static CopyRecord copy(String node, CopyState state) {
        return new CopyRecord(node, "onnx-0", state, 10, 1, "");
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(condition::getAsBoolean);
    }

    @Test
    void fillsUnderChurnStartNoThreadsAndKeepTheirEntries() {
        Router a = router();
        for (int i = 0; i < 20; i++) {
            a.registry().put(spec("m" + i, "file:///m" + i + ".onnx"));
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long startedBefore = threads.getTotalStartedThreadCount();
        int fills = 400;
        for (int i = 0; i < fills; i++) {
            String id = "m" + (i % 20);
            // another model's row changes between this model's fills, as under churn: it must not cost this one its entry
            a.placement().putCopy("m" + ((i + 7) % 20), copy("n1", i % 2 == 0 ? CopyState.LOADED : CopyState.LOADING));
            a.memo().drop(id);
            assertThat(a.placement().copies(id)).isNotNull();
        }
        // Hazelcast's asynchronous calls complete through a callback that, with two cores or fewer, starts a thread
        // per completion on the partition thread: fills made that way stalled every request under churn
        assertThat(threads.getTotalStartedThreadCount() - startedBefore).as("threads started by %d fills", fills).isLessThan(fills / 10);
        // a write to another model while m3 is read keeps m3's fill (one counter for all keys lost every fill under churn,
        // so then no try keeps it). Tried until one does: the events of the loop's own writes to m3 may still be on their
        // way on a loaded machine, and each that arrives drops m3's entry, rightly
        await("a fill of m3 raced by a write to m9 is kept", () -> {
            a.memo().drop("m3");
            a.memo().afterRead = () -> a.placement().putCopy("m9", copy("n2", CopyState.LOADED));
            RouteMemo.Route kept = a.memo().route("m3");
            return a.memo().route("m3") == kept;
        });
        // a write to m3 itself meanwhile does not keep it: what was read may be the older row
        a.memo().drop("m3");
        a.memo().afterRead = () -> a.placement().putCopy("m3", copy("n2", CopyState.LOADED));
        RouteMemo.Route raced = a.memo().route("m3");
        assertThat(a.memo().route("m3")).isNotSameAs(raced);
        assertThat(a.placement().copies("m3")).extracting(CopyRecord::nodeId).contains("n2");
    }

    @Test
    void aRouterReadsItsOwnWritesAtOnceAndFollowsAnotherRoutersAndANodes() {
        Router a = router();
        Router b = router();
        HazelcastPlacementTable atNode = new HazelcastPlacementTable(member(ClusterMember.Role.NODE));

        a.registry().put(spec("m", "file:///v1.onnx"));
        assertThat(a.registry().get("m")).map(ModelSpec::storageUri).hasValue("file:///v1.onnx"); // its own write, no wait
        assertThat(a.placement().copies("m")).isEmpty();
        // the write's own event arrives a moment later and drops the entry once more; a fill it overtakes is not kept
        await("the entry is kept", () -> a.registry().get("m").isPresent() && a.memo().size() == 1);

        b.registry().put(spec("m", "file:///v2.onnx")); // another router re-points it
        await("a sees b's registration", () -> a.registry().get("m").map(ModelSpec::storageUri).orElse("").equals("file:///v2.onnx"));

        atNode.putCopy("m", copy("n1", CopyState.LOADING)); // a node's write, on a lite member
        await("a sees the node's copy", () -> a.placement().copies("m").size() == 1);
        atNode.putCopy("m", copy("n1", CopyState.LOADED));
        await("a sees it LOADED", () -> a.placement().copies("m").getFirst().state() == CopyState.LOADED);

        a.placement().removeCopy("m", "n1"); // a router's own write to the placement table
        assertThat(a.placement().copies("m")).isEmpty();

        b.registry().remove("m");
        await("a sees it unregistered", () -> a.registry().get("m").isEmpty());
        assertThat(a.memo().size()).isZero();
    }

    @Test
    void namesThatAreNotRegisteredAreNotKeptAndAMemberJoiningDropsEverything() {
        Router a = router();
        for (int i = 0; i < 50; i++) {
            assertThat(a.registry().get("nobody-" + i)).isEmpty();
        }
        assertThat(a.memo().size()).isZero(); // unknown names cannot grow it

        a.registry().put(spec("m", "file:///m.onnx"));
        a.placement().putCopy("m", copy("n1", CopyState.LOADED));
        assertThat(a.placement().copies("m")).hasSize(1);
        await("the entry is kept", () -> a.placement().copies("m").size() == 1 && a.memo().size() == 1);
        member(ClusterMember.Role.NODE); // partitions may move and events in flight be lost: start again from the tables
        await("the memo is emptied", () -> a.memo().size() == 0);
        assertThat(a.placement().copies("m")).hasSize(1);
        assertThat(a.registry().get("m")).isPresent();
    }

    @Test
    void readsRacingAnotherRoutersWritesEndOnTheLastWrite() throws Exception {
        Router a = router();
        Router b = router();
        b.registry().put(spec("m", "file:///v0.onnx"));
        await("a sees it", () -> a.registry().get("m").isPresent());
        // a fill that read a row before a write, and kept it after the write's drop, would serve the older row until
        // its age runs out (a minute): the memo keeps no fill that a drop overtook
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 1_000_000 && writing.get(); i++) {
                    a.registry().get("m");
                    a.placement().copies("m");
                }
            }));
        }
        int last = 300;
        for (int v = 1; v <= last; v++) {
            b.registry().put(spec("m", "file:///v" + v + ".onnx"));
            b.placement().putCopy("m", copy("n1", v % 2 == 0 ? CopyState.LOADED : CopyState.LOADING));
        }
        writing.set(false);
        for (Thread t : readers) {
            t.join(10_000);
        }
        String lastUri = "file:///v" + last + ".onnx";
        await("a ends on the last registration and copy", () -> a.registry().get("m").map(ModelSpec::storageUri).orElse("").equals(lastUri)
                && a.placement().copies("m").getFirst().state() == CopyState.LOADED);
    }

    @Test
    void aFillThatAWriteOvertookIsNotKept() {
        Router a = router();
        Router b = router();
        b.registry().put(spec("m", "file:///v1.onnx"));
        await("a sees it", () -> a.registry().get("m").isPresent());
        a.memo().dropAll();
        // b re-points the model after a's fill has read v1 and before it keeps it; a's memo hears of it meanwhile
        a.memo().afterRead = () -> {
            long drops = a.memo().drops();
            b.registry().put(spec("m", "file:///v2.onnx"));
            await("a hears of b's write", () -> a.memo().drops() > drops);
        };
        assertThat(a.registry().get("m")).map(ModelSpec::storageUri).hasValue("file:///v1.onnx"); // what it read, as a near cache would
        assertThat(a.memo().size()).isZero(); // but not kept: the next read is v2, not v1 for up to a minute
        assertThat(a.registry().get("m")).map(ModelSpec::storageUri).hasValue("file:///v2.onnx");
    }

    @Test
    void whatALostEventCostsIsBoundedByTheEntrysAgeAndTheRequestThatFindsItOldIsNotHeldUp() {
        HazelcastInstance hz = member(ClusterMember.Role.ROUTER);
        RouteMemo memo = new RouteMemo(hz, RowSigner.NONE, 3_000);
        memos.add(memo);
        HazelcastModelRegistry a = new HazelcastModelRegistry(hz, RowSigner.NONE, memo);
        Router b = router();
        await("a has seen b join (which empties the memo)", () -> hz.getCluster().getMembers().size() == 2);
        long drops = memo.drops();
        b.registry().put(spec("m", "file:///v1.onnx"));
        await("the registration's event has reached a", () -> memo.drops() > drops);
        assertThat(a.get("m")).map(ModelSpec::storageUri).hasValue("file:///v1.onnx");
        assertThat(memo.size()).isEqualTo(1);
        memo.stopListening(); // from here on, every event is lost
        b.registry().put(spec("m", "file:///v2.onnx"));
        assertThat(a.get("m")).map(ModelSpec::storageUri).hasValue("file:///v1.onnx"); // stale, as a lost event leaves it
        await("the entry is read again once it is old", () -> a.get("m").map(ModelSpec::storageUri).orElse("").equals("file:///v2.onnx"));
    }

    @Test
    void withAClusterKeyForgedRowsReadAsAbsentThroughTheMemo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path keyFile = java.nio.file.Files.writeString(dir.resolve("cluster.key"), "the-cluster-key-0123456789");
        RowSigner signer = new RowSigner(new dev.meshwork.security.ClusterSecret(keyFile, 1000,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        HazelcastInstance hz = member(ClusterMember.Role.ROUTER);
        RouteMemo memo = new RouteMemo(hz, signer);
        memos.add(memo);
        HazelcastModelRegistry registry = new HazelcastModelRegistry(hz, signer, memo);
        HazelcastPlacementTable placement = new HazelcastPlacementTable(hz, signer, memo);
        HazelcastInstance rogue = member(ClusterMember.Role.NODE); // a member without the key
        registry.put(spec("m", "file:///m.onnx"));
        new HazelcastPlacementTable(rogue, signer).putCopy("m", copy("n1", CopyState.LOADED));

        // a router member without the key registers a model (unsigned); the rogue node adds a copy with no MAC
        new HazelcastModelRegistry(member(ClusterMember.Role.ROUTER)).put(spec("forged", "file:///evil.onnx"));
        new HazelcastPlacementTable(rogue).putCopy("m", copy("n2", CopyState.LOADED));
        await("the forged registration is written", () -> hz.getMap(MapNames.MODELS).containsKey("forged"));
        await("the forged copy is written", () -> hz.getMap(MapNames.PLACEMENT).get("m") instanceof HazelcastPlacementTable.Copies c
                && c.rows.size() == 2);
        assertThat(registry.get("forged")).isEmpty();
        await("only the signed copy is read", () -> placement.copies("m").stream().map(CopyRecord::nodeId).toList().equals(List.of("n1")));
        assertThat(registry.get("m")).isPresent();
        assertThat(memo.size()).isLessThanOrEqualTo(1); // nothing forged is kept
    }
}
