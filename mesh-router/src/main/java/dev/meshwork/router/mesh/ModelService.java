package dev.meshwork.router.mesh;

import dev.meshwork.kserve.RuntimeCatalog;
import dev.meshwork.placement.registry.ModelRegistry;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.registry.VModelRegistry;
import dev.meshwork.placement.autoscale.RemovalCost;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.router.tenant.Tenants;
import dev.meshwork.router.payload.PayloadLogger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import io.micrometer.core.instrument.MeterRegistry;
import dev.meshwork.telemetry.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import dev.meshwork.placement.registry.TrafficSplit;

/**
 * The router's service logic, shared by every protocol: registration, status, and inference with
 * load on miss. Called from request threads (virtual threads); blocking. Thread-safe.
 */
public final class ModelService {
    private final ModelRegistry registry;
    private final VModelRegistry vmodels;
    private final NodeBackend backend;
    private final RuntimeBinder binder;
    private final Tenants tenants;
    private final TrafficMeters traffic;
    private final PayloadLogger payloads;
    /** Each registered model's binding, made at registration and again after the catalog changes. */
    private final ConcurrentMap<String, RuntimeBinder.Binding> bindings = new ConcurrentHashMap<>();

    public ModelService(ModelRegistry registry, VModelRegistry vmodels, NodeBackend backend, Supplier<RuntimeCatalog> catalog,
                        Tenants tenants, MeterRegistry meters, PayloadLogger payloads) {
        this.tenants = tenants;
        this.payloads = payloads;
        this.traffic = new TrafficMeters(meters);
        this.registry = registry;
        this.vmodels = vmodels;
        this.backend = backend;
        this.binder = new RuntimeBinder(catalog, backend);
    }

    /** The labels a node must carry to load a model (its runtime's nodeSelector); none for an unknown or unbindable model. */
    public java.util.Map<String, String> requiredLabels(String modelId) {
        Optional<ModelSpec> spec = registry.get(modelId);
        if (spec.isEmpty()) {
            return java.util.Map.of();
        }
        try {
            return binding(spec.get()).nodeSelector();
        } catch (MeshError e) {
            return java.util.Map.of(); // its requests fail on the binding itself, saying why
        }
    }

    /** The catalog changed: bindings are made again on next use (a model the new catalog cannot bind fails its requests, saying why). */
    public void catalogChanged() {
        bindings.clear();
    }

    private RuntimeBinder.Binding binding(ModelSpec spec) {
        RuntimeBinder.Binding b = bindings.get(spec.id());
        if (b == null || !b.registration().equals(spec)) { // made for another version of the registration
            b = binder.bind(spec);
            bindings.put(spec.id(), b);
        }
        return b;
    }

    private ModelSpec nodeSpec(ModelSpec spec) {
        return binding(spec).nodeSpec();
    }

    public VModelRegistry vmodels() {
        return vmodels;
    }

    /** Registers or updates a model; a changed spec unloads the old copies. Returns true when it is new. */
    public boolean register(ModelSpec spec) {
        spec.validate();
        if (vmodels.get(spec.id()).isPresent()) {
            throw new MeshError(ErrorCode.ALREADY_EXISTS, "'" + spec.id() + "' is already a vmodel's name; a model needs a name of its own");
        }
        RuntimeBinder.Binding binding = binder.bind(spec);
        backend.checkServable(binding.nodeSpec());
        payloads.checkRegistration(spec.logging());
        if (registry.get(spec.id()).isEmpty()) {
            tenants.checkRegistration(spec.namespace(), () -> registry.count(spec.namespace()));
        }
        Optional<ModelSpec> previous = registry.put(spec);
        bindings.put(spec.id(), binding);
        if (previous.isPresent() && !previous.get().fingerprint().equals(spec.fingerprint())) { // what nodes load changed
            backend.unload(spec.id());
        }
        return previous.isEmpty();
    }

    /** Unregisters and unloads a model; refused while a vmodel uses it, so no alias ever points at nothing. */
    public void unregister(String id) {
        if (!unregisterIfPresent(id)) {
            throw notRegistered(id);
        }
    }

    /**
     * Unregisters the model if it is registered; false when it was not (or another caller removed
     * it first: the check and the removal are one step, so racing callers never both fail).
     */
    public boolean unregisterIfPresent(String id) {
        List<VModel> users = vmodels.using(id);
        if (!users.isEmpty()) {
            throw new MeshError(ErrorCode.PRECONDITION_FAILED, "model '" + id + "' is in use by vmodel '" + users.get(0).id()
                    + "'; move the vmodel to another model or delete it first");
        }
        if (registry.remove(id).isEmpty()) {
            return false;
        }
        bindings.remove(id);
        backend.unload(id);
        return true;
    }

