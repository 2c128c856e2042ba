package dev.meshwork.testing.chaos;

import dev.meshwork.testing.MeshCluster;
import dev.meshwork.testing.MeshProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * A chaos run: a cluster of real router and node processes, open-loop traffic whose every answer is
 * checked, a watch on the invariants, and faults injected one after another at random (kill -9,
 * SIGSTOP, restarts of nodes and routers; every kind once per round of kinds, in a random order,
 * on a random process), each timed from injection to detection, to every model
 * servable, to the cluster whole again. The faults follow each other after the previous one
 * recovered plus a quiet gap, so each one's figures are its own. Driven by one thread (the
 * caller's); the traffic and the watch run on threads of their own.
 */
public final class ChaosRun {
    private static final String INFER = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";
    /** After a fault is whole again, errors of requests sent this much later still count as the fault's. */
    private static final long TAIL_MS = 5_000;

    private final ChaosPlan plan;
    private final Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final java.util.function.Consumer<String> log;
    private MeshCluster cluster;
    private volatile List<MeshProcess> routers = List.of();
    private long startNanos;

    public ChaosRun(ChaosPlan plan, Path dir, java.util.function.Consumer<String> log) {
        this.plan = plan;
        this.dir = dir;
        this.log = log;
    }

    public ChaosResult run() throws Exception {
        try (MeshCluster c = MeshCluster.start(dir, plan.routers(), plan.nodes(), plan.nodeFlags(), plan.routerFlags())) {
            cluster = c;
            refreshRouters();
            Set<String> models = new LinkedHashSet<>();
            Set<String> vmodels = new LinkedHashSet<>();
            for (int i = 0; i < plan.models(); i++) {
                cluster.registerOnnx(cluster.router(0), "chaos-" + i, "add-vectors");
                models.add("chaos-" + i);
            }
            for (int i = 0; i < plan.vmodels(); i++) {
                MeshProcess r = cluster.router(0);
                var answer = cluster.put(r, "/v1/mesh/vmodels/chaos-v" + i, "{\"targetModel\": \"chaos-" + i + "\"}");
                if (answer.status() / 100 != 2) {
                    throw new IllegalStateException("vmodel chaos-v" + i + ": " + answer.status() + " " + answer.body());
                }
                vmodels.add("chaos-v" + i);
            }
            List<String> all = new ArrayList<>(models);
            all.addAll(vmodels);
            if (until(60_000, () -> servable(all)) < 0) {
                throw new IllegalStateException("the models did not become servable within 60 s before any fault");
            }
            startNanos = System.nanoTime();
            try (MeshWatch watch = new MeshWatch(() -> routers, models, vmodels, startNanos)) {
                watch.start();
                ChaosTraffic traffic = new ChaosTraffic(() -> routers, List.copyOf(models), watch::copies, plan.ratePerSecond(), plan.seed(),
                        startNanos);
                try {
                    traffic.start();
                    pause(plan.gapMs() * 2); // a quiet start: the popular models get their extra copies
                    Random random = new Random(plan.seed());
                    List<ChaosResult.FaultRecord> faults = new ArrayList<>();
                    List<Fault> order = new ArrayList<>();
                    for (int i = 0; i < plan.faults(); i++) {
                        if (order.isEmpty()) { // every kind once per round, in a random order
                            order.addAll(plan.kinds());
                            java.util.Collections.shuffle(order, random);
                        }
                        Fault kind = order.remove(0);
                        int target = random.nextInt(kind.onNode() ? plan.nodes() : plan.routers());
                        log.accept("fault " + i + ": " + kind + " on " + (kind.onNode() ? "node-" : "router-") + target);
                        faults.add(inject(i, kind, target, random, all, watch));
                        log.accept("  " + faults.get(faults.size() - 1));
                        pause(plan.gapMs());
                    }
                    List<ChaosTraffic.Outcome> outcomes = traffic.stop();
                    return ChaosReport.assemble(faults, outcomes, watch, traffic.dropped(), nowMs(), TAIL_MS);
                } finally {
                    traffic.close();
                }
            }
        }
    }

    private void refreshRouters() {
        routers = IntStream.range(0, cluster.routerCount()).mapToObj(cluster::router).toList();
    }

