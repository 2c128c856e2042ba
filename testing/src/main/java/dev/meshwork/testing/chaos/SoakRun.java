package dev.meshwork.testing.chaos;

import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A soak: a cluster serving checked open-loop traffic over more models than its slots hold, so that
 * models load and are evicted every second, for a long time; every few seconds each process's
 * resident memory, heap, threads and open file descriptors (from {@code /proc} and its own
 * {@code /metrics}) and the shared maps' sizes are sampled, so that what grows shows as a slope.
 * Driven by the caller's thread; the traffic and the watch have threads of their own.
 */
public final class SoakRun {
    /**
     * What a soak does.
     *
     * @param slotBytes each node's slot: about five of the example models fit
     */
    public record Plan(int routers, int nodes, int models, double ratePerSecond, long seconds, long sampleMs, long slotBytes, long seed) {
        /** The soak: 30 minutes. */
        public static Plan of(long seconds) {
            return new Plan(2, 2, 30, 40, seconds, 5_000, 5_400_000, 11);
        }
    }

    private static final Pattern METRIC = Pattern.compile("^([a-z_]+)(\\{[^}]*})? ([-0-9.E+]+|NaN)$", Pattern.MULTILINE);

    private final Plan plan;
    private final Path dir;
    private final java.util.function.Consumer<String> log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public SoakRun(Plan plan, Path dir, java.util.function.Consumer<String> log) {
        this.plan = plan;
        this.dir = dir;
        this.log = log;
    }

    public SoakResult run() throws Exception {
        try (MeshCluster cluster = MeshCluster.start(dir, plan.routers(), plan.nodes(), List.of("--node.slotMemoryBytes=" + plan.slotBytes()),
                List.of("--scaling.enabled=false"))) {
            Set<String> models = new LinkedHashSet<>();
            for (int i = 0; i < plan.models(); i++) {
                cluster.registerOnnx(cluster.router(0), "soak-" + i, "add-vectors");
                models.add("soak-" + i);
            }
            List<MeshProcess> routers = new ArrayList<>();
            List<MeshProcess> processes = new ArrayList<>();
            Map<MeshProcess, String> names = new LinkedHashMap<>();
            for (int i = 0; i < plan.routers(); i++) {
                routers.add(cluster.router(i));
                names.put(cluster.router(i), "router-" + i);
            }
            for (int i = 0; i < plan.nodes(); i++) {
                names.put(cluster.node(i), "node-" + i);
            }
            processes.addAll(names.keySet());
            long start = System.nanoTime();
            List<SoakResult.Sample> samples = new ArrayList<>();
            List<ChaosTraffic.Outcome> outcomes;
            try (MeshWatch watch = new MeshWatch(() -> routers, models, Set.of(), start)) {
                watch.start();
                ChaosTraffic traffic = new ChaosTraffic(() -> routers, List.copyOf(models), watch::copies, plan.ratePerSecond(), plan.seed(), start);
                try {
                    traffic.start();
                    long end = start + TimeUnit.SECONDS.toNanos(plan.seconds());
                    long next = System.nanoTime();
                    while (System.nanoTime() < end) {
                        long t = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                        for (MeshProcess p : processes) {
                            samples.add(sample(t, names.get(p), p, routers.contains(p)));
                        }
                        next += TimeUnit.MILLISECONDS.toNanos(plan.sampleMs());
                        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
                        if (samples.size() % (processes.size() * 12) == 0) {
                            log.accept("soak: " + t / 1000 + " s");
                        }
                    }
                    outcomes = traffic.stop();
                    return SoakResult.of(plan, samples, outcomes, watch.lost().count(), watch.overBudget().count(), traffic.dropped());
                } finally {
                    traffic.close();
                }
            }
        }
    }

    private SoakResult.Sample sample(long atMs, String name, MeshProcess p, boolean router) throws IOException {
        Map<String, Double> m = metrics(p.http() + "/metrics");
        long rss = -1;
        long threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            } else if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
            fds = s.count();
        }
        Map<String, Long> maps = new LinkedHashMap<>();
        if (router) {
            m.forEach((k, v) -> {
                if (k.startsWith("meshwork_cluster_map_entries{")) {
                    maps.put(k.replaceAll(".*map=\"([^\"]+)\".*", "$1"), v.longValue());
                }
            });
        }
        double heap = m.entrySet().stream().filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{") && e.getKey().contains("area=\"heap\""))
                .mapToDouble(Map.Entry::getValue).sum();
        double loads = m.entrySet().stream().filter(e -> e.getKey().startsWith("meshwork_model_load_seconds_count{")).mapToDouble(Map.Entry::getValue).sum();
        double evictions = m.entrySet().stream().filter(e -> e.getKey().startsWith("meshwork_slot_evictions_total{")).mapToDouble(Map.Entry::getValue).sum();
        return new SoakResult.Sample(atMs, name, rss, (long) heap, threads, fds, (long) loads, (long) evictions, maps);
    }

    private Map<String, Double> metrics(String url) {
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher matcher = METRIC.matcher(text);
            while (matcher.find()) {
                out.put(matcher.group(1) + (matcher.group(2) == null ? "" : matcher.group(2)), Double.parseDouble(matcher.group(3)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | NumberFormatException e) {
            // a missed scrape: the sample has what /proc says
        }
        return out;
    }
}
