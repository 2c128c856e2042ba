package dev.meshwork.perf;

import dev.meshwork.perf.chart.LineChart;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ServerReadyRequest;
import dev.meshwork.testing.MeshProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./meshwork bench startup}: how fast each process kind of the release is ready, and how fast
 * a standalone mesh reaches its steady throughput, with the release's ahead-of-time cache and
 * without it ({@code MESHWORK_AOT=off}), side by side. It unpacks the release archive the build made
 * ({@code dist/target/meshwork-VERSION.tar.gz}) and starts its {@code bin/meshwork} as a user does.
 * Ready: from exec to the first 200 of the process's readiness probe (a standalone mesh's and a
 * router's {@code /v2/health/ready}, a node's {@code /health/ready}: it sees a router; a
 * runtime-server's gRPC ServerReady), polled every 10 ms; a node starts against a router already
 * up, a router against a node already up. Warm-up: from exec, 8 closed-loop gRPC users on the
 * example MLP for {@code --seconds}, answers counted per second; steady is the median of the last
 * third, and the time to 90% is the first second whose 3-second mean reaches 90% of it; a first,
 * discarded run warms this JVM's own client code. Rounds alternate which variant goes first. Main thread, plus the users' threads during a warm-up.
 */
final class StartupBench {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
    private static final String MODEL = "mlp-classifier";
    private static final int USERS = 8;
    private final BenchConfig config;

    StartupBench(BenchConfig config) {
        this.config = config;
    }

    /** One readiness measurement. */
    record Ready(String kind, String variant, int round, double readyMs) {
    }

    /** One warm-up run: answers per second from exec, and what they come to. */
    record WarmUp(String variant, double readyMs, double[] perSecond, double steady, double secondsTo90) {
    }

