package dev.meshwork.node.runtimeserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.mmesh.LoadModelRequest;
import dev.meshwork.protocol.mmesh.PredictModelSizeRequest;
import dev.meshwork.protocol.mmesh.RuntimeStatusRequest;
import dev.meshwork.protocol.mmesh.UnloadModelRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime-server's SPI keeps ModelMesh's accounting true: one budget every slot can hold,
 * no eviction behind the caller's back (a load that does not fit is refused and what was loaded
 * stays), and a size prediction that never downloads and answers in time. A real node agent with
 * the example ONNX model (about 1.05 MB as predicted: two fit the small slot).
 */
class ModelRuntimeServiceTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    static final String ADDER = EXAMPLES.resolve("onnx/add-vectors/model.onnx").toString();

    /** What a unary call answered: its value or its status. */
    static final class Answer<T> implements StreamObserver<T> {
        T value;
        Status status = Status.OK;

        @Override
        public void onNext(T v) {
            value = v;
        }

        @Override
        public void onError(Throwable t) {
            status = Status.fromThrowable(t);
        }

        @Override
        public void onCompleted() {
        }
    }

    private static NodeAgent agent(Path dir) {
        NodeConfig d = NodeConfig.defaults();
        return new NodeAgent(new NodeConfig("rs", 64L << 20, 1, d.loadTimeoutMs(), d.failedLoadBackoffMs(), 0, d.queueTimeoutMs(),
                d.storage().withRoots(List.of(EXAMPLES.toString())), d.onnx(), List.of(),
                List.of(new NodeConfig.SlotConfig("onnx", null, null, 2_200_000, 1, null, "in-process"),
                        new NodeConfig.SlotConfig("xgboost", null, null, 64L << 20, 1, null, "in-process")), "lru",
                new NodeConfig.Isolation(dir.toString(), 2, List.of(), 60_000, true, true)).callerEvicts());
    }

    private static Answer<?> load(ModelRuntimeService s, String id) {
        Answer<dev.meshwork.protocol.mmesh.LoadModelResponse> a = new Answer<>();
        s.loadModel(LoadModelRequest.newBuilder().setModelId(id).setModelType("onnx").setModelPath(ADDER).build(), a);
        return a;
    }

    @Test
    void theCapacityIsOneBudgetEverySlotHoldsAndNothingIsEvictedBehindTheCallersBack(@TempDir Path dir) {
        try (NodeAgent node = agent(dir)) {
            ModelRuntimeService s = new ModelRuntimeService(node);
            Answer<dev.meshwork.protocol.mmesh.RuntimeStatusResponse> status = new Answer<>();
            s.runtimeStatus(RuntimeStatusRequest.getDefaultInstance(), status);
            assertThat(status.value.getCapacityInBytes()).as("the smallest slot, not the sum").isEqualTo(2_200_000);

            assertThat(load(s, "m1").status.isOk()).isTrue();
            assertThat(load(s, "m2").status.isOk()).isTrue();
            Answer<?> third = load(s, "m3");
            assertThat(third.status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(third.status.getDescription()).contains("evicts nothing by itself");
            assertThat(node.copy("m1")).as("what the caller loaded stays loaded").isPresent();
            assertThat(node.copy("m2")).isPresent();

            s.unloadModel(UnloadModelRequest.newBuilder().setModelId("m1").build(), new Answer<>());
            assertThat(load(s, "m3").status.isOk()).as("room once the caller unloaded one").isTrue();
        }
    }

    @Test
    void aSizePredictionNeverDownloadsAndAnswersInTime(@TempDir Path dir) {
        try (NodeAgent node = agent(dir)) {
            ModelRuntimeService s = new ModelRuntimeService(node);
            Answer<dev.meshwork.protocol.mmesh.PredictModelSizeResponse> local = new Answer<>();
            s.predictModelSize(PredictModelSizeRequest.newBuilder().setModelId("p").setModelType("onnx").setModelPath(ADDER).build(), local);
            assertThat(local.value.getSizeInBytes()).as("from the file: twice its size plus 1 MiB").isGreaterThan(1L << 20);

            long started = System.nanoTime();
            Answer<dev.meshwork.protocol.mmesh.PredictModelSizeResponse> remote = new Answer<>();
            // a blackholed address: sizing it by downloading would hang far past ModelMesh's 500 ms
            s.predictModelSize(PredictModelSizeRequest.newBuilder().setModelId("r").setModelType("onnx")
                    .setModelPath("http://10.255.255.1/model.onnx").build(), remote);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(500);
            assertThat(remote.value.getSizeInBytes()).isEqualTo(ModelRuntimeService.DEFAULT_SIZE);
        }
    }
}
