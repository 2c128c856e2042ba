package dev.meshwork.perf.workload;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a scenario's requests. Open loop: one scheduler thread sends each request at its arrival
 * time (Poisson at the scenario's rate, bursts included) whatever the mesh does, and latency counts
 * from that time, so a stalled mesh shows as queueing and coordinated omission does not hide it.
 * Closed loop: N users, each sending its next request when the last one answered. Request i asks
 * for model {@code order[i]} over gRPC when {@code grpc[i]}; the order is taken in sequence, so the
 * requests issued are a prefix of it (the optimal baseline replays that prefix).
 */
final class LoadDriver {
    private final Scenario scenario;
    private final int[] order;
    private final boolean[] grpc;
    private final MeshClient client;
    private final AtomicInteger next = new AtomicInteger();

    LoadDriver(Scenario scenario, int[] order, boolean[] grpc, MeshClient client) {
        this.scenario = scenario;
        this.order = order;
        this.grpc = grpc;
        this.client = client;
    }

    /** Runs for the warm-up plus the recorded seconds, then waits (bounded) for answers still outstanding. */
    Timeline run(long start) throws InterruptedException {
        Timeline timeline = new Timeline(start, scenario.warmupSeconds());
        long end = start + (long) ((scenario.warmupSeconds() + scenario.seconds()) * 1e9);
        if (scenario.loop().open()) {
            open(timeline, start, end);
        } else {
            closed(timeline, end);
        }
        return timeline;
    }

    /** How many requests were issued: a prefix of the order. */
    int issued() {
        return Math.min(next.get(), order.length);
    }

    private void open(Timeline timeline, long start, long end) throws InterruptedException {
        int limit = scenario.loop().maxInFlight();
        Semaphore inFlight = new Semaphore(limit);
        SplittableRandom random = new SplittableRandom(scenario.seed() ^ 0x5DEECE66DL);
        long at = start;
        while (true) {
            double rate = scenario.arrivals().rateAt((at - start) / 1e9);
            at += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
            if (at >= end) {
                break;
            }
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int i = next.getAndIncrement();
            if (i >= order.length) {
                break;
            }
            String protocol = grpc[i] ? "grpc" : "rest";
            if (!inFlight.tryAcquire()) {
                timeline.error(protocol, at, "generator-limit", "more than loop.maxInFlight requests outstanding");
                continue;
            }
            long intended = at;
            client.send(order[i], grpc[i]).whenComplete((v, e) -> {
                inFlight.release();
                record(timeline, protocol, intended, e);
            });
        }
        if (!inFlight.tryAcquire(limit, 70, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests still outstanding 70 s after the end of the run");
        }
    }

    private void closed(Timeline timeline, long end) throws InterruptedException {
        int users = scenario.loop().users();
        CountDownLatch done = new CountDownLatch(users);
        for (int u = 0; u < users; u++) {
            user(timeline, end, done);
        }
        if (!done.await((long) (scenario.warmupSeconds() + scenario.seconds() + 70), TimeUnit.SECONDS)) {
            throw new IllegalStateException("closed-loop users still waiting 70 s after the end of the run");
        }
    }

    private void user(Timeline timeline, long end, CountDownLatch done) {
        long t0 = System.nanoTime();
        int i = t0 >= end ? order.length : next.getAndIncrement();
        if (i >= order.length) {
            done.countDown();
            return;
        }
        String protocol = grpc[i] ? "grpc" : "rest";
        client.send(order[i], grpc[i]).whenComplete((v, e) -> {
            record(timeline, protocol, t0, e);
            user(timeline, end, done);
        });
    }

    private static void record(Timeline timeline, String protocol, long intended, Throwable e) {
        if (e == null) {
            timeline.ok(protocol, intended, System.nanoTime());
        } else {
            timeline.error(protocol, intended, MeshClient.kind(e), MeshClient.message(e));
        }
    }
}
