package dev.meshwork.node;

import dev.meshwork.node.cache.CopyInfo;
import dev.meshwork.node.cache.ModelCache;
import dev.meshwork.node.runtime.LoadedModel;
import dev.meshwork.node.runtime.RuntimeAdapter;
import dev.meshwork.node.runtime.external.ExternalRuntimeAdapter;
import dev.meshwork.node.runtime.lightgbm.LightgbmRuntimeAdapter;
import dev.meshwork.node.runtime.onnx.OnnxRuntimeAdapter;
import dev.meshwork.node.runtime.pytorch.PytorchRuntimeAdapter;
import dev.meshwork.node.runtime.tensorflow.TensorflowRuntimeAdapter;
import dev.meshwork.node.runtime.xgboost.XgboostRuntimeAdapter;
import dev.meshwork.node.storage.Artifact;
import dev.meshwork.node.storage.ArtifactStore;
import dev.meshwork.placement.eviction.EvictionPolicy;
import dev.meshwork.placement.eviction.LruEvictionPolicy;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node agent's API: load, infer, unload and status of the models on this node. Called from
 * request threads (never an event loop: calls block until a model is loaded and inference ran);
 * loads run on the agent's own load threads. Thread-safe.
 */
public final class NodeAgent implements AutoCloseable {
    /** One runtime slot: a runtime adapter with a device and a memory budget. */
    public record Slot(String name, RuntimeAdapter runtime, String device, long capacityBytes) {
    }

    /** A slot's state for status pages and the node table. */
    public record SlotStatus(String name, String runtime, String device, long capacityBytes, long usedBytes, long evictions,
                             List<CopyInfo> copies) {
    }

    private final NodeConfig config;
    private final ArtifactStore store;
    private final Map<String, Slot> slotsByFormat = new LinkedHashMap<>();
    private final Map<String, ModelCache> caches = new LinkedHashMap<>();
    private final List<Slot> slots = new ArrayList<>();
    private final ExecutorService loadExecutor;

    public NodeAgent(NodeConfig config) {
        this(config, List.of(new OnnxRuntimeAdapter(config.onnx()), new XgboostRuntimeAdapter(), new LightgbmRuntimeAdapter(),
                new TensorflowRuntimeAdapter(), new PytorchRuntimeAdapter()));
    }

