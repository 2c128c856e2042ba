package dev.meshwork.node;

import dev.meshwork.node.batch.Batchers;
import dev.meshwork.node.cache.ModelCache;
import dev.meshwork.node.overload.OverloadGuard;
import dev.meshwork.node.runtime.WireModel;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.telemetry.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.util.function.Supplier;

/**
 * Runs requests on copies the node has leased: through the model's batcher and the node's overload
 * guard, as a span ({@code runtime infer}) that names the copy, and hands a gRPC request to a model
 * in another process in its wire form. Request threads call it concurrently; the batchers and the
 * guard are thread-safe.
 */
final class CopyRunner {
    private final String nodeId;
    private final Batchers batchers = new Batchers();
    private final OverloadGuard overload;

    CopyRunner(NodeConfig config) {
        this.nodeId = config.nodeId();
        this.overload = new OverloadGuard(config.nodeId(), config.overload(), Runtime.getRuntime().availableProcessors());
    }

    InferenceResponse run(ModelCache.Lease lease, InferenceRequest request) {
        return traced(lease, () -> batchers.infer(lease.spec(), lease.model(), request));
    }

    /**
     * A gRPC request on a leased copy: a model in another process that takes the wire form gets it
     * as it is, tensors neither decoded nor encoded again here (it checks them itself), unless the
     * model batches, which needs them decoded; any other model runs it decoded.
     */
    ModelInferResponse runWire(ModelCache.Lease lease, ModelInferRequest request) {
        if (lease.model() instanceof WireModel wire && wire.takesWire() && !lease.spec().batching().enabled()) {
            return traced(lease, () -> wire.inferWire(request));
        }
        InferenceRequest decoded = GrpcTensorCodec.decode(request);
        return GrpcTensorCodec.encode(run(lease, decoded), decoded.rawOutputs());
    }

    /** Drops the model's batcher: it is unloaded. */
    void forget(String modelId) {
        batchers.forget(modelId);
    }

    void instrument(MeterRegistry registry) {
        batchers.instrument(registry);
        overload.instrument(registry);
    }

    private <T> T traced(ModelCache.Lease lease, Supplier<T> work) {
        return Tracing.traced("runtime infer", SpanKind.INTERNAL, null, Attributes.of(Tracing.MODEL, lease.spec().id(),
                Tracing.NAMESPACE, lease.spec().namespace(), Tracing.NODE, nodeId, Tracing.SLOT, lease.slot()),
                () -> overload.run(lease.spec(), work));
    }
}