    /**
     * The model a data-plane name means: a vmodel's active model, else the model of that name.
     * Vmodels come first because they are the names clients are given to call. Metadata and
     * readiness use this; an inference request is {@link #route}d, which honours traffic splits.
     */
    public ModelSpec resolve(String name) {
        if (name != null && !name.isEmpty()) {
            Optional<VModel> v = vmodels.find(name);
            if (v.isPresent()) {
                return spec(v.get().activeModelId());
            }
        }
        return spec(name);
    }

    /**
     * The model an inference request for {@code name} goes to: through a vmodel's traffic split
     * when it has one (by the sticky header's value, read with {@code headers}, else at random),
     * else as {@link #resolve}. Counted per vmodel and model.
     */
    public ModelSpec route(String name, UnaryOperator<String> headers) {
        return resolving(name, () -> {
            Optional<VModel> v = name == null || name.isEmpty() ? Optional.empty() : vmodels.find(name);
            return v.isEmpty() ? spec(name) : routeVModel(v.get(), headers);
        });
    }

    /** {@link #route} for a name that must be a vmodel (ModelMesh's mm-vmodel-id header). */
    public ModelSpec routeVModel(String vmodelId, UnaryOperator<String> headers) {
        return resolving(vmodelId, () -> routeVModel(vmodels.get(vmodelId)
                .orElseThrow(() -> MeshError.notFound("vmodel '%s' does not exist", vmodelId)), headers));
    }

    /** Name resolution as a span of its own ({@code resolve}), which says which model the name went to. */
    private static ModelSpec resolving(String name, Supplier<ModelSpec> resolve) {
        return Tracing.traced("resolve", SpanKind.INTERNAL, null, () -> Attributes.of(Tracing.MODEL, name == null ? "" : name), () -> {
            ModelSpec spec = resolve.get();
            Span.current().setAttribute("meshwork.resolved", spec.id());
            return spec;
        });
    }

    private ModelSpec routeVModel(VModel v, UnaryOperator<String> headers) {
        TrafficSplit split = v.split();
        String model = v.activeModelId();
        if (split.isSplit()) {
            String sticky = split.stickyHeader().isEmpty() ? null : headers.apply(split.stickyHeader());
            model = split.pick(sticky == null || sticky.isEmpty() ? ThreadLocalRandom.current().nextLong() : TrafficSplit.point(sticky));
        }
        traffic.routed(v.id(), model);
        return spec(model);
    }

    public ModelSpec spec(String id) {
        if (id == null || id.isEmpty()) {
            throw MeshError.invalid("the request names no model; give the model name (model_name in gRPC, the URL path in REST)");
        }
        return registry.get(id).orElseThrow(() -> notRegistered(id));
    }

    /** The registration of that exact id, if any (no vmodel resolution). */
    public Optional<ModelSpec> registered(String id) {
        return registry.get(id);
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
        List<CopyRecord> copies = backend.copies(spec.id());
        ModelStatus.State state = ModelStatus.State.NOT_LOADED;
        String error = "";
        if (copies.stream().anyMatch(c -> c.state() == CopyState.LOADED)) {
            state = ModelStatus.State.LOADED;
        } else if (copies.stream().anyMatch(c -> c.state() == CopyState.LOADING)) {
            state = ModelStatus.State.LOADING;
        } else {
            Optional<CopyRecord> failed = copies.stream().filter(c -> c.state() == CopyState.FAILED).findFirst();
            if (failed.isPresent()) {
                state = ModelStatus.State.FAILED;
                error = failed.get().error();
            }
        }
        List<ModelStatus.CopyView> views = copies.stream().map(c -> new ModelStatus.CopyView(c.nodeId(), c.slot(),
                c.state().name(), c.sizeBytes(), Instant.ofEpochMilli(c.lastUsedMillis()).toString(), c.digest(), c.crashed(),
                c.downloadedBytes(), c.downloadBytes())).toList();
        String servingRuntime;
        try {
            servingRuntime = binding(spec).servingRuntime();
        } catch (MeshError e) {
            servingRuntime = "";
            if (error.isEmpty()) {
                error = e.getMessage();
            }
        }
        return new ModelStatus(spec.name(), spec.format(), spec.displayStorageUri(), spec.runtime(), servingRuntime, spec.namespace(),
                spec.source(), state, error, views, batchingView(spec), spec.logging().enabled()
                ? new ModelStatus.LoggerView(spec.logging().mode().text(), ModelSpec.redactUri(spec.logging().url())) : null,
                spec.defaultOutputs());
    }

    /** The batching its node uses: its own, else its runtime's default; null when none. */
    private ModelStatus.BatchingView batchingView(ModelSpec spec) {
        dev.meshwork.placement.registry.Batching b = spec.batching();
        if (!b.enabled()) {
            try {
                b = binding(spec).nodeSpec().batching();
            } catch (MeshError e) {
                return null; // its status already says why it cannot be bound
            }
        }
        return b.enabled() ? new ModelStatus.BatchingView(b.maxBatchSize(), b.maxLatencyMicros() / 1000.0, b.preferredSizes()) : null;
    }

