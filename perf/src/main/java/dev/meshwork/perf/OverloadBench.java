package dev.meshwork.perf;

import com.google.protobuf.ByteString;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.testing.MeshProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * {@code ./meshwork bench overload}: what the node's overload limit ({@code node.overload}) does
 * under a closed loop beyond capacity. Two standalone mesh processes serve the same CPU-bound
 * model (an MLP 256-1024-1024-10 in ONNX, one intra-op thread), one with the limit, one without,
 * each pinned to core 0 while this JVM's users run on the other cores (see {@link #pinning}); capacity is the fewest users that reach 90% of the best throughput without the
 * limit. Then, alternating which mesh goes first, phases at 1x, 2x and 5x capacity and 1x again:
 * answered requests per second and their p50/p99, refusals per second and how fast they come
 * back, and the mesh process's resident memory after the phase. A refused user waits what the answer's
 * retry pushback says, as a well-behaved client does. Users are asynchronous (a few client threads
 * for all of them), so the load generator takes as little as it can of the cores it shares.
 */
final class OverloadBench {
    static final int[] WIDTHS = {256, 1024, 1024, 10};
    private final BenchConfig config;
    private Map<String, MeshProcess> meshes = Map.of();

    OverloadBench(BenchConfig config) {
        this.config = config;
    }

    /** One phase of one mesh. */
    record Phase(String mesh, String load, int users, double answeredPerSecond, double refusedPerSecond, long otherErrors,
                 double answeredP50ms, double answeredP99ms, double refusedP50ms, long rssMiB, double serverMeanMs, int limit) {
    }

