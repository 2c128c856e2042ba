package dev.meshwork.node.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.InferenceResponse;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.Tensor;
import dev.meshwork.runtime.LoadedModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import dev.meshwork.telemetry.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

class ModelBatcherTest {
    /** Doubles every value; records the rows of each call; slow enough that requests pile up behind a running batch. */
    static class Doubler implements LoadedModel {
        final List<Long> calls = new CopyOnWriteArrayList<>();
        final long sleepMs;

        Doubler(long sleepMs) {
            this.sleepMs = sleepMs;
        }

        @Override
        public InferenceResponse infer(InferenceRequest r) {
            Tensor x = r.inputs().get(0);
            calls.add(x.shape()[0]);
            for (float v : values(x)) {
                if (v < 0) { // any row: a batch holding the bad request fails as a whole, as a runtime would
                    throw MeshError.invalid("negative input");
                }
            }
            try {
                Thread.sleep(values(x)[0] >= 100 ? 2_000 : sleepMs); // a row of 100 or more: a long batch
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            float[] v = values(x);
            for (int i = 0; i < v.length; i++) {
                v[i] *= 2;
            }
            return new InferenceResponse("m", "", r.id(), Map.of(), List.of(tensor("y", x.shape()[0], v)));
        }

        @Override
        public ModelMetadata metadata() {
            return new ModelMetadata("m", List.of("1"), "fake", List.of(), List.of());
        }

        @Override
        public long sizeBytes() {
            return 1;
        }

        @Override
        public void close() {
        }
    }

    static Tensor tensor(String name, long rows, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return Tensor.of(name, DataType.FP32, new long[]{rows, values.length / rows}, ByteString.copyFrom(b.array()));
    }

