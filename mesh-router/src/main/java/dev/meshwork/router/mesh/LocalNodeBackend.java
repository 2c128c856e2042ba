package dev.meshwork.router.mesh;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import java.util.List;

/** Standalone mode: the router calls its embedded node in-process, with no network hop. */
public final class LocalNodeBackend implements NodeBackend {
    private final NodeAgent node;

    public LocalNodeBackend(NodeAgent node) {
        this.node = node;
    }

    @Override
    public void checkServable(ModelSpec spec) {
        node.checkServable(spec);
    }

    @Override
    public InferenceResponse infer(ModelSpec spec, InferenceRequest request) {
        return node.infer(spec, request);
    }

    @Override
    public dev.meshwork.protocol.oip.ModelInferResponse inferWire(ModelSpec spec, dev.meshwork.protocol.oip.ModelInferRequest request) {
        return node.inferWire(spec, request);
    }

    @Override
    public ModelMetadata metadata(ModelSpec spec) {
        return node.metadata(spec);
    }

    @Override
    public CopyRecord load(ModelSpec spec) {
        return node.record(node.ensureLoaded(spec));
    }

    @Override
    public void unload(String modelId) {
        node.unload(modelId).join();
    }

    @Override
    public boolean runsInline(String modelId, long requestBytes) {
        return node.runsInline(modelId, requestBytes);
    }

    @Override
    public List<CopyRecord> copies(String modelId) {
        return node.copy(modelId).map(c -> List.of(node.record(c))).orElse(List.of());
    }

    @Override
    public List<NodeRecord> nodes() {
        return List.of(new NodeRecord(node.nodeId(), "in-process", "", node.slotRecords(), node.inFlight(), false, System.currentTimeMillis()));
    }

    @Override
    public List<String> formats() {
        return node.formats();
    }

    @Override
    public void close() {
        node.close();
    }
}
