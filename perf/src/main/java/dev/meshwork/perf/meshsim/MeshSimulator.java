package dev.meshwork.perf.meshsim;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.sim.CacheSimulator;
import dev.meshwork.perf.sim.Trace;
import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.placement.policy.PlacementPolicy;
import dev.meshwork.placement.policy.ScalingPolicy;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.NodeRecord;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The placement simulator: a discrete-event run of a whole mesh over a trace, where every decision
 * is made by the product's own code: {@link PlacementPolicy} picks the node for each load (from the
 * same node records the node table holds), {@link ScalingPolicy} adds and releases copies once per
 * simulated second, and each node's {@code EvictionPolicy} picks its victims. What is simulated is
 * only what would need real hardware: arrivals (Poisson), load durations
 * ({@link CacheSimulator#loadMillis}), and the loss of a node.
 *
 * <p>A request is a hit when a LOADED copy exists (one is picked at random: with no service time
 * there are no in-flight counts to compare); otherwise it waits for a load in progress, or causes
 * one. A node's copies become unusable the moment it dies: the router's retry on an unreachable
 * node turns the first request for each into a fresh load elsewhere, so the table's detection
 * delay does not change what is served. Single-threaded; one instance per run.
 */
public final class MeshSimulator {
    static final long WINDOW_MILLIS = 1000;

    /** Counts of one simulated second. */
    public record Window(long startMillis, long requests, long hits, long loads, long evictions, long copies) {
        public double hitRatio() {
            return requests == 0 ? 0 : (double) hits / requests;
        }
    }

    /** Loads and balance at one moment. */
    public record Balance(double maxToMeanUsedBytes, double maxToMeanRequests, double maxToMeanLoads) {
    }

    /** What happened after the node loss. */
    public record Recovery(String node, long atMillis, int copiesLost, long bytesLost, double hitRatioBefore, double lowestHitRatio,
                           long recoveredAfterMillis, long loadsInTheMinuteAfter, long loadsInTheMinuteBefore, int multiCopyModels,
                           int multiCopyModelsLeftWithoutACopy) {
    }

    /** The run's figures. */
    public record Result(long requests, long hits, long waitedForALoad, long loads, long evictions, long unplaceable, long scaledUp,
                         long scaledDown, long tableUpdates, double simulatedSeconds, double meanTableEntries, long maxTableEntries,
                         Balance balance, Recovery recovery, double wallSeconds, List<Window> windows) {
        public double hitRatio() {
            return requests == 0 ? 0 : (double) hits / requests;
        }
    }

    private final BenchConfig.Sim config;
    private final Trace trace;
    private final String[] ids;
    private final SimNode[] nodes;
    private final List<SimNode> alive;
    private final SimCopy[][] copies;
    private final PriorityQueue<SimCopy> pending = new PriorityQueue<>(Comparator.comparingLong(c -> c.readyAtMillis));
    private final SplittableRandom random;
    private final ScalingPolicy.Thresholds thresholds = new ScalingPolicy.Thresholds(200, Integer.MAX_VALUE, 4, 60_000);
    private final int[] intervalCounts;
    private final int[] touched;
    private int touchedCount;
    private final Set<Integer> multiCopy = new HashSet<>();
    private final List<SimCopy> evicted = new ArrayList<>();
    private final List<NodeRecord> nodeView = new AbstractList<>() {
        @Override
        public NodeRecord get(int index) {
            return alive.get(index).record();
        }

        @Override
        public int size() {
            return alive.size();
        }
    };
    private long hits;
    private long waited;
    private long loads;
    private long evictions;
    private long unplaceable;
    private long scaledUp;
    private long scaledDown;
    private long tableUpdates;
    private long liveCopies;
    /** Models with two or more live copies when the failure struck, and those of them it left without any. */
    private int multiCopyBefore;
    private int multiCopyLeftWithout;

    public MeshSimulator(BenchConfig.Sim config, Trace trace) {
        this.config = config;
        this.trace = trace;
        this.random = new SplittableRandom(config.seed() * 31 + 7);
        this.ids = new String[trace.models()];
        for (int m = 0; m < ids.length; m++) {
            ids[m] = "m" + m;
        }
        long perNode = (long) (trace.totalBytes() * config.capacityShare() / config.nodes());
        this.nodes = new SimNode[config.nodes()];
        this.alive = new ArrayList<>(config.nodes());
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new SimNode(i, perNode, EvictionPolicies.create(config.evictionPolicy()),
                    config.zones() > 0 && config.zoneAware() ? "zone-" + i % config.zones() : "");
            alive.add(nodes[i]);
        }
        this.copies = new SimCopy[trace.models()][];
        this.intervalCounts = new int[trace.models()];
        this.touched = new int[trace.models()];
    }

    public long capacityBytes() {
        return Arrays.stream(nodes).mapToLong(n -> n.capacityBytes).sum();
    }

    public Result run() {
        long started = System.nanoTime();
        int[] requests = trace.requests();
        int failIndex = config.failAt() > 0 ? (int) (requests.length * config.failAt()) : -1;
        List<Window> windows = new ArrayList<>();
        long windowStart = 0;
        long[] at = new long[5]; // requests, hits, loads, evictions of the window at its start
        Balance balance = null;
        long failedAt = -1;
        String failedNode = "";
        int copiesLost = 0;
        long bytesLost = 0;
        long entriesSum = 0;
        long maxEntries = 0;
        double now = 0;
        double meanGap = 1000.0 / config.ratePerSecond();
        for (int r = 0; r < requests.length; r++) {
            now += -Math.log(1 - random.nextDouble()) * meanGap;
            long t = (long) now;
            while (t >= windowStart + WINDOW_MILLIS) {
                completeLoads(windowStart + WINDOW_MILLIS);
                scale(windowStart + WINDOW_MILLIS);
                windows.add(new Window(windowStart, r - at[0], hits - at[1], loads - at[2], evictions - at[3], liveCopies));
                entriesSum += liveCopies;
                maxEntries = Math.max(maxEntries, liveCopies);
                at = new long[]{r, hits, loads, evictions, 0};
                windowStart += WINDOW_MILLIS;
            }
            completeLoads(t);
            if (r == failIndex) {
                balance = balance();
                List<SimNode> victims = new ArrayList<>();
                if (config.zones() > 0) { // a whole zone: every node i with i mod zones == 0
                    alive.stream().filter(n -> n.id % config.zones() == 0).forEach(victims::add);
                    failedNode = "zone-0 (" + victims.size() + " nodes)";
                } else {
                    victims.add(alive.get(random.nextInt(alive.size())));
                    failedNode = victims.get(0).name;
                }
                failedAt = t;
                List<Integer> spread = new ArrayList<>();
                for (int m = 0; m < copies.length; m++) {
                    if (copies[m] != null && liveCount(copies[m]) >= 2) {
                        spread.add(m);
                    }
                }
                multiCopyBefore = spread.size();
                for (SimNode victim : victims) {
                    for (SimCopy c : lose(victim)) {
                        copiesLost++;
                        bytesLost += c.sizeBytes;
                    }
                }
                for (int m : spread) {
                    if (copies[m] == null || liveCount(copies[m]) == 0) {
                        multiCopyLeftWithout++;
                    }
                }
            }
            request(requests[r], t);
        }
        if (balance == null) {
            balance = balance();
        }
        double seconds = now / 1000;
        Recovery recovery = failedAt < 0 ? null : recovery(windows, failedNode, failedAt, copiesLost, bytesLost);
        return new Result(requests.length, hits, waited, loads, evictions, unplaceable, scaledUp, scaledDown, tableUpdates, seconds,
                windows.isEmpty() ? 0 : (double) entriesSum / windows.size(), maxEntries, balance, recovery,
                (System.nanoTime() - started) / 1e9, windows);
    }

    private void request(int m, long t) {
        if (intervalCounts[m]++ == 0) {
            touched[touchedCount++] = m;
        }
        SimCopy[] cs = copies[m];
        if (cs != null) {
            SimCopy hit = pickLoaded(cs);
            if (hit != null) {
                hits++;
                hit.node.touch(hit, ids[m], t);
                return;
            }
            waited++; // a load is under way: the request waits for it
            return;
        }
        if (place(m, t) == null) {
            unplaceable++;
        }
    }

    private SimCopy pickLoaded(SimCopy[] cs) {
        if (cs.length == 1) {
            return cs[0].loaded ? cs[0] : null;
        }
        int start = random.nextInt(cs.length);
        for (int i = 0; i < cs.length; i++) {
            SimCopy c = cs[(start + i) % cs.length];
            if (c.loaded) {
                return c;
            }
        }
        return null;
    }

    /** Loads a copy of the model where the placement policy says; null when there is no room anywhere. */
    private SimCopy place(int m, long t) {
        long size = trace.sizes()[m];
        PlacementPolicy.Request req = new PlacementPolicy.Request(ids[m], "onnx", "", size, Set.of());
        Optional<PlacementPolicy.Choice> choice = PlacementPolicy.choose(req, nodeView, copyRecords(m), config.sampleNodes(), random);
        if (choice.isEmpty()) {
            return null;
        }
        SimNode node = nodes[Integer.parseInt(choice.get().nodeId().substring(5))];
        evicted.clear();
        boolean room = node.makeRoom(size, evicted);
        for (SimCopy gone : evicted) {
            removeCopy(gone);
            evictions++;
        }
        if (!room) {
            return null;
        }
        node.reserve(size);
        SimCopy c = new SimCopy(m, node, size, t + CacheSimulator.loadMillis(size));
        c.lastUsedMillis = t;
        addCopy(c);
        pending.add(c);
        loads++;
        return c;
    }

    private List<CopyRecord> copyRecords(int m) {
        return SimCopy.records(copies[m]);
    }

    private void completeLoads(long t) {
        tableUpdates += SimCopy.completeLoads(pending, t, ids);
    }

    /** Copy scaling, as the router's scaler does once per interval: more copies for busy models, idle extras released. */
    private void scale(long t) {
        for (int i = 0; i < touchedCount; i++) {
            int m = touched[i];
            int rate = intervalCounts[m];
            intervalCounts[m] = 0;
            SimCopy[] cs = copies[m];
            long loaded = cs == null ? 0 : Arrays.stream(cs).filter(c -> c.loaded).count();
            if (ScalingPolicy.wantsCopy(rate * 1000.0 / WINDOW_MILLIS, 0, loaded, thresholds) && place(m, t) != null) {
                scaledUp++;
            }
        }
        touchedCount = 0;
        for (Integer m : List.copyOf(multiCopy)) {
            List<CopyRecord> records = copyRecords(m);
            for (CopyRecord extra : ScalingPolicy.idleExtras(records, CopyRecord::lastUsedMillis, t, thresholds)) {
                for (SimCopy c : copies[m]) {
                    if (c.node.name.equals(extra.nodeId()) && c.loaded) {
                        c.node.release(c);
                        removeCopy(c);
                        scaledDown++;
                        break;
                    }
                }
            }
        }
    }

    private static int liveCount(SimCopy[] cs) {
        int n = 0;
        for (SimCopy c : cs) {
            n += c.live ? 1 : 0;
        }
        return n;
    }

    private List<SimCopy> lose(SimNode node) {
        node.alive = false;
        alive.remove(node);
        List<SimCopy> lost = new ArrayList<>(node.residents());
        for (SimCopy c : pending) {
            if (c.node == node && c.live) {
                lost.add(c);
            }
        }
        for (SimCopy c : lost) {
            c.live = false;
            removeCopy(c);
        }
        return lost;
    }

    private void addCopy(SimCopy c) {
        copies[c.model] = SimCopy.with(copies[c.model], c);
        if (copies[c.model].length > 1) {
            multiCopy.add(c.model);
        }
        liveCopies++;
        tableUpdates++;
    }

    private void removeCopy(SimCopy c) {
        SimCopy[] cs = copies[c.model];
        if (cs == null || java.util.Arrays.stream(cs).noneMatch(x -> x == c)) {
            return;
        }
        SimCopy[] rest = SimCopy.without(cs, c);
        copies[c.model] = rest;
        if (rest == null || rest.length <= 1) {
            multiCopy.remove(c.model);
        }
        liveCopies--;
        tableUpdates++;
    }

    private Balance balance() {
        double[] used = alive.stream().mapToDouble(n -> n.usedBytes).toArray();
        double[] reqs = alive.stream().mapToDouble(n -> n.requests).toArray();
        double[] lds = alive.stream().mapToDouble(n -> n.loads).toArray();
        return new Balance(maxToMean(used), maxToMean(reqs), maxToMean(lds));
    }

    private static double maxToMean(double[] v) {
        double mean = Arrays.stream(v).average().orElse(0);
        return mean == 0 ? 0 : Arrays.stream(v).max().orElse(0) / mean;
    }

    private Recovery recovery(List<Window> windows, String node, long failedAt, int copiesLost, long bytesLost) {
        int f = (int) (failedAt / WINDOW_MILLIS);
        List<Window> before = windows.subList(Math.max(0, f - 30), Math.min(f, windows.size()));
        double hitBefore = before.stream().mapToLong(Window::hits).sum() / (double) Math.max(1, before.stream().mapToLong(Window::requests).sum());
        double lowest = 1;
        long recovered = -1;
        for (int i = f; i < windows.size(); i++) {
            Window w = windows.get(i);
            lowest = Math.min(lowest, w.hitRatio());
            if (i > f && w.hitRatio() >= hitBefore - 0.005) {
                recovered = w.startMillis() + WINDOW_MILLIS - failedAt;
                break;
            }
        }
        long loadsAfter = windows.subList(Math.min(f, windows.size()), Math.min(f + 60, windows.size())).stream().mapToLong(Window::loads).sum();
        long loadsBefore = windows.subList(Math.max(0, f - 60), Math.min(f, windows.size())).stream().mapToLong(Window::loads).sum();
        return new Recovery(node, failedAt, copiesLost, bytesLost, hitBefore, lowest, recovered, loadsAfter, loadsBefore, multiCopyBefore,
                multiCopyLeftWithout);
    }
}
