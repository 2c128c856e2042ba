package dev.meshwork.node;


import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.node.cache.ModelCache;
import dev.meshwork.node.metrics.SlotMetrics;
import dev.meshwork.node.crash.CrashLedger;
import dev.meshwork.node.runtime.external.ExternalRuntimeAdapter;
import dev.meshwork.node.runtime.external.ProcessRuntime;
import dev.meshwork.node.storage.Artifact;
import dev.meshwork.node.storage.ArtifactStore;
import dev.meshwork.node.storage.DownloadProgress;
import dev.meshwork.placement.eviction.EvictionPolicies;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.node.cache.Tenancy;
import dev.meshwork.nodeapi.InlineRun;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.tenant.MeshUsage;
import dev.meshwork.placement.tenant.TenantPolicies;
import dev.meshwork.placement.tenant.TenantShares;
import java.util.function.Supplier;
import dev.meshwork.placement.table.SlotRecord;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.runtime.RuntimeAdapter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node agent's API: load, infer, unload and status of the models on this node. Called from
 * request threads (never an event loop: calls block until a model is loaded and inference ran);
 * loads run on the agent's own load threads. Thread-safe.
 */
public final class NodeAgent implements AutoCloseable {
    /**
     * One runtime slot: a runtime adapter with a device and a memory budget.
     *
     * @param runtimeName what registrations name in their {@code runtime} field
     * @param autoSelect  whether models that name no runtime may land here
     */
    public record Slot(String name, String runtimeName, RuntimeAdapter runtime, String device, long capacityBytes, boolean autoSelect) {
        boolean serves(String format) {
            return runtime.formats().contains(format);
        }
    }

    /** A slot's state for status pages and the node table. */
    public record SlotStatus(String name, String runtime, String device, long capacityBytes, long usedBytes, long evictions,
                             List<CopyInfo> copies) {
    }

    private final NodeConfig config;
    private final ArtifactStore store;
    private final Map<String, ModelCache> caches = new LinkedHashMap<>();
    /** Requests that ran inline ({@link InlineRun}), for {@code meshwork_node_inline_requests_total}. */
    private final LongAdder inlineRuns = new LongAdder();
    private final List<Slot> slots = new ArrayList<>();
    /** The slots of each runtime name, and the auto-select slots of each format: fixed once built, read per request. */
    private final SlotChooser chooser;
    private final ExecutorService loadExecutor;
    /** Requests running on this node now; published in the node table as its load. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LoadHolds holds = new LoadHolds();
    /** Dynamic batching of the models whose registrations ask for it. */
    private final CopyRunner runner;
    /** Loads in flight and models that crashed a process, kept across the node's own crash. */
    private final CrashLedger ledger;
    private volatile boolean draining;

    /** A node with the slots of {@code node.slots} (in-process or isolated) and the external runtimes of {@code node.externalRuntimes}. */
    public NodeAgent(NodeConfig config) {
        this(config, NodeSlots.ledger(config));
    }

    private NodeAgent(NodeConfig config, CrashLedger ledger) {
        this(config, NodeSlots.local(config, ledger), ledger);
    }

    /** A node with the given in-process slots (plus the configured external runtimes). */
    public NodeAgent(NodeConfig config, List<Slot> inProcess) {
        this(config, inProcess, NodeSlots.ledger(config));
    }

