package dev.meshwork.router.mesh;

/**
 * A vmodel's state as the management APIs show it. Immutable.
 *
 * @param namespace the vmodel's namespace (its tenant)
 * @param state  DEFINED (serving its target), TRANSITIONING (loading a new target while the old one
 *               serves), TRANSITION_FAILED (the new target could not load; the old one still serves)
 * @param error  why the transition failed, else empty
 * @param active the active model's status; null when that model is gone
 * @param target the target model's status; null when that model is gone
 */
public record VModelStatus(String name, String namespace, String owner, State state, String activeModel, String targetModel, String error,
                           ModelStatus active, ModelStatus target) {
    /** ModelMesh's vmodel states. */
    public enum State { DEFINED, TRANSITIONING, TRANSITION_FAILED }
}
