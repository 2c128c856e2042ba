package dev.meshwork.protocol.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorBatchesTest {
    static Tensor floats(String name, long rows, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return Tensor.of(name, DataType.FP32, new long[]{rows, values.length / rows}, ByteString.copyFrom(b.array()));
    }

    static InferenceRequest request(String id, Tensor... inputs) {
        return new InferenceRequest("m", "", id, Map.of(), List.of(inputs), List.of(), false);
    }

    static float[] values(Tensor t) {
        ByteBuffer b = t.data().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    @Test
    void requestsJoinAlongTheFirstDimensionAndTheAnswerSplitsBackByRows() {
        InferenceRequest a = request("a", floats("x", 1, 1, 2), floats("y", 1, 10, 20));
        InferenceRequest b = request("b", floats("y", 2, 30, 40, 50, 60), floats("x", 2, 3, 4, 5, 6)); // inputs in another order
        assertThat(TensorBatches.rows(a)).isEqualTo(1);
        assertThat(TensorBatches.rows(b)).isEqualTo(2);
        assertThat(TensorBatches.key(a)).isEqualTo(TensorBatches.key(b));
        InferenceRequest joined = TensorBatches.join(List.of(a, b));
        assertThat(joined.inputs().get(0).shape()).containsExactly(3, 2);
        assertThat(values(joined.inputs().get(0))).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(values(joined.inputs().get(1))).containsExactly(10, 20, 30, 40, 50, 60);

        InferenceResponse batch = new InferenceResponse("m", "", "a", Map.of(), List.of(floats("sum", 3, 11, 22, 33, 44, 55, 66)));
        List<InferenceResponse> answers = TensorBatches.split(batch, new int[]{1, 2}, new String[]{"a", "b"});
        assertThat(answers.get(0).id()).isEqualTo("a");
        assertThat(values(answers.get(0).outputs().get(0))).containsExactly(11, 22);
        assertThat(answers.get(1).id()).isEqualTo("b");
        assertThat(answers.get(1).outputs().get(0).shape()).containsExactly(2, 2);
        assertThat(values(answers.get(1).outputs().get(0))).containsExactly(33, 44, 55, 66);
    }

    @Test
    void differentShapesDatatypesOrOptionsNeverShareAKeyAndSomeRequestsCannotBatch() {
        InferenceRequest a = request("a", floats("x", 1, 1, 2));
        assertThat(TensorBatches.key(a)).isNotEqualTo(TensorBatches.key(request("b", floats("x", 1, 1, 2, 3))));
        assertThat(TensorBatches.key(a)).isNotEqualTo(TensorBatches.key(new InferenceRequest("m", "", "c", Map.of("k", 1), a.inputs(),
                List.of(), false)));
        assertThat(TensorBatches.key(a)).isNotEqualTo(TensorBatches.key(new InferenceRequest("m", "", "c", Map.of(), a.inputs(),
                List.of("sum"), false)));
        assertThat(TensorBatches.key(a)).isNotEqualTo(TensorBatches.key(new InferenceRequest("m", "", "c", Map.of(), a.inputs(), List.of(), true)));
        Tensor bytes = Tensor.of("s", DataType.BYTES, new long[]{1}, ByteString.copyFrom(new byte[]{1, 0, 0, 0, 'x'}));
        assertThat(TensorBatches.rows(request("d", bytes))).isEqualTo(-1);
        assertThat(TensorBatches.rows(request("e", floats("x", 1, 1), floats("y", 2, 1, 2)))).isEqualTo(-1); // first dims disagree
        InferenceResponse notBatched = new InferenceResponse("m", "", "a", Map.of(), List.of(floats("sum", 1, 1, 2)));
        assertThatThrownBy(() -> TensorBatches.split(notBatched, new int[]{1, 2}, new String[]{"a", "b"}))
                .hasMessageContaining("not 3 rows first");
    }
}
