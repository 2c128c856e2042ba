package dev.meshwork.protocol.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.protocol.oip.ModelInferResponse;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Property tests: random tensors of every datatype survive every wire form unchanged (typed gRPC
 * contents, raw gRPC contents, v2 JSON), including each type's extreme values.
 */
class TensorCodecRoundTripTest {
    static final int CASES = 200;

    /** A JSON value for element {@code i} of a random tensor of {@code type}; extremes come first. */
    static JsonNode value(DataType type, Random r, int i) {
        var f = JsonTensorCodec.mapper().getNodeFactory();
        return switch (type) {
            case BOOL -> f.booleanNode(r.nextBoolean());
            case INT8 -> f.numberNode(pick(i, r, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case INT16 -> f.numberNode(pick(i, r, Short.MIN_VALUE, Short.MAX_VALUE));
            case INT32 -> f.numberNode(pick(i, r, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case INT64 -> f.numberNode(i == 0 ? Long.MIN_VALUE : i == 1 ? Long.MAX_VALUE : r.nextLong());
            case UINT8 -> f.numberNode(pick(i, r, 0, 0xFF));
            case UINT16 -> f.numberNode(pick(i, r, 0, 0xFFFF));
            case UINT32 -> f.numberNode(pick(i, r, 0, 0xFFFF_FFFFL));
            case UINT64 -> f.numberNode(i == 0 ? BigInteger.ZERO : i == 1 ? new BigInteger("18446744073709551615")
                    : new BigInteger(64, r));
            case FP16 -> f.numberNode(Float.float16ToFloat(Float.floatToFloat16(i == 0 ? 65504f : (float) r.nextGaussian() * 100)));
            case FP32 -> f.numberNode(i == 0 ? Float.MAX_VALUE : i == 1 ? Float.MIN_VALUE : (float) r.nextGaussian());
            case FP64 -> f.numberNode(i == 0 ? Double.MAX_VALUE : i == 1 ? -Double.MIN_VALUE : r.nextGaussian() * 1e10);
            case BYTES -> f.textNode(i == 0 ? "" : i == 1 ? "héllo ✓" : Long.toString(r.nextLong(), 36));
        };
    }

    private static long pick(int i, Random r, long min, long max) {
        return i == 0 ? min : i == 1 ? max : min + (long) (r.nextDouble() * (max - min));
    }

    static ObjectNode randomInput(DataType type, Random r) {
        int rank = r.nextInt(4);
        long[] shape = new long[rank];
        long count = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = r.nextInt(4); // zero-sized dimensions included
            count *= shape[d];
        }
        ObjectNode in = JsonTensorCodec.mapper().createObjectNode();
        in.put("name", "t").put("datatype", type.name());
        ArrayNode s = in.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        ArrayNode data = in.putArray("data");
        for (int i = 0; i < count; i++) {
            data.add(value(type, r, i));
        }
        return in;
    }

    static Tensor fromJson(ObjectNode input) throws Exception {
        ObjectNode body = JsonTensorCodec.mapper().createObjectNode();
        body.putArray("inputs").add(input);
        return JsonTensorCodec.decodeV2(JsonTensorCodec.mapper().writeValueAsBytes(body), "m", "").inputs().get(0);
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void everyWireFormKeepsTheTensor(DataType type) throws Exception {
        Random r = new Random(type.ordinal() * 7919L);
        for (int c = 0; c < CASES; c++) {
            ObjectNode input = randomInput(type, r);
            Tensor t = fromJson(input);
            InferenceResponse resp = new InferenceResponse("m", "", "", Map.of(), List.of(t));

            // raw gRPC
            ModelInferResponse raw = GrpcTensorCodec.encode(resp, true);
            assertThat(GrpcTensorCodec.decode(raw).outputs()).containsExactly(t);
            // typed gRPC (FP16 has no typed field and goes raw by rule)
            ModelInferResponse typed = GrpcTensorCodec.encode(resp, false);
            assertThat(typed.getRawOutputContentsCount()).isEqualTo(type == DataType.FP16 ? 1 : 0);
            assertThat(GrpcTensorCodec.decode(typed).outputs()).containsExactly(t);
            // request direction: encode raw, decode
            InferenceRequest req = new InferenceRequest("m", "", "", Map.of(), List.of(t), List.of(), true);
            assertThat(GrpcTensorCodec.decode(GrpcTensorCodec.encode(req)).inputs()).containsExactly(t);
            // a request as v2 JSON (payload logs write gRPC requests so), and back
            InferenceRequest asked = new InferenceRequest("m", "", "id-" + c, Map.of("p", 1), List.of(t), List.of("out"), false);
            InferenceRequest back = JsonTensorCodec.decodeV2(JsonTensorCodec.encodeV2Request(asked), "m", "");
            assertThat(back.inputs()).containsExactly(t);
            assertThat(back.id()).isEqualTo("id-" + c);
            assertThat(back.requestedOutputs()).containsExactly("out");
            // v2 JSON: the response's data is the request's data, value for value
            JsonNode json = JsonTensorCodec.mapper().readTree(JsonTensorCodec.encodeV2(resp)).get("outputs").get(0);
            assertThat(json.get("shape").toString()).isEqualTo(input.get("shape").toString());
            assertThat(fromJson((ObjectNode) json)).isEqualTo(t);
            assertThat(json.get("data").size()).isEqualTo(input.get("data").size());
            for (int i = 0; i < input.get("data").size(); i++) {
                assertThat(json.get("data").get(i).asText()).as("%s element %d", type, i).isEqualTo(input.get("data").get(i).asText());
            }
        }
    }
}
