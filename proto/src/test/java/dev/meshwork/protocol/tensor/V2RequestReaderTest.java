package dev.meshwork.protocol.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.error.MeshError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming v2 reader: the same tensors whatever the field order, and the tree's checks where it falls back. */
class V2RequestReaderTest {
    private static InferenceRequest decode(String json) {
        return JsonTensorCodec.decodeV2(json.getBytes(StandardCharsets.UTF_8), "m", "");
    }

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = t.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static float[] floats(Tensor t) {
        ByteBuffer b = t.buffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    @Test
    void dataBeforeOrAfterItsShapeGivesTheSameTensor() {
        Tensor streamed = decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[[1,2.5],[3,-4e2]]}]}").inputs().get(0);
        Tensor tree = decode("{\"inputs\":[{\"data\":[[1,2.5],[3,-4e2]],\"shape\":[2,2],\"name\":\"x\",\"datatype\":\"FP32\"}]}").inputs().get(0);
        assertThat(floats(streamed)).containsExactly(1f, 2.5f, 3f, -400f);
        assertThat(bytes(streamed)).isEqualTo(bytes(tree));
        assertThat(streamed.shape()).containsExactly(2, 2);
    }

    @Test
    void everyKindStreamsAndOddElementsTakeTheTreesPath() {
        InferenceRequest r = decode("{\"id\":7,\"parameters\":{\"k\":1},\"outputs\":[{\"name\":\"y\"}],\"inputs\":["
                + "{\"name\":\"i\",\"datatype\":\"INT64\",\"shape\":[3],\"data\":[1,-2,3.0]},"
                + "{\"name\":\"b\",\"datatype\":\"BOOL\",\"shape\":[3],\"data\":[true,false,1]},"
                + "{\"name\":\"f\",\"datatype\":\"FP64\",\"shape\":[2],\"data\":[\"NaN\",0.5]},"
                + "{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"hi\"]},"
                + "{\"name\":\"u\",\"datatype\":\"UINT64\",\"shape\":[1],\"data\":[18446744073709551615]}]}");
        assertThat(r.id()).isEqualTo("7");
        assertThat(r.parameters()).containsEntry("k", 1L);
        assertThat(r.requestedOutputs()).containsExactly("y");
        ByteBuffer i = r.inputs().get(0).buffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new long[]{i.getLong(), i.getLong(), i.getLong()}).containsExactly(1, -2, 3);
        assertThat(bytes(r.inputs().get(1))).containsExactly(1, 0, 1);
        ByteBuffer f = r.inputs().get(2).buffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(f.getDouble()).isNaN();
        assertThat(f.getDouble()).isEqualTo(0.5);
        assertThat(r.inputs().get(4).buffer().order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(-1L);
    }

    @Test
    void aBadElementIsNamedAsBefore() {
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,true]}]}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("tensor 'x' is FP32 but element 1 is true; expected a number");
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT8\",\"shape\":[1],\"data\":[300]}]}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1],\"data\":[2]}]}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("two \"data\" fields");
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3],\"data\":[1,2]}]}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("3 elements").hasMessageContaining("2 data elements");
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}],\"outputs\":null}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("\"outputs\" must be an array");
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1,}]}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void deeplyNestedDataIsRefusedNotAStackOverflow() {
        // the reader recurses into nested arrays; the parser's own nesting limit stops it long before the stack would
        String deep = "[".repeat(100_000) + "1" + "]".repeat(100_000);
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":" + deep + "}]}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("not valid JSON").hasMessageContaining("nesting");
        assertThatThrownBy(() -> decode("{\"inputs\":[{\"data\":" + deep + ",\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1]}]}"))
                .isInstanceOf(MeshError.class).hasMessageContaining("not valid JSON");
    }
}
