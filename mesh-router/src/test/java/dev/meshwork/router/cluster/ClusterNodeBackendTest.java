package dev.meshwork.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.DigestPin;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.InMemoryLoadClaims;
import dev.meshwork.placement.table.InMemoryNodeTable;
import dev.meshwork.placement.table.InMemoryPlacementTable;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.node.CopyStatus;
import dev.meshwork.protocol.node.LoadRequest;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.security.grpc.InternalChannels;
import dev.meshwork.testing.Conditions;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's forwarding and load on miss against fake nodes on loopback gRPC, with the
 * in-memory tables: one load however many requests miss at once, a bounded wait, a clear timeout,
 * a claim held by another router, an unreachable node, and a model error passed on unchanged.
 */
class ClusterNodeBackendTest {
    private final InMemoryPlacementTable placement = new InMemoryPlacementTable();
    private final InMemoryNodeTable nodes = new InMemoryNodeTable();
    private final Set<String> alive = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final InMemoryLoadClaims claims = new InMemoryLoadClaims(alive::contains, System::currentTimeMillis);
    private final List<Server> servers = new ArrayList<>();
    private ClusterNodeBackend backend;

    private static final ModelSpec MODEL = new ModelSpec("m", new ModelFormat("onnx", ""), "file:///m.onnx", "", 0);

    /** A node that loads by writing its placement row (after {@code loadGate} opens) and answers infer while it holds the copy. */
    final class FakeNode extends NodeServiceGrpc.NodeServiceImplBase {
        final String id;
        final AtomicInteger loads = new AtomicInteger();
        final AtomicInteger infers = new AtomicInteger();
        volatile CountDownLatch loadGate = new CountDownLatch(0);
        volatile Status inferError;
        /** Answered once, by the node itself, to the next infer. */
        final java.util.concurrent.atomic.AtomicReference<Throwable> answerOnce = new java.util.concurrent.atomic.AtomicReference<>();
        volatile long inferDelayMs;
        /** Evicted since the table was written: like a real node, remove the row, then say so. */
        volatile boolean evicted;
        /** Whether it honours a router's last try ({@code LoadOnMiss}); an older node would not. */
        volatile boolean loadsOnMiss;
        /** The registrations it was asked to load for a request on its last try. */
        final List<ModelSpec> askedOnMiss = new java.util.concurrent.CopyOnWriteArrayList<>();

        FakeNode(String id) {
            this.id = id;
        }

