package dev.meshwork.router.cluster;

import dev.meshwork.placement.policy.ScalingPolicy;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.PlacementTable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copy scaling: counts this router's requests per model and per copy, and once per interval adds
 * a copy of a model whose rate or queue per LOADED copy passed its threshold, and unloads extra
 * copies that had no request for {@code idleMs} (always keeping one). Request threads call
 * {@link #started}/{@link #finished}; decisions run on the scaler's own thread.
 */
final class CopyScaler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CopyScaler.class);

    private final ScalingConfig config;
    private final PlacementTable placement;
    private final LoadCoordinator loads;
    private final ForwardMetrics metrics;
    private final ConcurrentMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Integer> peakInFlight = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ModelSpec> specs = new ConcurrentHashMap<>();
    /** model@node -> when this router last sent that copy a request. */
    private final ConcurrentMap<String, Long> lastSent = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread;
    /** A model's own cap on copies (its namespace's maxCopiesPerModel), 0 for none; set once before requests come. */
    private volatile java.util.function.ToIntFunction<String> maxCopies = id -> 0;

    CopyScaler(ScalingConfig config, PlacementTable placement, LoadCoordinator loads, ForwardMetrics metrics) {
        this.config = config;
        this.placement = placement;
        this.loads = loads;
        this.metrics = metrics;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("meshwork-copy-scaler").unstarted(r));
        if (config.enabled()) {
            thread.scheduleWithFixedDelay(this::tick, config.intervalMs(), config.intervalMs(), TimeUnit.MILLISECONDS);
        }
    }

    void maxCopies(java.util.function.ToIntFunction<String> ofModel) {
        this.maxCopies = ofModel;
    }

    void started(ModelSpec spec, String nodeId) {
        if (!config.enabled()) {
            return;
        }
        String id = spec.id();
        counts.computeIfAbsent(id, k -> new LongAdder()).increment();
        int now = inFlight.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        peakInFlight.merge(id, now, Math::max);
        specs.putIfAbsent(id, spec);
        lastSent.put(id + "@" + nodeId, System.currentTimeMillis());
    }

    void finished(ModelSpec spec) {
        AtomicInteger n = inFlight.get(spec.id());
        if (n != null) {
            n.decrementAndGet();
        }
    }

    private void tick() {
        try {
            double seconds = config.intervalMs() / 1000.0;
            for (Map.Entry<String, LongAdder> e : counts.entrySet()) {
                String id = e.getKey();
                double rate = e.getValue().sumThenReset() / seconds;
                Integer peak = peakInFlight.remove(id);
                long loaded = placement.copies(id).stream().filter(CopyRecord::loaded).count();
                ModelSpec spec = specs.get(id);
                if (spec != null && ScalingPolicy.wantsCopy(rate, peak == null ? 0 : peak, loaded,
                        config.thresholds().cappedAt(maxCopies.applyAsInt(id))) && loads.addCopy(spec)) {
                    metrics.scaled("up");
                    LOG.info("model {} got copy {} ({} req/s, {} in flight at peak)", id, loaded + 1, Math.round(rate), peak);
                }
            }
            releaseIdle();
        } catch (RuntimeException e) {
            LOG.warn("copy scaling round failed; the next one retries", e);
        }
    }

    private void releaseIdle() {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, List<CopyRecord>> e : placement.all().entrySet()) {
            for (CopyRecord extra : ScalingPolicy.idleExtras(e.getValue(), c -> lastUse(e.getKey(), c), now, config.thresholds())) {
                if (loads.releaseCopy(e.getKey(), extra.nodeId())) {
                    lastSent.remove(e.getKey() + "@" + extra.nodeId());
                    metrics.scaled("down");
                    LOG.info("model {}: idle extra copy on {} released", e.getKey(), extra.nodeId());
                }
            }
        }
    }

    private long lastUse(String modelId, CopyRecord c) {
        return Math.max(c.lastUsedMillis(), lastSent.getOrDefault(modelId + "@" + c.nodeId(), 0L));
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