    private long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private ChaosResult.FaultRecord inject(int index, Fault kind, int i, Random random, List<String> all, MeshWatch watch) throws Exception {
        long t0 = nowMs();
        long bound = plan.recoveryBoundMs();
        String node = "node-" + i;
        long detected = -1;
        long servable;
        long whole;
        long down;
        switch (kind) {
            case KILL_NODE -> {
                cluster.node(i).kill();
                detected = awaitListed(watch, node, false, t0, bound);
                servable = until(bound, () -> servable(all));
                pause(plan.restartAfterMs());
                down = nowMs() - t0;
                MeshProcess back = cluster.restartNode(i);
                whole = awaitListed(watch, node, true, nowMs(), bound) >= 0 ? until(bound, () -> ready(back.http() + "/health/ready")) : -1;
            }
            case HANG_NODE -> {
                MeshProcess hung = cluster.node(i);
                long hangMs = plan.hangMinMs() + (long) (random.nextDouble() * (plan.hangMaxMs() - plan.hangMinMs()));
                hung.signal("STOP");
                try {
                    detected = awaitListed(watch, node, false, t0, hangMs);
                    servable = until(Math.max(0, hangMs - (nowMs() - t0)), () -> servable(all));
                    pause(Math.max(0, t0 + hangMs - nowMs()));
                } finally {
                    hung.signal("CONT");
                }
                down = nowMs() - t0;
                if (servable < 0) {
                    servable = until(bound, () -> servable(all));
                }
                long woke = nowMs();
                whole = awaitListed(watch, node, true, woke, bound) >= 0 ? until(bound, () -> ready(hung.http() + "/health/ready")) : -1;
            }
            case RESTART_NODE -> {
                cluster.node(i).stop(Duration.ofSeconds(90));
                detected = awaitListed(watch, node, false, t0, bound);
                servable = until(bound, () -> servable(all));
                down = nowMs() - t0;
                MeshProcess back = cluster.restartNode(i);
                whole = awaitListed(watch, node, true, nowMs(), bound) >= 0 ? until(bound, () -> ready(back.http() + "/health/ready")) : -1;
            }
            case KILL_ROUTER, RESTART_ROUTER -> {
                if (kind == Fault.KILL_ROUTER) {
                    cluster.router(i).kill();
                } else {
                    cluster.router(i).stop(Duration.ofSeconds(60));
                }
                servable = until(bound, () -> servable(all));
                detected = awaitFewerRouters(watch, t0, bound);
                if (kind == Fault.KILL_ROUTER) {
                    pause(Math.max(0, t0 + plan.restartAfterMs() - nowMs()));
                }
                down = nowMs() - t0;
                MeshProcess back = cluster.restartRouter(i);
                refreshRouters();
                whole = until(bound, () -> ready(back.http() + "/v2/health/ready") && nodesListed(back) == plan.nodes());
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        long end = nowMs();
        return new ChaosResult.FaultRecord(index, kind, (kind.onNode() ? "node-" : "router-") + i, t0, detected < 0 ? -1 : detected - t0,
                servable < 0 ? -1 : servable - t0, whole < 0 ? -1 : whole - t0, down, end - t0, 0, 0, 0, 0, List.of());
    }

    /** When (ms since the run's start) the watch first saw the node listed or not from {@code fromMs} on; -1 after {@code boundMs}. */
    private long awaitListed(MeshWatch watch, String node, boolean listed, long fromMs, long boundMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs);
        while (System.nanoTime() < deadline) {
            long at = watch.firstSeen(node, listed, fromMs);
            if (at >= 0) {
                return at;
            }
            pause(50);
        }
        return -1;
    }

    /** When a surviving router first counted one router less (the cluster declared the router gone); -1 after the bound. */
    private long awaitFewerRouters(MeshWatch watch, long fromMs, long boundMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs);
        while (System.nanoTime() < deadline) {
            long at = watch.firstFewerRouters(plan.routers(), fromMs);
            if (at >= 0) {
                return at;
            }
            pause(50);
        }
        return -1;
    }

    /** Polls {@code condition} until true (returns when, in ms since the run's start) or {@code boundMs} passed (-1). */
    private long until(long boundMs, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMs);
        do {
            if (condition.getAsBoolean()) {
                return nowMs();
            }
            pause(100);
        } while (System.nanoTime() < deadline);
        return -1;
    }

    /** Whether every model and vmodel answers one request right now through some router. */
    private boolean servable(List<String> names) {
        for (String name : names) {
            boolean answered = false;
            for (MeshProcess r : routers) {
                try {
                    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(r.http() + "/v2/models/" + name + "/infer"))
                            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(INFER)).build(), HttpResponse.BodyHandlers.ofString());
                    if (resp.statusCode() == 200 && resp.body().contains("[11.0,22.0]")) {
                        answered = true;
                        break;
                    }
                } catch (Exception e) {
                    // that router is down: the next
                }
            }
            if (!answered) {
                return false;
            }
        }
        return true;
    }

    private boolean ready(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private int nodesListed(MeshProcess router) {
        try {
            return dev.meshwork.testing.Fixtures.JSON.readTree(cluster.get(router, "/v1/mesh/nodes").body()).get("nodes").size();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
