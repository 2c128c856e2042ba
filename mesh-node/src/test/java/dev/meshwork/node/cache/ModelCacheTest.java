package dev.meshwork.node.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.placement.eviction.LruEvictionPolicy;
import dev.meshwork.placement.tenant.MemoryAmount;
import dev.meshwork.placement.tenant.TenantPolicies;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.placement.tenant.TenantShares;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The slot cache with a fake loader (sizes and timing under the test's control). */
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

    static InferenceRequest request(String id) {
        return new InferenceRequest(id, "", "", Map.of(), List.of(), List.of(), false);
    }

    /** A model of a given size that records whether it was closed and refuses use after. */
    static final class FakeModel implements LoadedModel {
        final String id;
        final long size;
        final AtomicBoolean closed = new AtomicBoolean();

        FakeModel(String id, long size) {
            this.id = id;
            this.size = size;
        }

        @Override
        public ModelMetadata metadata() {
            return new ModelMetadata(id, List.of("1"), "fake", List.of(), List.of());
        }

        @Override
        public InferenceResponse infer(InferenceRequest request) {
            if (closed.get()) {
                throw new IllegalStateException(id + " used after close");
            }
            return new InferenceResponse(id, "", "", Map.of(), List.of());
        }

        @Override
        public long sizeBytes() {
            return size;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    /** Counts loads; sizes per model (predicted, measured); can be held at a gate or made to fail. */
    static class FakeLoader implements ModelCache.Loader {
        final AtomicInteger loads = new AtomicInteger();
        final CountDownLatch gate = new CountDownLatch(1);
        final Map<String, Long> predicted = new ConcurrentHashMap<>();
        final Map<String, Long> measured = new ConcurrentHashMap<>();
        final List<FakeModel> made = new ArrayList<>();
        volatile String failWith;

        FakeLoader open() {
            gate.countDown();
            return this;
        }

        @Override
        public long predictSize(ModelSpec spec) {
            return predicted.getOrDefault(spec.id(), 100L);
        }

        @Override
        public ModelCache.Loaded load(ModelSpec spec) throws Exception {
            loads.incrementAndGet();
            assertThat(gate.await(10, TimeUnit.SECONDS)).isTrue();
            if (failWith != null) {
                throw new IllegalStateException(failWith);
            }
            FakeModel m = new FakeModel(spec.id(), measured.getOrDefault(spec.id(), predictSize(spec)));
            synchronized (made) {
                made.add(m);
            }
            return new ModelCache.Loaded(m, "sha256:" + spec.id());
        }

        FakeModel last(String id) {
            synchronized (made) {
                return made.stream().filter(m -> m.id.equals(id)).reduce((a, b) -> b).orElseThrow();
            }
        }
    }

    ModelCache cache(FakeLoader loader, long capacity) {
        return new ModelCache("fake-0", capacity, loader, new LruEvictionPolicy(), loads, new ModelCache.Settings(10_000, 1_000, 0, 1_000));
    }

    static void use(ModelCache cache, String id) {
        try (ModelCache.Lease lease = cache.acquire(spec(id))) {
            assertThat(lease.model().infer(request(id)).modelName()).isEqualTo(id);
        }
    }

    /** The ledger agrees with the copies and never passes the budget. */
    static void assertAccounting(ModelCache cache) {
        long sum = cache.copies().stream().filter(c -> c.state() != CopyState.FAILED).mapToLong(CopyInfo::sizeBytes).sum();
        assertThat(cache.usedBytes()).isEqualTo(sum).isLessThanOrEqualTo(cache.capacityBytes());
    }

    static List<String> loaded(ModelCache cache) {
        return cache.copies().stream().filter(c -> c.state() == CopyState.LOADED).map(CopyInfo::modelId).toList();
    }

    @Test
    void thirtyTwoConcurrentRequestsForAColdModelCauseExactlyOneLoad() throws Exception {
        FakeLoader loader = new FakeLoader();
        ModelCache cache = cache(loader, 1000);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            results.add(requests.submit(() -> {
                use(cache, "a");
                return true;
            }));
        }
        Conditions.holdsFor("requests arrive while the load is held at the gate", Duration.ofMillis(100),
                () -> cache.copy("a").map(c -> c.state() == CopyState.LOADING).orElse(false));
        loader.gate.countDown();
        for (Future<Boolean> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(loader.loads).hasValue(1);
        assertThat(cache.copy("a").orElseThrow().state()).isEqualTo(CopyState.LOADED);
        assertThat(cache.usedBytes()).isEqualTo(100);
    }

    @Test
    void underPressureTheLeastRecentlyUsedCopyIsEvictedAndTheBudgetHolds() {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = cache(loader, 250); // room for two of the three 100-byte models
        String[] sequence = {"a", "b", "a", "c", "a", "b", "c", "c", "a"};
        String[][] expectedLoaded = {{"a"}, {"a", "b"}, {"a", "b"}, {"a", "c"}, {"a", "c"}, {"a", "b"}, {"b", "c"}, {"b", "c"}, {"a", "c"}};
        for (int i = 0; i < sequence.length; i++) {
            use(cache, sequence[i]);
            assertAccounting(cache);
            assertThat(loaded(cache)).as("after request %d for %s", i, sequence[i]).containsExactlyInAnyOrder(expectedLoaded[i]);
        }
        assertThat(loader.loads).hasValue(6);
        assertThat(cache.evictions()).isEqualTo(4);
        assertThat(loader.made.stream().filter(m -> m.closed.get()).count()).isEqualTo(4);
    }

    @Test
    void withGdsfOrLfuAFrequentlyUsedCopyOutlivesAMoreRecentOneUsedOnce() {
        for (String policy : new String[]{"lru", "gdsf", "lfu"}) {
            FakeLoader loader = new FakeLoader().open();
            ModelCache cache = new ModelCache("fake-0", 250, loader, EvictionPolicies.create(policy), loads,
                    new ModelCache.Settings(10_000, 1_000, 0, 1_000));
            for (int i = 0; i < 5; i++) {
                use(cache, "a");
            }
            use(cache, "b");
            use(cache, "c");
            assertThat(loaded(cache)).as(policy).containsExactlyInAnyOrder(policy.equals("lru") ? new String[]{"b", "c"} : new String[]{"a", "c"});
            assertAccounting(cache);
        }
    }

    @Test
    void aCopyInUseIsNotEvictedAndWhenEverythingIsPinnedTheLoadFailsWithTheNumbers() throws Exception {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = cache(loader, 200);
        ModelCache.Lease a = cache.acquire(spec("a")); // a long request on a
        use(cache, "b");
        use(cache, "c"); // needs room: a is least recently used but pinned, so b goes
        assertThat(loaded(cache)).containsExactlyInAnyOrder("a", "c");
        assertThat(a.model().infer(request("a")).modelName()).isEqualTo("a");

        ModelCache.Lease c = cache.acquire(spec("c"));
        assertThatThrownBy(() -> cache.acquire(spec("d"))).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CAPACITY_EXHAUSTED))
                .hasMessageContaining("model 'd' needs 100 bytes but slot fake-0 has 0 of 200 bytes free");
        assertAccounting(cache);
        a.close();
        c.close();
        use(cache, "d"); // a capacity failure is not remembered: once pins go, it loads
        assertAccounting(cache);
    }

    @Test
    void aLoadThatFindsEveryCopyPinnedWaitsForOneToBeReleased() throws Exception {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = cache(loader, 200);
        ModelCache.Lease a = cache.acquire(spec("a"));
        ModelCache.Lease b = cache.acquire(spec("b"));
        java.util.concurrent.Future<String> c = requests.submit(() -> {
            use(cache, "c");
            return "served";
        });
        Conditions.holdsFor("waiting for room, not failed", Duration.ofMillis(150), () -> !c.isDone());
        a.close();
        assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo("served");
        assertThat(loaded(cache)).containsExactlyInAnyOrder("b", "c");
        b.close();
        assertAccounting(cache);
    }

    @Test
    void aModelLargerThanTheSlotIsRefused() {
        FakeLoader loader = new FakeLoader().open();
        loader.predicted.put("huge", 300L);
        ModelCache cache = cache(loader, 250);
        use(cache, "a");
        assertThatThrownBy(() -> cache.acquire(spec("huge"))).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CAPACITY_EXHAUSTED))
                .hasMessageContaining("needs 300 bytes, more than the whole budget of slot fake-0 (250 bytes)");
        assertThat(loaded(cache)).containsExactly("a");
        assertAccounting(cache);
    }

    @Test
    void theMeasuredSizeCorrectsTheAccountingEitherWay() {
        FakeLoader loader = new FakeLoader().open();
        loader.measured.put("big", 180L);
        loader.predicted.put("small", 60L);
        loader.measured.put("small", 40L);
        ModelCache cache = cache(loader, 250);
        use(cache, "a");
        use(cache, "big"); // predicted 100 fits beside a; measured 180 does not: a is evicted
        assertThat(loaded(cache)).containsExactly("big");
        assertThat(cache.usedBytes()).isEqualTo(180);
        use(cache, "small"); // predicted 60 fits beside big (240 of 250); measured 40 hands 20 back
        assertThat(loaded(cache)).containsExactlyInAnyOrder("big", "small");
        assertThat(cache.usedBytes()).isEqualTo(220);
        assertAccounting(cache);
    }

    @Test
    void aFailedLoadIsReportedAndRetriedOnlyAfterTheBackOff() throws Exception {
        FakeLoader loader = new FakeLoader().open();
        loader.failWith = "corrupt artifact";
        ModelCache cache = new ModelCache("fake-0", 1000, loader, new LruEvictionPolicy(), loads, new ModelCache.Settings(10_000, 300, 0, 1_000));
        assertThatThrownBy(() -> cache.acquire(spec("a"))).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_READY)).hasMessageContaining("corrupt artifact");
        assertThatThrownBy(() -> cache.acquire(spec("a"))).hasMessageContaining("corrupt artifact");
        assertThat(loader.loads).hasValue(1);
        assertThat(cache.copy("a").orElseThrow().error()).contains("corrupt artifact");
        assertThat(cache.usedBytes()).isZero();

        loader.failWith = null;
        // requests within the back-off get the remembered error without a load; the first after it loads
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreException(MeshError.class).until(() -> {
            use(cache, "a");
            return true;
        });
        assertThat(loader.loads).hasValue(2);
    }

    @Test
    void anUnreachableRuntimeIsNotRememberedAsAFailedLoad() {
        FakeLoader loader = new FakeLoader() {
            @Override
            public ModelCache.Loaded load(ModelSpec spec) throws Exception {
                if (loads.get() == 0) {
                    loads.incrementAndGet();
                    throw new MeshError(ErrorCode.UNAVAILABLE, "external runtime ext is not READY");
                }
                return super.load(spec);
            }
        }.open();
        ModelCache cache = cache(loader, 1000); // back-off 1 s
        assertThatThrownBy(() -> cache.acquire(spec("a"))).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE)).hasMessageContaining("not READY");
        use(cache, "a"); // at once, no back-off
        assertThat(loader.loads).hasValue(2);
    }

    @Test
    void anUnloadWaitsForTheRequestInFlight() throws Exception {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = cache(loader, 1000);
        ModelCache.Lease lease = cache.acquire(spec("a"));
        CompletableFuture<Void> unloaded = cache.unload("a");
        assertThat(unloaded).isNotDone();
        assertThat(loader.last("a").closed).isFalse();
        lease.model().infer(request("a"));
        lease.close();
        unloaded.get(5, TimeUnit.SECONDS);
        assertThat(loader.last("a").closed).isTrue();
        assertThat(cache.copy("a")).isEmpty();
        assertThat(cache.usedBytes()).isZero();
    }

    @Test
    void aConcurrencyLimitQueuesRequestsInOrderAndTimesOutTheOverflow() throws Exception {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = new ModelCache("fake-0", 1000, loader, new LruEvictionPolicy(), loads, new ModelCache.Settings(10_000, 1_000, 2, 300));
        ModelCache.Lease first = cache.acquire(spec("a"));
        ModelCache.Lease second = cache.acquire(spec("a"));
        Future<ModelCache.Lease> third = requests.submit(() -> cache.acquire(spec("a")));
        Conditions.holdsFor("two run, the third waits its turn", Duration.ofMillis(100), () -> !third.isDone());
        first.close();
        ModelCache.Lease thirdLease = third.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> cache.acquire(spec("a"))).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE)).hasMessageContaining("waited 300 ms (node.queueTimeoutMs)");
        // a queued request pins the model: it is not evicted while requests wait
        assertThat(cache.copy("a").orElseThrow().state()).isEqualTo(CopyState.LOADED);
        second.close();
        thirdLease.close();
        use(cache, "a");
        CompletableFuture<Void> unloaded = cache.unload("a");
        unloaded.get(5, TimeUnit.SECONDS); // every pin and turn was given back
    }

    @Test
    void aChangedSpecReplacesTheCopy() {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = cache(loader, 1000);
        use(cache, "a");
        FakeModel first = loader.last("a");
        ModelSpec moved = new ModelSpec("a", new ModelFormat("fake", ""), "/models/a-v2", "", 0);
        cache.acquire(moved).close();
        assertThat(loader.loads).hasValue(2);
        assertThat(first.closed).isTrue();
        assertThat(loader.last("a").closed).isFalse();
        assertThat(cache.usedBytes()).isEqualTo(100);
    }

    static TenantPolicy tenant(String ns, MemoryAmount share, MemoryAmount max) {
        return new TenantPolicy(ns, 0, share, max, 0, 0, 0, 0, 0, "");
    }

    /** The slot is the whole mesh: usage is the slot's own, live. */
    static void fairShares(ModelCache cache, TenantPolicy... policies) {
        TenantPolicies p = new TenantPolicies(List.of(policies));
        cache.tenancy(() -> new TenantShares(p, cache.capacityBytes(), cache::usedBytes));
    }

    @Test
    void anAggressorChurningColdModelsEvictsOnlyItsOwnCopiesWhileTheVictimIsWithinItsShare() {
        for (boolean fair : new boolean[]{false, true}) {
            FakeLoader loader = new FakeLoader().open();
            ModelCache cache = cache(loader, 500);
            if (fair) {
                fairShares(cache, tenant("b", new MemoryAmount(0.4, 0), MemoryAmount.NONE));
            }
            use(cache, "b/hot1");
            use(cache, "b/hot2");
            for (int i = 0; i < 12; i++) { // a's storm: twelve cold models, each used once, in a slot that holds five
                use(cache, "a/cold" + i);
                assertAccounting(cache);
            }
            if (fair) {
                assertThat(loaded(cache)).contains("b/hot1", "b/hot2");
                assertThat(cache.usedBytes("a")).isEqualTo(300); // a borrowed all the rest, no more
            } else {
                assertThat(loaded(cache)).doesNotContain("b/hot1", "b/hot2"); // what fair share prevents: LRU sees only recency
            }
        }
    }

    @Test
    void aVictimReclaimsItsShareFromABorrowerAndLendsWhatItDoesNotUse() {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = cache(loader, 500);
        fairShares(cache, tenant("b", new MemoryAmount(0.4, 0), MemoryAmount.NONE));
        for (int i = 0; i < 5; i++) {
            use(cache, "a/m" + i); // b is idle: a may borrow the whole slot
        }
        assertThat(cache.usedBytes("a")).isEqualTo(500);
        use(cache, "b/x");
        use(cache, "b/y"); // b takes its share back from a, the borrower
        assertThat(cache.usedBytes("b")).isEqualTo(200);
        assertThat(cache.usedBytes("a")).isEqualTo(300);
        assertAccounting(cache);
    }

    @Test
    void aCeilingHoldsEvenWhenTheSlotHasRoomAndALoadPastItSaysWhy() throws Exception {
        FakeLoader loader = new FakeLoader().open();
        ModelCache cache = cache(loader, 1000);
        fairShares(cache, tenant("a", MemoryAmount.NONE, new MemoryAmount(0, 200)));
        use(cache, "a/m0");
        use(cache, "a/m1");
        use(cache, "a/m2"); // the slot has 800 free, but a may hold 200: its own oldest goes
        assertThat(cache.usedBytes("a")).isEqualTo(200);
        assertThat(loaded(cache)).containsExactlyInAnyOrder("a/m1", "a/m2");
        try (ModelCache.Lease one = cache.acquire(spec("a/m1")); ModelCache.Lease two = cache.acquire(spec("a/m2"))) {
            assertThatThrownBy(() -> cache.acquire(spec("a/m3"))).isInstanceOfSatisfying(MeshError.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CAPACITY_EXHAUSTED);
                assertThat(e.getMessage()).contains("namespace 'a'", "maxMemory", "at most 200");
            });
        }
    }
}
