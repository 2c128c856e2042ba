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
 */
public record VModel(String id, String owner, String activeModelId, String targetModelId, Set<String> autoDelete, String transitionError)
        implements java.io.Serializable {
    public VModel {
        owner = owner == null ? "" : owner;
        // sorted: its text (and so its signature in the shared registry) is the same in every JVM,
        // where Set.copyOf's order depends on a per-JVM seed
        autoDelete = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(autoDelete));
        transitionError = transitionError == null ? "" : transitionError;
    }

    public boolean transitioning() {
        return !activeModelId.equals(targetModelId);
    }

    /** Whether the vmodel still needs the model, as its active model or its target. */
    public boolean uses(String modelId) {
        return activeModelId.equals(modelId) || targetModelId.equals(modelId);
    }
}
