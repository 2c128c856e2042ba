package dev.meshwork.perf.workload;

import dev.meshwork.perf.BenchRequests;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * {@code ./meshwork bench tenant-limits}: how close a namespace's rate limit holds across routers,
 * where each router enforces {@code limit / routers} on its own. Two routers and a node as real
 * processes; one namespace limited to {@code rate} req/s; a client sends twice that (Poisson) for
 * {@code seconds}, spread over the routers in given proportions (even, 3:1, all to one), and the
 * answers that came back 200 are the admitted rate. Writes results.json and summary.md.
 */
public final class TenantLimitsBench {
    private final double limit;
    private final double seconds;
    private final Path root;

    public TenantLimitsBench(Path root, double limit, double seconds) {
        this.root = root.toAbsolutePath().normalize();
        this.limit = limit;
        this.seconds = seconds;
    }

    /** One split: the share of requests sent to the first router, and what came back. */
    record Split(String name, double firstShare, long sent, long ok, long throttled, long other, double admittedPerSecond,
                 double admittedOverLimit) {
    }

    public String run() throws Exception {
        Path work = root.resolve("perf/target/workload-runs").resolve("tenant-limits-" + System.currentTimeMillis());
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ports.add(MeshProcess.freePort());
        }
        String members = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        List<MeshProcess> processes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                processes.add(MeshProcess.router(work.resolve("router-" + i), List.of("--cluster.name=" + name, "--cluster.port=" + ports.get(i),
                        "--cluster.members=" + members, "--registry.jdbcUrl=")));
            }
            processes.add(MeshProcess.node(work.resolve("node-0"), List.of("--cluster.name=" + name, "--cluster.port=" + ports.get(2),
                    "--cluster.members=" + members, "--node.nodeId=node-0", "--node.storage.roots=" + root.resolve("examples"))));
            String[] routers = {processes.get(0).http(), processes.get(1).http()};
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String uri = root.resolve("examples/onnx/add-vectors/model.onnx").toUri().toString();
            send(http, "PUT", routers[0] + "/v1/mesh/namespaces/limited", "{\"requestsPerSecond\": " + limit + ", \"burst\": "
                    + (int) Math.max(1, limit / 10) + "}", 201);
            send(http, "PUT", routers[0] + "/v1/mesh/models/m?load=true", "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + uri + "\"}",
                    201);
            Thread.sleep(2_500); // both routers have counted each other and read the document (they refresh every second)
            List<Split> splits = new ArrayList<>();
            for (double[] s : new double[][]{{0.5}, {0.75}, {1.0}}) {
                splits.add(drive(http, routers, s[0]));
            }
            String summary = summary(splits);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("limit", limit);
            settings.put("seconds", seconds);
            settings.put("command", "./meshwork bench tenant-limits --rate=" + limit + " --seconds=" + seconds);
            Path dir = ResultWriter.write(root, "tenant-limits", settings, splits, summary);
            return summary + "\nresults: " + root.relativize(dir) + "\n";
        } finally {
            for (MeshProcess p : processes.reversed()) {
                p.kill();
            }
        }
    }

    private Split drive(HttpClient http, String[] routers, double firstShare) throws Exception {
        String body = BenchRequests.input("add-vectors").json();
        HttpRequest[] requests = new HttpRequest[2];
        for (int i = 0; i < 2; i++) {
            requests[i] = HttpRequest.newBuilder(URI.create(routers[i] + "/v2/models/m/infer")).header("Content-Type", "application/json")
                    .header("meshwork-namespace", "limited").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        }
        AtomicLong ok = new AtomicLong();
        AtomicLong throttled = new AtomicLong();
        AtomicLong other = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<String> firstOther = new java.util.concurrent.atomic.AtomicReference<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long at = start;
        long sent = 0;
        while (true) {
            at += (long) (-Math.log(1 - random.nextDouble()) / (2 * limit) * 1e9);
            if (at >= end) {
                break;
            }
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            sent++;
            pending.add(http.sendAsync(requests[random.nextDouble() < firstShare ? 0 : 1], HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> {
                        AtomicLong counter = e != null ? other : r.statusCode() == 200 ? ok : r.statusCode() == 429 ? throttled : other;
                        if (counter == other) {
                            firstOther.compareAndSet(null, e != null ? e.toString() : r.statusCode() + " " + r.body());
                        }
                        counter.incrementAndGet();
                    }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        String label = firstShare == 0.5 ? "even" : firstShare == 1.0 ? "all to one router" : String.format(Locale.ROOT, "%.0f%% to one router",
                100 * firstShare);
        double admitted = ok.get() / seconds;
        Thread.sleep(1_000); // the buckets refill before the next split
        if (firstOther.get() != null) {
            System.err.println("tenant-limits: " + other.get() + " answers neither 200 nor 429, the first: " + firstOther.get());
        }
        return new Split(label, firstShare, sent, ok.get(), throttled.get(), other.get(), admitted, admitted / limit);
    }

    private String summary(List<Split> splits) {
        StringBuilder b = new StringBuilder("# tenant-limits\n\n");
        b.append(String.format(Locale.ROOT, "Two routers, one node; namespace `limited` at %.0f req/s (burst %d, so %.0f req/s per router);"
                + " the client sends %.0f req/s for %.0f s.%n%n", limit, (int) Math.max(1, limit / 10), limit / 2, 2 * limit, seconds));
        b.append("| spread over the routers | sent | 200 | 429 | other | admitted req/s | admitted / limit |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (Split s : splits) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %.1f | %.3f |%n", s.name(), s.sent(), s.ok(), s.throttled(), s.other(),
                    s.admittedPerSecond(), s.admittedOverLimit()));
        }
        return b.toString();
    }

    private static void send(HttpClient http, String method, String url, String body, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("meshwork-namespace", "limited").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected && r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