    private NodeAgent(NodeConfig config, List<Slot> inProcess, CrashLedger ledger) {
        this.config = config;
        this.ledger = ledger;
        this.runner = new CopyRunner(config);
        this.store = new ArtifactStore(config.storage());
        AtomicInteger n = new AtomicInteger();
        this.loadExecutor = Executors.newFixedThreadPool(config.loadThreads(), r -> {
            Thread t = new Thread(r, "meshwork-load-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        slots.addAll(inProcess);
        // a runtime the node starts may read only what the node would: its storage roots and its download cache
        String readable = java.util.stream.Stream.concat(store.roots().stream(), java.util.stream.Stream.of(config.storage().cachePath()))
                .map(Path::toString).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        for (NodeConfig.External ext : config.externalRuntimes()) {
            NodeConfig.External started = ext.command().isEmpty() ? ext : ext.with(ext.endpoint(), Map.of("MESHWORK_STORAGE_ROOTS", readable));
            ExternalRuntimeAdapter adapter = new ExternalRuntimeAdapter(started, config.loadTimeoutMs(), ledger);
            long capacity = ext.capacityBytes() > 0 ? ext.capacityBytes() : config.slotMemoryBytes();
            slots.add(new Slot(ext.name() + "-0", ext.name(), adapter, adapter.device(), capacity, true));
        }
        Set<String> names = new HashSet<>();
        for (Slot slot : slots) {
            if (!names.add(slot.name())) {
                throw MeshError.invalid("node %s has two slots named '%s'; give one of them another runtime name", config.nodeId(), slot.name());
            }
            RuntimeAdapter r = slot.runtime();
            ModelCache cache = new ModelCache(slot.name(), slot.capacityBytes(), new SlotLoader(r, store, ledger),
                    EvictionPolicies.create(config.evictionPolicy()), loadExecutor, new ModelCache.Settings(config.loadTimeoutMs(),
                    config.failedLoadBackoffMs(), config.maxConcurrencyPerModel(), config.queueTimeoutMs()));
            caches.put(slot.name(), cache);
            if (r instanceof ProcessRuntime process) {
                process.onLost(() -> cache.dropAll("the process of runtime " + r.name() + " (slot " + slot.name()
                        + ") is gone; the model loads again once it is back"));
            }
        }
        NodeSlots.checkMemory(config, slots);
        this.chooser = new SlotChooser(config.nodeId(), slots, slot -> caches.get(slot.name()).freeBytes());
    }

    public String nodeId() {
        return config.nodeId();
    }

    /** The slot a model runs in ({@link SlotChooser#slotFor}). */
    Slot slotFor(ModelSpec spec) {
        return chooser.slotFor(spec);
    }

    /** Checks, without loading or placing, that this node could serve the model (format and runtime). */
    public void checkServable(ModelSpec spec) {
        chooser.candidates(spec);
    }

    private ModelCache cacheFor(ModelSpec spec) {
        return caches.get(slotFor(spec).name());
    }

    /** Loads the model if needed and waits until it is LOADED (or throws why it is not). */
    public CopyInfo ensureLoaded(ModelSpec spec) {
        ModelCache cache = cacheFor(spec);
        try (ModelCache.Lease lease = cache.acquire(spec)) {
            return lease.copy();
        }
    }

    /**
     * Loads the model into the named slot (a router's placement decision; empty lets the node
     * choose) and waits until it is LOADED. A draining node refuses, so that routers load elsewhere.
     */
    public CopyInfo ensureLoaded(ModelSpec spec, String slotName) {
        refuseNewLoadWhileDraining(spec);
        if (slotName != null && !slotName.isEmpty() && copy(spec.id()).isEmpty()) {
            chooser.place(spec, slotName);
        }
        ModelCache cache = cacheFor(spec);
        ModelCache.Lease lease = cache.acquire(spec);
        try {
            CopyInfo info = lease.copy();
            holds.hold(spec.id(), lease); // pinned until the requests that wait for this load arrive
            return info;
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Runs a request on a copy this node holds, without loading: empty when it holds none (evicted
     * or unloaded since the caller looked), so the caller can place the model again.
     */
    public Optional<InferenceResponse> inferIfLoaded(String modelId, InferenceRequest request) {
        return ifLoaded(modelId, lease -> runner.run(lease, request));
    }

    /** {@link #inferIfLoaded} for a gRPC request as it arrived ({@link CopyRunner#runWire}). */
    public Optional<ModelInferResponse> inferWireIfLoaded(String modelId, ModelInferRequest request) {
        return ifLoaded(modelId, lease -> runner.runWire(lease, request));
    }

    private <T> Optional<T> ifLoaded(String modelId, java.util.function.Function<ModelCache.Lease, T> work) {
        inFlight.incrementAndGet();
        try {
            boolean inline = InlineRun.active(); // on a thread that must not wait: a copy loaded now, or none
            for (ModelCache cache : caches.values()) {
                Optional<ModelCache.Lease> lease = inline ? cache.acquireLoaded(modelId) : cache.acquireIfPresent(modelId);
                if (lease.isPresent()) {
                    holds.used(modelId); // the requests that waited for its load are arriving
                    countInline();
                    try (ModelCache.Lease l = lease.get()) {
                        return Optional.of(work.apply(l));
                    }
                }
            }
            return Optional.empty();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The metadata of a copy this node holds, without loading; empty when it holds none. */
    public Optional<ModelMetadata> metadataIfLoaded(String modelId) {
        for (ModelCache cache : caches.values()) {
            Optional<ModelCache.Lease> lease = cache.acquireIfPresent(modelId);
            if (lease.isPresent()) {
                try (ModelCache.Lease l = lease.get()) {
                    return Optional.of(l.model().metadata());
                }
            }
        }
        return Optional.empty();
    }

    /** From now on the node takes no new loads; copies it holds keep serving. */
    public void drain() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Registers the node's meters: per slot (see {@link SlotMetrics}) and the requests in flight. */
    public void instrument(MeterRegistry registry) {
        for (Slot s : slots) {
            ModelCache c = caches.get(s.name());
            c.events(new SlotMetrics(registry, s.name(), s.runtimeName(), c));
        }
        Gauge.builder("meshwork.node.inflight", inFlight, AtomicInteger::get).description("requests running on the node").register(registry);
        FunctionCounter.builder("meshwork.node.inline.requests", inlineRuns, LongAdder::sum)
                .description("requests that ran on the thread that received them, without a hand-off (node.inlineMicros)").register(registry);
        runner.instrument(registry);
    }

    /** Tells {@code listener} the id of each model whose copy on this node changed; see {@link ModelCache#onChange}. */
    public void onCopyChange(java.util.function.Consumer<String> listener) {
        caches.values().forEach(c -> c.onChange(listener));
    }

    /** The spec a copy on this node was loaded with, if it holds one. */
    public Optional<ModelSpec> loadedSpec(String modelId) {
        return caches.values().stream().map(c -> c.spec(modelId)).flatMap(Optional::stream).findFirst();
    }

    /** The slots as the node table holds them. */
    public List<SlotRecord> slotRecords() {
        return slots.stream().map(s -> {
            ModelCache c = caches.get(s.name());
            return new SlotRecord(s.name(), s.runtimeName(), s.device(), s.runtime().formats().stream().sorted().toList(), s.autoSelect(),
                    c.capacityBytes(), c.usedBytes(), c.evictions(), c.copies().stream().map(CopyInfo::modelId).toList(), c.usedByNamespace());
        }).toList();
    }

    /** A copy as the placement table holds it. */
    public CopyRecord record(CopyInfo c) {
        var download = c.state() == CopyState.LOADING ? store.downloading(c.storageUri()) : java.util.Optional.<DownloadProgress>empty();
        return new CopyRecord(config.nodeId(), c.slot(), c.state(), c.sizeBytes(), c.lastUsedMillis(), c.error(), c.spec(), c.digest(), c.crashed(),
                download.map(DownloadProgress::bytes).orElse(0L), download.map(DownloadProgress::totalBytes).orElse(0L));
    }

    public InferenceResponse infer(ModelSpec spec, InferenceRequest request) {
        try (ModelCache.Lease lease = lease(spec)) {
            countInline();
            return runner.run(lease, request);
        }
    }

    /** {@link #infer} for a gRPC request as it arrived ({@link CopyRunner#runWire}). */
    public ModelInferResponse inferWire(ModelSpec spec, ModelInferRequest request) {
        try (ModelCache.Lease lease = lease(spec)) {
            countInline();
            return runner.runWire(lease, request);
        }
    }

    /** A draining node takes no new loads, so that routers load elsewhere; a copy it holds keeps serving. */
    private void refuseNewLoadWhileDraining(ModelSpec spec) {
        if (draining && copy(spec.id()).isEmpty()) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "node " + config.nodeId() + " is draining and takes no new loads");
        }
    }

    /**
     * {@link #inferWire}, loading the copy first if the node holds none, pinned by this request until it has run: a
     * router's last try at a model whose copies kept leaving ({@code LoadOnMiss}). A draining node refuses, as
     * {@link #ensureLoaded} does.
     */
    public ModelInferResponse inferWireLoading(ModelSpec spec, ModelInferRequest request) {
        refuseNewLoadWhileDraining(spec);
        return inferWire(spec, request);
    }

    /** {@link #metadata}, loading the copy first if the node holds none, as {@link #inferWireLoading}. */
    public ModelMetadata metadataLoading(ModelSpec spec) {
        refuseNewLoadWhileDraining(spec);
        return metadata(spec);
    }

    /**
     * Whether a request of about {@code requestBytes} (its body as it arrived) for the model may run
     * on the thread that received it: its copy here is loaded, in this process, does not batch, has no
     * per-model limit to wait for, and its recent runs took at most {@code node.inlineMicros} on
     * requests of about that size. Cheap and never blocks: transport threads ask it.
     */
    public boolean runsInline(String modelId, long requestBytes) {
        if (config.inlineMicros() == 0 || config.maxConcurrencyPerModel() > 0) {
            return false;
        }
        for (ModelCache cache : caches.values()) {
            Optional<ModelSpec> spec = cache.spec(modelId);
            if (spec.isPresent()) {
                return !spec.get().batching().enabled() && cache.loaded(modelId)
                        && runner.quick(modelId, requestBytes, config.inlineMicros() * 1000);
            }
        }
        return false;
    }

    private void countInline() {
        if (InlineRun.active()) {
            inlineRuns.increment();
        }
    }

    /** A lease on the copy; on a thread running inline ({@link InlineRun}), only a copy loaded now, never a load. */
    private ModelCache.Lease lease(ModelSpec spec) {
        ModelCache cache = cacheFor(spec);
        if (!InlineRun.active()) {
            return cache.acquire(spec);
        }
        // the copy went (evicted, re-registered) between the check and now: rare, and a retry finds it or loads it
        return cache.acquireLoaded(spec).orElseThrow(() -> MeshError.retryAfter(ErrorCode.UNAVAILABLE,
                "the copy of '" + spec.id() + "' on node " + config.nodeId() + " was unloaded as the request arrived; retry", 100));
    }

    public ModelMetadata metadata(ModelSpec spec) {
        try (ModelCache.Lease lease = lease(spec)) {
            return lease.model().metadata();
        }
    }

    /** Unloads the model from every slot that holds it; its next load may go to another slot. */
    public CompletableFuture<Void> unload(String modelId) {
        chooser.forget(modelId);
        ledger.forget(modelId); // an unload (and so an unregistration) lets the model be tried again
        holds.release(modelId);
        runner.forget(modelId);
        return CompletableFuture.allOf(caches.values().stream().map(c -> c.unload(modelId)).toArray(CompletableFuture[]::new));
    }

    public Optional<CopyInfo> copy(String modelId) {
        // a loop, not a stream: every request through an in-process node asks this once per slot kind
        for (ModelCache c : caches.values()) {
            Optional<CopyInfo> info = c.copy(modelId);
            if (info.isPresent()) {
                return info;
            }
        }
        return Optional.empty();
    }

    /**
     * Makes room in every slot by fair share between namespaces: the policies and the other nodes'
     * usage come from the suppliers (read per eviction round; they should be cached snapshots), this
     * node's own slots are read live. Without a call, eviction is the plain policy's.
     */
    public void tenancy(Supplier<TenantPolicies> policies, Supplier<MeshUsage> otherNodes) {
        Tenancy t = () -> {
            MeshUsage others = otherNodes.get();
            long local = 0;
            for (ModelCache c : caches.values()) {
                local += c.capacityBytes();
            }
            return new TenantShares(policies.get(), others.slotBytes() + local, ns -> {
                long bytes = others.bytes(ns);
                for (ModelCache c : caches.values()) {
                    bytes += c.usedBytes(ns);
                }
                return bytes;
            });
        };
        caches.values().forEach(c -> c.tenancy(t));
    }

    /** The bytes each namespace's copies hold on this node now. */
    public Map<String, Long> usedByNamespace() {
        Map<String, Long> out = new java.util.TreeMap<>();
        caches.values().forEach(c -> c.usedByNamespace().forEach((ns, b) -> out.merge(ns, b, Long::sum)));
        return out;
    }

    public List<SlotStatus> slots() {
        return slots.stream().map(s -> {
            ModelCache c = caches.get(s.name());
            return new SlotStatus(s.name(), s.runtimeName(), s.device(), c.capacityBytes(), c.usedBytes(), c.evictions(), c.copies());
        }).toList();
    }

    /** The model formats this node's auto-select slots serve. */
    public List<String> formats() {
        return chooser.formats();
    }

    /** The slot's estimate of the model's size (reads the artifact; an external runtime asks its process). */
    public long predictSize(ModelSpec spec) throws Exception {
        Slot slot = slotFor(spec);
        try (Artifact a = store.open(spec.storageUri())) {
            return slot.runtime().predictSize(spec, a.path());
        }
    }

    @Override
    public void close() {
        holds.close();
        caches.values().forEach(c -> c.close(10_000));
        for (RuntimeAdapter r : slots.stream().map(Slot::runtime).distinct().toList()) {
            if (r instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing down
                }
            }
        }
        loadExecutor.shutdownNow();
        ledger.endInOrder();
        store.close();
    }
}
