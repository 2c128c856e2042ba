package dev.meshwork.router.mesh;

import dev.meshwork.node.cache.CopyState;
import dev.meshwork.placement.registry.ModelRegistry;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The router's service logic, shared by every protocol: registration, status, and inference with
 * load on miss. Called from request threads (virtual threads); blocking. Thread-safe.
 */
public final class ModelService {
    private final ModelRegistry registry;
    private final NodeBackend backend;

    public ModelService(ModelRegistry registry, NodeBackend backend) {
        this.registry = registry;
        this.backend = backend;
    }

    /** Registers or updates a model; a changed spec unloads the old copies. Returns true when it is new. */
    public boolean register(ModelSpec spec) {
        spec.validate();
        backend.checkServable(spec);
        Optional<ModelSpec> previous = registry.put(spec);
        if (previous.isPresent() && !previous.get().equals(spec)) {
            backend.unload(spec.id());
        }
        return previous.isEmpty();
    }

    public void unregister(String id) {
        if (registry.remove(id).isEmpty()) {
            throw notRegistered(id);
        }
        backend.unload(id);
    }

    public ModelSpec spec(String id) {
        if (id == null || id.isEmpty()) {
            throw MeshError.invalid("the request names no model; give the model name (model_name in gRPC, the URL path in REST)");
        }
        return registry.get(id).orElseThrow(() -> notRegistered(id));
    }

    public boolean isRegistered(String id) {
        return registry.get(id).isPresent();
    }

    private static MeshError notRegistered(String id) {
        return MeshError.notFound("model '%s' is not registered; register it with PUT /v1/mesh/models/%s", id, id);
    }

    public List<ModelSpec> list() {
        return registry.list();
    }

    public ModelStatus status(String id) {
        return status(spec(id));
    }

    public ModelStatus status(ModelSpec spec) {
        List<NodeBackend.Copy> copies = backend.copies(spec.id());
        ModelStatus.State state = ModelStatus.State.NOT_LOADED;
        String error = "";
        if (copies.stream().anyMatch(c -> c.info().state() == CopyState.LOADED)) {
            state = ModelStatus.State.LOADED;
        } else if (copies.stream().anyMatch(c -> c.info().state() == CopyState.LOADING)) {
            state = ModelStatus.State.LOADING;
        } else {
            Optional<NodeBackend.Copy> failed = copies.stream().filter(c -> c.info().state() == CopyState.FAILED).findFirst();
            if (failed.isPresent()) {
                state = ModelStatus.State.FAILED;
                error = failed.get().info().error();
            }
        }
        List<ModelStatus.CopyView> views = copies.stream().map(c -> new ModelStatus.CopyView(c.nodeId(), c.info().slot(),
                c.info().state().name(), c.info().sizeBytes(), Instant.ofEpochMilli(c.info().lastUsedMillis()).toString())).toList();
        return new ModelStatus(spec.id(), spec.format(), spec.storageUri(), spec.runtime(), state, error, views);
    }

    /**
     * Whether the model can take requests: registered and not FAILED. A model that is not loaded
     * is ready, because the mesh loads it on its first request.
     */
    public boolean ready(String id) {
        return registry.get(id).map(s -> status(s).state() != ModelStatus.State.FAILED).orElse(false);
    }

    public InferenceResponse infer(InferenceRequest request) {
        ModelSpec spec = spec(request.modelName());
        return backend.infer(spec, request);
    }

    public ModelMetadata metadata(String id) {
        return backend.metadata(spec(id));
    }

    /** Loads the model and waits until a copy is LOADED. */
    public ModelStatus load(String id) {
        ModelSpec spec = spec(id);
        backend.load(spec);
        return status(spec);
    }

    /** Unloads every copy; the registration stays. */
    public void unload(String id) {
        backend.unload(spec(id).id());
    }

    public List<NodeBackend.NodeView> nodes() {
        return backend.nodes();
    }

    public List<String> formats() {
        return backend.formats();
    }
}
