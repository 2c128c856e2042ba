package dev.meshwork.perf.workload;

import dev.meshwork.perf.BenchRequests;
import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.sim.BeladyOptimal;
import dev.meshwork.perf.sim.CacheSimulator;
import dev.meshwork.perf.sim.HitRatioBound;
import dev.meshwork.perf.sim.Trace;
import dev.meshwork.perf.sim.TraceGenerator;
import dev.meshwork.placement.eviction.FrequencyEvictionPolicy;
import dev.meshwork.placement.eviction.GdsfEvictionPolicy;
import dev.meshwork.placement.eviction.LruEvictionPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code ./meshwork bench SCENARIO}: runs a scenario file of {@code perf/scenarios/} against a mesh
 * it starts (standalone, or {@code --mesh.nodes=N}) or one at given addresses, then replays the
 * requests it issued offline (Belady, the byte-time bound, one LRU, GDSF and LFU cache of the mesh's total
 * memory) and writes results.json, summary.md and the charts.
 */
public final class WorkloadBench {
    private final Scenario scenario;

    public WorkloadBench(Scenario scenario) {
        this.scenario = scenario.validate();
    }

    public String run() throws Exception {
        Path root = Path.of(scenario.root()).toAbsolutePath().normalize();
        Scenario.Models m = scenario.models();
        Path artifacts = m.dir().isEmpty() ? root.resolve("perf/target/workload").resolve(scenario.name()) : Path.of(m.dir()).toAbsolutePath();
        ModelSet models = ModelSet.write(m, root.resolve("examples/onnx").resolve(m.example()).resolve("model.onnx"), artifacts, scenario.seed());
        long largest = Arrays.stream(models.memoryBytes()).max().orElse(0);
        long slotBytes = Math.max(largest, (long) Math.ceil(models.totalMemoryBytes() * scenario.capacityShare() / Math.max(1, scenario.mesh().nodes())));
        System.err.printf("%s: %d models, %.1f MiB in all; starting the mesh...%n", scenario.name(), models.count(), models.totalMemoryBytes() / 1048576.0);
        LaunchedMesh launched = scenario.mesh().external() ? null
                : LaunchedMesh.start(root.resolve("perf/target/workload-runs").resolve(scenario.name() + "-" + System.currentTimeMillis()),
                scenario.mesh(), slotBytes, artifacts);
        try {
            String rest = launched == null ? scenario.mesh().rest() : launched.rest();
            String grpc = launched == null ? scenario.mesh().grpc() : launched.grpc();
            register(rest, models);
            return drive(root, rest, grpc, launched == null ? List.of() : launched.nodes(), models);
        } finally {
            if (launched != null) {
                launched.close();
            }
        }
    }

    private String drive(Path root, String rest, String grpc, List<String> nodes, ModelSet models) throws Exception {
        double total = scenario.warmupSeconds() + scenario.seconds();
        int length = (int) Math.min(50_000_000, scenario.loop().open() ? expectedArrivals(total) * 1.3 + 1000 : 50_000 * total);
        Scenario.Popularity p = scenario.popularity();
        int[] order = new TraceGenerator(models.count(), p.zipf(), length, 1, 0, p.shiftEvery(), p.shiftBy(), scenario.seed())
                .generate().requests();
        boolean[] grpcFlags = new boolean[length];
        SplittableRandom random = new SplittableRandom(scenario.seed() + 1);
        for (int i = 0; i < length; i++) {
            grpcFlags[i] = random.nextDouble() < scenario.grpcShare();
        }
        Timeline timeline;
        List<MeshProbe.Sample> samples;
        LoadDriver driver;
        String probeError;
        System.err.printf("%s: %s loop for %.0f s (%.0f s warm-up)...%n", scenario.name(), scenario.loop().kind(), total, scenario.warmupSeconds());
        try (MeshClient client = new MeshClient(rest, grpc, models.ids(), BenchRequests.input(scenario.models().example()))) {
            driver = new LoadDriver(scenario, order, grpcFlags, client);
            long start = System.nanoTime();
            MeshProbe probe = new MeshProbe(rest, nodes, start);
            MeshProbe.Sample first = probe.sample();
            probe.start();
            try {
                timeline = driver.run(start);
            } finally {
                probe.close();
            }
            samples = new java.util.ArrayList<>(List.of(first));
            samples.addAll(probe.samples());
            samples.add(probe.sample());
            probeError = probe.lastError();
        }
        int issued = driver.issued();
        MeshProbe.Sample last = samples.getLast();
        long capacity = last.totalCapacity();
        Trace replay = new Trace(Arrays.copyOf(order, issued), models.memoryBytes());
        WorkloadReport report = new WorkloadReport(scenario, models, timeline, samples, issued, capacity,
                BeladyOptimal.run(replay, capacity), HitRatioBound.upper(replay, capacity),
                CacheSimulator.run(replay, capacity, new LruEvictionPolicy()), CacheSimulator.run(replay, capacity, new GdsfEvictionPolicy()),
                CacheSimulator.run(replay, capacity, new FrequencyEvictionPolicy()), probeError);
        Path dir = ResultWriter.write(root, scenario.name(), settings(), report.results(), report.summary());
        report.charts(dir);
        return report.summary() + "\nresults: " + root.relativize(dir) + "\n";
    }

    private double expectedArrivals(double seconds) {
        double n = 0;
        for (double t = 0; t < seconds; t += 0.1) {
            n += scenario.arrivals().rateAt(t) * 0.1;
        }
        return n;
    }

    private static void register(String rest, ModelSet models) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < models.count(); i++) {
            String body = "{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"" + models.files()[i].toUri() + "\"}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(rest + "/v1/mesh/models/" + models.ids()[i]))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 && r.statusCode() != 201) {
                throw new IllegalStateException("registering " + models.ids()[i] + " answered " + r.statusCode() + ": " + r.body());
            }
        }
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("scenario", scenario);
        s.put("command", "./meshwork bench " + scenario.name());
        return s;
    }
}
