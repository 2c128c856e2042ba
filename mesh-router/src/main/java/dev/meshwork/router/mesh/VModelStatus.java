package dev.meshwork.router.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.TrafficSplit;
import java.util.List;

/**
 * A vmodel's state as the management APIs show it. Immutable.
 *
 * @param namespace the vmodel's namespace (its tenant)
 * @param state  DEFINED (serving its target), TRANSITIONING (loading a new target while the old one
 *               serves), TRANSITION_FAILED (the new target could not load; the old one still serves)
 * @param error  why the transition failed, else empty
 * @param active the active model's status; null when that model is gone
 * @param target the target model's status; null when that model is gone
 * @param traffic       how requests are shared out now; null without a split
 * @param targetTraffic the split it is moving to; null when it is not moving to another split
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VModelStatus(String name, String namespace, String owner, State state, String activeModel, String targetModel, String error,
                           ModelStatus active, ModelStatus target, TrafficView traffic, TrafficView targetTraffic) {
    /** ModelMesh's vmodel states. */
    public enum State { DEFINED, TRANSITIONING, TRANSITION_FAILED }

    /** A traffic split as the API shows it: model names (without namespace) and weights, in the order given. */
    public record TrafficView(List<ShareView> shares, String stickyHeader) {
        static TrafficView of(TrafficSplit split) {
            return split.isSplit() ? new TrafficView(split.shares().stream()
                    .map(s -> new ShareView(ModelSpec.nameOf(s.modelId()), s.weight())).toList(), split.stickyHeader()) : null;
        }
    }

    /** One model's weight. */
    public record ShareView(String model, int weight) {
    }
}
