package dev.meshwork.perf.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.perf.BenchRequests;
import dev.meshwork.perf.ResultWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * {@code ./meshwork bench noisy-neighbour}: a victim tenant alone, then beside an aggressor that
 * cycles through cold models, on real router and node processes, once with fair eviction off (no
 * share: LRU alone) and once on (the victim guaranteed its share), alternating, each on a fresh
 * mesh. The aggressor's rate limit is the same in both, so only the memory policy differs.
 * Requests are open loop: latency counts from each request's scheduled time. The router's
 * per-namespace hit counts are read every window. Writes results.json, summary.md and charts.
 */
public final class NoisyNeighbourBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final NoisyNeighbour scenario;

    public NoisyNeighbourBench(NoisyNeighbour scenario) {
        this.scenario = scenario.validate();
    }

    /** One answer: whose, when it was due (seconds from the start of recording), how long it took, and how it ended. */
    record Sample(boolean victim, double at, double latencyMs, String kind) {
        boolean ok() {
            return kind.equals("ok");
        }

        boolean throttled() {
            return kind.equals("http-429") || kind.equals("RESOURCE_EXHAUSTED");
        }
    }

    /** The router's cumulative hit counts of both tenants at one moment (seconds from the start of recording). */
    record Hits(double at, long victimHits, long victimMisses, long aggressorHits, long aggressorMisses) {
    }

    /** One mode's run. */
    record Run(String mode, int round, List<Sample> samples, List<Hits> hits) {
    }

    public String run() throws Exception {
        Path root = Path.of(scenario.root()).toAbsolutePath().normalize();
        int count = Math.max(scenario.victim().models(), scenario.aggressor().models());
        Path artifacts = root.resolve("perf/target/workload/noisy-neighbour");
        ModelSet models = ModelSet.write(new Scenario.Models(count, "add-vectors", scenario.modelMb(), 0, ""),
                root.resolve("examples/onnx/add-vectors/model.onnx"), artifacts, scenario.seed());
        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < scenario.rounds(); round++) {
            for (String mode : List.of("off", "on")) {
                System.err.printf("noisy-neighbour: round %d, fair eviction %s...%n", round + 1, mode);
                runs.add(once(root, artifacts, models, mode, round));
            }
        }
        NoisyNeighbourReport report = new NoisyNeighbourReport(scenario, runs);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("scenario", scenario);
        settings.put("command", scenario.command());
        Path dir = ResultWriter.write(root, "noisy-neighbour", settings, report.results(), report.summary());
        report.charts(dir);
        return report.summary() + "\nresults: " + root.relativize(dir) + "\n";
    }

    private Run once(Path root, Path artifacts, ModelSet models, String mode, int round) throws Exception {
        long slotBytes = (long) (scenario.slotMb() * (1 << 20));
        Path work = root.resolve("perf/target/workload-runs").resolve("noisy-" + mode + "-" + System.currentTimeMillis());
        try (LaunchedMesh mesh = LaunchedMesh.start(work, new Scenario.Mesh(scenario.nodes(), "", "", List.of(), List.of()), slotBytes,
                artifacts)) {
            HttpClient http = HttpClient.newHttpClient();
            if (scenario.aggressor().requestsPerSecond() > 0) {
                double r = scenario.aggressor().requestsPerSecond();
                put(http, mesh.rest() + "/v1/mesh/namespaces/aggressor", "{\"requestsPerSecond\": " + r + ", \"burst\": " + (int) Math.ceil(r) + "}");
            }
            if (mode.equals("on")) {
                put(http, mesh.rest() + "/v1/mesh/namespaces/victim", "{\"memoryShare\": \"" + scenario.victim().share() + "\"}");
            }
            String[] victimIds = register(http, mesh.rest(), models, "victim", scenario.victim().models());
            String[] aggressorIds = register(http, mesh.rest(), models, "aggressor", scenario.aggressor().models());
            BenchRequests.Input input = BenchRequests.input("add-vectors");
            try (MeshClient victim = new MeshClient(mesh.rest(), mesh.grpc(), victimIds, input, "victim");
                 MeshClient aggressor = new MeshClient(mesh.rest(), mesh.grpc(), aggressorIds, input, "aggressor")) {
                for (int m = 0; m < victimIds.length; m++) {
                    victim.send(m, false).get(60, TimeUnit.SECONDS); // its set loaded before anything is timed
                }
                return drive(mesh.rest(), victim, aggressor, victimIds.length, aggressorIds.length, mode, round);
            }
        }
    }

    private Run drive(String rest, MeshClient victim, MeshClient aggressor, int victimModels, int aggressorModels, String mode, int round)
            throws Exception {
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long recorded = start + (long) (scenario.warmupSeconds() * 1e9);
        long storm = recorded + (long) (scenario.aloneSeconds() * 1e9);
        long end = storm + (long) (scenario.stormSeconds() * 1e9);
        SplittableRandom pick = new SplittableRandom(scenario.seed() + round);
        int[] turn = {0};
        Thread v = Thread.ofPlatform().name("noisy-victim").start(() -> stream(victim, true, scenario.victim().rate(), start, end, recorded,
                () -> pick.nextInt(victimModels), scenario.seed() * 31 + round, samples));
        Thread a = Thread.ofPlatform().name("noisy-aggressor").start(() -> stream(aggressor, false, scenario.aggressor().rate(), storm, end,
                recorded, () -> turn[0]++ % aggressorModels, scenario.seed() * 37 + round, samples));
        List<Hits> hits = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        for (long at = recorded; at <= end + 1; at += (long) (scenario.windowSeconds() * 1e9)) {
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            hits.add(hits(http, rest, (System.nanoTime() - recorded) / 1e9));
        }
        v.join(TimeUnit.SECONDS.toMillis(90));
        a.join(TimeUnit.SECONDS.toMillis(90));
        return new Run(mode, round, List.copyOf(samples), hits);
    }

    /** One tenant's open-loop stream: Poisson arrivals at {@code rate} from {@code from} to {@code to}. */
    private void stream(MeshClient client, boolean victim, double rate, long from, long to, long recorded, IntSupplier model, long seed,
                        ConcurrentLinkedQueue<Sample> samples) {
        SplittableRandom random = new SplittableRandom(seed);
        Semaphore outstanding = new Semaphore(4000);
        long at = from;
        while (true) {
            at += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
            if (at >= to) {
                break;
            }
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            boolean grpc = random.nextDouble() < scenario.grpcShare();
            long due = at;
            if (!outstanding.tryAcquire()) {
                samples.add(new Sample(victim, (due - recorded) / 1e9, Double.NaN, "generator-limit"));
                continue;
            }
            client.send(model.getAsInt(), grpc).whenComplete((r, e) -> {
                outstanding.release();
                if (due >= recorded) {
                    samples.add(new Sample(victim, (due - recorded) / 1e9, e == null ? (System.nanoTime() - due) / 1e6 : Double.NaN,
                            e == null ? "ok" : MeshClient.kind(e)));
                }
            });
        }
        try {
            outstanding.tryAcquire(4000, 70, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Hits hits(HttpClient http, String rest, double at) {
        try {
            JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(rest + "/v1/mesh/namespaces")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            long[] c = new long[4];
            for (JsonNode n : list.path("namespaces")) {
                int i = switch (n.path("namespace").asText()) {
                    case "victim" -> 0;
                    case "aggressor" -> 2;
                    default -> -1;
                };
                if (i >= 0) {
                    c[i] = n.path("hits").asLong();
                    c[i + 1] = n.path("misses").asLong();
                }
            }
            return new Hits(at, c[0], c[1], c[2], c[3]);
        } catch (Exception e) {
            return new Hits(at, -1, -1, -1, -1);
        }
    }

    private static void put(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            throw new IllegalStateException("PUT " + url + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** Registers the first {@code n} artifacts as the namespace's models; returns their names. */
    private static String[] register(HttpClient http, String rest, ModelSet models, String namespace, int n) throws Exception {
        String[] names = new String[n];
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names[i] = models.ids()[i];
            String body = "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + models.files()[i].toUri() + "\"}";
            pending.add(http.sendAsync(HttpRequest.newBuilder(URI.create(rest + "/v1/mesh/models/" + names[i]))
                    .header("Content-Type", "application/json").header("meshwork-namespace", namespace)
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
            if (pending.size() >= 32) {
                check(pending);
            }
        }
        check(pending);
        return names;
    }

    private static void check(List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> pending) throws Exception {
        for (var f : pending) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            if (r.statusCode() != 200 && r.statusCode() != 201) {
                throw new IllegalStateException("registering answered " + r.statusCode() + ": " + r.body());
            }
        }
        pending.clear();
    }
}
