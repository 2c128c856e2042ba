package dev.meshwork.router.autoscale;

import dev.meshwork.placement.autoscale.NodePoolPolicy;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.SlotRecord;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's pressure as this router sees it, and the node count it asks for: once per interval it
 * reads the node table (nodes up and not draining, their memory slot by slot, requests in flight,
 * evictions), its own request meters (which models were requested within the window: the working
 * set, each at one copy's bytes in the slot it runs in) and the requests waiting for loads, runs {@link NodePoolPolicy}, and
 * publishes {@code meshwork_desired_nodes} with its inputs. Nothing on the request path: the
 * request meters are there already. Its own thread measures and decides; gauges read the last
 * decision.
 */
public final class NodePoolSignal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodePoolSignal.class);
    private final AutoscaleConfig config;
    private final NodeTable nodes;
    private final MeterRegistry registry;
    private final Function<String, Footprint> footprintOf;
    private final IntSupplier waitingForLoads;
    private final ScheduledExecutorService thread;
    /** Requests per model name at the last look, and when each name's count last grew. Only the decision thread touches them. */
    private final Map<String, Double> counts = new HashMap<>();
    private final Map<String, Long> usedAt = new HashMap<>();
    /** The last footprint seen of each model in the window: an evicted model has no copy to measure, and still counts. */
    private final Map<String, Footprint> known = new HashMap<>();
    private long lastEvictions = -1;
    private long lastLookMs;
    private NodePoolPolicy.State state;
    private volatile NodePoolPolicy.Signal signal = new NodePoolPolicy.Signal(0, List.of(), 0, 0, 0, Long.MAX_VALUE);
    private volatile NodePoolPolicy.Decision decision;

    /**
     * Where a model runs and what one copy of it holds.
     *
     * @param slot  the slot its copy is in ({@code onnx-0}); empty when it has no copy to say
     * @param bytes one copy's bytes, 0 when unknown
     */
    public record Footprint(String slot, long bytes) {
        public static final Footprint UNKNOWN = new Footprint("", 0);
    }

    /** @param footprintOf a request name's model's footprint: a copy's slot and measured size, else its registration's size hint */
    public NodePoolSignal(AutoscaleConfig config, NodeTable nodes, MeterRegistry registry, Function<String, Footprint> footprintOf,
                          IntSupplier waitingForLoads) {
        this.config = config;
        this.nodes = nodes;
        this.registry = registry;
        this.footprintOf = footprintOf;
        this.waitingForLoads = waitingForLoads;
        this.state = NodePoolPolicy.State.initial(config.minNodes());
        this.decision = new NodePoolPolicy.Decision(config.minNodes(), config.minNodes(), "starting", state);
        gauge("meshwork.desired.nodes", "nodes the mesh wants, as this router sees it (autoscale section); an autoscaler follows the"
                + " highest router's", () -> decision.desired());
        gauge("meshwork.autoscale.raw.nodes", "nodes the signal alone asks for, before cool-down and stabilisation", () -> decision.raw());
        gauge("meshwork.autoscale.ready.nodes", "nodes up and not draining", () -> signal.readyNodes());
        gauge("meshwork.autoscale.capacity.bytes", "slot memory of the nodes up and not draining, all slots", () -> signal.capacityBytes());
        gauge("meshwork.autoscale.working.set.bytes", "bytes of the models requested within autoscale.windowMs, one copy each",
                () -> signal.workingSetBytes());
        gauge("meshwork.autoscale.in.flight", "requests running on the nodes", () -> signal.inFlight());
        gauge("meshwork.autoscale.evictions.per.second", "copies evicted to make room, all nodes", () -> signal.evictionsPerSecond());
        gauge("meshwork.autoscale.waiting.for.loads", "requests waiting for a load on this router", () -> signal.waitingForLoads());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("meshwork-autoscale").unstarted(r));
        thread.scheduleWithFixedDelay(this::lookQuietly, config.intervalMs(), config.intervalMs(), TimeUnit.MILLISECONDS);
    }

    private void gauge(String name, String description, java.util.function.Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** The last decision. */
    public NodePoolPolicy.Decision decision() {
        return decision;
    }

    /** The signal the last decision was made from. */
    public NodePoolPolicy.Signal signal() {
        return signal;
    }

    private void lookQuietly() {
        try {
            look(System.currentTimeMillis());
        } catch (RuntimeException e) { // the tables may be briefly unreadable (a member leaving): the next look tries again
            LOG.debug("the autoscale signal could not be read: {}", e.toString());
        }
    }

    /** One measurement and decision at {@code nowMs}; on the signal's thread. */
    void look(long nowMs) {
        List<NodeRecord> all = nodes.list();
        int ready = 0;
        Map<String, Long> capacity = new TreeMap<>();
        int inFlight = 0;
        long evictions = 0;
        for (NodeRecord n : all) {
            for (SlotRecord s : n.slots()) {
                evictions += s.evictions();
                if (!n.draining()) {
                    capacity.merge(s.name(), s.capacityBytes(), Long::sum);
                }
            }
            if (!n.draining()) {
                ready++;
                inFlight += n.inFlight();
            }
        }
        double seconds = lastLookMs == 0 ? 0 : (nowMs - lastLookMs) / 1000.0;
        // a node that leaves takes its evictions out of the sum: never a negative rate
        double evictionRate = lastEvictions < 0 || seconds <= 0 ? 0 : Math.max(0, evictions - lastEvictions) / seconds;
        lastEvictions = evictions;
        lastLookMs = nowMs;

        Map<String, Double> now = new HashMap<>();
        for (Timer t : registry.find("meshwork.request").timers()) {
            String name = t.getId().getTag("model");
            if (name != null && !name.equals("unknown")) {
                now.merge(name, (double) t.count(), Double::sum);
            }
        }
        now.forEach((name, count) -> {
            Double before = counts.put(name, count);
            if (before == null || count > before) {
                usedAt.put(name, nowMs);
            }
        });
        usedAt.values().removeIf(at -> nowMs - at > Math.max(config.windowMs(), config.idleMs()));
        known.keySet().retainAll(usedAt.keySet());
        Map<String, Long> workingSet = new TreeMap<>();
        long lastUse = Long.MIN_VALUE;
        for (Map.Entry<String, Long> e : usedAt.entrySet()) {
            lastUse = Math.max(lastUse, e.getValue());
            if (nowMs - e.getValue() <= config.windowMs()) {
                Footprint f = footprintOf.apply(e.getKey());
                if (f.bytes() > 0 && (!f.slot().isEmpty() || !known.containsKey(e.getKey()))) {
                    known.put(e.getKey(), f);
                }
                Footprint k = known.getOrDefault(e.getKey(), Footprint.UNKNOWN);
                workingSet.merge(k.slot(), k.bytes(), Long::sum);
            }
        }
        List<NodePoolPolicy.Memory> memory = new ArrayList<>();
        java.util.Set<String> slots = new java.util.TreeSet<>(capacity.keySet());
        slots.addAll(workingSet.keySet());
        for (String slot : slots) {
            memory.add(new NodePoolPolicy.Memory(slot, workingSet.getOrDefault(slot, 0L), capacity.getOrDefault(slot, 0L)));
        }
        long sinceLast = lastUse == Long.MIN_VALUE ? Long.MAX_VALUE : nowMs - lastUse;
        NodePoolPolicy.Signal s = new NodePoolPolicy.Signal(ready, memory, inFlight, evictionRate, waitingForLoads.getAsInt(), sinceLast);
        NodePoolPolicy.Decision d = NodePoolPolicy.decide(state, s, config.settings(), nowMs);
        if (d.desired() != decision.desired()) {
            LOG.info("the mesh wants {} nodes ({} up): {} (working set {} of {} bytes, {} in flight, {} evictions/s, {} waiting for loads)",
                    d.desired(), ready, d.reason(), s.workingSetBytes(), s.capacityBytes(), inFlight, String.format("%.1f", evictionRate),
                    s.waitingForLoads());
        }
        state = d.next();
        signal = s;
        decision = d;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
