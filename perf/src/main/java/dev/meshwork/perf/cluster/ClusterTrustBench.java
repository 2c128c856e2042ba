package dev.meshwork.perf.cluster;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.BenchRequests;
import dev.meshwork.perf.ClosedLoop;
import dev.meshwork.perf.PairedRounds;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.security.tls.TlsConfig;
import dev.meshwork.testing.TestCertificates;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./meshwork bench cluster-trust}: what mTLS and signed table rows cost on the router -> node
 * hop. Two clusters of one router and one node in this JVM, one in plain text, one whose router
 * dials its node over mTLS (the node checks the router's certificate, the router checks that the
 * node's names its node id) and whose table rows are signed with a cluster key;
 * the client calls each router over plain gRPC, so the difference is the hop alone. Rounds alternate
 * which cluster goes first; the summary gives medians over the rounds.
 */
public final class ClusterTrustBench {
    private final BenchConfig config;

    public ClusterTrustBench(BenchConfig config) {
        this.config = config;
    }

    public String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        String model = config.model();
        Path file = root.resolve("examples/onnx").resolve(model).resolve("model.onnx");
        Path work = Files.createTempDirectory("meshwork-cluster-trust-bench-");
        TestCertificates ca = TestCertificates.authority(work.resolve("pki"));
        TestCertificates.Issued router = ca.client("router", "CN=router-0", "router-0");
        TestCertificates.Issued node = ca.server("node-0", "node-0");
        String caFile = ca.ca().certFile().toString();
        LocalCluster.Trust trust = new LocalCluster.Trust(
                new TlsConfig(router.certFile().toString(), router.keyFile().toString(), "", "require", caFile, 1000),
                i -> new TlsConfig(node.certFile().toString(), node.keyFile().toString(), caFile, "require", "", 1000),
                Files.writeString(work.resolve("cluster.key"), "bench-cluster-key-0123456789").toString());
        List<String> roots = List.of(root.resolve("examples").toString());
        List<ClosedLoop.Result> results = new ArrayList<>();
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        try (LocalCluster plain = new LocalCluster(1, roots, 1L << 30); LocalCluster mtls = new LocalCluster(1, roots, 1L << 30, trust)) {
            ModelInferRequest request = BenchRequests.grpcRequest(model, BenchRequests.input(model));
            List<ManagedChannel> channels = new ArrayList<>();
            List<GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub> stubs = new ArrayList<>();
            for (LocalCluster c : List.of(plain, mtls)) {
                c.router.service().register(new ModelSpec(model, new ModelFormat("onnx", ""), file.toUri().toString(), "", 0));
                c.router.service().load(model);
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", c.router.grpcPort()).usePlaintext().build();
                channels.add(ch);
                stubs.add(GRPCInferenceServiceGrpc.newFutureStub(ch));
                if (stubs.getLast().modelInfer(request).get(30, TimeUnit.SECONDS).getOutputsCount() == 0) {
                    throw new IllegalStateException("the model answered no outputs");
                }
            }
            // both clusters once unrecorded first, so no round pays for the JIT warming up the code they share
            ClosedLoop warm = new ClosedLoop(config.warmupSeconds(), 3);
            for (var stub : stubs) {
                warm.runAsync("warm", 4, () -> BenchRequests.toCompletable(stub.modelInfer(request)));
            }
            var plainStub = stubs.get(0);
            var mtlsStub = stubs.get(1);
            PairedRounds.alternate(config, loop, results, "router-hop-plain", () -> BenchRequests.toCompletable(plainStub.modelInfer(request)),
                    "router-hop-mtls", () -> BenchRequests.toCompletable(mtlsStub.modelInfer(request)));
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        String summary = PairedRounds.summary(results, "-plain", "-mtls", "mTLS and signed rows on the router -> node hop against plain text");
        Map<String, Object> settings = config.closedLoopSettings("cluster-trust");
        settings.put("rounds", config.rounds());
        settings.put("command", settings.get("command") + " --rounds=" + config.rounds());
        Path dir = ResultWriter.write(root, "cluster-trust", settings, results, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }
}
