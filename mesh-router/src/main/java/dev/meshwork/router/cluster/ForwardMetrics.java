package dev.meshwork.router.cluster;

import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.PlacementTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A cluster router's meters: whether requests found a LOADED copy, the loads it placed and how
 * long requests waited for them, forwarding retries by reason, and gauges of nodes and copies
 * read from the tables when scraped. Request and load threads.
 */
final class ForwardMetrics {
    /**
     * Buckets of the load timers, so that an operator (and the workload benchmark) can read the
     * median and tail of cold requests' waits over any window from two scrapes.
     */
    static final Duration[] LOAD_BUCKETS = java.util.stream.LongStream.of(1, 2, 5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 400,
            500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000, 30_000).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    private final MeterRegistry registry;
    private final Counter hits;
    private final Counter misses;
    private final Timer waited;
    private final PlacementTable placement;
    private final java.util.Set<String> models = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ForwardMetrics(MeterRegistry registry, PlacementTable placement, NodeTable nodes) {
        this.registry = registry;
        this.placement = placement;
        this.hits = Counter.builder("meshwork.forward.requests").tag("result", "hit")
                .description("requests that found a LOADED copy (hit) or waited for a load (miss)").register(registry);
        this.misses = Counter.builder("meshwork.forward.requests").tag("result", "miss").register(registry);
        this.waited = Timer.builder("meshwork.forward.load.wait").description("time requests waited for a load on a miss")
                .serviceLevelObjectives(LOAD_BUCKETS).register(registry);
        Gauge.builder("meshwork.cluster.nodes", nodes, n -> n.list().size()).description("nodes in the node table").register(registry);
        Gauge.builder("meshwork.cluster.copies", placement, p -> p.all().values().stream().mapToInt(java.util.List::size).sum())
                .description("copies in the placement table, any state").register(registry);
    }

    /** A request for the model: from now on its copies are a gauge, read from the table when scraped. */
    void seen(String modelId) {
        if (models.add(modelId)) {
            Gauge.builder("meshwork.model.copies", () -> placement.copies(modelId).size()).tag("model", modelId)
                    .description("copies of a model that this router has served, any state").register(registry);
        }
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void waitedForLoad(long nanos) {
        waited.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A load held because no node was in the mesh (scale from zero), by outcome: joined, none. */
    void waitedForNode(long nanos, boolean joined) {
        Timer.builder("meshwork.forward.node.wait").description("time loads waited for a node to join a mesh that had none (scale from zero)")
                .tag("outcome", joined ? "joined" : "none").serviceLevelObjectives(LOAD_BUCKETS).register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A load this router placed, by outcome: ok, failed, node-unreachable. */
    void loaded(long nanos, String outcome) {
        Timer.builder("meshwork.forward.loads").description("loads this router placed").tag("outcome", outcome)
                .serviceLevelObjectives(LOAD_BUCKETS).register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The copy scaler added (up) or released (down) a copy. */
    void scaled(String direction) {
        Counter.builder("meshwork.copies.scaled").description("copies added or released by copy scaling").tag("direction", direction)
                .register(registry).increment();
    }

    /** A request or load tried again: node-unreachable, copy-missing, load-node-unreachable. */
    void suspected(String cause) {
        Counter.builder("meshwork.forward.suspicions").description("nodes passed over for forward.suspectMs").tag("cause", cause)
                .register(registry).increment();
    }

    void retry(String reason) {
        Counter.builder("meshwork.forward.retries").description("forwards and loads tried again").tag("reason", reason)
                .register(registry).increment();
    }
}
