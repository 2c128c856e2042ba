package dev.meshwork.perf.cluster;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.BenchRequests;
import dev.meshwork.perf.ClosedLoop;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.sim.Trace;
import dev.meshwork.perf.sim.TraceGenerator;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cache behaviour of a live cluster: Zipf(1.0) traffic over 200 models with room for 40 across two
 * nodes (20 per node), gRPC through a router, closed loop. Reports hit ratio (requests that found a
 * LOADED copy; a request that arrives while its model loads waits, and counts as a miss), loads
 * per second (loads the router placed) and latency; the hit ratio is to be read against the cache-sim
 * scenario's LRU and optimal figures for a cache of 20% of the models.
 */
public final class ZipfBench {
    static final int MODELS = 200;
    static final int NODES = 2;
    static final int ROOM_PER_NODE = 20;

    private final BenchConfig config;

    public ZipfBench(BenchConfig config) {
        this.config = config;
    }

    public String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        String example = config.model();
        Path file = root.resolve("examples/onnx").resolve(example).resolve("model.onnx");
        // a slot predicts an example at 2 x file size + 1 MiB; room for exactly ROOM_PER_NODE of them
        long predicted = 2 * java.nio.file.Files.size(file) + (1L << 20);
        long slot = ROOM_PER_NODE * predicted + predicted / 2;
        Trace trace = new TraceGenerator(MODELS, 1.0, 2_000_000, 1, 0, 0, 0, 42).generate();
        ModelInferRequest[] requests = new ModelInferRequest[MODELS];
        for (int m = 0; m < MODELS; m++) {
            requests[m] = BenchRequests.grpcRequest(String.format("z-%03d", m), BenchRequests.input(example));
        }
        ClosedLoop loop = new ClosedLoop(config.warmupSeconds(), config.seconds());
        List<ClosedLoop.Result> results = new java.util.ArrayList<>();
        Map<String, Object> cacheFigures = new LinkedHashMap<>();
        try (LocalCluster cluster = new LocalCluster(NODES, List.of(root.resolve("examples").toString()), slot)) {
            for (int m = 0; m < MODELS; m++) {
                cluster.router.service().register(new ModelSpec(String.format("z-%03d", m), new ModelFormat("onnx", ""),
                        file.toUri().toString(), "", 0));
            }
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.router.grpcPort()).usePlaintext().build();
            var stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
            AtomicInteger next = new AtomicInteger();
            int[] order = trace.requests();
            for (String c : config.concurrency()) {
                int users = Integer.parseInt(c.trim());
                MeterRegistry metrics = cluster.router.metrics();
                double hits0 = count(metrics, "hit");
                double misses0 = count(metrics, "miss");
                double loads0 = loads(metrics);
                long evictions0 = evictions(cluster);
                long t0 = System.nanoTime();
                System.err.printf(Locale.ROOT, "%d users: Zipf(1.0) over %d models, room for %d...%n", users, MODELS, NODES * ROOM_PER_NODE);
                ClosedLoop.Result r = loop.runAsync("zipf", users,
                        () -> BenchRequests.toCompletable(stub.modelInfer(requests[order[Math.floorMod(next.getAndIncrement(), order.length)]])));
                double seconds = (System.nanoTime() - t0) / 1e9;
                double hits = count(metrics, "hit") - hits0;
                double misses = count(metrics, "miss") - misses0;
                double loads = loads(metrics) - loads0;
                results.add(r);
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("hitRatio", hits / (hits + misses));
                figures.put("loadsPerSecond", loads / seconds);
                figures.put("evictionsPerSecond", (evictions(cluster) - evictions0) / seconds);
                figures.put("p50us", r.p50us());
                figures.put("p99us", r.p99us());
                figures.put("throughput", r.throughput());
                cacheFigures.put(users + " users", figures);
            }
            channel.shutdownNow();
        }
        StringBuilder b = new StringBuilder("| users | req/s | found loaded | caused no load | loads/s | evictions/s | p50 µs | p99 µs | errors |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        int i = 0;
        for (Map.Entry<String, Object> e : cacheFigures.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            ClosedLoop.Result r = results.get(i++);
            b.append(String.format(Locale.ROOT, "| %d | %.0f | %.3f | %.3f | %.0f | %.0f | %.1f | %.1f | %d |%n", r.concurrency(), r.throughput(),
                    (Double) f.get("hitRatio"), 1 - (Double) f.get("loadsPerSecond") / r.throughput(), (Double) f.get("loadsPerSecond"), (Double) f.get("evictionsPerSecond"), r.p50us(), r.p99us(),
                    r.errors()));
        }
        b.append("\n'found loaded': requests that found a LOADED copy; a request that arrives while its model loads waits and is not"
                + " counted. 'caused no load': 1 - loads per request, the figure a cache simulation reports.");
        b.append("\nFor comparison, the cache-sim scenario's single LRU cache of 20% of 200 equal models under Zipf(1.0): LRU 0.616, optimal 0.794.\n");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("models", MODELS);
        settings.put("nodes", NODES);
        settings.put("roomPerNode", ROOM_PER_NODE);
        settings.put("slotBytes", slot);
        settings.put("example", example);
        settings.put("zipf", 1.0);
        settings.put("command", "./meshwork bench zipf --seconds=" + config.seconds() + " --warmupSeconds=" + config.warmupSeconds()
                + " --concurrency=" + String.join(",", config.concurrency()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("closedLoop", results);
        out.put("cache", cacheFigures);
        Path dir = ResultWriter.write(root, "zipf", settings, out, b.toString());
        return b + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static double count(MeterRegistry registry, String result) {
        var c = Search.in(registry).name("meshwork.forward.requests").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    private static double loads(MeterRegistry registry) {
        var t = Search.in(registry).name("meshwork.forward.loads").tag("outcome", "ok").timer();
        return t == null ? 0 : t.count();
    }

    private static long evictions(LocalCluster cluster) {
        return cluster.nodes.stream().flatMap(n -> n.agent().slotRecords().stream()).mapToLong(s -> s.evictions()).sum();
    }
}
