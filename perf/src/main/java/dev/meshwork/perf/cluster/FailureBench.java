package dev.meshwork.perf.cluster;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.BenchRequests;
import dev.meshwork.perf.Median;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node failure: a model that lives only on one node process, requests for it flowing through a
 * router, and that process killed with SIGKILL. Per round: when the router's table lost the copy
 * (failure detection), when the copy was LOADED on the surviving node, and when the first request
 * after the kill was answered; requests that failed are counted. The router and the surviving node
 * run in this JVM; the victim is a separate process, started afresh each round.
 */
public final class FailureBench {
    private final BenchConfig config;

    public FailureBench(BenchConfig config) {
        this.config = config;
    }

    /** One round, in milliseconds after the kill. */
    record Round(int round, double detectedMs, double reloadedMs, double firstAnswerMs, int failedRequests, int requestsAfterKill) {
    }

    public String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path file = root.resolve("examples/onnx").resolve(config.model()).resolve("model.onnx");
        List<Round> rounds = new ArrayList<>();
        Path logs = Files.createTempDirectory("meshwork-failure-bench");
        try (LocalCluster cluster = new LocalCluster(1, List.of(root.resolve("examples").toString()), 1L << 30)) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.router.grpcPort()).usePlaintext().build();
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            for (int r = 0; r < config.rounds(); r++) {
                String victimId = "victim-" + r;
                Process victim = startVictim(cluster, victimId, root, logs.resolve(victimId + ".log"));
                try {
                    cluster.awaitNodes(2);
                    String model = "lonely-" + r;
                    cluster.router.service().register(new ModelSpec(model, new ModelFormat("onnx", ""), file.toUri().toString(), "", 0));
                    cluster.router.service().load(model);
                    List<String> copies = cluster.router.service().status(model).copies().stream().map(c -> c.node()).toList();
                    if (!copies.equals(List.of(victimId))) {
                        throw new IllegalStateException(model + " should live only on " + victimId + ", it is on " + copies);
                    }
                    rounds.add(killAndWatch(r, cluster, stub, BenchRequests.grpcRequest(model, BenchRequests.input(config.model())),
                            model, victimId, victim));
                    System.err.println(rounds.get(rounds.size() - 1));
                } finally {
                    victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                cluster.awaitNodes(1);
            }
            channel.shutdownNow();
        }
        String summary = summary(rounds);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("model", config.model());
        settings.put("rounds", config.rounds());
        settings.put("failureDetection", "cluster.heartbeatSeconds=1, cluster.failureSeconds=5 (defaults)");
        settings.put("command", "./meshwork bench failure --rounds=" + config.rounds() + " --model=" + config.model());
        Path dir = ResultWriter.write(root, "failure", settings, rounds, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static Process startVictim(LocalCluster cluster, String nodeId, Path root, Path log) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "--add-opens",
                "java.base/java.lang=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.meshwork.node.cluster.NodeMain",
                "--node.nodeId=" + nodeId, "--grpc.port=0", "--http.port=0", "--node.storage.roots=" + root.resolve("examples"),
                "--cluster.name=" + cluster.cluster.name(), "--cluster.port=" + dev.meshwork.testing.MeshProcess.freePort(),
                "--cluster.members=127.0.0.1:" + cluster.cluster.port() + "-" + (cluster.cluster.port() + 3)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("is up: gRPC")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("the victim node did not start:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return p;
    }

    private static Round killAndWatch(int round, LocalCluster cluster, GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub,
                                      ModelInferRequest request, String model, String victimId, Process victim) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAnswer = new AtomicLong(-1);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger after = new AtomicInteger();
        Thread client = Thread.ofPlatform().name("failure-client").start(() -> {
            int sent = 0;
            while (running.get() && sent++ < 1_000_000) {
                long sentAt = System.nanoTime();
                boolean ok;
                try {
                    ok = stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request).getOutputsCount() > 0;
                } catch (RuntimeException e) {
                    ok = false;
                }
                if (sentAt >= killedAt.get() || System.nanoTime() >= killedAt.get()) {
                    after.incrementAndGet();
                    if (!ok) {
                        failed.incrementAndGet();
                    } else if (firstAnswer.get() < 0) {
                        firstAnswer.set(System.nanoTime());
                    }
                }
            }
        });
        Thread.sleep(500); // steady traffic before the kill
        long t0 = System.nanoTime();
        killedAt.set(t0);
        victim.destroyForcibly(); // SIGKILL
        long detected = -1;
        long reloaded = -1;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while ((detected < 0 || reloaded < 0 || firstAnswer.get() < 0) && System.nanoTime() < deadline) {
            var copies = cluster.router.service().status(model).copies();
            long now = System.nanoTime();
            if (detected < 0 && copies.stream().noneMatch(c -> c.node().equals(victimId))) {
                detected = now;
            }
            if (reloaded < 0 && copies.stream().anyMatch(c -> !c.node().equals(victimId) && c.state().equals("LOADED"))) {
                reloaded = now;
            }
            Thread.sleep(1);
        }
        Thread.sleep(200);
        running.set(false);
        client.join(60_000);
        return new Round(round, ms(detected - t0), ms(reloaded - t0), ms(firstAnswer.get() - t0), failed.get(), after.get());
    }

    private static double ms(long nanos) {
        return nanos < 0 ? -1 : nanos / 1e6;
    }

    static String summary(List<Round> rounds) {
        StringBuilder b = new StringBuilder("| round | table lost the copy ms | LOADED elsewhere ms | first answer ms | failed requests | requests after kill |\n"
                + "|---:|---:|---:|---:|---:|---:|\n");
        for (Round r : rounds) {
            b.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %d | %d |%n", r.round(), r.detectedMs(), r.reloadedMs(),
                    r.firstAnswerMs(), r.failedRequests(), r.requestsAfterKill()));
        }
        b.append(String.format(Locale.ROOT, "%nmedians: table lost the copy %.1f ms, LOADED elsewhere %.1f ms, first answer %.1f ms after the kill%n",
                Median.of(rounds.stream().mapToDouble(Round::detectedMs).toArray()), Median.of(rounds.stream().mapToDouble(Round::reloadedMs).toArray()),
                Median.of(rounds.stream().mapToDouble(Round::firstAnswerMs).toArray())));
        return b.toString();
    }

}
