package dev.meshwork.state.cluster;

/** The names of the mesh's distributed maps, one place so every member agrees. */
final class MapNames {
    static final String MODELS = "meshwork.models";
    static final String VMODELS = "meshwork.vmodels";
    static final String PLACEMENT = "meshwork.placement";
    static final String NODES = "meshwork.nodes";
    static final String CLAIMS = "meshwork.claims";
    static final String TENANTS = "meshwork.tenants";

    private MapNames() {
    }
}
