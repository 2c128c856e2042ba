package dev.meshwork.testing.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watches the mesh through whichever router answers, every {@link #PERIOD_MS}: that every
 * registration and vmodel there was at the start is still listed, that no slot reports more bytes
 * in use than its capacity, which nodes the table lists, how many routers a router counts in the
 * cluster, and how many LOADED copies each model has
 * (the traffic classifies its requests by that). A list that could not be read is not a finding;
 * a list that was read and lacks an entry is. Runs on its own thread; readers on any thread.
 */
public final class MeshWatch implements AutoCloseable {
    static final long PERIOD_MS = 250;

    /** The node ids a router listed at one moment (milliseconds since the run's start). */
    public record NodesSeen(long atMs, Set<String> nodes) {
    }

    private final Supplier<List<MeshProcess>> routers;
    private final Set<String> models;
    private final Set<String> vmodels;
    private final long startNanos;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Map<String, Integer> copies = new ConcurrentHashMap<>();
    private final Findings lost = new Findings();
    private final Findings overBudget = new Findings();
    private final List<NodesSeen> nodesSeen = Collections.synchronizedList(new ArrayList<>());
    /** When (ms since the start) a router counted how many routers the cluster has: {at, count}. */
    private final List<long[]> routersSeen = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running = true;
    private volatile long polls;
    private Thread thread;

    public MeshWatch(Supplier<List<MeshProcess>> routers, Set<String> models, Set<String> vmodels, long startNanos) {
        this.routers = routers;
        this.models = Set.copyOf(models);
        this.vmodels = Set.copyOf(vmodels);
        this.startNanos = startNanos;
    }

    public void start() {
        thread = Thread.ofPlatform().daemon().name("chaos-watch").start(() -> {
            while (running) {
                poll();
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private JsonNode read(String path) {
        for (MeshProcess r : routers.get()) {
            try {
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(r.http() + path)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200) {
                    return Fixtures.JSON.readTree(resp.body());
                }
            } catch (Exception e) {
                // this router is down or slow: ask the next
            }
        }
        return null;
    }

    void poll() {
        polls++;
        long at = nowMs();
        JsonNode listed = read("/v1/mesh/models");
        if (listed != null) {
            Set<String> names = new TreeSet<>();
            for (JsonNode m : listed.get("models")) {
                String name = m.get("name").asText();
                names.add(name);
                int loaded = 0;
                for (JsonNode c : m.path("copies")) {
                    loaded += c.path("state").asText().equals("LOADED") ? 1 : 0;
                }
                copies.put(name, loaded);
            }
            missing(at, "model", models, names);
        }
        JsonNode v = read("/v1/mesh/vmodels");
        if (v != null) {
            Set<String> names = new TreeSet<>();
            v.get("vmodels").forEach(x -> names.add(x.get("name").asText()));
            missing(at, "vmodel", vmodels, names);
        }
        JsonNode nodes = read("/v1/mesh/nodes");
        if (nodes != null) {
            Set<String> ids = new TreeSet<>();
            for (JsonNode n : nodes.get("nodes")) {
                ids.add(n.get("node").asText());
                for (JsonNode s : n.get("slots")) {
                    if (s.get("usedBytes").asLong() > s.get("capacityBytes").asLong()) {
                        overBudget.add("at " + at + " ms: node " + n.get("node").asText() + " slot " + s.get("name").asText() + " uses "
                                + s.get("usedBytes").asLong() + " of " + s.get("capacityBytes").asLong() + " bytes");
                    }
                }
            }
            nodesSeen.add(new NodesSeen(at, ids));
        }
        JsonNode namespaces = read("/v1/mesh/namespaces");
        if (namespaces != null && namespaces.has("routers")) {
            routersSeen.add(new long[] {at, namespaces.get("routers").asLong()});
        }
    }

    /** The first time at or after {@code fromMs} when a router counted fewer than {@code routers} routers; -1 if never. */
    public long firstFewerRouters(int routers, long fromMs) {
        synchronized (routersSeen) {
            for (long[] s : routersSeen) {
                if (s[0] >= fromMs && s[1] < routers) {
                    return s[0];
                }
            }
        }
        return -1;
    }

    private void missing(long at, String kind, Set<String> expected, Set<String> listed) {
        for (String name : expected) {
            if (!listed.contains(name)) {
                lost.add("at " + at + " ms: " + kind + " '" + name + "' is not listed");
            }
        }
    }

    /** LOADED copies of the model as last seen (0 before the first look). */
    public int copies(String model) {
        return copies.getOrDefault(model, 0);
    }

    /** The first time at or after {@code fromMs} when the table did ({@code listed}) or did not list the node; -1 if never. */
    public long firstSeen(String node, boolean listed, long fromMs) {
        synchronized (nodesSeen) {
            for (NodesSeen s : nodesSeen) {
                if (s.atMs() >= fromMs && s.nodes().contains(node) == listed) {
                    return s.atMs();
                }
            }
        }
        return -1;
    }

    /** The node ids listed in the latest successful look, empty before one. */
    public Set<String> nodes() {
        synchronized (nodesSeen) {
            return nodesSeen.isEmpty() ? Set.of() : nodesSeen.get(nodesSeen.size() - 1).nodes();
        }
    }

    /** Registrations and vmodels found missing from a list that was read. */
    public Findings lost() {
        return lost;
    }

    /** Slots found using more bytes than their capacity. */
    public Findings overBudget() {
        return overBudget;
    }

    /** Violations of one invariant: how many, and the first few as samples. Thread-safe. */
    public static final class Findings {
        private final List<String> samples = new ArrayList<>();
        private long count;

        synchronized void add(String finding) {
            count++;
            if (samples.size() < 20) {
                samples.add(finding);
            }
        }

        public synchronized long count() {
            return count;
        }

        public synchronized List<String> samples() {
            return List.copyOf(samples);
        }
    }

    public long polls() {
        return polls;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
