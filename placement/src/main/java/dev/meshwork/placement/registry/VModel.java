package dev.meshwork.placement.registry;

import java.util.Set;

/**
 * A vmodel: a stable name for whichever model is active, moving to a new target only once that
 * target is loaded (ModelMesh's vmodels). Immutable; a change is a new record.
 *
 * @param id              the vmodel's name, which inference requests may use
 * @param owner           who manages it (ModelMesh's owner field); empty for nobody in particular
 * @param activeModelId   the model requests go to
 * @param targetModelId   the model it is moving to; equal to the active one when it is not moving
 * @param autoDelete      models registered for this vmodel with autoDeleteTargetModel: unregistered
 *                        once it no longer uses them
 * @param transitionError why the move to the target failed; empty while it is moving or done
 * @param split           how requests are shared out while it serves ({@link TrafficSplit#NONE}: all to the active model,
 *                        else the active model is the split's primary)
 * @param targetSplit     the split it is moving to, applied once all its models are loaded; equal to {@code split} when not moving
 */
public record VModel(String id, String owner, String activeModelId, String targetModelId, Set<String> autoDelete, String transitionError,
                     TrafficSplit split, TrafficSplit targetSplit)
        implements java.io.Serializable {
    /** A vmodel without a traffic split. */
    public VModel(String id, String owner, String activeModelId, String targetModelId, Set<String> autoDelete, String transitionError) {
        this(id, owner, activeModelId, targetModelId, autoDelete, transitionError, TrafficSplit.NONE, TrafficSplit.NONE);
    }

    public VModel {
        split = split == null ? TrafficSplit.NONE : split; // rows written before splits existed have none
        targetSplit = targetSplit == null ? TrafficSplit.NONE : targetSplit;
        owner = owner == null ? "" : owner;
        // sorted: its text (and so its signature in the shared registry) is the same in every JVM,
        // where Set.copyOf's order depends on a per-JVM seed
        autoDelete = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(autoDelete));
        transitionError = transitionError == null ? "" : transitionError;
    }

    public boolean transitioning() {
        return !activeModelId.equals(targetModelId) || !split.equals(targetSplit);
    }

    /** Whether the vmodel still needs the model, as its active model, its target or in a split. */
    public boolean uses(String modelId) {
        return activeModelId.equals(modelId) || targetModelId.equals(modelId) || split.contains(modelId) || targetSplit.contains(modelId);
    }

    /** The models requests go to now: the split's, else the active one. */
    public java.util.List<String> serving() {
        return split.isSplit() ? split.models() : java.util.List.of(activeModelId);
    }

    /** The models it is moving to: the target split's, else the target. */
    public java.util.List<String> targets() {
        return targetSplit.isSplit() ? targetSplit.models() : java.util.List.of(targetModelId);
    }

    /** Every model it uses, each once. */
    public java.util.Set<String> models() {
        java.util.Set<String> all = new java.util.TreeSet<>(serving());
        all.addAll(targets());
        all.add(activeModelId);
        all.add(targetModelId);
        return all;
    }

    /** The same vmodel with another transition error. */
    public VModel withError(String error) {
        return new VModel(id, owner, activeModelId, targetModelId, autoDelete, error, split, targetSplit);
    }

    /** The same vmodel with other auto-delete models. */
    public VModel withAutoDelete(Set<String> models) {
        return new VModel(id, owner, activeModelId, targetModelId, models, transitionError, split, targetSplit);
    }
}
