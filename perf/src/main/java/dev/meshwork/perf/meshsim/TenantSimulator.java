package dev.meshwork.perf.meshsim;

import dev.meshwork.perf.sim.CacheSimulator;
import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.placement.policy.PlacementPolicy;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.tenant.MemoryAmount;
import dev.meshwork.placement.tenant.TenantPolicies;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.placement.tenant.TenantShares;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The noisy-neighbour scenario at scale: many victim tenants, each with a few hot models, and some
 * aggressor tenants that, after a while, cycle through many cold models each; every load is placed
 * by {@link PlacementPolicy} on nodes whose slots evict by the product's own policy, with fair share
 * ({@code FairShareEviction}, every tenant guaranteed an equal part of the mesh by the {@code *}
 * document) or without it. One copy per model; a request is a hit when its model's copy is LOADED.
 * A load whose node may evict nothing for it (everything there is within its owner's share) tries
 * up to two more sampled nodes, standing in for the router's preference for nodes with room for it.
 * Single-threaded; one instance per run.
 */
public final class TenantSimulator {
    /** One simulated second. */
    public record Window(long second, long victimRequests, long victimHits, long aggressorRequests, long aggressorHits,
                         long victimCopiesEvicted) {
    }

    /** A run's figures. */
    public record Result(boolean fair, double victimHitAlone, double victimHitStorm, double aggressorHitStorm, long victimCopiesEvicted,
                         long aggressorLoadsRefused, long loads, long evictions, double wallSeconds, List<Window> windows) {
    }

    private final TenantSim config;
    private final boolean fair;
    private final SimNode[] nodes;
    private final long modelBytes;
    private final int victims;
    private final long[] usage;
    private final SimCopy[] copyOf;
    private final int[] nextCold;
    private final PriorityQueue<SimCopy> pending = new PriorityQueue<>(Comparator.comparingLong(c -> c.readyAtMillis));
    private final SplittableRandom random;
    private final TenantShares shares;
    private final List<SimCopy> evicted = new ArrayList<>();
    private final List<NodeRecord> nodeView;
    private long loads;
    private long evictions;
    private long refused;
    private long victimEvictions;

    public TenantSimulator(TenantSim config, boolean fair) {
        this.config = config;
        this.fair = fair;
        this.victims = config.tenants() - config.aggressors();
        this.modelBytes = (long) config.modelMb() << 20;
        long hotBytes = (long) victims * config.hotModels() * modelBytes;
        long perNode = (long) (hotBytes * config.headroom() / config.nodes());
        this.nodes = new SimNode[config.nodes()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new SimNode(i, perNode, EvictionPolicies.create(config.evictionPolicy()), "");
            nodes[i].onEvicted = this::gone;
        }
        this.nodeView = new AbstractList<>() {
            @Override
            public NodeRecord get(int index) {
                return nodes[index].record();
            }

            @Override
            public int size() {
                return nodes.length;
            }
        };
        this.usage = new long[config.tenants()];
        this.copyOf = new SimCopy[victims * config.hotModels() + config.aggressors() * config.coldModels()];
        this.nextCold = new int[config.aggressors()];
        this.random = new SplittableRandom(config.seed());
        TenantPolicies policies = new TenantPolicies(List.of(new TenantPolicy(TenantPolicy.DEFAULTS, 0,
                new MemoryAmount(config.guaranteedShare() / config.tenants(), 0), MemoryAmount.NONE, 0, 0, 0, 0, 0, "")));
        this.shares = new TenantShares(policies, perNode * config.nodes(), ns -> usage[Integer.parseInt(ns, 1, ns.length(), 10)]);
    }

    private int tenantOf(int model) {
        int hot = victims * config.hotModels();
        return model < hot ? model / config.hotModels() : victims + (model - hot) / config.coldModels();
    }

    private String id(int model) {
        return "t" + tenantOf(model) + "/m" + model;
    }

    private void gone(SimCopy c) {
        copyOf[c.model] = null;
        usage[tenantOf(c.model)] -= c.sizeBytes;
        evictions++;
        if (tenantOf(c.model) < victims) {
            victimEvictions++;
        }
    }

    public Result run() {
        long started = System.nanoTime();
        double end = config.aloneSeconds() + config.stormSeconds();
        double victimGap = 1000.0 / config.victimRate();
        double allGap = 1000.0 / (config.victimRate() + config.aggressorRate());
        List<Window> windows = new ArrayList<>();
        long[] w = new long[5];
        long second = 0;
        long evictedAtStorm = 0;
        double now = 0;
        while (now < end * 1000) {
            boolean storm = now >= config.aloneSeconds() * 1000;
            now += -Math.log(1 - random.nextDouble()) * (storm ? allGap : victimGap);
            long t = (long) now;
            while (t >= (second + 1) * 1000) {
                windows.add(new Window(second, w[0], w[1], w[2], w[3], w[4]));
                w = new long[5];
                second++;
                if (second == (long) config.aloneSeconds()) {
                    evictedAtStorm = victimEvictions;
                }
            }
            completeLoads(t);
            boolean aggressor = storm && random.nextDouble() * (config.victimRate() + config.aggressorRate()) >= config.victimRate();
            int model;
            if (aggressor) {
                int a = random.nextInt(config.aggressors());
                model = victims * config.hotModels() + a * config.coldModels() + nextCold[a]++ % config.coldModels();
            } else {
                model = random.nextInt(victims) * config.hotModels() + random.nextInt(config.hotModels());
            }
            long before = victimEvictions;
            boolean hit = request(model, t);
            w[aggressor ? 2 : 0]++;
            w[aggressor ? 3 : 1] += hit ? 1 : 0;
            w[4] += victimEvictions - before;
        }
        int alone = (int) config.aloneSeconds();
        List<Window> aloneTail = windows.subList(Math.max(0, alone - 30), Math.min(alone, windows.size()));
        List<Window> stormWindows = windows.subList(Math.min(alone, windows.size()), windows.size());
        return new Result(fair, ratio(aloneTail, true), ratio(stormWindows, true), ratio(stormWindows, false), victimEvictions - evictedAtStorm,
                refused, loads, evictions, (System.nanoTime() - started) / 1e9, windows);
    }

    private static double ratio(List<Window> ws, boolean victim) {
        long r = 0;
        long h = 0;
        for (Window x : ws) {
            r += victim ? x.victimRequests() : x.aggressorRequests();
            h += victim ? x.victimHits() : x.aggressorHits();
        }
        return r == 0 ? Double.NaN : h / (double) r;
    }

    /** One request; true when its model's copy was LOADED. */
    private boolean request(int m, long t) {
        SimCopy c = copyOf[m];
        if (c != null) {
            if (c.loaded) {
                c.node.touch(c, id(m), t);
                return true;
            }
            return false; // its load is under way
        }
        String id = id(m);
        String namespace = "t" + tenantOf(m);
        PlacementPolicy.Request req = new PlacementPolicy.Request(id, "onnx", "", modelBytes, Set.of());
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<PlacementPolicy.Choice> choice = PlacementPolicy.choose(req, nodeView, List.of(), config.sampleNodes(), random);
            if (choice.isEmpty()) {
                break;
            }
            SimNode node = nodes[Integer.parseInt(choice.get().nodeId().substring(5))];
            evicted.clear();
            if (node.makeRoom(modelBytes, evicted, namespace, fair ? shares : null)) {
                node.reserve(modelBytes);
                SimCopy copy = new SimCopy(m, node, modelBytes, t + CacheSimulator.loadMillis(modelBytes));
                copy.lastUsedMillis = t;
                copyOf[m] = copy;
                usage[tenantOf(m)] += modelBytes;
                pending.add(copy);
                loads++;
                return false;
            }
        }
        refused++;
        return false;
    }

    private void completeLoads(long t) {
        while (!pending.isEmpty() && pending.peek().readyAtMillis <= t) {
            SimCopy c = pending.poll();
            if (c.live) {
                c.node.loaded(c, id(c.model));
            }
        }
    }
}