    static float[] values(Tensor t) {
        ByteBuffer b = t.data().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    static InferenceRequest one(int i) {
        return new InferenceRequest("m", "", "r" + i, Map.of(), List.of(tensor("x", 1, i, i + 0.5f)), List.of(), false);
    }

    @Test
    void aLoneRequestRunsAtOnceAndConcurrentOnesShareBatchesEachGettingItsOwnRows() throws Exception {
        Doubler model = new Doubler(20);
        List<int[]> batches = new CopyOnWriteArrayList<>();
        // a latency bound far beyond the test's patience: a batcher that waited for company would hang the lone request
        List<Long> runs = new CopyOnWriteArrayList<>();
        ModelBatcher batcher = new ModelBatcher(new Batching(8, 10_000_000), (n, rows, waited, ran) -> {
            batches.add(new int[]{n, rows});
            runs.add(ran);
        }, 1);
        ExecutorService lone = Executors.newVirtualThreadPerTaskExecutor();
        InferenceResponse alone = lone.submit(() -> batcher.infer(model, one(1))).get(5, TimeUnit.SECONDS);
        lone.shutdown();
        assertThat(values(alone.outputs().get(0))).containsExactly(2, 3);
        assertThat(batches).as("told before the caller has its answer").singleElement().satisfies(b -> assertThat(b).containsExactly(1, 1));
        assertThat(runs).singleElement().satisfies(ran -> assertThat(ran).as("the run's time, the model's 20 ms sleep in it")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20)));

        ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<InferenceResponse>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                answers.add(users.submit(() -> {
                    go.await();
                    return batcher.infer(model, one(n));
                }));
            }
            go.countDown();
            for (int i = 0; i < answers.size(); i++) {
                InferenceResponse r = answers.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.id()).isEqualTo("r" + i);
                assertThat(values(r.outputs().get(0))).containsExactly(2 * i, 2 * i + 1);
            }
        } finally {
            users.shutdownNow();
        }
        assertThat(model.calls.stream().mapToLong(Long::longValue).sum()).isEqualTo(25);
        assertThat(model.calls.stream().mapToLong(Long::longValue).max().orElse(0)).as("batches formed").isBetween(2L, 8L);
        assertThat(model.calls.size()).as("fewer runs than requests").isLessThan(20);
        assertThat(batches.stream().mapToInt(b -> b[1]).sum()).isEqualTo(25);
    }

    @Test
    void aBadRequestInABatchFailsOnlyItselfAndOtherShapesNeverJoin() throws Exception {
        Doubler model = new Doubler(30);
        ModelBatcher batcher = new ModelBatcher(new Batching(8, 200_000), ModelBatcher.Listener.NONE, 1);
        ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<InferenceResponse> first = users.submit(() -> batcher.infer(model, one(1))); // runs, the others queue behind it
            Thread.sleep(5);
            Future<InferenceResponse> bad = users.submit(() -> batcher.infer(model, one(-5)));
            Future<InferenceResponse> good = users.submit(() -> batcher.infer(model, one(3)));
            Future<InferenceResponse> wide = users.submit(() -> batcher.infer(model,
                    new InferenceRequest("m", "", "w", Map.of(), List.of(tensor("x", 1, 7, 8, 9)), List.of(), false)));
            assertThat(values(first.get(10, TimeUnit.SECONDS).outputs().get(0))).containsExactly(2, 3);
            assertThat(values(good.get(10, TimeUnit.SECONDS).outputs().get(0))).containsExactly(6, 7);
            assertThat(values(wide.get(10, TimeUnit.SECONDS).outputs().get(0))).containsExactly(14, 16, 18);
            assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(MeshError.class).hasMessageContaining("negative input");
        } finally {
            users.shutdownNow();
        }
        assertThat(model.calls).as("no call mixed the 3-wide request with 2-wide ones").allMatch(rows -> rows >= 1);
    }

    @Test
    void aModelWhoseFirstDimensionIsFixedIsRefusedBatchingWithTheReason() {
        LoadedModel fixed = new Doubler(0) {
            @Override
            public ModelMetadata metadata() {
                return new ModelMetadata("m", List.of("1"), "fake", List.of(new dev.meshwork.protocol.tensor.TensorSpec("x", DataType.FP32,
                        new long[]{1, 4})), List.of());
            }
        };
        dev.meshwork.placement.registry.ModelSpec spec = new dev.meshwork.placement.registry.ModelSpec("m",
                new dev.meshwork.placement.registry.ModelFormat("onnx", ""), "/m.onnx", "", 0).withBatching(new Batching(8, 1000));
        assertThatThrownBy(() -> Batchers.check(spec, fixed)).isInstanceOf(MeshError.class)
                .hasMessageContaining("input 'x' has shape [1, 4]").hasMessageContaining("dynamic first (batch) dimension");
        Batchers.check(spec.withBatching(Batching.NONE), fixed); // without batching, any shape
    }

    @Test
    void aQueuedRequestNeverWaitsPastHalfOfWhatItsDeadlineLeaves() throws Exception {
        Doubler model = new Doubler(1);
        ModelBatcher batcher = new ModelBatcher(new Batching(8, 10_000_000), ModelBatcher.Listener.NONE, 1); // maxLatency: 10 s
        ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<InferenceResponse> longBatch = users.submit(() -> batcher.infer(model, one(100))); // runs for 2 s
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (model.calls.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            io.grpc.Context.CancellableContext call = io.grpc.Context.current().withDeadlineAfter(400, TimeUnit.MILLISECONDS,
                    Executors.newSingleThreadScheduledExecutor());
            Future<InferenceResponse> hurried = users.submit(call.wrap(() -> batcher.infer(model, one(2))));
            InferenceResponse r = hurried.get(10, TimeUnit.SECONDS);
            assertThat(values(r.outputs().get(0))).containsExactly(4, 5);
            assertThat(longBatch.isDone()).as("it ran beside the long batch rather than wait 10 s (or 2 s) behind it").isFalse();
            call.cancel(null);
            longBatch.get(10, TimeUnit.SECONDS);
        } finally {
            users.shutdownNow();
        }
    }

    @Test
    void aQueuedRequestsWaitIsASpanUnderItsCallersAndALoneRequestHasNone() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        Tracing.start(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build());
        try {
            Doubler model = new Doubler(5);
            ModelBatcher batcher = new ModelBatcher(new Batching(8, 10_000_000), (n, rows, waited, ran) -> { }, 1);
            ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
            try {
                Tracing.traced("lone", SpanKind.SERVER, null, Attributes.empty(), () -> batcher.infer(model, one(1)));
                CountDownLatch running = new CountDownLatch(1);
                Future<InferenceResponse> longBatch = users.submit(() -> {
                    running.countDown();
                    return batcher.infer(model, new InferenceRequest("m", "", "long", Map.of(), List.of(tensor("x", 1, 100, 100)), List.of(),
                            false)); // two seconds
                });
                running.await();
                Thread.sleep(200); // it runs now; the next request queues behind it
                Future<InferenceResponse> queued = users.submit(() -> Tracing.traced("queued", SpanKind.SERVER, null, Attributes.empty(),
                        () -> batcher.infer(model, one(2))));
                assertThat(values(queued.get(30, TimeUnit.SECONDS).outputs().get(0))).containsExactly(4, 5);
                longBatch.get(30, TimeUnit.SECONDS);
            } finally {
                users.shutdownNow();
            }
            List<SpanData> waits = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("batch wait")).toList();
            SpanData queuedCaller = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("queued")).findFirst().orElseThrow();
            assertThat(waits).as("only the queued request waited").singleElement().satisfies(w -> {
                assertThat(w.getParentSpanId()).isEqualTo(queuedCaller.getSpanId());
                assertThat(w.getTraceId()).isEqualTo(queuedCaller.getTraceId());
                assertThat(w.getEndEpochNanos() - w.getStartEpochNanos()).as("it waited for the long batch").isGreaterThan(1_000_000_000L);
            });
        } finally {
            Tracing.shutdown();
        }
    }

    @Test
    void withPreferredSizesABatchTakesTheLargestTheQueueFillsAndLeavesTheRest() throws Exception {
        Doubler model = new Doubler(5);
        ModelBatcher batcher = new ModelBatcher(new Batching(8, 10_000_000, List.of(4)), (n, rows, waited, ran) -> { }, 1);
        ExecutorService users = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CountDownLatch running = new CountDownLatch(1);
            Future<InferenceResponse> longBatch = users.submit(() -> {
                running.countDown();
                return batcher.infer(model, new InferenceRequest("m", "", "long", Map.of(), List.of(tensor("x", 1, 100, 100)), List.of(), false));
            });
            running.await();
            Thread.sleep(200); // the long batch runs; six requests queue behind it
            List<Future<InferenceResponse>> queued = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                int n = i;
                queued.add(users.submit(() -> batcher.infer(model, one(n))));
            }
            longBatch.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < queued.size(); i++) {
                assertThat(values(queued.get(i).get(30, TimeUnit.SECONDS).outputs().get(0))).containsExactly(2 * (i + 1), 2 * (i + 1) + 1);
            }
        } finally {
            users.shutdownNow();
        }
        // six queued rows: a batch of the preferred 4, then the 2 left (a batch never waits for a preferred size)
        assertThat(model.calls).containsExactly(1L, 4L, 2L);
        assertThat(new Batching(8, 0, List.of(2, 4)).rowsFor(3)).isEqualTo(2);
        assertThat(new Batching(8, 0, List.of(4)).rowsFor(3)).isEqualTo(3);
        assertThat(new Batching(8, 0).rowsFor(30)).isEqualTo(8);
        assertThatThrownBy(() -> new Batching(8, 0, List.of(16))).hasMessageContaining("from 1 to maxBatchSize (8)");
    }
}
