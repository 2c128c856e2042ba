package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshExtension;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process on the cluster's network that knows the cluster name, against real router and node
 * processes with a cluster key: as a Hazelcast client it cannot connect; as a member it joins (the
 * open-source edition cannot stop that) but its forged node record, copy row and registration are
 * not believed, so the router never sends a request to the endpoint it names and never serves
 * another artifact under the registered name.
 */
class RogueMemberTest {
    @TempDir
    Path dir;

    static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";

    @Test
    void aRogueMemberCannotRedirectTrafficOrSubstituteAModel() throws Exception {
        Path key = Files.writeString(dir.resolve("cluster.key"), "this-cluster-key-0123456789");
        AtomicInteger forgedCalls = new AtomicInteger();
        Server fake = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new NodeServiceGrpc.NodeServiceImplBase() {
            @Override
            public void infer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
                forgedCalls.incrementAndGet();
                out.onNext(ModelInferResponse.newBuilder().setModelName(request.getModelName()).build());
                out.onCompleted();
            }
        }).build().start();
        try (MeshCluster cluster = MeshCluster.start(dir.resolve("mesh"), 1, 1, List.of("--cluster.secretFile=" + key),
                List.of("--cluster.secretFile=" + key, "--security.auditFile=audit.log"))) {
            cluster.registerOnnx(cluster.router(0), "adder", "add-vectors");
            assertThat(cluster.post(cluster.router(0), "/v2/models/adder/infer", INFER).body()).contains("[11.0,22.0]");

            ClientConfig client = new ClientConfig().setClusterName(cluster.clusterName());
            client.getNetworkConfig().setAddresses(cluster.memberAddresses());
            client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
            assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(client).shutdown()).hasMessageContaining("Unable to connect");

            HazelcastInstance rogue = Hazelcast.newHazelcastInstance(rogueMember(cluster));
            try {
                assertThat(rogue.getCluster().getMembers()).as("the rogue joined the mesh's cluster").hasSize(3);
                String forged = "127.0.0.1:" + fake.getPort();
                rogue.getMap("meshwork.nodes").set("node-0", new NodeRecord("node-0", forged, "rogue", List.of(), 0, false, 0));
                rogue.getMap("meshwork.nodes").set("node-9", new NodeRecord("node-9", forged, "rogue", List.of(), 0, false, 0));
                rogue.getMap("meshwork.placement").set("adder", List.of(new CopyRecord("node-9", "onnx", CopyState.LOADED, 1, 1, "")));
                ModelSpec other = new ModelSpec("adder", new ModelFormat("onnx", ""), "http://" + forged + "/other.onnx", "", 0);
                assertThatThrownBy(() -> rogue.getMap("meshwork.models").put("adder", other)).isInstanceOf(RuntimeException.class);

                // answers stay right (a request may fail while the node's next signed write restores its row), never forged
                for (int i = 0; i < 30; i++) {
                    MeshExtension.Http r = cluster.post(cluster.router(0), "/v2/models/adder/infer", INFER);
                    if (r.status() == 200) {
                        assertThat(r.body()).contains("[11.0,22.0]");
                    }
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> cluster.post(cluster.router(0), "/v2/models/adder/infer", INFER).status() == 200);
                assertThat(forgedCalls).hasValue(0);
                assertThat(cluster.get(cluster.router(0), "/v1/mesh/models/adder").body()).contains("add-vectors/model.onnx")
                        .doesNotContain("other.onnx");
                // the refused registration is in the router's audit file and its metrics
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("mesh/router-0/audit.log"))
                        .contains("\"target\":\"model adder\",\"outcome\":\"refused:not_signed\""));
                assertThat(cluster.get(cluster.router(0), "/metrics").body()).contains("meshwork_registry_refused_changes_total 1.0");
            } finally {
                rogue.shutdown();
            }
        } finally {
            fake.shutdownNow();
        }
    }

    /** A lite member that joins by the cluster's name and addresses, as anyone on its network could. */
    private static Config rogueMember(MeshCluster cluster) {
        Config c = new Config().setClusterName(cluster.clusterName()).setLiteMember(true);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.partition.count", "71");
        List<String> addresses = cluster.memberAddresses();
        String spare = addresses.getLast();
        c.getNetworkConfig().setPort(Integer.parseInt(spare.substring(spare.indexOf(':') + 1))).setPortAutoIncrement(true);
        c.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        c.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        c.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(addresses);
        return c;
    }
}
