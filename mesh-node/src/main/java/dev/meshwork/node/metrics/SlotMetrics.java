package dev.meshwork.node.metrics;

import dev.meshwork.node.cache.CacheEvents;
import dev.meshwork.node.cache.LoadPhase;
import dev.meshwork.node.cache.ModelCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * One slot's meters, tagged {@code slot} and {@code runtime}: memory gauges read from the cache
 * when scraped, and the cache's events as timers and counters. Called on request and load threads.
 */
public final class SlotMetrics implements CacheEvents {
    private final Counter hits;
    private final Counter misses;
    private final Timer queue;
    private final Timer loadOk;
    private final Timer loadFailed;
    private final Counter unloads;
    private final Timer[] phases = new Timer[LoadPhase.values().length];

    public SlotMetrics(MeterRegistry registry, String slot, String runtime, ModelCache cache) {
        Tags tags = Tags.of("slot", slot, "runtime", runtime);
        Gauge.builder("meshwork.slot.capacity", cache, ModelCache::capacityBytes).baseUnit("bytes").tags(tags)
                .description("the slot's memory budget").register(registry);
        Gauge.builder("meshwork.slot.used", cache, ModelCache::usedBytes).baseUnit("bytes").tags(tags)
                .description("bytes held by loaded and loading copies").register(registry);
        Gauge.builder("meshwork.slot.copies", cache, c -> c.copies().size()).tags(tags)
                .description("copies in the slot, any state").register(registry);
        FunctionCounter.builder("meshwork.slot.evictions", cache, ModelCache::evictions).tags(tags)
                .description("copies evicted to make room").register(registry);
        this.hits = Counter.builder("meshwork.cache.requests").tags(tags).tag("result", "hit")
                .description("requests that found their model loaded (hit) or had to wait for a load (miss)").register(registry);
        this.misses = Counter.builder("meshwork.cache.requests").tags(tags).tag("result", "miss").register(registry);
        this.queue = Timer.builder("meshwork.cache.wait").tags(tags)
                .description("time a request waited for its model's load or a turn before it ran").register(registry);
        this.loadOk = Timer.builder("meshwork.model.load").tags(tags).tag("outcome", "ok").description("model loads").register(registry);
        this.loadFailed = Timer.builder("meshwork.model.load").tags(tags).tag("outcome", "failed").register(registry);
        this.unloads = Counter.builder("meshwork.model.unloads").tags(tags).description("models unloaded on request").register(registry);
        for (LoadPhase p : LoadPhase.values()) {
            phases[p.ordinal()] = Timer.builder("meshwork.model.load.phase").tags(tags).tag("phase", p.tag())
                    .description("the phases of loads: download, queued (for a load thread), room (eviction, pinned copies), runtime")
                    .register(registry);
        }
    }

    @Override
    public void loadPhase(LoadPhase phase, long nanos) {
        phases[phase.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void request(boolean hit, long waitNanos) {
        (hit ? hits : misses).increment();
        queue.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void loaded(long nanos, boolean ok) {
        (ok ? loadOk : loadFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void unloaded() {
        unloads.increment();
    }
}
