package dev.meshwork.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.node.cache.ModelCache;
import dev.meshwork.placement.eviction.LruEvictionPolicy;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.testing.Conditions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A copy loaded for a router stays pinned until its first request or the hold time, in a slot with room for one copy. */
class LoadHoldsTest {
    final ExecutorService loads = Executors.newFixedThreadPool(2);
    final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    final LoadHolds holds = new LoadHolds();
    final ModelCache cache = new ModelCache("s-0", 100, new ModelCache.Loader() {
        @Override
        public long predictSize(ModelSpec spec) {
            return 100;
        }

        @Override
        public ModelCache.Loaded load(ModelSpec spec) {
            return new ModelCache.Loaded(new LoadedModel() {
                @Override
                public ModelMetadata metadata() {
                    return new ModelMetadata(spec.id(), List.of("1"), "fake", List.of(), List.of());
                }

                @Override
                public InferenceResponse infer(InferenceRequest request) {
                    return new InferenceResponse(spec.id(), "", "", Map.of(), List.of());
                }

                @Override
                public long sizeBytes() {
                    return 100;
                }

                @Override
                public void close() {
                }
            }, "");
        }
    }, new LruEvictionPolicy(), loads, new ModelCache.Settings(10_000, 1_000, 0, 5_000));

    @AfterEach
    void stop() {
        holds.close();
        loads.shutdownNow();
        requests.shutdownNow();
    }

    static ModelSpec spec(String id) {
        return new ModelSpec(id, new ModelFormat("fake", ""), "/m/" + id, "", 0);
    }

    @Test
    void aHeldCopyIsNotEvictedUntilItsFirstRequest() throws Exception {
        holds.hold("a", cache.acquire(spec("a")));
        Future<?> b = requests.submit(() -> cache.acquire(spec("b")).close());
        Conditions.holdsFor("b waits: a is held for the request that caused its load", Duration.ofMillis(200), () -> !b.isDone());
        assertThat(cache.copy("a")).isPresent();
        long usedAt;
        try (ModelCache.Lease first = cache.acquireIfPresent("a").orElseThrow()) {
            usedAt = System.nanoTime();
            holds.used("a"); // as inferIfLoaded does once the first request holds the copy
        }
        // the grace runs from used(): the window is what is left of its first half when this thread gets to look (a
        // machine busy enough to stall the test that long, as one unpacking packages once did, leaves it shorter)
        long left = LoadHolds.USE_GRACE_MS / 2 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - usedAt);
        if (left > 0) {
            Conditions.holdsFor("kept a moment for the other requests that waited for the load", Duration.ofMillis(left),
                    () -> cache.copy("a").isPresent());
        }
        b.get(5, TimeUnit.SECONDS);
        assertThat(cache.copy("a")).as("evicted for b once used").isEmpty();
    }

    @Test
    void aHoldEndsByItselfWhenNoRequestComes() throws Exception {
        holds.hold("a", cache.acquire(spec("a")));
        long started = System.nanoTime();
        requests.submit(() -> cache.acquire(spec("b")).close()).get(5, TimeUnit.SECONDS);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(waitedMs).as("b loaded once the hold ran out").isGreaterThanOrEqualTo(LoadHolds.HOLD_MS - 100);
    }
}
