package dev.meshwork.perf.cluster;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.BenchRequests;
import dev.meshwork.perf.ClosedLoop;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.state.cluster.HazelcastPlacementTable;
import dev.meshwork.state.cluster.RouteMemo;
import dev.meshwork.state.cluster.RowSigner;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One forwarding hop, side by side in one run: gRPC inference straight to a node, through a
 * router to the node, and through a bare grpc-java proxy that passes the same bytes to the same
 * node without looking at them (the floor any forwarding hop pays). Router and node run in this
 * JVM as in a cluster (Hazelcast members, loopback gRPC); the model is an example ONNX model.
 */
public final class ForwardBench {
    private final BenchConfig config;

    public ForwardBench(BenchConfig config) {
        this.config = config;
    }

    /** Bytes in, bytes out: the proxy never parses a message. */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static Server bareProxy(ManagedChannel toNode) throws IOException {
        MethodDescriptor<byte[], byte[]> in = MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        MethodDescriptor<byte[], byte[]> out = in.toBuilder().setFullMethodName(NodeServiceGrpc.getInferMethod().getFullMethodName()).build();
        ServerServiceDefinition service = ServerServiceDefinition.builder(GRPCInferenceServiceGrpc.SERVICE_NAME)
                .addMethod(in, ServerCalls.asyncUnaryCall((req, obs) -> ClientCalls.asyncUnaryCall(toNode.newCall(out, CallOptions.DEFAULT), req, obs)))
                .build();
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor().addService(service).build().start();
    }

