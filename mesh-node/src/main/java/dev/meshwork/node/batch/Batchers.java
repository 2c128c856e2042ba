package dev.meshwork.node.batch;

import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.TensorSpec;
import dev.meshwork.runtime.LoadedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's batchers, one per model whose registration asks for batching, made on its first
 * request with the settings its copy was loaded with, and their meters:
 * {@code meshwork_batch_size} (rows per batch), {@code meshwork_batch_requests} (requests per
 * batch), {@code meshwork_batch_queue_wait_seconds} (the oldest request's wait) and
 * {@code meshwork_batches_total}, each by model. Request threads call {@link #infer}; thread-safe.
 */
public final class Batchers {
    private final ConcurrentMap<String, ModelBatcher> byModel = new ConcurrentHashMap<>();
    private volatile MeterRegistry metrics = new CompositeMeterRegistry();

    /** Where the meters go (the node's registry); call before requests come. */
    public void instrument(MeterRegistry registry) {
        this.metrics = registry;
    }

    /** Runs the request on the copy loaded with {@code spec}: in a batch when its registration asks for one. */
    public InferenceResponse infer(ModelSpec spec, LoadedModel model, InferenceRequest request) {
        Batching b = spec.batching();
        if (!b.enabled()) {
            return model.infer(request);
        }
        ModelBatcher batcher = byModel.get(spec.id());
        if (batcher == null || !batcher.settings().equals(b)) {
            batcher = byModel.compute(spec.id(), (id, cur) -> cur != null && cur.settings().equals(b) ? cur : new ModelBatcher(b, meters(id)));
        }
        return batcher.infer(model, request);
    }

    /** Forgets a model's batcher (it was unloaded); requests still in it finish. */
    public void forget(String modelId) {
        byModel.remove(modelId);
    }

    private ModelBatcher.Listener meters(String model) {
        DistributionSummary rows = DistributionSummary.builder("meshwork_batch_size").tag("model", model)
                .description("rows per batch a model ran").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(metrics);
        DistributionSummary requests = DistributionSummary.builder("meshwork_batch_requests").tag("model", model)
                .description("requests per batch a model ran").register(metrics);
        Timer wait = Timer.builder("meshwork_batch_queue_wait").tag("model", model)
                .description("how long the oldest request of a batch waited for it").register(metrics);
        // a histogram: what a batch costs under load bounds a batched request's latency (maxLatency + one batch run)
        Timer run = Timer.builder("meshwork_batch_run").tag("model", model)
                .description("how long a batch took to run in the runtime, joining and splitting included").publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofNanos(100_000)).maximumExpectedValue(java.time.Duration.ofSeconds(10)).register(metrics);
        Counter batches = Counter.builder("meshwork_batches").tag("model", model).description("batches a model ran").register(metrics);
        return (n, r, waited, ran) -> {
            rows.record(r);
            requests.record(n);
            wait.record(waited, TimeUnit.NANOSECONDS);
            run.record(ran, TimeUnit.NANOSECONDS);
            batches.increment();
        };
    }

    /**
     * Refuses batching for a model whose inputs do not all have a dynamic first dimension: joining
     * requests along a fixed one would hand the runtime tensors it cannot take.
     */
    public static void check(ModelSpec spec, LoadedModel model) {
        if (!spec.batching().enabled()) {
            return;
        }
        for (TensorSpec in : model.metadata().inputs()) {
            long[] shape = in.shape();
            if (shape.length == 0 || shape[0] != -1) {
                throw MeshError.invalid("model '%s' asks for batching (maxBatchSize %d), but its input '%s' has shape %s: only a model whose"
                        + " inputs all have a dynamic first (batch) dimension (-1) can batch; register it without batching",
                        spec.id(), spec.batching().maxBatchSize(), in.name(), Arrays.toString(shape));
            }
        }
    }
}
