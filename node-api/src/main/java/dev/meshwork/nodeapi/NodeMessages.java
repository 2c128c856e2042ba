package dev.meshwork.nodeapi;

import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.protocol.node.LoadRequest;
import dev.meshwork.protocol.node.ModelDescriptor;

/**
 * The node API's messages to and from the domain types, in one place: a router (or a draining
 * node) builds a {@link LoadRequest} here and the node reads it back here, so both ends agree on
 * every field. Stateless; any thread.
 */
public final class NodeMessages {
    private NodeMessages() {
    }

    /** A request to load {@code spec}; an empty slot lets the node pick one whose runtime serves it. */
    public static LoadRequest loadRequest(ModelSpec spec, String slot) {
        return LoadRequest.newBuilder().setModel(descriptor(spec)).setSlot(slot == null ? "" : slot).build();
    }

    /** The wire form of a registration. */
    public static ModelDescriptor descriptor(ModelSpec s) {
        return ModelDescriptor.newBuilder().setModelId(s.id()).setFormatName(s.format().name())
                .setFormatVersion(s.format().version() == null ? "" : s.format().version()).setStorageUri(s.storageUri())
                .setRuntime(s.runtime()).setSizeHintBytes(Math.max(0, s.sizeHint())).setBatchMaxSize(s.batching().maxBatchSize())
                .setBatchMaxLatencyMicros(s.batching().maxLatencyMicros()).addAllBatchPreferredSizes(s.batching().preferredSizes()).build();
    }

    /** The registration a descriptor carries, as the registry holds it. */
    public static ModelSpec spec(ModelDescriptor m) {
        return new ModelSpec(m.getModelId(), new ModelFormat(m.getFormatName(), m.getFormatVersion()), m.getStorageUri(), m.getRuntime(),
                m.getSizeHintBytes()).withBatching(new Batching(m.getBatchMaxSize(), m.getBatchMaxLatencyMicros(),
                m.getBatchPreferredSizesList()));
    }

    /** A copy's state on the wire. */
    public static dev.meshwork.protocol.node.CopyState copyState(CopyState s) {
        return switch (s) {
            case LOADING -> dev.meshwork.protocol.node.CopyState.LOADING;
            case LOADED -> dev.meshwork.protocol.node.CopyState.LOADED;
            case FAILED -> dev.meshwork.protocol.node.CopyState.FAILED;
            case UNLOADING -> dev.meshwork.protocol.node.CopyState.UNLOADING;
        };
    }
}