        @Override
        public void load(LoadRequest request, StreamObserver<CopyStatus> out) {
            loads.incrementAndGet();
            try {
                loadGate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // like a real node, the row says which registration the copy was loaded for
            ModelSpec loaded = dev.meshwork.nodeapi.NodeMessages.spec(request.getModel());
            placement.putCopy(request.getModel().getModelId(), new CopyRecord(id, request.getSlot(), CopyState.LOADED, 10, 0, "",
                    loaded.fingerprint(), DigestPin.of(loaded.storageUri()), false));
            out.onNext(CopyStatus.newBuilder().setModelId(request.getModel().getModelId()).setSlot(request.getSlot())
                    .setState(dev.meshwork.protocol.node.CopyState.LOADED).build());
            out.onCompleted();
        }

        @Override
        public void infer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
            infers.incrementAndGet();
            if (inferDelayMs > 0) {
                try {
                    Thread.sleep(inferDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Throwable once = answerOnce.getAndSet(null);
            dev.meshwork.nodeapi.LoadOnMiss.requested().map(dev.meshwork.nodeapi.LoadOnMiss::spec).ifPresent(askedOnMiss::add);
            if (once != null) {
                out.onError(GrpcErrors.toStatus(once));
            } else if (evicted && loadsOnMiss && !askedOnMiss.isEmpty()) {
                out.onNext(ModelInferResponse.newBuilder().setModelName(request.getModelName()).setId(id + " loaded on miss").build());
                out.onCompleted();
            } else if (evicted) {
                placement.removeCopy(request.getModelName(), id);
                out.onError(GrpcErrors.copyMissing(request.getModelName(), id));
            } else if (inferError != null) {
                out.onError(inferError.asRuntimeException());
            } else if (placement.copies(request.getModelName()).stream().noneMatch(c -> c.nodeId().equals(id))) {
                out.onError(GrpcErrors.copyMissing(request.getModelName(), id));
            } else {
                out.onNext(ModelInferResponse.newBuilder().setModelName(request.getModelName()).setId(id).build());
                out.onCompleted();
            }
        }
    }

    private FakeNode node(String id, long freeBytes) throws Exception {
        FakeNode fake = new FakeNode(id);
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).executor(Executors.newCachedThreadPool())
                .addService(fake).intercept(dev.meshwork.nodeapi.LoadOnMiss.server()).build().start();
        servers.add(s);
        nodes.put(new NodeRecord(id, "127.0.0.1:" + s.getPort(), "member-" + id, List.of(new SlotRecord("onnx-0", "onnx", "cpu",
                List.of("onnx"), true, 1000, 1000 - freeBytes, 0, List.of())), 0, false, 0));
        return fake;
    }

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private ClusterNodeBackend backend(ForwardConfig config) {
        backend = new ClusterNodeBackend(placement, nodes, claims, "router-a", config, InternalChannels.plain(),
                new ScalingConfig(false, 200, 16, 4, 60_000, 1_000), meters);
        return backend;
    }

    private static ForwardConfig config(long loadTimeoutMs, int maxWaiting) {
        return new ForwardConfig(10_000, loadTimeoutMs, 60_000, maxWaiting, 5_000, 30_000, 1 << 20);
    }

    private static ModelInferRequest request() {
        return ModelInferRequest.newBuilder().setModelName("m").build();
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        servers.forEach(Server::shutdownNow);
    }

    @Test
    void manyRequestsMissingAtOnceCauseOneLoad() throws Exception {
        FakeNode a = node("a", 900);
        a.loadGate = new CountDownLatch(1);
        ClusterNodeBackend b = backend(config(10_000, 100));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<ModelInferResponse>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(pool.submit(() -> b.inferWire(MODEL, request())));
        }
        Conditions.holdsFor("every request waits for the one load", Duration.ofMillis(200), () -> answers.stream().noneMatch(Future::isDone));
        a.loadGate.countDown();
        for (Future<ModelInferResponse> f : answers) {
            assertThat(f.get(10, TimeUnit.SECONDS).getId()).isEqualTo("a");
        }
        pool.shutdownNow();
        assertThat(a.loads).hasValue(1);
        assertThat(a.infers).hasValue(20);
    }

