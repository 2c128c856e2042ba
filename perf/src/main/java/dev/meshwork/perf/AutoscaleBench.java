package dev.meshwork.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.perf.chart.LineChart;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./meshwork bench autoscale}: the local autoscaler live. A cluster router with its own pool
 * of node processes ({@code autoscale.local}, from 0 to 3 nodes of one 2.5 MB ONNX slot each) and six
 * models of about 1 MiB as nodes count them, driven through a day in miniature: idle (no node),
 * one request (scale from zero), a light load on one model, a burst across all six (more memory than
 * one node has), a trickle on one model (the pool shrinks), idle again (back to no node), and one more
 * request. Open-loop REST requests; the router's node count and {@code meshwork_desired_nodes} are
 * sampled every 250 ms. Separate processes; the load generator is this JVM.
 */
final class AutoscaleBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode CASE = Fixtures.cases("mlp-classifier").get(0);
    private static final int MODELS = 6;
    private final BenchConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();

    AutoscaleBench(BenchConfig config) {
        this.config = config;
    }

    /** One request's end: when it was sent (ms since the run's start), how long it took, and whether it was answered right. */
    private record Answer(double sentAtMs, double ms, boolean ok, String error) {
    }

    /** One sample of the pool: ms since the start, nodes in the mesh, the count the router asks for. */
    private record Sample(double atMs, int nodes, int desired) {
    }

    /** A phase of the run and when it started and ended (ms since the start). */
    private record Phase(String name, double fromMs, double toMs) {
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("meshwork-bench-autoscale-");
        Path models = Files.createDirectories(dir.resolve("models"));
        for (int m = 0; m < MODELS; m++) {
            Files.createDirectories(models.resolve("m" + m));
            Files.copy(root.resolve("examples/onnx/mlp-classifier/model.onnx"), models.resolve("m" + m).resolve("model.onnx"));
        }
        Path nodeConfig = Files.writeString(dir.resolve("node.yaml"), "node:\n  storage:\n    roots: [\"" + models + "\"]\n    cacheDir: \""
                + dir.resolve("artifacts") + "\"\n  slots:\n    - {runtime: onnx, adapter: onnx, memoryBytes: 2500000}\n");
        int clusterPort = MeshProcess.freePort();
        List<String> flags = List.of("--cluster.name=autoscale-" + UUID.randomUUID().toString().substring(0, 8), "--cluster.port=" + clusterPort,
                "--cluster.members=127.0.0.1:" + clusterPort, "--registry.jdbcUrl=", "--node.storage.roots=" + models,
                "--autoscale.local.enabled=true", "--autoscale.local.nodeConfig=" + nodeConfig, "--autoscale.local.logDir=" + dir.resolve("pool"),
                "--autoscale.minNodes=0", "--autoscale.maxNodes=3", "--autoscale.intervalMs=500", "--autoscale.windowMs=5000",
                "--autoscale.idleMs=10000", "--autoscale.upCooldownMs=2000", "--autoscale.downStabilizationMs=10000", "--forward.nodeWaitMs=60000");
        List<Answer> answers = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        List<Phase> phases = new ArrayList<>();
        Map<String, Object> figures = new LinkedHashMap<>();
        long start;
        MeshProcess router = MeshProcess.router(dir.resolve("router"), flags);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int m = 0; m < MODELS; m++) {
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/models/m" + m))
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file://"
                                + models.resolve("m" + m).resolve("model.onnx") + "\"}")));
                if (r.statusCode() / 100 != 2) {
                    throw new IllegalStateException("registering m" + m + ": " + r.statusCode() + " " + r.body());
                }
            }
            start = System.nanoTime();
            long t0 = start;
            sampler.scheduleAtFixedRate(() -> samples.add(sample(router, t0)), 0, 250, TimeUnit.MILLISECONDS);
            phase(phases, "idle", start, () -> Thread.sleep(3_000));
            phase(phases, "from zero", start, () -> figures.put("firstAnswerFromZeroMs", one(router, "m0", start, answers)));
            phase(phases, "light", start, () -> drive(router, List.of("m0"), 10, 15, start, answers));
            phase(phases, "burst", start, () -> drive(router, modelNames(), 60, 40, start, answers));
            phase(phases, "trickle", start, () -> drive(router, List.of("m0"), 10, 40, start, answers));
            phase(phases, "idle again", start, () -> awaitNodes(router, 0, 90));
            phase(phases, "from zero again", start, () -> figures.put("firstAnswerFromZeroAgainMs", one(router, "m1", start, answers)));
            Thread.sleep(1_000);
        } finally {
            sampler.shutdownNow();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
            router.close(); // the pool's nodes drain and stop with it
        }
        String summary = summary(answers, samples, phases, figures);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("router", flags);
        settings.put("command", "./meshwork bench autoscale");
        Map<String, Object> results = new LinkedHashMap<>(figures);
        results.put("phases", phases);
        results.put("samples", samples);
        Path out = ResultWriter.write(root, "autoscale", settings, results, summary);
        charts(out, answers, samples, phases);
        return summary + "\nresults: " + root.relativize(out) + "\n";
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void phase(List<Phase> phases, String name, long start, Step step) throws Exception {
        System.err.println("autoscale: " + name + "...");
        double from = ms(start);
        step.run();
        phases.add(new Phase(name, from, ms(start)));
    }

    private static List<String> modelNames() {
        List<String> out = new ArrayList<>();
        for (int m = 0; m < MODELS; m++) {
            out.add("m" + m);
        }
        return out;
    }

    /** One request, alone; its latency in ms. */
    private double one(MeshProcess router, String model, long start, List<Answer> answers) throws Exception {
        double sent = ms(start);
        long t = System.nanoTime();
        HttpResponse<String> r = http.send(inferRequest(router, model).build(), HttpResponse.BodyHandlers.ofString());
        double took = (System.nanoTime() - t) / 1e6;
        boolean ok = r.statusCode() == 200;
        synchronized (answers) {
            answers.add(new Answer(sent, took, ok, ok ? "" : r.statusCode() + " " + r.body()));
        }
        if (!ok) {
            throw new IllegalStateException("the request from no node failed: " + r.statusCode() + " " + r.body());
        }
        return took;
    }

    /** Requests at {@code perSecond}, open loop, round-robin over {@code models}, for {@code seconds}; waits for the last answers. */
    private void drive(MeshProcess router, List<String> models, double perSecond, double seconds, long start, List<Answer> answers)
            throws Exception {
        ConcurrentLinkedQueue<java.util.concurrent.CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();
        AtomicLong n = new AtomicLong();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        ScheduledFuture<?> ticks = clock.scheduleAtFixedRate(() -> {
            String model = models.get((int) (n.getAndIncrement() % models.size()));
            double sent = ms(start);
            long t = System.nanoTime();
            inFlight.add(http.sendAsync(inferRequest(router, model).build(), HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
                double took = (System.nanoTime() - t) / 1e6;
                boolean ok = e == null && r.statusCode() == 200;
                synchronized (answers) {
                    answers.add(new Answer(sent, took, ok, ok ? "" : e != null ? e.toString() : r.statusCode() + " " + r.body()));
                }
                return null;
            }));
        }, 0, Math.round(1e6 / perSecond), TimeUnit.MICROSECONDS);
        Thread.sleep(Math.round(seconds * 1000));
        ticks.cancel(false);
        clock.shutdown();
        for (java.util.concurrent.CompletableFuture<?> f : inFlight) {
            f.get(120, TimeUnit.SECONDS);
        }
    }

    private Sample sample(MeshProcess router, long start) {
        int nodes = -1;
        int desired = -1;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/nodes")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            nodes = JSON.readTree(r.body()).path("nodes").size();
            HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(router.http() + "/metrics")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            for (String line : m.body().split("\n")) {
                if (line.startsWith("meshwork_desired_nodes ")) {
                    desired = (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
                }
            }
        } catch (Exception e) {
            // a missed sample is a gap in the chart
        }
        return new Sample(ms(start), nodes, desired);
    }

    private void awaitNodes(MeshProcess router, int count, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(router.http() + "/v1/mesh/nodes")).GET());
            if (JSON.readTree(r.body()).path("nodes").size() == count) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the pool did not reach " + count + " nodes within " + seconds + " s");
    }

    private static HttpRequest.Builder inferRequest(MeshProcess router, String model) {
        return HttpRequest.newBuilder(URI.create(router.http() + "/v2/models/" + model + "/infer")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(Fixtures.v2Body(CASE)));
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.header("Content-Type", "application/json").timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    /** When the pool first reached {@code nodes} at or after {@code fromMs} (-1 if never), from the samples. */
    private static double firstAt(List<Sample> samples, double fromMs, java.util.function.IntPredicate nodes) {
        return samples.stream().filter(s -> s.atMs() >= fromMs && nodes.test(s.nodes())).mapToDouble(Sample::atMs).findFirst().orElse(-1);
    }

    private String summary(List<Answer> answers, List<Sample> samples, List<Phase> phases, Map<String, Object> figures) {
        StringBuilder b = new StringBuilder("# autoscale\n\n");
        b.append("A cluster router running its own pool of node processes (0 to 3 nodes, one 2.5 MB ONNX slot each) and six models of about"
                + " 1 MiB each as a node counts them: one node holds two. Open-loop REST requests; decisions every 500 ms, working-set window 5 s,"
                + " up cool-down 2 s, down stabilisation 10 s, idle after 10 s.\n\n");
        b.append("| phase | from s | to s | requests | failed | p50 ms | p99 ms | nodes at the end |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            List<Answer> in = answers.stream().filter(a -> a.sentAtMs() >= p.fromMs() && a.sentAtMs() < p.toMs()).toList();
            double[] ms = in.stream().mapToDouble(Answer::ms).sorted().toArray();
            int nodesAtEnd = samples.stream().filter(s -> s.atMs() <= p.toMs()).reduce((x, y) -> y).map(Sample::nodes).orElse(-1);
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %,d | %d | %s | %s | %d |%n", p.name(), p.fromMs() / 1000, p.toMs() / 1000, in.size(),
                    in.stream().filter(a -> !a.ok()).count(), ms.length == 0 ? "-" : String.format(Locale.ROOT, "%.1f", ms[ms.length / 2]),
                    ms.length == 0 ? "-" : String.format(Locale.ROOT, "%.1f", ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.99) - 1)]),
                    nodesAtEnd));
        }
        Phase burst = phases.stream().filter(p -> p.name().equals("burst")).findFirst().orElseThrow();
        Phase trickle = phases.stream().filter(p -> p.name().equals("trickle")).findFirst().orElseThrow();
        Phase idle = phases.stream().filter(p -> p.name().equals("idle again")).findFirst().orElseThrow();
        double two = firstAt(samples, burst.fromMs(), n -> n >= 2);
        double three = firstAt(samples, burst.fromMs(), n -> n >= 3);
        double shrunk = firstAt(samples, trickle.fromMs(), n -> n == 1);
        double zero = firstAt(samples, idle.fromMs() - 1, n -> n == 0);
        figures.put("burstToTwoNodesMs", two < 0 ? -1 : two - burst.fromMs());
        figures.put("burstToThreeNodesMs", three < 0 ? -1 : three - burst.fromMs());
        figures.put("trickleToOneNodeMs", shrunk < 0 ? -1 : shrunk - trickle.fromMs());
        figures.put("lastRequestToNoNodeMs", zero < 0 ? -1 : zero - trickle.toMs());
        figures.put("failedRequests", answers.stream().filter(a -> !a.ok()).count());
        b.append(String.format(Locale.ROOT, "%n| measure | value |%n|---|---:|%n| first answer from no node (node start + join + load + inference) | %.0f ms |%n"
                        + "| the same, the second time | %.0f ms |%n| burst start to 2 nodes / 3 nodes | %s / %s |%n| trickle start to 1 node | %s |%n"
                        + "| last request to no node | %s |%n| failed requests, all phases | %d of %,d |%n",
                (double) figures.get("firstAnswerFromZeroMs"), (double) figures.get("firstAnswerFromZeroAgainMs"), seconds(figures.get("burstToTwoNodesMs")),
                seconds(figures.get("burstToThreeNodesMs")), seconds(figures.get("trickleToOneNodeMs")), seconds(figures.get("lastRequestToNoNodeMs")),
                (long) figures.get("failedRequests"), answers.size()));
        answers.stream().filter(a -> !a.ok()).limit(5).forEach(a -> b.append("\nfailed at ").append(String.format(Locale.ROOT, "%.1f s: ", a.sentAtMs() / 1000))
                .append(a.error()));
        b.append("\nCommand: `./meshwork bench autoscale`\n");
        return b.toString();
    }

    private static String seconds(Object ms) {
        double v = ((Number) ms).doubleValue();
        return v < 0 ? "never" : String.format(Locale.ROOT, "%.1f s", v / 1000);
    }

    private static void charts(Path out, List<Answer> answers, List<Sample> samples, List<Phase> phases) throws Exception {
        LineChart nodes = new LineChart("The local pool over the run", "seconds", "nodes");
        nodes.add("nodes in the mesh", samples.stream().mapToDouble(s -> s.atMs() / 1000).toArray(), samples.stream().mapToDouble(Sample::nodes).toArray());
        nodes.reference("meshwork_desired_nodes", samples.stream().mapToDouble(s -> s.atMs() / 1000).toArray(),
                samples.stream().mapToDouble(Sample::desired).toArray());
        LineChart latency = new LineChart("Request latency per second (p50, p99)", "seconds", "ms").logY();
        int seconds = (int) Math.ceil(answers.stream().mapToDouble(Answer::sentAtMs).max().orElse(0) / 1000) + 1;
        List<Double> xs = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            int at = s;
            double[] ms = answers.stream().filter(a -> (int) (a.sentAtMs() / 1000) == at).mapToDouble(Answer::ms).sorted().toArray();
            if (ms.length > 0) {
                xs.add(s + 0.5);
                p50.add(ms[ms.length / 2]);
                p99.add(ms[Math.min(ms.length - 1, (int) Math.ceil(ms.length * 0.99) - 1)]);
            }
        }
        double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
        latency.add("p50", x, p50.stream().mapToDouble(Double::doubleValue).toArray());
        latency.add("p99", x, p99.stream().mapToDouble(Double::doubleValue).toArray());
        for (Phase p : phases) {
            if (p.name().equals("burst")) {
                nodes.shade(p.fromMs() / 1000, p.toMs() / 1000, "burst");
                latency.shade(p.fromMs() / 1000, p.toMs() / 1000, "burst");
            }
        }
        nodes.write(out.resolve("nodes.png"));
        latency.write(out.resolve("latency.png"));
    }
}
