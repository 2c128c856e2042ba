package dev.meshwork.router.mesh;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.TrafficSplit;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.registry.VModelRegistry;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vmodels with ModelMesh's semantics: setting a new target loads it first, and the alias moves only
 * once it is LOADED, so traffic never meets a cold or failed target; a failed target leaves the
 * alias where it was, with the reason. Called from request threads; loads block the caller only
 * with {@code sync}, otherwise they run on the given executor. Every change to a vmodel happens
 * under this service's monitor; loads run outside it.
 */
public final class VModelService {
    private static final Logger LOG = LoggerFactory.getLogger(VModelService.class);
    private final ModelService models;
    private final VModelRegistry vmodels;
    private final Executor background;

    public VModelService(ModelService models, Executor background) {
        this.models = models;
        this.vmodels = models.vmodels();
        this.background = background;
    }

    /**
     * What a setVModel asks for.
     *
     * @param targetModelId          the model to serve; with a traffic split, empty or the split's model that {@code register} registers
     * @param register               the target's registration, when it should be registered now (else it must exist)
     * @param updateOnly             fail unless the vmodel exists
     * @param autoDeleteTargetModel  unregister the target (without one, the split's models) once the vmodel no longer uses it
     * @param loadNow                load the target even when the vmodel is new
     * @param force                  move the alias at once, without waiting for the load
     * @param sync                   answer after the transition finished (or failed)
     * @param expectedTargetModelId  fail unless the vmodel's current target is this one (empty: any)
     * @param traffic                how requests are shared between models; {@link TrafficSplit#NONE} sends all to the target
     */
    public record SetRequest(String vmodelId, String owner, String targetModelId, ModelSpec register, boolean updateOnly,
                             boolean autoDeleteTargetModel, boolean loadNow, boolean force, boolean sync, String expectedTargetModelId,
                             TrafficSplit traffic) {
        public SetRequest {
            owner = owner == null ? "" : owner;
            targetModelId = targetModelId == null ? "" : targetModelId;
            expectedTargetModelId = expectedTargetModelId == null ? "" : expectedTargetModelId;
            traffic = traffic == null ? TrafficSplit.NONE : traffic;
        }

        /** ModelMesh's setVModel, which has no traffic split. */
        public SetRequest(String vmodelId, String owner, String targetModelId, ModelSpec register, boolean updateOnly,
                          boolean autoDeleteTargetModel, boolean loadNow, boolean force, boolean sync, String expectedTargetModelId) {
            this(vmodelId, owner, targetModelId, register, updateOnly, autoDeleteTargetModel, loadNow, force, sync, expectedTargetModelId,
                    TrafficSplit.NONE);
        }

        /** The model the vmodel's target becomes: the split's primary, else the target. */
        String target() {
            return traffic.isSplit() ? traffic.primary() : targetModelId;
        }

        /** The models it will serve. */
        List<String> models() {
            return traffic.isSplit() ? traffic.models() : List.of(targetModelId);
        }
    }

    public VModelStatus set(SetRequest r) {
        ModelSpec.checkId(r.vmodelId());
        if (r.target().isEmpty()) {
            throw MeshError.invalid("vmodel '%s' needs a target model or a traffic split", r.vmodelId());
        }
        if (r.traffic().isSplit() && !r.targetModelId().isEmpty() && !r.traffic().contains(r.targetModelId())) {
            throw MeshError.invalid("targetModel '%s' of vmodel '%s' must be one of its traffic split's models %s", r.targetModelId(),
                    r.vmodelId(), r.traffic().models());
        }
        if (r.register() != null && r.targetModelId().isEmpty()) {
            throw MeshError.invalid("vmodel '%s' registers a model, so it needs targetModel to name it", r.vmodelId());
        }
        if (models.isRegistered(r.vmodelId())) {
            throw new MeshError(ErrorCode.ALREADY_EXISTS, "'" + r.vmodelId() + "' is already a model's name; a vmodel needs a name of its own");
        }
        boolean startTransition;
        synchronized (this) {
            Optional<VModel> existing = vmodels.get(r.vmodelId());
            if (existing.isEmpty() && r.updateOnly()) {
                throw MeshError.notFound("vmodel '%s' does not exist and updateOnly is set", r.vmodelId());
            }
            existing.ifPresent(v -> checkOwner(v, r.owner()));
            String currentTarget = existing.map(VModel::targetModelId).orElse("");
            if (!r.expectedTargetModelId().isEmpty() && !r.expectedTargetModelId().equals(currentTarget)) {
                throw new MeshError(ErrorCode.PRECONDITION_FAILED, "vmodel '" + r.vmodelId() + "' targets '" + currentTarget
                        + "', not the expected '" + r.expectedTargetModelId() + "'");
            }
            if (r.register() != null && !models.isRegistered(r.targetModelId())) {
                models.register(r.register());
            }
            for (String m : r.models()) {
                models.spec(m); // every model it will serve must exist
            }
            Set<String> autoDelete = new HashSet<>(existing.map(VModel::autoDelete).orElse(Set.of()));
            if (r.autoDeleteTargetModel()) {
                autoDelete.addAll(r.targetModelId().isEmpty() ? r.models() : List.of(r.targetModelId()));
            }
            String target = r.target();
            VModel next;
            if (existing.isEmpty() || r.force() || r.models().stream().allMatch(m -> existing.get().serving().contains(m) || loaded(m))) {
                // nothing serves yet, or the caller insists, or every model it asks for serves or is loaded: no transition
                next = new VModel(r.vmodelId(), r.owner(), target, target, autoDelete, "", r.traffic(), r.traffic());
                startTransition = false;
            } else {
                VModel was = existing.get();
                next = new VModel(r.vmodelId(), was.owner(), was.activeModelId(), target, autoDelete, "", was.split(), r.traffic());
                startTransition = true;
            }
            vmodels.put(next);
            existing.ifPresent(this::releaseUnused);
        }
        if (startTransition || r.loadNow()) {
            if (r.sync()) {
                transition(r.vmodelId(), r.target(), r.traffic());
            } else {
                background.execute(() -> transition(r.vmodelId(), r.target(), r.traffic()));
            }
        }
        return status(r.vmodelId(), "");
    }