    /** The router's own view of a phase: its mean time per answered request, and its adaptive limit at the end. */
    private record ServerView(double sumSeconds, double count, int limit) {
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private static ServerView server(MeshProcess mesh) throws Exception {
        String text = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(mesh.http() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        double count = 0;
        int limit = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("meshwork_request_seconds_sum{") && line.contains("model=\"mlp\"") && line.contains("outcome=\"ok\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+")[0]);
            } else if (line.startsWith("meshwork_request_seconds_count{") && line.contains("model=\"mlp\"") && line.contains("outcome=\"ok\"")) {
                count += Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+")[0]);
            } else if (line.startsWith("meshwork_overload_limit")) {
                limit = (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return new ServerView(sum, count, limit);
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path model = OnnxMlpWriter.write(root.resolve("perf/target/overload/mlp-256-1024-1024-10.onnx"), WIDTHS, 7);
        Path work = Files.createTempDirectory("meshwork-overload-bench-");
        List<String> common = List.of("--registry.jdbcUrl=", "--examples=", "--requestThreads=" + config.requestThreads(),
                "--node.storage.roots=" + model.getParent());
        ModelInferRequest request = request();
        List<Phase> phases = new ArrayList<>();
        StringBuilder capacityLine = new StringBuilder();
        List<String> pin = pinning(capacityLine);
        try (MeshProcess limited = MeshProcess.start(work.resolve("on"), pin, Map.of(), with(common, "--node.overload.enabled=true"));
             MeshProcess unlimited = MeshProcess.start(work.resolve("off"), pin, Map.of(), with(common, "--node.overload.enabled=false"))) {
            List<ManagedChannel> channels = new ArrayList<>();
            Map<String, GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub> stubs = new java.util.LinkedHashMap<>();
            Map<String, MeshProcess> meshes = new java.util.HashMap<>();
            for (MeshProcess s : List.of(limited, unlimited)) {
                var put = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.http() + "/v1/mesh/models/mlp"))
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \""
                                + model.toUri() + "\"}")).header("Content-Type", "application/json").build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (put.statusCode() / 100 != 2) {
                    throw new IllegalStateException("registering the model: " + put.statusCode() + " " + put.body());
                }
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().build();
                channels.add(ch);
                var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch);
                stub.withDeadlineAfter(120, TimeUnit.SECONDS).modelInfer(request); // load it
                stubs.put(s == limited ? "limit on" : "limit off", stub);
                meshes.put(s == limited ? "limit on" : "limit off", s);
            }
            this.meshes = meshes;
            int capacity = capacity(stubs.get("limit off"), request, capacityLine);
            // each mesh is a process of its own with its own JIT: the one not measured for capacity warms up too
            System.err.printf(Locale.ROOT, "limit on, warm-up (%d users)...%n", capacity);
            phase("limit on", "warm-up", capacity, stubs.get("limit on"), request);
            String[][] loads = {{"1x", "1"}, {"2x", "2"}, {"5x", "5"}, {"1x after", "1"}};
            int turn = 0;
            for (String[] load : loads) {
                int users = capacity * Integer.parseInt(load[1]);
                List<String> order = new ArrayList<>(stubs.keySet());
                if (turn++ % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String mesh : order) {
                    System.err.printf(Locale.ROOT, "%s, %s (%d users)...%n", mesh, load[0], users);
                    phases.add(phase(mesh, load[0], users, stubs.get(mesh), request));
                }
            }
            for (ManagedChannel ch : channels) {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        String summary = summary(phases, capacityLine.toString());
        Map<String, Object> settings = new java.util.LinkedHashMap<>();
        settings.put("model", "MLP " + java.util.Arrays.toString(WIDTHS) + " in ONNX Runtime, one intra-op thread, gRPC");
        settings.put("warmupSeconds", config.warmupSeconds());
        settings.put("seconds", config.seconds());
        settings.put("command", "./meshwork bench overload --seconds=" + config.seconds() + " --warmupSeconds=" + config.warmupSeconds());
        Path dir = ResultWriter.write(root, "overload", settings, phases, summary);
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    /** The fewest users (1, 2, 4 ... 32) whose throughput without the limit is within 90% of the best of them. */
    private int capacity(GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub, ModelInferRequest request, StringBuilder line)
            throws Exception {
        int[] users = {1, 2, 4, 8, 16, 32};
        double[] rate = new double[users.length];
        double best = 0;
        for (int i = 0; i < users.length; i++) {
            System.err.printf(Locale.ROOT, "capacity: %d users...%n", users[i]);
            rate[i] = phase("limit off", "capacity", users[i], stub, request).answeredPerSecond();
            best = Math.max(best, rate[i]);
        }
        line.append("capacity (limit off): ");
        int chosen = users[users.length - 1];
        for (int i = 0; i < users.length; i++) {
            line.append(String.format(Locale.ROOT, "%d users %.0f req/s; ", users[i], rate[i]));
        }
        for (int i = 0; i < users.length; i++) {
            if (rate[i] >= 0.9 * best) {
                chosen = users[i];
                break;
            }
        }
        line.append("1x = ").append(chosen).append(" users\n");
        return chosen;
    }

    private Phase phase(String mesh, String load, int users, GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub,
                        ModelInferRequest request) throws Exception {
        ServerView before = server(meshes.get(mesh));
        Recorder answered = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        Recorder refused = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + (long) (config.warmupSeconds() * 1e9);
        long end = measureFrom + (long) (config.seconds() * 1e9);
        // async users: a handful of client threads, not one per user, so the load generator takes little of the cores it shares
        var async = GRPCInferenceServiceGrpc.newFutureStub(stub.getChannel());
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(users);
        for (int u = 0; u < users; u++) {
            new AsyncUser(async, request, measureFrom, end, answered, refused, errors, done).next();
        }
        if (!done.await((long) (config.warmupSeconds() + config.seconds()) + 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("users still running long after the phase's end");
        }
        ServerView after = server(meshes.get(mesh));
        double serverMeanMs = after.count() > before.count() ? (after.sumSeconds() - before.sumSeconds()) / (after.count() - before.count()) * 1e3 : 0;
        var a = answered.getIntervalHistogram();
        var r = refused.getIntervalHistogram();
        double s = config.seconds();
        return new Phase(mesh, load, users, a.getTotalCount() / s, r.getTotalCount() / s, errors.get(),
                a.getTotalCount() == 0 ? 0 : a.getValueAtPercentile(50) / 1e6, a.getTotalCount() == 0 ? 0 : a.getValueAtPercentile(99) / 1e6,
                r.getTotalCount() == 0 ? 0 : r.getValueAtPercentile(50) / 1e6, rssMiB(meshes.get(mesh).pid()), serverMeanMs, after.limit());
    }

    private static final java.util.concurrent.ScheduledExecutorService LATER = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("overload-backoff").unstarted(r));

    /** One closed-loop user: its next request goes when its answer came, or after the pushback of a refusal. */
    private record AsyncUser(GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub, ModelInferRequest request, long measureFrom,
                             long end, Recorder answered, Recorder refused, AtomicLong errors, java.util.concurrent.CountDownLatch done) {
        void next() {
            long t0 = System.nanoTime();
            if (t0 >= end) {
                done.countDown();
                return;
            }
            BenchRequests.toCompletable(stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(request)).whenComplete((r, t) -> {
                long took = System.nanoTime() - t0;
                long pushback = 0;
                if (t == null) {
                    if (t0 >= measureFrom) {
                        answered.recordValue(took);
                    }
                } else {
                    Throwable cause = t;
                    while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                            && cause.getCause() != null) {
                        cause = cause.getCause();
                    }
                    StatusRuntimeException e = cause instanceof StatusRuntimeException s ? s : null;
                    boolean refusal = e != null && e.getStatus().getCode() == Status.Code.UNAVAILABLE;
                    if (t0 >= measureFrom) {
                        if (refusal) {
                            refused.recordValue(took);
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                    String ms = e == null || e.getTrailers() == null ? null : e.getTrailers().get(GrpcErrors.RETRY_PUSHBACK);
                    pushback = ms == null ? 0 : Math.min(1_000, Long.parseLong(ms.trim()));
                }
                if (pushback > 0) {
                    LATER.schedule(this::next, pushback, TimeUnit.MILLISECONDS);
                } else {
                    next();
                }
            });
        }
    }

    private static String summary(List<Phase> phases, String capacity) {
        StringBuilder out = new StringBuilder("# overload\n\n").append(capacity).append('\n');
        out.append(String.format(Locale.ROOT, "%-10s %-9s %6s %12s %11s %7s %11s %11s %12s %15s %6s %8s%n", "mesh", "load", "users",
                "answered/s", "refused/s", "errors", "p50 ms", "p99 ms", "refusal ms", "router mean ms", "limit", "RSS MiB"));
        for (Phase p : phases) {
            out.append(String.format(Locale.ROOT, "%-10s %-9s %6d %12.0f %11.0f %7d %11.2f %11.2f %12.2f %15.2f %6d %8d%n", p.mesh(), p.load(),
                    p.users(), p.answeredPerSecond(), p.refusedPerSecond(), p.otherErrors(), p.answeredP50ms(), p.answeredP99ms(), p.refusedP50ms(),
                    p.serverMeanMs(), p.limit(), p.rssMiB()));
        }
        for (String mesh : List.of("limit on", "limit off")) {
            Phase one = find(phases, mesh, "1x");
            Phase five = find(phases, mesh, "5x");
            Phase after = find(phases, mesh, "1x after");
            if (one != null && five != null && after != null) {
                out.append(String.format(Locale.ROOT, "%s: answered p99 at 5x / at 1x = %.2f; answered p50 at 5x / at 1x = %.2f;"
                                + " throughput at 5x / at 1x = %.2f; p99 at 1x after the overload / before = %.2f%n", mesh,
                        five.answeredP99ms() / one.answeredP99ms(), five.answeredP50ms() / one.answeredP50ms(),
                        five.answeredPerSecond() / one.answeredPerSecond(), after.answeredP99ms() / one.answeredP99ms()));
            }
        }
        return out.toString();
    }

    private static Phase find(List<Phase> phases, String mesh, String load) {
        return phases.stream().filter(p -> p.mesh().equals(mesh) && p.load().equals(load)).findFirst().orElse(null);
    }

    private static long rssMiB(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElse(0L);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** One row of 256 features, as raw little-endian FP32. */
    private static ModelInferRequest request() {
        ByteBuffer b = ByteBuffer.allocate(WIDTHS[0] * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < WIDTHS[0]; i++) {
            b.putFloat((i % 17) / 17f);
        }
        return ModelInferRequest.newBuilder().setModelName("mlp")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32").addShape(1).addShape(WIDTHS[0]))
                .addRawInputContents(ByteString.copyFrom(b.array())).build();
    }

    private static String[] with(List<String> common, String overload) {
        List<String> flags = new ArrayList<>(common);
        flags.add(overload);
        return flags.toArray(String[]::new);
    }

    /**
     * Keeps the load generator off the mesh's core: the meshes run under {@code taskset -c 0} and this
     * JVM moves to the other cores, so what queues is the mesh's, not the cores the two share. Without
     * taskset or a second core everything shares the cores, as the run says.
     */
    private static List<String> pinning(StringBuilder line) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        boolean taskset = new ProcessBuilder("sh", "-c", "command -v taskset").start().waitFor() == 0;
        if (cores < 2 || !taskset) {
            line.append("the meshes and the load generator share every core (no taskset or one core)\n");
            return List.of();
        }
        String others = cores == 2 ? "1" : "1-" + (cores - 1);
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", others, Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).start();
        if (p.waitFor() != 0) {
            line.append("the meshes and the load generator share every core (taskset refused)\n");
            return List.of();
        }
        line.append("the mesh under test runs on core 0 alone (taskset -c 0), the load generator on core(s) ").append(others).append('\n');
        return List.of("taskset", "-c", "0");
    }
}