    public NodeAgent(NodeConfig config, List<RuntimeAdapter> runtimes) {
        this.config = config;
        this.store = new ArtifactStore(config.storage());
        AtomicInteger n = new AtomicInteger();
        this.loadExecutor = Executors.newFixedThreadPool(config.loadThreads(), r -> {
            Thread t = new Thread(r, "meshwork-load-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        EvictionPolicy policy = new LruEvictionPolicy();
        List<RuntimeAdapter> all = new ArrayList<>(runtimes);
        for (NodeConfig.External ext : config.externalRuntimes()) {
            all.add(new ExternalRuntimeAdapter(ext, config.loadTimeoutMs()));
        }
        for (RuntimeAdapter r : all) {
            long capacity = r instanceof ExternalRuntimeAdapter ? externalCapacity(r.name()) : config.slotMemoryBytes();
            Slot slot = new Slot(r.name() + "-0", r, r.device(), capacity);
            slots.add(slot);
            r.formats().forEach(f -> slotsByFormat.putIfAbsent(f, slot));
            ModelCache cache = new ModelCache(slot.name(), slot.capacityBytes(), new ModelCache.Loader() {
                @Override
                public long predictSize(ModelSpec spec) throws Exception {
                    try (Artifact a = store.open(spec.storageUri())) {
                        return r.predictSize(spec, a.path());
                    }
                }

                @Override
                public LoadedModel load(ModelSpec spec) throws Exception {
                    try (Artifact a = store.open(spec.storageUri())) {
                        return r.load(spec, a.path());
                    }
                }
            }, policy, loadExecutor, new ModelCache.Settings(config.loadTimeoutMs(), config.failedLoadBackoffMs(),
                    config.maxConcurrencyPerModel(), config.queueTimeoutMs()));
            caches.put(slot.name(), cache);
            if (r instanceof ExternalRuntimeAdapter ext) {
                ext.onLost(() -> cache.dropAll("external runtime " + ext.name() + " is gone; the model loads again once it is back"));
            }
        }
    }

    private long externalCapacity(String name) {
        return config.externalRuntimes().stream().filter(e -> e.name().equals(name)).findFirst()
                .map(e -> e.capacityBytes() > 0 ? e.capacityBytes() : config.slotMemoryBytes()).orElse(config.slotMemoryBytes());
    }

    public String nodeId() {
        return config.nodeId();
    }

    /** The named runtime's slot when the model names one, else the first slot whose runtime serves its format. */
    Slot slotFor(ModelSpec spec) {
        if (!spec.runtime().isEmpty()) {
            Slot named = slots.stream().filter(s -> s.runtime().name().equals(spec.runtime())).findFirst().orElseThrow(() ->
                    MeshError.invalid("model '%s' asks for runtime '%s', which node %s does not have; its runtimes: %s",
                            spec.id(), spec.runtime(), config.nodeId(), slots.stream().map(s -> s.runtime().name()).toList()));
            if (!named.runtime().formats().contains(spec.format().name())) {
                throw MeshError.invalid("runtime '%s' does not serve model format '%s'; it serves %s",
                        spec.runtime(), spec.format().name(), named.runtime().formats());
            }
            return named;
        }
        Slot slot = slotsByFormat.get(spec.format().name());
        if (slot == null) {
            throw MeshError.invalid("no runtime on node %s serves model format '%s'; served formats: %s",
                    config.nodeId(), spec.format().name(), slotsByFormat.keySet());
        }
        return slot;
    }

    /** Checks, without loading, that this node could serve the model (format and runtime). */
    public void checkServable(ModelSpec spec) {
        slotFor(spec);
    }

    private ModelCache cacheFor(ModelSpec spec) {
        return caches.get(slotFor(spec).name());
    }

    /** Loads the model if needed and waits until it is LOADED (or throws why it is not). */
    public CopyInfo ensureLoaded(ModelSpec spec) {
        ModelCache cache = cacheFor(spec);
        try (ModelCache.Lease ignored = cache.acquire(spec)) {
            return cache.copy(spec.id()).orElseThrow();
        }
    }

    public InferenceResponse infer(ModelSpec spec, InferenceRequest request) {
        try (ModelCache.Lease lease = cacheFor(spec).acquire(spec)) {
            return lease.model().infer(request);
        }
    }

    public ModelMetadata metadata(ModelSpec spec) {
        try (ModelCache.Lease lease = cacheFor(spec).acquire(spec)) {
            return lease.model().metadata();
        }
    }

    /** Unloads the model from every slot that holds it. */
    public CompletableFuture<Void> unload(String modelId) {
        return CompletableFuture.allOf(caches.values().stream().map(c -> c.unload(modelId)).toArray(CompletableFuture[]::new));
    }

    public Optional<CopyInfo> copy(String modelId) {
        return caches.values().stream().map(c -> c.copy(modelId)).flatMap(Optional::stream).findFirst();
    }

    public List<SlotStatus> slots() {
        return slots.stream().map(s -> {
            ModelCache c = caches.get(s.name());
            return new SlotStatus(s.name(), s.runtime().name(), s.device(), c.capacityBytes(), c.usedBytes(), c.evictions(), c.copies());
        }).toList();
    }

    /** The model formats this node's runtimes serve. */
    public List<String> formats() {
        return List.copyOf(slotsByFormat.keySet());
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
        caches.values().forEach(c -> c.close(10_000));
        for (Slot s : slots) {
            if (s.runtime() instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing down
                }
            }
        }
        loadExecutor.shutdownNow();
    }
}