    /**
     * Whether the model can take requests: registered and not FAILED. A model that is not loaded
     * is ready, because the mesh loads it on its first request.
     */
    public boolean ready(String name) {
        return status(resolve(name)).state() != ModelStatus.State.FAILED;
    }

    /** Runs a request on the model its name resolves to; the answer names the model that answered. */
    public InferenceResponse infer(InferenceRequest request) {
        return infer(route(request.modelName(), header -> null), request);
    }

    /** Runs a request on a model the caller has already resolved. */
    public InferenceResponse infer(ModelSpec spec, InferenceRequest request) {
        InferenceRequest asked = request.requestedOutputs().isEmpty() && !spec.defaultOutputs().isEmpty()
                ? request.withRequestedOutputs(spec.defaultOutputs()) : request; // the registration's defaultOutputs
        try (Tenants.Ticket admitted = admit(spec)) {
            InferenceResponse r = backend.infer(nodeSpec(spec), asked.modelName().equals(spec.id()) ? asked : asked.withModel(spec.id()));
            admitted.succeeded();
            return spec.id().equals(spec.name()) ? r : r.withModel(spec.name()); // a tenant's answer names the model as the tenant does
        }
    }

    /** The namespace's limits let the request in, or it is refused here (429 / RESOURCE_EXHAUSTED) before it costs anything. */
    private Tenants.Ticket admit(ModelSpec spec) {
        boolean hit = false;
        for (CopyRecord c : backend.copies(spec.id())) {
            hit |= c.loaded();
        }
        return tenants.admit(spec.namespace(), hit, !spec.batching().enabled(), RequestMetrics.arrival());
    }

    public Tenants tenants() {
        return tenants;
    }

    /**
     * Whether a request for {@code name} of about {@code requestBytes} may run on the thread that received
     * it ({@link NodeBackend#runsInline}): a name that is a vmodel, or a model with no quick copy in this
     * process, is handed off. Never blocks.
     */
    public boolean runsInline(String name, long requestBytes) {
        return name != null && backend.runsInline(name, requestBytes);
    }

    /** Where the requests of models with a logger are copied to. */
    public PayloadLogger payloads() {
        return payloads;
    }

    /** Runs a gRPC request, as it arrived, on a model the caller has already resolved. */
    public ModelInferResponse inferWire(ModelSpec spec, ModelInferRequest request) {
        ModelInferRequest named = request;
        if (!request.getModelName().equals(spec.id()) || (request.getOutputsCount() == 0 && !spec.defaultOutputs().isEmpty())) {
            ModelInferRequest.Builder b = request.toBuilder().setModelName(spec.id());
            if (request.getOutputsCount() == 0) {
                spec.defaultOutputs().forEach(o -> b.addOutputsBuilder().setName(o)); // the registration's defaultOutputs
            }
            named = b.build();
        }
        try (Tenants.Ticket admitted = admit(spec)) {
            ModelInferResponse r = backend.inferWire(nodeSpec(spec), named);
            admitted.succeeded();
            return spec.id().equals(spec.name()) ? r : r.toBuilder().setModelName(spec.name()).build();
        }
    }

    public ModelMetadata metadata(String name) {
        return metadata(resolve(name));
    }

    /** The metadata of a model the caller has already resolved (or routed). */
    public ModelMetadata metadata(ModelSpec spec) {
        return backend.metadata(nodeSpec(spec));
    }

    /** Loads the model and waits until a copy is LOADED. */
    public ModelStatus load(String id) {
        ModelSpec spec = spec(id);
        backend.load(nodeSpec(spec));
        return status(spec);
    }

    /** Unloads every copy; the registration stays. */
    public void unload(String id) {
        backend.unload(spec(id).id());
    }

    /** Asks a node to drain (see {@link NodeBackend#drain}); true when this call started it. */
    public boolean drain(String nodeId, String principal) {
        return backend.drain(nodeId, principal);
    }

    public List<NodeRecord> nodes() {
        return backend.nodes();
    }

    /**
     * What losing the node would cost (Kubernetes' pod-deletion-cost, {@link RemovalCost}): its
     * loaded copies, each weighed by whether it was used within {@code hotWindowMs} and whether
     * another node holds it too.
     */
    public int removalCost(NodeRecord node, long nowMillis, long hotWindowMs) {
        List<RemovalCost.Copy> copies = new java.util.ArrayList<>();
        for (var slot : node.slots()) {
            for (String model : slot.models()) {
                List<CopyRecord> all = backend.copies(model);
                int elsewhere = (int) all.stream().filter(c -> c.loaded() && !c.nodeId().equals(node.nodeId())).count();
                all.stream().filter(c -> c.loaded() && c.nodeId().equals(node.nodeId()) && c.slot().equals(slot.name()))
                        .forEach(c -> copies.add(new RemovalCost.Copy(c.lastUsedMillis(), elsewhere)));
            }
        }
        return RemovalCost.of(copies, nowMillis, hotWindowMs);
    }

    public List<String> formats() {
        return backend.formats();
    }
}
