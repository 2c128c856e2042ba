package dev.meshwork.perf.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads what the mesh says of itself once a second while a scenario runs, over the same APIs an
 * operator has: the router's {@code GET /metrics} (requests that found a LOADED copy, and loads:
 * the cluster router's forward meters, or the standalone node's cache meters) and
 * {@code GET /v1/mesh/nodes} (memory used, capacity and evictions per node). One probe thread
 * writes the samples; {@link #samples} is read after {@link #close}.
 */
final class MeshProbe implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The load phases the nodes time, as their meter tags them. */
    static final List<String> PHASES = List.of("download", "queued", "room", "runtime");
    private final String rest;
    private final List<String> nodes;
    private final long startNanos;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-probe");
        t.setDaemon(true);
        return t;
    });
    private final List<Sample> samples = new ArrayList<>();
    private volatile String lastError = "";

    /**
     * The mesh at one moment: counters since it started, and each node's slots that serve ONNX.
     *
     * @param seconds   since the run started
     * @param hits      requests that found a LOADED copy
     * @param misses    requests that did not (they waited for a load)
     * @param loads     loads that succeeded
     * @param evictions copies evicted to make room, all nodes
     * @param usedBytes per node
     * @param capacityBytes per node
     * @param loadWaits the router's histogram of requests' waits for loads (cumulative counts by bound in seconds)
     * @param loadPhases seconds spent in each load phase and the number of times, all nodes ({@code [sum, count]}); also
     *                   the queued phase of each node alone, as {@code queued@<node's index>}, which shows whether one
     *                   node's loads queue while another's do not
     */
    record Sample(double seconds, double hits, double misses, double loads, long evictions, Map<String, Long> usedBytes,
                  Map<String, Long> capacityBytes, java.util.TreeMap<Double, Double> loadWaits, Map<String, double[]> loadPhases) {
        long totalCapacity() {
            return capacityBytes.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** {@code nodes}: the nodes' HTTP addresses, whose load phases are read too (none for a mesh the bench did not start). */
    MeshProbe(String rest, List<String> nodes, long startNanos) {
        this.rest = rest;
        this.nodes = nodes;
        this.startNanos = startNanos;
    }

    void start() {
        timer.scheduleAtFixedRate(this::sampleQuietly, 0, 1, TimeUnit.SECONDS);
    }

    /** One sample now, on the caller's thread. */
    Sample sample() throws Exception {
        String metrics = get(rest + "/metrics");
        boolean cluster = PrometheusText.has(metrics, "meshwork_forward_requests_total");
        double hits = cluster ? PrometheusText.sum(metrics, "meshwork_forward_requests_total", "result", "hit")
                : PrometheusText.sum(metrics, "meshwork_cache_requests_total", "result", "hit");
        double misses = cluster ? PrometheusText.sum(metrics, "meshwork_forward_requests_total", "result", "miss")
                : PrometheusText.sum(metrics, "meshwork_cache_requests_total", "result", "miss");
        double loads = cluster ? PrometheusText.sum(metrics, "meshwork_forward_loads_seconds_count", "outcome", "ok")
                : PrometheusText.sum(metrics, "meshwork_model_load_seconds_count", "outcome", "ok");
        Map<String, Long> used = new LinkedHashMap<>();
        Map<String, Long> capacity = new LinkedHashMap<>();
        long evictions = 0;
        for (JsonNode node : JSON.readTree(get(rest + "/v1/mesh/nodes")).path("nodes")) {
            String id = node.path("node").asText();
            for (JsonNode slot : node.path("slots")) {
                if (slot.path("runtime").asText().contains("onnx") || slot.path("name").asText().startsWith("onnx")) {
                    used.merge(id, slot.path("usedBytes").asLong(), Long::sum);
                    capacity.merge(id, slot.path("capacityBytes").asLong(), Long::sum);
                }
                evictions += slot.path("evictions").asLong();
            }
        }
        Map<String, double[]> phases = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String text = get(nodes.get(i) + "/metrics");
            for (String phase : PHASES) {
                double sum = PrometheusText.sum(text, "meshwork_model_load_phase_seconds_sum", "phase", phase);
                double count = PrometheusText.sum(text, "meshwork_model_load_phase_seconds_count", "phase", phase);
                double[] sc = phases.computeIfAbsent(phase, k -> new double[2]);
                sc[0] += sum;
                sc[1] += count;
                if (phase.equals("queued")) {
                    phases.put(phase + "@" + i, new double[] {sum, count});
                }
            }
        }
        return new Sample((System.nanoTime() - startNanos) / 1e9, hits, misses, loads, evictions, used, capacity,
                PrometheusText.buckets(metrics, "meshwork_forward_load_wait_seconds"), phases);
    }

    private void sampleQuietly() {
        try {
            Sample s = sample();
            synchronized (samples) {
                samples.add(s);
            }
        } catch (Exception e) {
            lastError = e.toString();
        }
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The last failure to read the mesh, empty when every sample succeeded. */
    String lastError() {
        return lastError;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(10, TimeUnit.SECONDS);
    }
}