    @Test
    void aCopyLoadedForAnotherRegistrationOfTheSameIdIsNeverUsed() throws Exception {
        FakeNode a = node("a", 900);
        FakeNode c = node("c", 900);
        // a row that says node a holds m, loaded for another storageUri than the registration now has
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, "",
                new ModelSpec("m", new ModelFormat("onnx", ""), "http://elsewhere/m.onnx", "", 0).fingerprint(), "", false));
        ClusterNodeBackend b = backend(config(10_000, 100));
        String answeredBy = b.inferWire(MODEL, request()).getId();
        assertThat(a.loads.get() + c.loads.get()).as("a load for this registration").isEqualTo(1);
        assertThat(placement.copies("m")).filteredOn(r -> r.nodeId().equals(answeredBy)).singleElement()
                .satisfies(r -> assertThat(r.spec()).isEqualTo(MODEL.fingerprint()));
    }

    @Test
    void aCopyOfOtherBytesThanThePinnedDigestIsNeverUsed() throws Exception {
        FakeNode a = node("a", 900);
        FakeNode c = node("c", 900);
        String pin = "a".repeat(64);
        ModelSpec pinned = new ModelSpec("m", new ModelFormat("onnx", ""), "file:///models/m.onnx#sha256=" + pin, "", 0);
        // a row for this very registration whose node reports other bytes than the pinned ones
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, "", pinned.fingerprint(), "sha256:" + "b".repeat(64), false));
        ClusterNodeBackend b = backend(config(10_000, 100));
        String answeredBy = b.inferWire(pinned, request()).getId();
        assertThat(a.loads.get() + c.loads.get()).as("a load of the pinned bytes").isEqualTo(1);
        assertThat(placement.copies("m")).filteredOn(r -> r.nodeId().equals(answeredBy)).singleElement()
                .satisfies(r -> assertThat(r.digest()).isEqualTo("sha256:" + pin));
    }

    @Test
    void waitingForALoadIsBoundedInCountAndTime() throws Exception {
        FakeNode a = node("a", 900);
        a.loadGate = new CountDownLatch(1);
        ClusterNodeBackend b = backend(config(2_000, 2));
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(pool.submit(() -> b.inferWire(MODEL, request())));
        }
        List<MeshError> errors = new ArrayList<>();
        for (Future<?> f : calls) {
            try {
                f.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                errors.add((MeshError) e.getCause());
            }
        }
        pool.shutdownNow();
        a.loadGate.countDown();
        assertThat(errors).hasSize(5);
        assertThat(errors).filteredOn(e -> e.code() == ErrorCode.UNAVAILABLE).hasSize(3)
                .allSatisfy(e -> assertThat(e.getMessage()).contains("forward.maxWaitingPerModel"));
        assertThat(errors).filteredOn(e -> e.code() == ErrorCode.DEADLINE_EXCEEDED).hasSize(2)
                .allSatisfy(e -> assertThat(e.getMessage()).contains("did not finish loading within 2000 ms"));
    }

    @Test
    void aClaimHeldByAnotherRouterIsWaitedOutNotDuplicated() throws Exception {
        FakeNode a = node("a", 900);
        alive.add("router-b");
        assertThat(claims.tryClaim("m", "router-b", 60_000)).isEmpty();
        ClusterNodeBackend b = backend(config(10_000, 100));
        Future<ModelInferResponse> answer = Executors.newSingleThreadExecutor().submit(() -> b.inferWire(MODEL, request()));
        Conditions.holdsFor("the other router's claim is waited out", Duration.ofMillis(200), () -> !answer.isDone());
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, "")); // router b's load lands
        assertThat(answer.get(10, TimeUnit.SECONDS).getId()).isEqualTo("a");
        assertThat(a.loads).as("this router loaded nothing").hasValue(0);
    }

    @Test
    void anUnreachableNodeIsRetriedOnceOnAFreshLoadElsewhere() throws Exception {
        FakeNode b2 = node("b", 100);
        nodes.put(new NodeRecord("gone", "127.0.0.1:1", "member-gone", List.of(new SlotRecord("onnx-0", "onnx", "cpu",
                List.of("onnx"), true, 1000, 0, 0, List.of())), 0, false, 0));
        placement.putCopy("m", new CopyRecord("gone", "onnx-0", CopyState.LOADED, 10, 0, ""));
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThat(b.inferWire(MODEL, request()).getId()).isEqualTo("b");
        assertThat(b2.loads).hasValue(1);
    }

    @Test
    void aModelErrorComesBackUnchangedAndIsNotRetried() throws Exception {
        FakeNode a = node("a", 900);
        node("b", 900);
        a.inferError = Status.INVALID_ARGUMENT.withDescription("input 'x' has shape [3] but the model wants [4]");
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, ""));
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThatThrownBy(() -> b.inferWire(MODEL, request())).isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isEqualTo("input 'x' has shape [3] but the model wants [4]");
        });
        assertThat(a.infers).hasValue(1);
    }

    @Test
    void aNodeThatNoLongerHoldsTheCopyMakesTheRequestPlaceItAgain() throws Exception {
        FakeNode a = node("a", 100);
        FakeNode b2 = node("b", 900);
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, ""));
        a.evicted = true; // the table still shows the copy when the request arrives
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThat(b.inferWire(MODEL, request()).getId()).isEqualTo("b");
        assertThat(a.infers).hasValue(1);
        assertThat(b2.loads).hasValue(1);
        assertThat(placement.copies("m")).extracting(CopyRecord::nodeId).containsExactly("b");
    }

    @Test
    void aCopyStillUnloadingOnTheOnlyNodeIsWaitedOutNotAnsweredWithNoPlace() throws Exception {
        FakeNode a = node("a", 900);
        // an eviction the node has not finished writing: placement skips a node that holds a live copy
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.UNLOADING, 10, 0, ""));
        ClusterNodeBackend b = backend(config(10_000, 100));
        Thread removal = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            placement.removeCopy("m", "a");
        });
        assertThat(b.inferWire(MODEL, request()).getId()).isEqualTo("a");
        assertThat(a.loads).hasValue(1);
        removal.join();
    }

    @Test
    void theCallersGrpcDeadlineReachesTheNode() throws Exception {
        FakeNode a = node("a", 900);
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, ""));
        a.inferDelayMs = 3_000;
        ClusterNodeBackend b = backend(config(10_000, 100));
        long started = System.nanoTime();
        // a client's deadline travels in the gRPC context the router's request thread runs in
        assertThatThrownBy(() -> io.grpc.Context.current().withDeadlineAfter(300, TimeUnit.MILLISECONDS,
                Executors.newSingleThreadScheduledExecutor()).call(() -> b.inferWire(MODEL, request())))
                .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("gave up at the caller's deadline").isLessThan(2_500);
    }

    @Test
    void aNodeThatAnswersUnavailableItselfIsAskedAgainAndStaysTrusted() throws Exception {
        FakeNode a = node("a", 900);
        FakeNode b2 = node("b", 900);
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, ""));
        a.answerOnce.set(new MeshError(ErrorCode.UNAVAILABLE, "model 'm' is running its limit of requests"));
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThat(b.inferWire(MODEL, request()).getId()).isEqualTo("a");
        assertThat(b.inferWire(MODEL, request()).getId()).as("not suspected: still chosen").isEqualTo("a");
        assertThat(a.infers).hasValue(3);
        assertThat(b2.loads).as("no load elsewhere").hasValue(0);
    }

    @Test
    void aModelThatCrashedAProcessOnOneNodeIsLoadedOnNoOther() throws Exception {
        FakeNode a = node("a", 900);
        FakeNode c = node("c", 900);
        String why = "the process of runtime xgboost-0 (pid 7) died with SIGSEGV while loading it; it is not loaded again until it is unloaded or registered again";
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.FAILED, 0, 0, why, MODEL.fingerprint(), "", true));
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThatThrownBy(() -> b.inferWire(MODEL, request())).isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_READY);
            assertThat(e.getMessage()).contains("is not loaded on any node: on node a, " + why);
        });
        assertThat(a.loads.get() + c.loads.get()).as("no other node is asked to load it").isZero();

        // an ordinary failure (a bad shape, a missing file) still lets another node try
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.FAILED, 0, 0, "no such file", MODEL.fingerprint(), "", false));
        assertThat(b.inferWire(MODEL, request()).getId()).isEqualTo("c");
    }

    @Test
    void withEveryNodeGoneTheAnswerSaysTheyLeftNotThatNoneJoined() throws Exception {
        FakeNode a = node("a", 900);
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThat(b.inferWire(MODEL, request()).getId()).isEqualTo("a");
        nodes.remove("a");
        placement.removeNode("a");
        assertThatThrownBy(() -> b.inferWire(MODEL, request())).isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("no node is in the mesh now (every node has left or was declared gone)");
        });
    }

    @Test
    void withNodeWaitARequestToAMeshWithNoNodeIsHeldUntilOneJoinsAndTheWaitIsMetered() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        backend = new ClusterNodeBackend(placement, nodes, claims, "router-a", new ForwardConfig(10_000, 10_000, 60_000, 100, 5_000, 30_000,
                1 << 20, 0.2, 8_000), InternalChannels.plain(), new ScalingConfig(false, 200, 16, 4, 60_000, 1_000), registry);
        ClusterNodeBackend b = backend;
        ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
        try {
            long started = System.nanoTime();
            Future<ModelInferResponse> held = users.submit(() -> b.inferWire(MODEL, request()));
            await("the request waits, and counts as waiting (the autoscale signal's scale-from-zero input)").atMost(Duration.ofSeconds(5))
                    .until(() -> b.waitingForLoads() == 1);
            Thread.sleep(300);
            assertThat(held).as("held, not failed, while no node is in the mesh").isNotDone();
            node("a", 900);
            assertThat(held.get(10, TimeUnit.SECONDS).getId()).isEqualTo("a");
            var waited = registry.find("meshwork.forward.node.wait").tag("outcome", "joined").timer();
            assertThat(waited).isNotNull();
            assertThat(waited.count()).isEqualTo(1);
            assertThat(waited.totalTime(TimeUnit.MILLISECONDS)).isBetween(300.0, (System.nanoTime() - started) / 1e6);
        } finally {
            users.shutdownNow();
        }
    }

    @Test
    void withNodeWaitAndNoNodeJoiningTheRequestFailsAfterTheWaitSayingSo() {
        backend = new ClusterNodeBackend(placement, nodes, claims, "router-a", new ForwardConfig(10_000, 10_000, 60_000, 100, 5_000, 30_000,
                1 << 20, 0.2, 400), InternalChannels.plain(), new ScalingConfig(false, 200, 16, 4, 60_000, 1_000), new SimpleMeterRegistry());
        long started = System.nanoTime();
        assertThatThrownBy(() -> backend.inferWire(MODEL, request())).isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("no node has joined the mesh yet").contains("waited 400 ms for one, forward.nodeWaitMs");
        });
        assertThat((System.nanoTime() - started) / 1e6).as("it waited its time, and no longer than the load's").isBetween(400.0, 9_000.0);
    }

    @Test
    void aModelEvictedOnEveryPlacementIsLoadedForTheRequestOnItsLastTry() throws Exception {
        FakeNode a = node("a", 900);
        FakeNode b2 = node("b", 900);
        for (FakeNode n : List.of(a, b2)) {
            n.evicted = true; // each fresh copy is gone before the request reaches it
            n.loadsOnMiss = true;
        }
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, ""));
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThat(b.inferWire(MODEL, request()).getId()).endsWith("loaded on miss");
        assertThat(a.infers.get() + b2.infers.get()).as("three placements answered 'no copy', the fourth loaded for the request").isEqualTo(4);
        List<ModelSpec> asked = new ArrayList<>(a.askedOnMiss);
        asked.addAll(b2.askedOnMiss);
        assertThat(asked).as("asked once, on the last try, for the registration the request serves").hasSize(1)
                .allSatisfy(s -> assertThat(s.fingerprint()).isEqualTo(MODEL.fingerprint()));
        assertThat(meters.get("meshwork.forward.retries").tag("reason", "copy-missing").counter().count()).isEqualTo(2);
        assertThat(meters.get("meshwork.forward.retries").tag("reason", "load-on-miss").counter().count()).isEqualTo(1);
    }

    @Test
    void aModelEvictedOnEveryPlacementFailsWithUnavailableNotNotFound() throws Exception {
        FakeNode a = node("a", 900);
        FakeNode b2 = node("b", 900);
        a.evicted = true; // and neither loads on a last try: nodes of a version before LoadOnMiss
        b2.evicted = true;
        placement.putCopy("m", new CopyRecord("a", "onnx-0", CopyState.LOADED, 10, 0, ""));
        ClusterNodeBackend b = backend(config(10_000, 100));
        assertThatThrownBy(() -> b.inferWire(MODEL, request())).isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("model 'm' was no longer on the node it was placed on, 4 times in a row (last on node")
                    .doesNotContain("evicted 4 times"); // nobody knows it was an eviction each time
        });
    }
}