    /** Loads the target's models, then moves the alias to them if they are still its target; a failure is kept in the vmodel. */
    private void transition(String vmodelId, String target, TrafficSplit split) {
        String error = "";
        for (String model : split.isSplit() ? split.models() : List.of(target)) {
            try {
                ModelStatus loaded = models.load(model);
                if (loaded.state() != ModelStatus.State.LOADED) {
                    error = "target model '" + model + "' did not load: " + (loaded.error().isEmpty() ? loaded.state().name() : loaded.error());
                }
            } catch (RuntimeException e) {
                error = "target model '" + model + "' did not load: " + e.getMessage();
            }
            if (!error.isEmpty()) {
                break;
            }
        }
        synchronized (this) {
            Optional<VModel> now = vmodels.get(vmodelId);
            if (now.isEmpty() || !now.get().targetModelId().equals(target) || !now.get().targetSplit().equals(split)) {
                return; // deleted or retargeted meanwhile: that change decides
            }
            VModel v = now.get();
            if (!error.isEmpty()) {
                LOG.info("vmodel {} stays on {}: {}", vmodelId, v.serving(), error);
                vmodels.put(v.withError(error));
                return;
            }
            VModel moved = new VModel(v.id(), v.owner(), target, target, v.autoDelete(), "", split, split);
            vmodels.put(moved);
            releaseUnused(v);
        }
    }

    private boolean loaded(String modelId) {
        return models.status(modelId).state() == ModelStatus.State.LOADED;
    }

    /** Unregisters the auto-delete models that {@code before} used and no vmodel uses any more. Holds the monitor. */
    private void releaseUnused(VModel before) {
        for (String id : before.models()) {
            if (before.autoDelete().contains(id) && vmodels.using(id).isEmpty() && models.isRegistered(id)) {
                models.unregister(id);
                vmodels.get(before.id()).ifPresent(v -> {
                    Set<String> rest = new HashSet<>(v.autoDelete());
                    rest.remove(id);
                    vmodels.put(v.withAutoDelete(rest));
                });
            }
        }
    }

    /** Deletes the vmodel (and the auto-delete models it used); no effect when it does not exist. */
    public synchronized void delete(String vmodelId, String owner) {
        Optional<VModel> v = vmodels.get(vmodelId);
        if (v.isEmpty()) {
            return;
        }
        checkOwner(v.get(), owner);
        vmodels.remove(vmodelId);
        releaseUnused(v.get());
    }

    public Optional<VModel> get(String vmodelId) {
        return vmodels.get(vmodelId);
    }

    public List<VModel> list() {
        return vmodels.list();
    }

    /** The vmodel's state with its models' statuses; NOT_FOUND when it does not exist or the owner differs. */
    public VModelStatus status(String vmodelId, String owner) {
        VModel v = vmodels.get(vmodelId).orElseThrow(() -> MeshError.notFound("vmodel '%s' does not exist", vmodelId));
        if (!owner.isEmpty() && !owner.equals(v.owner())) {
            throw MeshError.notFound("vmodel '%s' does not exist for owner '%s'", vmodelId, owner);
        }
        VModelStatus.State state = !v.transitioning() ? VModelStatus.State.DEFINED
                : v.transitionError().isEmpty() ? VModelStatus.State.TRANSITIONING : VModelStatus.State.TRANSITION_FAILED;
        return new VModelStatus(ModelSpec.nameOf(v.id()), ModelSpec.namespaceOf(v.id()), v.owner(), state, ModelSpec.nameOf(v.activeModelId()),
                ModelSpec.nameOf(v.targetModelId()), v.transitionError(),
                statusOf(v.activeModelId()), statusOf(v.targetModelId()), VModelStatus.TrafficView.of(v.split()),
                v.targetSplit().equals(v.split()) ? null : VModelStatus.TrafficView.of(v.targetSplit()));
    }

    private ModelStatus statusOf(String modelId) {
        return models.isRegistered(modelId) ? models.status(modelId) : null;
    }

    /** A vmodel with an owner is changed and deleted only by requests that name that owner; the answer never says who it is. */
    private static void checkOwner(VModel v, String owner) {
        if (!v.owner().isEmpty() && !owner.equals(v.owner())) {
            throw MeshError.format(ErrorCode.ALREADY_EXISTS, "vmodel '%s' belongs to another owner; only a request naming its owner may change or delete it",
                    v.id());
        }
    }
}
