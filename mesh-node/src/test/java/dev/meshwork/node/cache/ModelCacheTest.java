package dev.meshwork.node.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.node.runtime.LoadedModel;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelCacheTest {
    final ExecutorService loads = Executors.newFixedThreadPool(2);
    final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        loads.shutdownNow();
        requests.shutdownNow();
    }

    static ModelSpec spec(String id) {
        return new ModelSpec(id, new ModelFormat("fake", ""), "/models/" + id, "", 0);
    }

    /** A model that records whether it was closed. */
    static final class FakeModel implements LoadedModel {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public ModelMetadata metadata() {
            return new ModelMetadata("m", List.of("1"), "fake", List.of(), List.of());
        }

        @Override
        public InferenceResponse infer(InferenceRequest request) {
            assertThat(closed).isFalse();
            return new InferenceResponse(request.modelName(), "", "", Map.of(), List.of());
        }

        @Override
        public long sizeBytes() {
            return 100;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    /** A loader that counts loads, can be held at a gate, and can fail. */
    static final class FakeLoader implements ModelCache.Loader {
        final AtomicInteger loads = new AtomicInteger();
        final CountDownLatch gate = new CountDownLatch(1);
        final List<FakeModel> made = new ArrayList<>();
        volatile String failWith;

        @Override
        public LoadedModel load(ModelSpec spec) throws Exception {
            loads.incrementAndGet();
            assertThat(gate.await(10, TimeUnit.SECONDS)).isTrue();
            if (failWith != null) {
                throw new IllegalStateException(failWith);
            }
            FakeModel m = new FakeModel();
            synchronized (made) {
                made.add(m);
            }
            return m;
        }

        @Override
        public String slotFor(ModelSpec spec) {
            return "fake-0";
        }
    }

    @Test
    void thirtyTwoConcurrentRequestsForAColdModelCauseExactlyOneLoad() throws Exception {
        FakeLoader loader = new FakeLoader();
        ModelCache cache = new ModelCache(loader, loads, 10_000, 1_000);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            results.add(requests.submit(() -> {
                try (ModelCache.Lease lease = cache.acquire(spec("a"))) {
                    return lease.model() != null;
                }
            }));
        }
        Thread.sleep(100); // let every request arrive while the load is held
        assertThat(cache.copy("a").orElseThrow().state()).isEqualTo(CopyState.LOADING);
        loader.gate.countDown();
        for (Future<Boolean> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(loader.loads).hasValue(1);
        assertThat(cache.copy("a").orElseThrow().state()).isEqualTo(CopyState.LOADED);
        assertThat(cache.usedBytes("fake-0")).isEqualTo(100);
    }

    @Test
    void aFailedLoadIsReportedAndRetriedOnlyAfterTheBackOff() throws Exception {
        FakeLoader loader = new FakeLoader();
        loader.gate.countDown();
        loader.failWith = "corrupt artifact";
        ModelCache cache = new ModelCache(loader, loads, 10_000, 300);
        assertThatThrownBy(() -> cache.acquire(spec("a"))).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_READY)).hasMessageContaining("corrupt artifact");
        assertThatThrownBy(() -> cache.acquire(spec("a"))).hasMessageContaining("corrupt artifact");
        assertThat(loader.loads).hasValue(1);
        assertThat(cache.copy("a").orElseThrow().error()).contains("corrupt artifact");

        loader.failWith = null;
        Thread.sleep(400);
        try (ModelCache.Lease lease = cache.acquire(spec("a"))) {
            assertThat(lease.model()).isNotNull();
        }
        assertThat(loader.loads).hasValue(2);
    }

    @Test
    void anUnloadWaitsForTheRequestInFlight() throws Exception {
        FakeLoader loader = new FakeLoader();
        loader.gate.countDown();
        ModelCache cache = new ModelCache(loader, loads, 10_000, 1_000);
        ModelCache.Lease lease = cache.acquire(spec("a"));
        CompletableFuture<Void> unloaded = cache.unload("a");
        assertThat(unloaded).isNotDone();
        assertThat(loader.made.get(0).closed).isFalse();
        lease.model().infer(new InferenceRequest("a", "", "", Map.of(), List.of(), List.of(), false));
        lease.close();
        unloaded.get(5, TimeUnit.SECONDS);
        assertThat(loader.made.get(0).closed).isTrue();
        assertThat(cache.copy("a")).isEmpty();
    }

    @Test
    void aChangedSpecReplacesTheCopy() throws Exception {
        FakeLoader loader = new FakeLoader();
        loader.gate.countDown();
        ModelCache cache = new ModelCache(loader, loads, 10_000, 1_000);
        cache.acquire(spec("a")).close();
        ModelSpec moved = new ModelSpec("a", new ModelFormat("fake", ""), "/models/a-v2", "", 0);
        cache.acquire(moved).close();
        assertThat(loader.loads).hasValue(2);
        assertThat(loader.made.get(0).closed).isTrue();
        assertThat(loader.made.get(1).closed).isFalse();
    }
}
