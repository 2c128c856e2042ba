package dev.meshwork.protocol.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.oip.ModelInferRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random and mutated requests against every request codec (OIP v2 JSON, KServe v1 JSON, OIP gRPC
 * with typed and raw contents): each is either decoded into tensors whose data holds exactly what
 * their shapes say, or refused as bad input (INVALID_ARGUMENT, PAYLOAD_TOO_LARGE) with a message;
 * never another exception. Bounded counts and a fixed seed keep the build fast and repeatable
 * (change the seed to explore further).
 */
class CodecFuzzTest {
    static final List<String> V2_SEEDS = List.of(
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}",
            "{\"id\":\"x\",\"parameters\":{\"k\":1},\"inputs\":[{\"name\":\"t\",\"shape\":[2,2],\"datatype\":\"INT64\",\"data\":[[1,2],[3,4]]}],"
                    + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":false}}]}",
            "{\"inputs\":[{\"name\":\"s\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"ab\",\"c\"]},{\"name\":\"f\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[1e300]}]}",
            "{\"inputs\":[{\"name\":\"u\",\"shape\":[3],\"datatype\":\"UINT8\",\"data\":[0,255,7]},{\"name\":\"b\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[true]}]}");
    static final List<String> V1_SEEDS = List.of("{\"instances\":[[1,2,3,4],[5,6,7,8]]}", "{\"inputs\":[[0.5,1,1.5,2]]}",
            "{\"instances\":[{\"input\":[1,2,3,4]}]}");
    static final ModelMetadata META = new ModelMetadata("m", List.of("1"), "onnx",
            List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 4})), List.of(new TensorSpec("out", DataType.FP32, new long[] {-1})));
    static final String ALPHABET = "{}[],:\"-+.eE0123456789 \\ntrufalsn";

    /** One of a few edits of a valid body, chosen by {@code seed}: structure-aware bytes flipped, inserted, removed, cut, repeated. */
    static byte[] mutate(String valid, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder(valid);
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(6)) {
                case 0 -> b.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 1 -> b.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(8)));
                case 3 -> b.setLength(at);
                case 4 -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + r.nextInt(20))));
                default -> b.insert(at, List.of("99999999999999999999", "-1", "1e309", "null", "\"\"", "[]", "{}", "\"FP16\"", "\"BYTES\"")
                        .get(r.nextInt(9)));
            }
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The codec's answer is tensors that hold what their shapes say, or a refusal as bad input with a message. */
    static void decodedOrRefused(Supplier<InferenceRequest> decode) {
        InferenceRequest req;
        try {
            req = decode.get();
        } catch (MeshError e) {
            assertThat(e.code()).as(e.getMessage()).isIn(ErrorCode.INVALID_ARGUMENT, ErrorCode.PAYLOAD_TOO_LARGE);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        for (Tensor t : req.inputs()) {
            t.validate(); // data and shape agree
        }
    }

    @Property(tries = 3000, seed = "20261126")
    void mutatedV2JsonIsDecodedOrRefused(@ForAll long seed) {
        byte[] body = mutate(V2_SEEDS.get((int) Math.floorMod(seed, (long) V2_SEEDS.size())), seed);
        decodedOrRefused(() -> JsonTensorCodec.decodeV2(body, "m", ""));
    }

    @Property(tries = 1500, seed = "20261126")
    void mutatedV1JsonIsDecodedOrRefused(@ForAll long seed) {
        byte[] body = mutate(V1_SEEDS.get((int) Math.floorMod(seed, (long) V1_SEEDS.size())), seed);
        decodedOrRefused(() -> KServeV1Codec.decode(body, "m", META).request());
    }

    @Property(tries = 1500, seed = "20261126")
    void randomV2TensorsAreDecodedOrRefused(@ForAll("tensors") String tensor) {
        byte[] body = ("{\"inputs\":[" + tensor + "]}").getBytes(StandardCharsets.UTF_8);
        decodedOrRefused(() -> JsonTensorCodec.decodeV2(body, "m", ""));
    }

    @Provide
    Arbitrary<String> tensors() {
        Arbitrary<String> datatype = Arbitraries.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
                "FP16", "FP32", "FP64", "BYTES", "fp32", "COMPLEX64", "");
        Arbitrary<String> shape = Arbitraries.longs().between(-2, 6).list().ofMaxSize(4)
                .map(l -> l.toString().replace(" ", ""));
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.integers().between(-300, 300).map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "0"), Arbitraries.of("true", "false", "null",
                        "\"x\"", "1e400", "-9223372036854775809", "18446744073709551616", "[1,[2]]", "{}"));
        Arbitrary<String> data = value.list().ofMaxSize(12).map(l -> "[" + String.join(",", l) + "]");
        return Combinators.combine(datatype, shape, data)
                .as((t, s, d) -> "{\"name\":\"x\",\"shape\":" + s + ",\"datatype\":\"" + t + "\",\"data\":" + d + "}");
    }

    @Property(tries = 2000, seed = "20261126")
    void mutatedGrpcRequestsAreDecodedOrRefused(@ForAll long seed) {
        Random r = new Random(seed);
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName("m");
        var typed = b.addInputsBuilder().setName("a").setDatatype(r.nextBoolean() ? "FP32" : "INT64").addShape(1 + r.nextInt(3)).addShape(r.nextInt(3) - 1);
        if (r.nextBoolean()) {
            byte[] raw = new byte[r.nextInt(64)];
            r.nextBytes(raw);
            b.addRawInputContents(com.google.protobuf.ByteString.copyFrom(raw));
        } else {
            var contents = typed.getContentsBuilder();
            for (int i = r.nextInt(8); i > 0; i--) {
                contents.addFp32Contents(r.nextFloat()).addInt64Contents(r.nextLong());
            }
        }
        byte[] wire = b.build().toByteArray();
        for (int i = 1 + r.nextInt(3); i > 0 && wire.length > 0; i--) {
            wire[r.nextInt(wire.length)] = (byte) r.nextInt(256);
        }
        ModelInferRequest parsed;
        try {
            parsed = ModelInferRequest.parseFrom(wire);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return; // gRPC's transport answers that as INTERNAL before Meshwork sees it: not this codec's case
        }
        decodedOrRefused(() -> GrpcTensorCodec.decode(parsed));
    }
}
