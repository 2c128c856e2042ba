package dev.meshwork.protocol.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.ModelInferRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Shapes a hostile client sends: they are refused as bad input, never an internal error or a silent wrap-around. */
class HostileTensorTest {
    static void assertInvalid(Runnable decode, String message) {
        assertThatThrownBy(decode::run).isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining(message);
    }

    @Test
    void anElementCountBeyond64BitsIsInvalidNotInternal() {
        String body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[4611686018427387905,4],\"datatype\":\"FP32\",\"data\":[1]}]}";
        assertInvalid(() -> JsonTensorCodec.decodeV2(body.getBytes(StandardCharsets.UTF_8), "m", ""), "does not fit in 64 bits");
        ModelInferRequest.Builder grpc = ModelInferRequest.newBuilder().setModelName("m");
        grpc.addInputsBuilder().setName("a").setDatatype("FP32").addShape(4611686018427387905L).addShape(4);
        assertInvalid(() -> GrpcTensorCodec.decode(grpc.build()), "does not fit in 64 bits");
    }

    @Test
    void aDimensionThatIsNotAnInt64IsRefusedNotWrapped() {
        String body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[99999999999999999999999],\"datatype\":\"FP32\",\"data\":[1]}]}";
        assertInvalid(() -> JsonTensorCodec.decodeV2(body.getBytes(StandardCharsets.UTF_8), "m", ""), "is not a 64-bit integer");
    }
}
