package dev.meshwork.perf.meshsim;

import dev.meshwork.perf.sim.CacheSimulator;
import dev.meshwork.placement.autoscale.NodePoolPolicy;
import dev.meshwork.placement.autoscale.RemovalCost;
import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.placement.policy.PlacementPolicy;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.NodeRecord;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * A node pool over a simulated day ({@link PoolSim}), autoscaled or fixed. The product's code makes
 * every decision: {@link NodePoolPolicy} how many nodes the routers ask for (from the same signal:
 * the working set's bytes against the ready nodes' memory, requests in flight, evictions, loads
 * under way), {@link RemovalCost} which node a scale-down takes (which then drains: its hot copies
 * held nowhere else load elsewhere first, and it serves until they have), {@link PlacementPolicy}
 * where a load goes, and each node's eviction policy. Modelled: arrivals (Poisson at the day's
 * rate), popularity (Zipf, drifting), load times ({@link CacheSimulator#loadMillis}), a node's start
 * time, and each request's latency: a hit takes {@code serviceMs} stretched by its node's
 * utilisation, {@code serviceMs / (1 - utilisation)}; a miss adds the wait for its load. Node-hours
 * count a node from the moment it is asked for until it has drained. Single-threaded; one instance
 * per run.
 */
public final class PoolSimulator {
    /** One simulated hour. */
    public record Hour(int hour, double requestsPerSecond, double meanNodes, double p99Ms, double hitRatio) {
    }

    /** The run's figures; {@code nodesOverTime} holds [simulated hour, nodes] once a simulated minute. */
    public record Result(String pool, long requests, long hits, long loads, long evictions, long failed, double nodeHours, int peakNodes,
                         int fewestNodes, double p50Ms, double p99Ms, double p999Ms, long nodesStarted, long nodesRemoved, long handovers,
                         List<double[]> nodesOverTime, List<Hour> hours, double wallSeconds) {
        public double hitRatio() {
            return requests == 0 ? 0 : (double) hits / requests;
        }
    }

    /** A node of the pool: starting until {@code readyAtMs}, then ready, then draining once {@code drainDoneAtMs} is set. */
    private static final class PoolNode {
        final SimNode node;
        final long readyAtMs;
        long drainDoneAtMs = -1;
        boolean ready;
        long requestsAtSecond;
        long lastSecondRequests;

        PoolNode(SimNode node, long readyAtMs) {
            this.node = node;
            this.readyAtMs = readyAtMs;
        }
    }

    private final PoolSim config;
    private final int fixedNodes;
    private final NodePoolPolicy.Settings settings;
    private final long windowMs;
    private final long nodeBytes;
    /** The requests' arrivals and models: the same for every pool. */
    private final DayTraffic traffic;
    /** The pool's own choices (a copy among several, placement's sample). */
    private final SplittableRandom random;
    private final long[] sizes;
    private final String[] ids;
    private final SimCopy[][] copies;
    private final List<PoolNode> pool = new ArrayList<>();
    private final Map<String, PoolNode> byName = new HashMap<>();
    private final List<SimNode> placeable = new ArrayList<>();
    private final PriorityQueue<SimCopy> pending = new PriorityQueue<>(Comparator.comparingLong(c -> c.readyAtMillis));
    private final List<SimCopy> evicted = new ArrayList<>();
    private final WorkingSet workingSet;
    private final List<NodeRecord> view = new AbstractList<>() {
        @Override
        public NodeRecord get(int index) {
            return placeable.get(index).record();
        }

        @Override
        public int size() {
            return placeable.size();
        }
    };
    private NodePoolPolicy.State state;
    private int nextId;
    private long hits;
    private long loads;
    private long failed;
    private long handovers;
    private long nodesStarted;
    private long nodesRemoved;
    private long lastRemovalMs = Long.MIN_VALUE / 2;
    private long lastRequestMs = Long.MIN_VALUE / 2;
    private long evictionsAtDecision;
    private long evictions;

    /**
     * @param fixedNodes a fixed pool of this many nodes, all ready from the start; 0: the pool the policy sizes
     * @param settings   the routers' autoscale rules (their {@code autoscale} section)
     * @param windowMs   the working set's window ({@code autoscale.windowMs}), also a copy's hot window for removal costs
     */
    public PoolSimulator(PoolSim config, int fixedNodes, NodePoolPolicy.Settings settings, long windowMs) {
        this.config = config;
        this.fixedNodes = fixedNodes;
        this.settings = settings;
        this.windowMs = windowMs;
        this.nodeBytes = (long) config.nodeGb() << 30;
        this.traffic = new DayTraffic(config);
        this.sizes = traffic.sizes();
        this.ids = traffic.ids();
        this.copies = new SimCopy[config.models()][];
        this.workingSet = new WorkingSet(windowMs, sizes);
        this.random = new SplittableRandom(config.seed() * 17 + 3);
        int initial = fixedNodes > 0 ? fixedNodes : Math.max(1, settings.minNodes());
        for (int i = 0; i < initial; i++) {
            start(-(long) (config.startSeconds() * 1000));
        }
        this.state = NodePoolPolicy.State.initial(initial);
    }

    public Result run() {
        long started = System.nanoTime();
        long seconds = (long) (config.hours() * 3600);
        Histogram all = new Histogram(3_600_000_000L, 3);
        List<Hour> hours = new ArrayList<>();
        List<double[]> nodesOverTime = new ArrayList<>();
        Histogram hour = new Histogram(3_600_000_000L, 3);
        long hourRequests = 0;
        long hourHits = 0;
        long hourNodeSeconds = 0;
        double nodeSeconds = 0;
        int peak = 0;
        int fewest = Integer.MAX_VALUE;
        long requests = 0;
        for (long s = 0; s < seconds; s++) {
            long now = s * 1000;
            second(now);
            if (fixedNodes == 0 && s % config.intervalSeconds() == 0) {
                autoscale(now);
            }
            nodeSeconds += pool.size();
            hourNodeSeconds += pool.size();
            peak = Math.max(peak, pool.size());
            fewest = Math.min(fewest, pool.size());
            if (s % 60 == 0) {
                nodesOverTime.add(new double[]{s / 3600.0, pool.size()});
            }
            double rate = config.rate(s);
            double t = now + traffic.gapMs(rate);
            while (t < now + 1000) {
                long at = (long) t;
                completeLoads(at);
                long hitsBefore = hits;
                double latency = request(traffic.pick(at), at);
                requests++;
                hourRequests++;
                if (latency >= 0) {
                    long micros = Math.min(3_600_000_000L, Math.max(1, Math.round(latency * 1000)));
                    all.recordValue(micros);
                    hour.recordValue(micros);
                }
                hourHits += hits - hitsBefore;
                t += traffic.gapMs(rate);
            }
            if ((s + 1) % 3600 == 0) {
                hours.add(new Hour((int) (s / 3600), hourRequests / 3600.0, hourNodeSeconds / 3600.0, hour.getValueAtPercentile(99) / 1000.0,
                        hourRequests == 0 ? 0 : hourHits / (double) hourRequests));
                hour.reset();
                hourRequests = 0;
                hourHits = 0;
                hourNodeSeconds = 0;
            }
        }
        return new Result(fixedNodes > 0 ? "fixed " + fixedNodes : "autoscaled", requests, hits, loads, evictions, failed, nodeSeconds / 3600,
                peak, fewest, all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
                all.getValueAtPercentile(99.9) / 1000.0, nodesStarted, nodesRemoved, handovers, nodesOverTime, hours,
                (System.nanoTime() - started) / 1e9);
    }

    /** Serves one request; its modelled latency in ms, or -1 when no node had room for its model. */
    private double request(int m, long at) {
        workingSet.requested(m, at);
        lastRequestMs = at;
        SimCopy[] cs = copies[m];
        if (cs != null) {
            SimCopy loaded = null;
            SimCopy loading = null;
            int start = cs.length == 1 ? 0 : random.nextInt(cs.length);
            for (int i = 0; i < cs.length; i++) {
                SimCopy c = cs[(start + i) % cs.length];
                if (c.loaded) {
                    loaded = c;
                    break;
                }
                loading = loading == null || c.readyAtMillis < loading.readyAtMillis ? c : loading;
            }
            if (loaded != null) {
                hits++;
                loaded.node.touch(loaded, ids[m], at);
                return service(byName.get(loaded.node.name));
            }
            if (loading != null) {
                loading.node.requests++;
                return loading.readyAtMillis - at + service(byName.get(loading.node.name));
            }
        }
        SimCopy c = place(m, at);
        if (c == null) {
            failed++;
            return -1;
        }
        c.node.requests++;
        return c.readyAtMillis - at + service(byName.get(c.node.name));
    }

    /** An inference's time on the node: {@code serviceMs}, stretched as its utilisation over the last second nears 1. */
    private double service(PoolNode n) {
        double utilisation = n.lastSecondRequests * config.serviceMs() / (1000.0 * config.cores());
        return config.serviceMs() / Math.max(0.05, 1 - utilisation);
    }

    /** Once a simulated second: loads complete, nodes become ready or finish draining, utilisation and the working set move on. */
    private void second(long now) {
        completeLoads(now);
        workingSet.expire(now);
        for (PoolNode n : List.copyOf(pool)) {
            n.lastSecondRequests = n.node.requests - n.requestsAtSecond;
            n.requestsAtSecond = n.node.requests;
            if (!n.ready && n.drainDoneAtMs < 0 && n.readyAtMs <= now) {
                n.ready = true;
                placeable.add(n.node);
            }
            if (n.drainDoneAtMs >= 0 && n.drainDoneAtMs <= now) {
                remove(n);
            }
        }
    }

    /** One decision of the routers' policy, and what a scaler does with it: start nodes at once, remove one a minute. */
    private void autoscale(long now) {
        long capacity = 0;
        double inFlight = 0;
        int ready = 0;
        int starting = 0;
        boolean draining = false;
        for (PoolNode n : pool) {
            if (n.drainDoneAtMs >= 0) {
                draining = true;
                continue;
            }
            if (n.ready) {
                ready++;
                capacity += n.node.capacityBytes;
            } else {
                starting++;
            }
            inFlight += n.lastSecondRequests * service(n) / 1000.0;
        }
        double evictionsPerSecond = (evictions - evictionsAtDecision) / (double) config.intervalSeconds();
        evictionsAtDecision = evictions;
        NodePoolPolicy.Signal signal = new NodePoolPolicy.Signal(ready, List.of(new NodePoolPolicy.Memory("sim-0", workingSet.bytes(), capacity)),
                (int) Math.ceil(inFlight), evictionsPerSecond, pending.size(), Math.max(0, now - lastRequestMs));
        NodePoolPolicy.Decision d = NodePoolPolicy.decide(state, signal, settings, now);
        state = d.next();
        int running = ready + starting;
        if (d.desired() > running) {
            for (int i = running; i < d.desired(); i++) {
                start(now);
            }
        } else if (d.desired() < running && ready > 1 && !draining && now - lastRemovalMs >= config.removeEverySeconds() * 1000L) {
            pool.stream().filter(n -> n.ready && n.drainDoneAtMs < 0).min(Comparator.comparingInt(n -> removalCost(n, now)))
                    .ifPresent(n -> drain(n, now));
        }
    }

    private int removalCost(PoolNode n, long now) {
        List<RemovalCost.Copy> held = new ArrayList<>();
        for (SimCopy c : n.node.residents()) {
            held.add(new RemovalCost.Copy(c.lastUsedMillis, loadedCopies(c.model) - 1));
        }
        return RemovalCost.of(held, now, windowMs);
    }

    /** A node leaves placement and hands its hot copies that are held nowhere else to other nodes; it serves until they have loaded. */
    private void drain(PoolNode n, long now) {
        lastRemovalMs = now;
        placeable.remove(n.node);
        n.ready = false;
        long done = now + 1000;
        for (SimCopy c : List.copyOf(n.node.residents())) {
            if (now - c.lastUsedMillis <= windowMs && liveCopies(c.model) == 1) {
                SimCopy moved = place(c.model, now);
                if (moved != null) {
                    handovers++;
                    done = Math.max(done, moved.readyAtMillis);
                }
            }
        }
        n.drainDoneAtMs = done;
    }

    private void remove(PoolNode n) {
        for (SimCopy c : List.copyOf(n.node.residents())) {
            c.live = false;
            removeCopy(c);
        }
        for (SimCopy c : pending) {
            if (c.node == n.node && c.live) {
                c.live = false;
                removeCopy(c);
            }
        }
        pool.remove(n);
        byName.remove(n.node.name);
        nodesRemoved++;
    }

    private void start(long now) {
        SimNode node = new SimNode(nextId++, nodeBytes, EvictionPolicies.create(config.evictionPolicy()), "");
        PoolNode n = new PoolNode(node, now + (long) (config.startSeconds() * 1000));
        pool.add(n);
        byName.put(node.name, n);
        nodesStarted++;
        if (n.readyAtMs <= Math.max(0, now)) {
            n.ready = true;
            placeable.add(node);
        }
    }

    /** Loads a copy where the placement policy says; null when no ready node has room. */
    private SimCopy place(int m, long at) {
        PlacementPolicy.Request req = new PlacementPolicy.Request(ids[m], "onnx", "", sizes[m], Set.of());
        Optional<PlacementPolicy.Choice> choice = PlacementPolicy.choose(req, view, copyRecords(m), config.sampleNodes(), random);
        if (choice.isEmpty()) {
            return null;
        }
        SimNode node = byName.get(choice.get().nodeId()).node;
        evicted.clear();
        boolean room = node.makeRoom(sizes[m], evicted);
        for (SimCopy gone : evicted) {
            removeCopy(gone);
            evictions++;
        }
        if (!room) {
            return null;
        }
        node.reserve(sizes[m]);
        SimCopy c = new SimCopy(m, node, sizes[m], at + CacheSimulator.loadMillis(sizes[m]));
        c.lastUsedMillis = at;
        addCopy(c);
        pending.add(c);
        loads++;
        return c;
    }

    private List<CopyRecord> copyRecords(int m) {
        return SimCopy.records(copies[m]);
    }

    private int loadedCopies(int m) {
        SimCopy[] cs = copies[m];
        int n = 0;
        for (SimCopy c : cs == null ? new SimCopy[0] : cs) {
            n += c.loaded ? 1 : 0;
        }
        return n;
    }

    private int liveCopies(int m) {
        return copies[m] == null ? 0 : copies[m].length;
    }

    private void completeLoads(long t) {
        SimCopy.completeLoads(pending, t, ids);
    }

    private void addCopy(SimCopy c) {
        copies[c.model] = SimCopy.with(copies[c.model], c);
    }

    private void removeCopy(SimCopy c) {
        if (copies[c.model] != null) {
            copies[c.model] = SimCopy.without(copies[c.model], c);
        }
    }
}
