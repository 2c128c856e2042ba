package dev.meshwork.protocol.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad tensors are INVALID_ARGUMENT with a message that names the tensor and the problem. */
class TensorCodecErrorsTest {

    static void assertInvalid(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(MeshError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT)).hasMessageContaining(message);
    }

    static InferenceRequest v2(String inputJson) {
        return JsonTensorCodec.decodeV2(("{\"inputs\":[" + inputJson + "]}").getBytes(StandardCharsets.UTF_8), "m", "");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\":\"x\",\"shape\":[2],\"datatype\":\"INT8\",\"data\":[1,300]}|element 1 is 300, outside the range of INT8 [-128, 127]",
        "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"UINT8\",\"data\":[-1]}|outside the range of UINT8",
        "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"UINT64\",\"data\":[18446744073709551616]}|expected an integer in [0, 2^64-1]",
        "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1.5]}|element 0 is 1.5; expected an integer",
        "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[\"a\"]}|expected a number",
        "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[2]}|expected true or false",
        "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[1]}|expected a string",
        "{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3]}|has shape [2, 2] (4 elements) but 3 data elements were given",
        "{\"name\":\"x\",\"shape\":[-1],\"datatype\":\"FP32\",\"data\":[1]}|negative dimension",
        "{\"name\":\"x\",\"shape\":[1],\"datatype\":\"float32\",\"data\":[1]}|unknown datatype 'float32'",
        "{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}|input 'x' has no \"shape\" array",
        "{\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}|an input has no \"name\" string",
    })
    void jsonInputs(String input, String message) {
        assertInvalid(() -> v2(input), message);
    }

    @Test
    void nestedDataIsFlattenedRowMajor() {
        Tensor t = v2("{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"INT32\",\"data\":[[1,2],[3,4]]}").inputs().get(0);
        assertThat(t.buffer().getInt(0)).isEqualTo(1);
        assertThat(t.buffer().getInt(12)).isEqualTo(4);
    }

    @Test
    void rawContentsMustMatchInputsAndShapes() {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("m");
        b.addInputsBuilder().setName("a").setDatatype("FP32").addShape(2);
        b.addInputsBuilder().setName("b").setDatatype("FP32").addShape(2);
        b.addRawInputContents(ByteString.copyFrom(new byte[8]));
        assertInvalid(() -> GrpcTensorCodec.decode(b.build()), "raw_input_contents has 1 entries but the request has 2 inputs");
        b.addRawInputContents(ByteString.copyFrom(new byte[7]));
        assertInvalid(() -> GrpcTensorCodec.decode(b.build()), "tensor 'b' has shape [2] and datatype FP32, which needs 8 bytes (2 elements), but its data has 7 bytes");
    }

    @Test
    void truncatedBytesElementsAreRefused() {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("m");
        b.addInputsBuilder().setName("s").setDatatype("BYTES").addShape(1);
        b.addRawInputContents(ByteString.copyFrom(new byte[]{5, 0, 0, 0, 'a', 'b'}));
        assertInvalid(() -> GrpcTensorCodec.decode(b.build()), "BYTES element of length 5 but only 2 bytes remain");
    }

    @Test
    void typedContentsInTheWrongFieldOrFp16AreNamed() {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("m");
        b.addInputsBuilder().setName("x").setDatatype("INT64").addShape(1).setContents(InferTensorContents.newBuilder().addFp32Contents(1f));
        assertInvalid(() -> GrpcTensorCodec.decode(b.build()), "input 'x' is INT64 but its contents are in another datatype's field");
        ModelInferRequest.Builder h = ModelInferRequest.newBuilder().setModelName("m");
        h.addInputsBuilder().setName("h").setDatatype("FP16").addShape(1).setContents(InferTensorContents.newBuilder().addFp32Contents(1f));
        assertInvalid(() -> GrpcTensorCodec.decode(h.build()), "send it in raw_input_contents");
    }

    @Test
    void mixingRawAndTypedIsRefused() {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("m");
        b.addInputsBuilder().setName("x").setDatatype("FP32").addShape(1).setContents(InferTensorContents.newBuilder().addFp32Contents(1f));
        b.addRawInputContents(ByteString.copyFrom(new byte[4]));
        assertInvalid(() -> GrpcTensorCodec.decode(b.build()), "use one form for all inputs");
    }

    @Test
    void malformedJsonNamesWhereItBroke() {
        assertInvalid(() -> JsonTensorCodec.decodeV2("{\"inputs\": [".getBytes(), "m", ""), "the request body is not valid JSON");
        assertInvalid(() -> JsonTensorCodec.decodeV2("[]".getBytes(), "m", ""), "must be a JSON object");
        assertInvalid(() -> JsonTensorCodec.decodeV2(new byte[0], "m", ""), "the request body is empty");
    }

    static final ModelMetadata TWO_INPUTS = new ModelMetadata("m", List.of("1"), "p",
            List.of(new TensorSpec("a", DataType.FP32, new long[]{-1, 2}), new TensorSpec("b", DataType.INT64, new long[]{-1})),
            List.of(new TensorSpec("y", DataType.FP32, new long[]{-1})));

    @Test
    void v1RowsColumnsAndNamedRows() {
        ModelMetadata one = new ModelMetadata("m", List.of("1"), "p", List.of(new TensorSpec("a", DataType.FP32, new long[]{-1, 2})), List.of());
        KServeV1Codec.V1Request rows = KServeV1Codec.decode("{\"instances\": [[1,2],[3,4],[5,6]]}".getBytes(), "m", one);
        assertThat(rows.rowForm()).isTrue();
        assertThat(rows.request().inputs().get(0).shape()).containsExactly(3, 2);

        KServeV1Codec.V1Request named = KServeV1Codec.decode("{\"instances\": [{\"a\": [1,2], \"b\": 7}, {\"a\": [3,4], \"b\": 8}]}".getBytes(), "m", TWO_INPUTS);
        assertThat(named.request().inputs()).extracting(Tensor::name).containsExactly("a", "b");
        assertThat(named.request().inputs().get(1).shape()).containsExactly(2);
        assertThat(named.request().inputs().get(1).datatype()).isEqualTo(DataType.INT64);

        KServeV1Codec.V1Request columns = KServeV1Codec.decode("{\"inputs\": {\"a\": [[1,2]], \"b\": [9]}}".getBytes(), "m", TWO_INPUTS);
        assertThat(columns.rowForm()).isFalse();
        assertThat(columns.request().inputs().get(0).shape()).containsExactly(1, 2);

        assertInvalid(() -> KServeV1Codec.decode("{\"instances\": [[1,2],[3]]}".getBytes(), "m", one), "data elements were given");
        assertInvalid(() -> KServeV1Codec.decode("{\"instances\": [[1,2]]}".getBytes(), "m", TWO_INPUTS), "has 2 inputs");
        assertInvalid(() -> KServeV1Codec.decode("{\"instances\": [{\"c\": 1}]}".getBytes(), "m", TWO_INPUTS), "has no input 'c'");
        assertInvalid(() -> KServeV1Codec.decode("{\"rows\": []}".getBytes(), "m", one), "needs \"instances\"");
    }

    @Test
    void v1AnswersPredictionsPerRow() throws Exception {
        Tensor y = JsonTensorCodec.decodeV2("{\"inputs\":[{\"name\":\"y\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}".getBytes(), "m", "").inputs().get(0);
        Tensor z = JsonTensorCodec.decodeV2("{\"inputs\":[{\"name\":\"z\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[7,8]}]}".getBytes(), "m", "").inputs().get(0);
        String single = new String(KServeV1Codec.encode(new InferenceResponse("m", "", "", java.util.Map.of(), List.of(y)), true));
        assertThat(single).isEqualTo("{\"predictions\":[[1.0,2.0],[3.0,4.0]]}");
        String multi = new String(KServeV1Codec.encode(new InferenceResponse("m", "", "", java.util.Map.of(), List.of(y, z)), true));
        assertThat(multi).isEqualTo("{\"predictions\":[{\"y\":[1.0,2.0],\"z\":7},{\"y\":[3.0,4.0],\"z\":8}]}");
        String cols = new String(KServeV1Codec.encode(new InferenceResponse("m", "", "", java.util.Map.of(), List.of(y, z)), false));
        assertThat(cols).isEqualTo("{\"outputs\":{\"y\":[[1.0,2.0],[3.0,4.0]],\"z\":[7,8]}}");
    }
}
