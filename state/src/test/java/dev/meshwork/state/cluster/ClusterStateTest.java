package dev.meshwork.state.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.LoadClaims;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import dev.meshwork.state.store.JdbcRegistryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared state on real Hazelcast members over loopback: two routers (data members) and a node (lite member) in one JVM. */
class ClusterStateTest {
    @TempDir
    Path dir;

    private final List<HazelcastInstance> members = new ArrayList<>();
    private final List<RegistryStore> stores = new ArrayList<>();
    private ClusterConfig cluster;

    @AfterEach
    void stop() {
        members.forEach(HazelcastInstance::shutdown);
        stores.forEach(RegistryStore::close);
    }

    private void newCluster() throws IOException {
        int port = dev.meshwork.testing.FreePorts.next();
        cluster = new ClusterConfig("test-" + UUID.randomUUID(), "127.0.0.1", port, List.of("127.0.0.1:" + port + "-" + (port + 5)),
                1, 3, ClusterConfig.Kubernetes.disabled());
    }

    private RegistryStore store() {
        RegistryStore s = new JdbcRegistryStore("jdbc:h2:file:" + dir.resolve("registry") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0", "", "");
        stores.add(s);
        return s;
    }

    private HazelcastInstance router() {
        HazelcastInstance hz = ClusterMember.start(cluster, ClusterMember.Role.ROUTER, "router", store());
        members.add(hz);
        return hz;
    }

    private HazelcastInstance node() {
        HazelcastInstance hz = ClusterMember.start(cluster, ClusterMember.Role.NODE, "node", RegistryStore.NONE);
        members.add(hz);
        return hz;
    }

    private static ModelSpec spec(String id) {
        return new ModelSpec(id, new ModelFormat("onnx", "1"), "file:///models/" + id + ".onnx", "", 0);
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }

    @Test
    void theRequestPathFindsVmodelsMadeOnAnotherRouterAndOnlyThem() throws Exception {
        newCluster();
        HazelcastInstance a = router();
        HazelcastInstance b = router();
        HazelcastVModelRegistry atA = new HazelcastVModelRegistry(a);
        HazelcastVModelRegistry atB = new HazelcastVModelRegistry(b);
        dev.meshwork.placement.registry.VModel v = new dev.meshwork.placement.registry.VModel("v1", "", "m1", "m1", java.util.Set.of(), "");
        atA.put(v);
        assertThat(atA.find("v1")).as("the writer knows at once").contains(v);
        await("router b learns of v1 from the map's event", () -> atB.find("v1").isPresent());
        assertThat(atB.find("m1")).as("a model's name is not a vmodel").isEmpty();

        // an event that never came: the repair brings the id back from the map
        atB.index().removed("v1");
        assertThat(atB.find("v1")).isEmpty();
        atB.index().repair();
        assertThat(atB.find("v1")).contains(v);

        atA.remove("v1");
        await("router b forgets v1", () -> atB.find("v1").isEmpty());
        // an id the index still held after a lost removal costs a read, never a wrong answer
        atB.index().added("v1");
        assertThat(atB.find("v1")).isEmpty();
        atB.index().repair();
        assertThat(atB.index().contains("v1")).as("the repair drops what the map no longer has").isFalse();
    }

    @Test
    void registrationsAreSharedAndSurviveTheWholeCluster() throws Exception {
        newCluster();
        HazelcastInstance a = router();
        HazelcastInstance b = router();
        new HazelcastModelRegistry(a).put(spec("m1"));
        assertThat(new HazelcastModelRegistry(b).get("m1")).contains(spec("m1"));
        new HazelcastModelRegistry(b).put(spec("m2"));
        new HazelcastModelRegistry(a).remove("m1");
        assertThat(new HazelcastModelRegistry(a).get("m1")).isEmpty();
        stop();
        members.clear();
        stores.clear();

        newCluster(); // a new cluster on the same store: everything comes back from the database
        HazelcastInstance c = router();
        assertThat(new HazelcastModelRegistry(c).list()).containsExactly(spec("m2"));
        assertThat(new HazelcastModelRegistry(c).get("unknown")).isEmpty();
    }

    @Test
    void registrationsWhosePartitionsDiedWithTwoRoutersComeBackFromTheStore() throws Exception {
        newCluster();
        HazelcastInstance a = router();
        HazelcastInstance b = router();
        HazelcastInstance c = router();
        await("three routers", () -> a.getCluster().getMembers().size() == 3);
        HazelcastModelRegistry atA = new HazelcastModelRegistry(a);
        HazelcastVModelRegistry vmodelsAtA = new HazelcastVModelRegistry(a);
        for (int i = 0; i < 120; i++) {
            atA.put(spec("m" + i));
        }
        for (int i = 0; i < 30; i++) {
            vmodelsAtA.put(new dev.meshwork.placement.registry.VModel("v" + i, "", "m" + i, "m" + i, java.util.Set.of(), ""));
        }
        // kill -9 of two routers at once: a partition whose owner and backup were b and c is gone from memory
        b.getLifecycleService().terminate();
        c.getLifecycleService().terminate();
        await("a is alone", () -> a.getCluster().getMembers().size() == 1);
        await("every registration is back from the store", () -> atA.list().size() == 120 && vmodelsAtA.list().size() == 30);
        for (int i = 0; i < 120; i++) {
            assertThat(atA.get("m" + i)).as("m" + i).isPresent();
        }
    }

    @Test
    void aRouterListsTheNodesOtherMembersWriteAndARepairCoversALostEvent() throws Exception {
        newCluster();
        HazelcastInstance r = router();
        HazelcastInstance n = node();
        HazelcastNodeTable atRouter = new HazelcastNodeTable(r);
        HazelcastNodeTable atNode = new HazelcastNodeTable(n);
        NodeRecord n1 = new NodeRecord("n1", "127.0.0.1:1", "m1", List.of(), 0, false, 0);
        NodeRecord n2 = new NodeRecord("n2", "127.0.0.1:2", "m2", List.of(), 0, false, 0);
        atNode.put(n1);
        atNode.put(n2);
        assertThat(atNode.list()).as("the writer lists its own at once").containsExactly(n1, n2);
        await("the router learns of both from the map's events", () -> atRouter.list().equals(List.of(n1, n2)));
        NodeRecord busier = new NodeRecord("n1", "127.0.0.1:1", "m1", List.of(), 3, false, 0);
        atNode.put(busier);
        await("a rewritten record is read anew", () -> atRouter.list().equals(List.of(busier, n2)));

        atRouter.index().removed("n2"); // an event that never came
        assertThat(atRouter.list()).containsExactly(busier);
        atRouter.index().repair();
        assertThat(atRouter.list()).as("the repair brings it back").containsExactly(busier, n2);

        atNode.remove("n2");
        await("a removal is seen", () -> atRouter.list().equals(List.of(busier)));
        atRouter.index().added("n2"); // a removal whose event never came: the id reads as absent, never as a node
        assertThat(atRouter.list()).containsExactly(busier);
    }

    @Test
    void copiesWrittenByNodesAreReadByRoutersAndLeaveWithTheirNode() throws Exception {
        newCluster();
        HazelcastInstance r = router();
        HazelcastInstance n1 = node();
        HazelcastInstance n2 = node();
        RouteMemo memo = new RouteMemo(r, RowSigner.NONE); // as a router reads its copies: through its route memo
        HazelcastPlacementTable atRouter = new HazelcastPlacementTable(r, RowSigner.NONE, memo);
        HazelcastModelRegistry registry = new HazelcastModelRegistry(r, RowSigner.NONE, memo);
        for (int i = 0; i < 50; i++) {
            registry.put(spec("m" + i)); // the memo holds registered models only
        }
        HazelcastNodeTable nodesAtRouter = new HazelcastNodeTable(r);
        List<String> gone = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (memo; NodeReaper reaper = new NodeReaper(r, nodesAtRouter, atRouter, 500, n -> gone.add(n.nodeId()))) {
            ExecutorService writers = Executors.newFixedThreadPool(2);
            for (HazelcastInstance n : List.of(n1, n2)) {
                String id = n == n1 ? "n1" : "n2";
                new HazelcastNodeTable(n).put(new NodeRecord(id, "127.0.0.1:1", n.getCluster().getLocalMember().getUuid().toString(),
                        List.of(new SlotRecord("onnx-0", "onnx", "cpu", List.of("onnx"), true, 100, 0, 0, List.of())), 0, false, 0));
                HazelcastPlacementTable t = new HazelcastPlacementTable(n);
                writers.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        t.putCopy("m" + i, new CopyRecord(id, "onnx-0", CopyState.LOADED, 10, 0, ""));
                    }
                });
            }
            writers.shutdown();
            assertThat(writers.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            await("both nodes' copies of every model, none lost to a concurrent write", () -> atRouter.all().size() == 50
                    && atRouter.all().values().stream().allMatch(c -> c.size() == 2));
            assertThat(atRouter.copies("m7")).extracting(CopyRecord::nodeId).containsExactlyInAnyOrder("n1", "n2");
            // a node's sweep asks the members for the rows naming it (a query run where the rows are, also from a lite member)
            new HazelcastPlacementTable(n2).removeCopy("m3", "n2");
            assertThat(new HazelcastPlacementTable(n2).modelsOn("n2")).hasSize(49).doesNotContain("m3");
            assertThat(atRouter.modelsOn("n1")).hasSize(50).contains("m3");

            new HazelcastPlacementTable(n1).removeCopy("m7", "n1");
            await("the router's memo sees the removal", () -> atRouter.copies("m7").size() == 1);

            n2.getLifecycleService().terminate(); // a crash: no goodbye
            // the reaper removes the copies, then the node record, then says so
            await("n2 and its copies leave the tables", () -> gone.contains("n2"));
            assertThat(atRouter.all().values().stream().flatMap(List::stream)).noneMatch(c -> c.nodeId().equals("n2"));
            assertThat(nodesAtRouter.list()).extracting(NodeRecord::nodeId).containsExactly("n1");
            assertThat(gone).containsExactly("n2");
            // the memo learns of a change by an entry event, a moment after the write
            await("the router's memo drops n2's copies", () -> atRouter.copies("m7").isEmpty());
            assertThat(atRouter.copies("m8")).extracting(CopyRecord::nodeId).containsExactly("n1");
        }
    }

    @Test
    void oneLoadClaimAcrossRoutersTakenOverWhenItsOwnerDies() throws Exception {
        newCluster();
        HazelcastInstance a = router();
        HazelcastInstance b = router();
        String ownerA = a.getCluster().getLocalMember().getUuid().toString();
        String ownerB = b.getCluster().getLocalMember().getUuid().toString();
        LoadClaims claimsA = new HazelcastLoadClaims(a, o -> a.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().toString().equals(o)));
        LoadClaims claimsB = new HazelcastLoadClaims(b, o -> b.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().toString().equals(o)));
        assertThat(claimsA.tryClaim("m", ownerA, 60_000)).isEmpty();
        assertThat(claimsB.tryClaim("m", ownerB, 60_000)).get().extracting(LoadClaims.Claim::owner).isEqualTo(ownerA);
        claimsA.release("m", ownerA);
        assertThat(claimsB.tryClaim("m", ownerB, 60_000)).isEmpty();
        assertThat(claimsA.tryClaim("m", ownerA, 60_000)).isPresent();

        b.getLifecycleService().terminate();
        await("a sees b leave", () -> a.getCluster().getMembers().size() == 1);
        assertThat(claimsA.tryClaim("m", ownerA, 60_000)).as("b's claim is taken over though its lease runs").isEmpty();

        // a claim in a live router's name that promises a day (written by a member that knows the cluster): not honoured
        a.getMap(MapNames.CLAIMS).set("n", new LoadClaims.Claim("n", ownerA, System.currentTimeMillis() + 86_400_000L));
        String other = "some-other-router";
        assertThat(new HazelcastLoadClaims(a, o -> true).tryClaim("n", other, 60_000)).as("taken over, not waited on for a day").isEmpty();
    }

    @Test
    void aHazelcastClientThatKnowsTheClusterNameCannotConnect() throws Exception {
        newCluster();
        HazelcastInstance router = router();
        new HazelcastModelRegistry(router).put(spec("secret-model"));
        com.hazelcast.client.config.ClientConfig rogue = new com.hazelcast.client.config.ClientConfig();
        rogue.setClusterName(cluster.name());
        rogue.getNetworkConfig().addAddress("127.0.0.1:" + cluster.port());
        rogue.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
        rogue.setProperty("hazelcast.phone.home.enabled", "false");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> com.hazelcast.client.HazelcastClient.newHazelcastClient(rogue).shutdown())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Unable to connect");
        org.assertj.core.api.Assertions.assertThat(new HazelcastModelRegistry(router).get("secret-model")).isPresent();
    }

    @Test
    void whatARogueMemberPlantsIsNeverDeserializedUnlessItIsMeshworks() throws Exception {
        newCluster();
        HazelcastInstance router = router();
        // a member that knows the cluster name joins (the open-source edition has no member authentication) ...
        com.hazelcast.config.Config rogueConfig = new com.hazelcast.config.Config().setClusterName(cluster.name()).setLiteMember(true);
        rogueConfig.setProperty("hazelcast.phone.home.enabled", "false");
        rogueConfig.setProperty("hazelcast.partition.count", "71"); // what a member must match to join
        rogueConfig.getNetworkConfig().setPort(cluster.port() + 3).getJoin().getMulticastConfig().setEnabled(false);
        rogueConfig.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        rogueConfig.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + cluster.port());
        HazelcastInstance rogue = com.hazelcast.core.Hazelcast.newHazelcastInstance(rogueConfig);
        members.add(rogue);
        // ... but what it writes is read by routers through the serialization filter: only Meshwork's records and the JDK's basics,
        // so an object whose readObject runs code is refused before that code runs
        rogue.getMap(MapNames.PLACEMENT).put("planted", new gadget.Gadget());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> router.getMap(MapNames.PLACEMENT).get("planted"))
                .hasMessageContaining("gadget.Gadget");
        org.assertj.core.api.Assertions.assertThat(gadget.Gadget.RAN).hasValue(0);
    }

    @Test
    void withAClusterKeyRowsThatDoNotCheckOutAreNotRead() throws Exception {
        newCluster();
        java.nio.file.Path keyFile = java.nio.file.Files.writeString(dir.resolve("cluster.key"), "the-cluster-key-0123456789");
        RowSigner signer = new RowSigner(new dev.meshwork.security.ClusterSecret(keyFile, 1000,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        HazelcastInstance router = router();
        HazelcastInstance node = node();
        HazelcastNodeTable nodesAtRouter = new HazelcastNodeTable(router, signer);
        HazelcastPlacementTable copiesAtRouter = new HazelcastPlacementTable(router, signer);
        NodeRecord real = new NodeRecord("n1", "127.0.0.1:9001", "member", List.of(), 0, false, 0);
        new HazelcastNodeTable(node, signer).put(real);
        new HazelcastPlacementTable(node, signer).putCopy("m1", new CopyRecord("n1", "onnx", CopyState.LOADED, 10, 1, ""));
        await("the signed rows are read", () -> nodesAtRouter.get("n1").isPresent() && copiesAtRouter.copies("m1").size() == 1);

        // a member without the key rewrites the node's record to its own endpoint and adds a copy
        HazelcastNodeTable forger = new HazelcastNodeTable(node);
        forger.put(new NodeRecord("n1", "10.6.6.6:9001", "member", List.of(), 0, false, 0));
        new HazelcastPlacementTable(node).putCopy("m1", new CopyRecord("n2", "onnx", CopyState.LOADED, 10, 1, ""));
        // and moves a signed record under another node's id
        node.getMap(MapNames.NODES).set("n9", router.getMap(MapNames.NODES).get("n1"));
        await("the forged rows are written and the router holds their ids", () -> router.getMap(MapNames.NODES).containsKey("n9")
                && nodesAtRouter.index().contains("n9"));
        org.assertj.core.api.Assertions.assertThat(nodesAtRouter.get("n1")).isEmpty(); // forged: as good as absent
        org.assertj.core.api.Assertions.assertThat(nodesAtRouter.get("n9")).isEmpty();
        org.assertj.core.api.Assertions.assertThat(nodesAtRouter.list()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(copiesAtRouter.copies("m1")).extracting(CopyRecord::nodeId).containsExactly("n1");
        // the node's next signed write puts things right
        new HazelcastNodeTable(node, signer).put(real);
        await("the node's record is back", () -> nodesAtRouter.get("n1").equals(java.util.Optional.of(real)));
    }

    @Test
    void withAClusterKeyOnlyRoutersChangeTheRegistry() throws Exception {
        newCluster();
        java.nio.file.Path keyFile = java.nio.file.Files.writeString(dir.resolve("cluster.key"), "the-cluster-key-0123456789");
        cluster = new ClusterConfig(cluster.name(), cluster.host(), cluster.port(), cluster.members(), cluster.heartbeatSeconds(),
                cluster.failureSeconds(), cluster.kubernetes(), cluster.tls(), keyFile.toString(), cluster.routerNames());
        RowSigner signer = InternalHops.signer(InternalHops.secret(cluster, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        RegistryStore store = store();
        HazelcastInstance router = ClusterMember.start(cluster, ClusterMember.Role.ROUTER, "router", store);
        members.add(router);
        HazelcastModelRegistry registry = new HazelcastModelRegistry(router, signer);
        registry.put(spec("real"));
        org.assertj.core.api.Assertions.assertThat(registry.get("real")).contains(spec("real"));

        // a member that knows the cluster name but not the key writes registrations: as a bare record, and with a made-up MAC
        HazelcastInstance rogue = node();
        com.hazelcast.map.IMap<String, Object> models = rogue.getMap(MapNames.MODELS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> models.put("planted", spec("planted"))).isInstanceOf(RuntimeException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> models.put("real", new Signed<>(spec("evil"), "AAAA")))
                .isInstanceOf(RuntimeException.class);
        org.assertj.core.api.Assertions.assertThat(registry.get("planted")).isEmpty();
        org.assertj.core.api.Assertions.assertThat(registry.get("real")).contains(spec("real"));
        org.assertj.core.api.Assertions.assertThat(store.loadAll("model", ModelSpec.class)).containsOnlyKeys("real");
        // and through a registry of its own, without the key, it signs nothing a router believes
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HazelcastModelRegistry(rogue).put(spec("also-planted")))
                .isInstanceOf(RuntimeException.class);
        org.assertj.core.api.Assertions.assertThat(registry.list()).extracting(ModelSpec::id).containsExactly("real");
    }
}
