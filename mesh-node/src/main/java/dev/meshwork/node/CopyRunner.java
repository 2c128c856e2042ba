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
 * in another process in its wire form, and keeps each in-process model's recent run times. Request
 * threads (and transport threads running quick requests inline) call it concurrently; the batchers,
 * the guard and the run times are thread-safe.
 */
final class CopyRunner {
    private final String nodeId;
    private final Batchers batchers = new Batchers();
    private final OverloadGuard overload;
    private final RunTimes runTimes = new RunTimes();

    CopyRunner(NodeConfig config) {
        this.nodeId = config.nodeId();
        this.overload = new OverloadGuard(config.nodeId(), config.overload(), Runtime.getRuntime().availableProcessors());
    }

    InferenceResponse run(ModelCache.Lease lease, InferenceRequest request) {
        long started = System.nanoTime();
        InferenceResponse r = traced(lease, () -> batchers.infer(lease.spec(), lease.model(), request));
        if (!(lease.model() instanceof WireModel)) { // a model in another process is a call that waits: never inline
            long bytes = 0;
            for (var t : request.inputs()) {
                bytes += t.buffer().remaining();
            }
            runTimes.ran(lease.spec().id(), System.nanoTime() - started, bytes);
        }
        return r;
    }

    /** Whether a request of about {@code requestBytes} for the model may run on the thread that received it. */
    boolean quick(String modelId, long requestBytes, long limitNanos) {
        return runTimes.quick(modelId, requestBytes, limitNanos);
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
        runTimes.forget(modelId);
    }

    void instrument(MeterRegistry registry) {
        batchers.instrument(registry);
        overload.instrument(registry);
    }

    private <T> T traced(ModelCache.Lease lease, Supplier<T> work) {
        return Tracing.traced("runtime infer", SpanKind.INTERNAL, null, () -> Attributes.of(Tracing.MODEL, lease.spec().id(),
                Tracing.NAMESPACE, lease.spec().namespace(), Tracing.NODE, nodeId, Tracing.SLOT, lease.slot()),
                () -> overload.run(lease.spec(), work));
    }
}