    public String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        String model = config.model();
        Path file = root.resolve("examples/onnx").resolve(model).resolve("model.onnx");
        List<ClosedLoop.Result> results = new ArrayList<>();
        Map<String, Double> lookups;
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        try (LocalCluster cluster = new LocalCluster(1, List.of(root.resolve("examples").toString()), 1L << 30)) {
            cluster.router.service().register(new ModelSpec(model, new ModelFormat("onnx", ""), file.toUri().toString(), "", 0));
            cluster.router.service().load(model);
            String nodeEndpoint = cluster.nodes.get(0).endpoint();
            ManagedChannel node = NettyChannelBuilder.forTarget(nodeEndpoint).usePlaintext().build();
            ManagedChannel router = NettyChannelBuilder.forAddress("127.0.0.1", cluster.router.grpcPort()).usePlaintext().build();
            Server proxy = bareProxy(NettyChannelBuilder.forTarget(nodeEndpoint).usePlaintext().build());
            ManagedChannel viaProxy = NettyChannelBuilder.forAddress("127.0.0.1", proxy.getPort()).usePlaintext().build();
            ModelInferRequest request = BenchRequests.grpcRequest(model, BenchRequests.input(model));
            var direct = NodeServiceGrpc.newFutureStub(node);
            var routed = GRPCInferenceServiceGrpc.newFutureStub(router);
            var proxied = GRPCInferenceServiceGrpc.newFutureStub(viaProxy);
            check(routed.modelInfer(request).get(30, TimeUnit.SECONDS).getOutputsCount());
            check(proxied.modelInfer(request).get(30, TimeUnit.SECONDS).getOutputsCount());
            // every path once unrecorded first, so no path pays for the JIT warming up the shared code
            ClosedLoop warm = new ClosedLoop(config.warmupSeconds(), 0.5);
            warm.runAsync("warm", 4, () -> BenchRequests.toCompletable(direct.infer(request)));
            warm.runAsync("warm", 4, () -> BenchRequests.toCompletable(proxied.modelInfer(request)));
            warm.runAsync("warm", 4, () -> BenchRequests.toCompletable(routed.modelInfer(request)));
            for (String c : config.concurrency()) {
                int n = Integer.parseInt(c.trim());
                System.err.printf(Locale.ROOT, "concurrency %d: straight to the node...%n", n);
                results.add(loop.runAsync("node-direct", n, () -> BenchRequests.toCompletable(direct.infer(request))));
                System.err.printf(Locale.ROOT, "concurrency %d: through a bare proxy...%n", n);
                results.add(loop.runAsync("bare-proxy", n, () -> BenchRequests.toCompletable(proxied.modelInfer(request))));
                System.err.printf(Locale.ROOT, "concurrency %d: through the router...%n", n);
                results.add(loop.runAsync("router", n, () -> BenchRequests.toCompletable(routed.modelInfer(request))));
            }
            try (RouteMemo memo = new RouteMemo(cluster.router.hazelcast(), RowSigner.NONE)) {
                lookups = lookups(new HazelcastPlacementTable(cluster.router.hazelcast(), RowSigner.NONE, memo), model);
            }
            for (ManagedChannel ch : List.of(node, router, viaProxy)) {
                ch.shutdownNow();
            }
            proxy.shutdownNow();
        }
        String summary = summary(results) + String.format(Locale.ROOT, "%nA placement lookup on the request path (the model's copies):"
                + " %.0f ns from the router's route memo, %.1f µs read on the entry's owner (what a lookup costs without the memo;"
                + " here the owner is the same process, so no network).%n", lookups.get("memoNs"), lookups.get("ownerReadUs"));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("model", model);
        settings.put("warmupSeconds", config.warmupSeconds());
        settings.put("seconds", config.seconds());
        settings.put("concurrency", config.concurrency());
        settings.put("command", "./meshwork bench forward --model=" + model + " --seconds=" + config.seconds() + " --warmupSeconds="
                + config.warmupSeconds() + " --concurrency=" + String.join(",", config.concurrency()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("closedLoop", results);
        out.put("lookups", lookups);
        Path dir = ResultWriter.write(root, "forward", settings, out, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    /** Times the lookup every request makes, from the near cache and from the entry's owner. */
    private static Map<String, Double> lookups(HazelcastPlacementTable table, String model) {
        int sink = 0;
        for (int i = 0; i < 200_000; i++) { // warm-up
            sink += table.copies(model).size();
        }
        int n = 2_000_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += table.copies(model).size();
        }
        double near = (System.nanoTime() - t0) / (double) n;
        for (int i = 0; i < 2_000; i++) {
            sink += table.copiesNow(model).size();
        }
        int m = 20_000;
        t0 = System.nanoTime();
        for (int i = 0; i < m; i++) {
            sink += table.copiesNow(model).size();
        }
        double owner = (System.nanoTime() - t0) / 1e3 / m;
        if (sink == 0) {
            throw new IllegalStateException("the model has no copies to look up");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("memoNs", near);
        out.put("ownerReadUs", owner);
        return out;
    }

    private static void check(int outputs) {
        if (outputs == 0) {
            throw new IllegalStateException("the model answered no outputs");
        }
    }

    static String summary(List<ClosedLoop.Result> results) {
        StringBuilder b = new StringBuilder();
        b.append("| path | users | req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ClosedLoop.Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %d |%n", r.name(), r.concurrency(),
                    r.throughput(), r.p50us(), r.p90us(), r.p99us(), r.p999us(), r.errors()));
        }
        b.append("\nThe hop, against the node alone and against the bare proxy (same users, same run). Throughput cost is the time a\n")
                .append("request's share of the machine grows by: 1/req/s of the path minus 1/req/s of the node alone.\n\n")
                .append("| users | router p50 added µs | proxy p50 added µs | router cost / proxy cost |\n|---:|---:|---:|---:|\n");
        for (ClosedLoop.Result d : results.stream().filter(r -> r.name().equals("node-direct")).toList()) {
            ClosedLoop.Result p = find(results, "bare-proxy", d.concurrency());
            ClosedLoop.Result r = find(results, "router", d.concurrency());
            double routerCost = 1 / r.throughput() - 1 / d.throughput();
            double proxyCost = 1 / p.throughput() - 1 / d.throughput();
            b.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.2fx |%n", d.concurrency(), r.p50us() - d.p50us(),
                    p.p50us() - d.p50us(), routerCost / proxyCost));
        }
        return b.toString();
    }

    private static ClosedLoop.Result find(List<ClosedLoop.Result> results, String name, int users) {
        return results.stream().filter(r -> r.name().equals(name) && r.concurrency() == users).findFirst().orElseThrow();
    }
}
