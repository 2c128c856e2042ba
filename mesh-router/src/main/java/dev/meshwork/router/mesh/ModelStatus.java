package dev.meshwork.router.mesh;

import dev.meshwork.placement.registry.ModelFormat;
import java.util.List;

/** A registered model and its copies, as the management API shows it. */
public record ModelStatus(String name, ModelFormat modelFormat, String storageUri, String runtime, State state,
                          String error, List<CopyView> copies) {

    /** The model's state across the mesh. */
    public enum State {
        NOT_LOADED, LOADING, LOADED, FAILED
    }

    /** One copy: where it is and how it is doing; lastUsed is ISO-8601. */
    public record CopyView(String node, String slot, String state, long sizeBytes, String lastUsed) {
    }
}