    String run() throws Exception {
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path archive;
        try (var found = Files.list(root.resolve("dist/target"))) {
            archive = found.filter(p -> p.getFileName().toString().matches("meshwork-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no release archive in dist/target: build it with ./mvnw -q package -DskipTests"));
        }
        Path work = Files.createTempDirectory("meshwork-startup-bench-");
        Path home = unpack(archive, work);
        boolean cache = Files.isRegularFile(home.resolve("lib/meshwork.aot"));
        List<String> variants = List.of("aot", "no-aot");
        List<Ready> ready = new ArrayList<>();
        int rounds = Math.max(1, config.rounds());
        for (int round = 0; round < rounds; round++) {
            List<String> order = round % 2 == 0 ? variants : variants.reversed();
            for (String variant : order) {
                ready.add(new Ready("standalone", variant, round, standalone(home, work, variant)));
                ready.add(new Ready("runtime-server", variant, round, runtimeServer(home, work, variant)));
            }
        }
        clusterReadiness(home, work, variants, rounds, ready);
        List<WarmUp> warmUps = new ArrayList<>();
        warmUp(home, work, "no-aot"); // discarded: the load generator's own JIT warms up here, not in a measured run
        for (int round = 0; round < Math.min(rounds, 2); round++) {
            for (String variant : round % 2 == 0 ? variants : variants.reversed()) {
                warmUps.add(warmUp(home, work, variant));
            }
        }

        StringBuilder s = new StringBuilder("# startup\n\n");
        s.append(String.format(Locale.ROOT, "release %s, ahead-of-time cache %s; %d rounds; medians in ms%n%n", archive.getFileName(),
                cache ? "lib/meshwork.aot (" + Files.size(home.resolve("lib/meshwork.aot")) / (1 << 20) + " MiB)" : "missing", rounds));
        s.append(String.format(Locale.ROOT, "%-16s %12s %12s %8s%n", "ready (exec to)", "aot", "no-aot", "ratio"));
        for (String kind : List.of("standalone", "router", "node", "runtime-server")) {
            double a = median(ready, kind, "aot");
            double b = median(ready, kind, "no-aot");
            s.append(String.format(Locale.ROOT, "%-16s %12.0f %12.0f %8.2f%n", kind, a, b, a / b));
        }
        s.append(String.format(Locale.ROOT, "%nwarm-up of a standalone mesh, %d gRPC users on %s:%n", USERS, MODEL));
        for (WarmUp w : warmUps) {
            s.append(String.format(Locale.ROOT, "%-7s ready %.0f ms, steady %.0f answers/s, 90%% of it %.0f s after exec; first 10 s: %s%n",
                    w.variant(), w.readyMs(), w.steady(), w.secondsTo90(), Arrays.toString(Arrays.stream(w.perSecond()).limit(10)
                            .mapToLong(Math::round).toArray())));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("archive", archive.getFileName().toString());
        settings.put("aotCache", cache);
        settings.put("rounds", rounds);
        settings.put("warmUpSeconds", config.seconds());
        settings.put("command", "./meshwork bench startup --rounds=" + rounds + " --seconds=" + config.seconds());
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("ready", ready);
        results.put("warmUp", warmUps);
        Path dir = ResultWriter.write(root, "startup", settings, results, s.toString());
        LineChart chart = new LineChart("Standalone mesh from exec: answers per second (" + USERS + " gRPC users, " + MODEL + ")",
                "seconds since exec", "answers per second");
        for (int i = 0; i < warmUps.size(); i++) {
            WarmUp w = warmUps.get(i);
            double[] x = new double[w.perSecond().length];
            Arrays.setAll(x, t -> t + 1);
            chart.add(w.variant() + " #" + (i / 2 + 1), x, w.perSecond());
        }
        chart.write(dir.resolve("warm-up.png"));
        return s + "\nresults: " + root.relativize(dir) + "\n";
    }

    private static Path unpack(Path archive, Path work) throws IOException, InterruptedException {
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", work.toString()).inheritIO().start();
        if (!tar.waitFor(300, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IllegalStateException("cannot unpack " + archive);
        }
        String name = archive.getFileName().toString();
        return work.resolve(name.substring(0, name.length() - ".tar.gz".length()));
    }

    private static Process launch(Path home, Path work, String variant, String log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/meshwork").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(log + ".log").toFile());
        b.environment().put("MESHWORK_AOT", variant.equals("aot") ? "on" : "off");
        b.environment().put("MESHWORK_JVM_OPTS", "-Xmx1g");
        return b.start();
    }

    private double standalone(Path home, Path work, String variant) throws Exception {
        int http = MeshProcess.freePort();
        long started = System.nanoTime();
        Process p = launch(home, work, variant, "standalone-" + variant, "up", "--http.port=" + http, "--grpc.port=" + MeshProcess.freePort(),
                "--registry.jdbcUrl=", "--node.storage.cacheDir=" + work.resolve("cache"), "--node.isolation.stateDir=" + work.resolve("state-" + variant));
        try {
            return awaitHttp(p, http, "/v2/health/ready", started);
        } finally {
            stop(p);
        }
    }

    private double runtimeServer(Path home, Path work, String variant) throws Exception {
        int port = MeshProcess.freePort();
        long started = System.nanoTime();
        Process p = launch(home, work, variant, "runtime-server-" + variant, "runtime-server", "--port=" + port,
                "--node.storage.cacheDir=" + work.resolve("rs-cache"), "--node.isolation.stateDir=" + work.resolve("rs-state-" + variant));
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch);
            long deadline = started + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    if (stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS).serverReady(ServerReadyRequest.getDefaultInstance()).getReady()) {
                        return (System.nanoTime() - started) / 1e6;
                    }
                } catch (io.grpc.StatusRuntimeException e) {
                    Thread.sleep(10); // not listening yet
                }
            }
            throw new IllegalStateException("the runtime-server never answered ServerReady; see " + work.resolve("runtime-server-" + variant + ".log"));
        } finally {
            ch.shutdownNow();
            stop(p);
        }
    }

    /** A node started against a router already up, then a router against a node already up; each timed to its readiness. */
    private void clusterReadiness(Path home, Path work, List<String> variants, int rounds, List<Ready> out) throws Exception {
        Cluster cluster = new Cluster(home, work, "--cluster.name=startup-" + ProcessHandle.current().pid(), MeshProcess.freePort(),
                MeshProcess.freePort());
        for (int round = 0; round < rounds; round++) {
            List<String> order = round % 2 == 0 ? variants : variants.reversed();
            timeAgainst(cluster, "router", "node", order, round, out);
            timeAgainst(cluster, "node", "router", order, round, out);
        }
    }

    /** Where the two members of the readiness cluster listen (cluster ports fixed, so each can find the other). */
    private record Cluster(Path home, Path work, String name, int routerPort, int nodePort) {
        String members() {
            return "--cluster.members=127.0.0.1:" + routerPort + ",127.0.0.1:" + nodePort;
        }

        /** Starts a router or a node of {@code variant}, its HTTP on {@code http}. */
        Process start(String kind, String variant, String log, int http) throws IOException {
            return kind.equals("router")
                    ? launch(home, work, variant, log, "router", name, members(), "--cluster.port=" + routerPort, "--http.port=" + http,
                    "--grpc.port=" + MeshProcess.freePort(), "--registry.jdbcUrl=")
                    : launch(home, work, variant, log, "node", name, members(), "--cluster.port=" + nodePort, "--http.port=" + http,
                    "--grpc.port=" + MeshProcess.freePort(), "--node.nodeId=node-0", "--node.storage.cacheDir=" + work.resolve("node-cache"),
                    "--node.isolation.stateDir=" + work.resolve("node-state"));
        }

        static String readyPath(String kind) {
            return kind.equals("router") ? "/v2/health/ready" : "/health/ready";
        }
    }

    /** With a {@code fixed} member up (the cache's variant), times each variant of {@code timed} from exec to ready. */
    private static void timeAgainst(Cluster cluster, String fixed, String timed, List<String> order, int round, List<Ready> out)
            throws Exception {
        int fixedHttp = MeshProcess.freePort();
        Process up = cluster.start(fixed, "aot", fixed + "-fixed", fixedHttp);
        try {
            awaitHttp(up, fixedHttp, fixed.equals("router") ? "/v2/health/live" : "/health/live", System.nanoTime());
            for (String variant : order) {
                int http = MeshProcess.freePort();
                long started = System.nanoTime();
                Process p = cluster.start(timed, variant, timed + "-" + variant, http);
                try {
                    out.add(new Ready(timed, variant, round, awaitHttp(p, http, Cluster.readyPath(timed), started)));
                } finally {
                    stop(p);
                }
            }
        } finally {
            stop(up);
        }
    }

    private WarmUp warmUp(Path home, Path work, String variant) throws Exception {
        int http = MeshProcess.freePort();
        int grpc = MeshProcess.freePort();
        long started = System.nanoTime();
        Process p = launch(home, work, variant, "warm-up-" + variant, "up", "--http.port=" + http, "--grpc.port=" + grpc,
                "--registry.jdbcUrl=", "--node.storage.cacheDir=" + work.resolve("cache"), "--node.isolation.stateDir=" + work.resolve("warm-" + variant));
        int seconds = (int) Math.max(15, config.seconds());
        double[] perSecond = new double[seconds];
        ModelInferRequest request = BenchRequests.grpcRequest(MODEL, BenchRequests.input(MODEL));
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext().build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong answers = new AtomicLong();
        List<Thread> users = new ArrayList<>();
        try {
            double readyMs = awaitHttp(p, http, "/v2/health/ready", started);
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch);
            for (int u = 0; u < USERS; u++) {
                users.add(Thread.ofPlatform().daemon().name("startup-user-" + u).start(() -> {
                    while (!stop.get()) {
                        try {
                            stub.withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request);
                            answers.incrementAndGet();
                        } catch (io.grpc.StatusRuntimeException e) {
                            sleepQuietly(); // the model is still loading: its first answers come when it has
                        }
                    }
                }));
            }
            long last = 0;
            for (int i = 0; i < seconds; i++) {
                long wake = started + TimeUnit.SECONDS.toNanos(i + 1);
                long wait = wake - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                long now = answers.get();
                perSecond[i] = now - last;
                last = now;
            }
            stop.set(true);
            for (Thread t : users) {
                t.join(15_000);
            }
            double[] tail = Arrays.copyOfRange(perSecond, seconds - seconds / 3, seconds);
            Arrays.sort(tail);
            double steady = tail[tail.length / 2];
            double to90 = Double.NaN;
            for (int i = 2; i < seconds; i++) {
                if ((perSecond[i] + perSecond[i - 1] + perSecond[i - 2]) / 3 >= 0.9 * steady) {
                    to90 = i + 1;
                    break;
                }
            }
            return new WarmUp(variant, readyMs, perSecond, steady, to90);
        } finally {
            stop.set(true);
            ch.shutdownNow();
            stop(p);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code path} every 10 ms until it answers 200; the time since {@code started}, in ms. */
    private static double awaitHttp(Process p, int port, String path, long started) throws Exception {
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofMillis(500)).build();
        long deadline = started + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return (System.nanoTime() - started) / 1e6;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("port " + port + " never answered 200 on " + path + " (process " + (p.isAlive() ? "running" : "exited " + p.exitValue()) + ")");
    }

    private static void stop(Process p) throws InterruptedException {
        p.toHandle().descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static double median(List<Ready> all, String kind, String variant) {
        double[] v = all.stream().filter(r -> r.kind().equals(kind) && r.variant().equals(variant)).mapToDouble(Ready::readyMs).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }
}
