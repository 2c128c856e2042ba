package dev.meshwork.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The example models' expected.json files (inputs and outputs computed by the generator, not by
 * Meshwork), and a client-side encoding of them into gRPC messages written here from the protocol
 * specification, independently of Meshwork's codec.
 */
public final class Fixtures {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    /** The cases of an example model, whatever its format folder under examples/. */
    public static JsonNode cases(String model) {
        try (java.util.stream.Stream<Path> formats = java.nio.file.Files.list(MeshProcess.repoRoot().resolve("examples"))) {
            Path file = formats.map(f -> f.resolve(model).resolve("expected.json")).filter(java.nio.file.Files::isRegularFile)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("no example model " + model));
            return JSON.readTree(file.toFile()).get("cases");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One of modelmesh-serving's published InferenceService documents, verbatim ({@code modelmesh-serving/<name>.yaml} beside this class). */
    public static String modelMeshServingExample(String name) {
        try (java.io.InputStream in = Fixtures.class.getResourceAsStream("modelmesh-serving/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalArgumentException("no modelmesh-serving example " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The v2 REST request body of a case. */
    public static String v2Body(JsonNode c) {
        ObjectNode body = JSON.createObjectNode();
        body.set("inputs", c.get("inputs"));
        return body.toString();
    }

    /** Asserts that outputs (v2 JSON form) match the expected ones by name, datatype, shape and value. */
    public static void assertOutputs(JsonNode got, JsonNode want) {
        assertThat(got).as("outputs").hasSize(want.size());
        for (JsonNode w : want) {
            JsonNode g = find(got, w.get("name").asText());
            assertThat(g.get("datatype").asText()).isEqualTo(w.get("datatype").asText());
            assertThat(g.get("shape").toString()).as("%s shape", w.get("name")).isEqualTo(w.get("shape").toString());
            assertValues(g.get("data"), w.get("data"), w.get("datatype").asText(), w.get("name").asText());
        }
    }

    public static void assertValues(JsonNode got, JsonNode want, String datatype, String name) {
        assertThat(got).as("%s data", name).hasSize(want.size());
        double tol = datatype.equals("FP16") ? 1e-3 : datatype.equals("FP32") ? 1e-6 : 1e-12;
        for (int i = 0; i < want.size(); i++) {
            JsonNode w = want.get(i);
            if (w.isFloatingPointNumber()) {
                assertThat(got.get(i).asDouble()).as("%s[%d]", name, i).isCloseTo(w.asDouble(), within(tol * Math.max(1, Math.abs(w.asDouble()))));
            } else {
                assertThat(got.get(i).asText()).as("%s[%d]", name, i).isEqualTo(w.asText());
            }
        }
    }

    private static JsonNode find(JsonNode outputs, String name) {
        for (JsonNode o : outputs) {
            if (o.get("name").asText().equals(name)) {
                return o;
            }
        }
        throw new AssertionError("no output " + name + " in " + outputs);
    }

    /** A gRPC request with typed contents (FP16 cannot be typed: use {@link #rawRequest}). */
    public static ModelInferRequest typedRequest(String model, JsonNode c) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
        for (JsonNode in : c.get("inputs")) {
            InferTensorContents.Builder t = InferTensorContents.newBuilder();
            for (JsonNode v : in.get("data")) {
                switch (in.get("datatype").asText()) {
                    case "FP32" -> t.addFp32Contents((float) v.asDouble());
                    case "FP64" -> t.addFp64Contents(v.asDouble());
                    case "INT8", "INT16", "INT32" -> t.addIntContents(v.asInt());
                    case "INT64" -> t.addInt64Contents(v.asLong());
                    case "UINT8" -> t.addUintContents(v.asInt());
                    case "BOOL" -> t.addBoolContents(v.asBoolean());
                    case "BYTES" -> t.addBytesContents(ByteString.copyFromUtf8(v.asText()));
                    default -> throw new IllegalArgumentException(in.get("datatype").asText());
                }
            }
            ModelInferRequest.InferInputTensor.Builder tb = b.addInputsBuilder().setName(in.get("name").asText())
                    .setDatatype(in.get("datatype").asText()).setContents(t);
            in.get("shape").forEach(d -> tb.addShape(d.asLong()));
        }
        return b.build();
    }

    /** A gRPC request with raw_input_contents, little-endian, BYTES length-prefixed. */
    public static ModelInferRequest rawRequest(String model, JsonNode c) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(model);
        for (JsonNode in : c.get("inputs")) {
            ModelInferRequest.InferInputTensor.Builder tb = b.addInputsBuilder().setName(in.get("name").asText())
                    .setDatatype(in.get("datatype").asText());
            in.get("shape").forEach(d -> tb.addShape(d.asLong()));
            ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode v : in.get("data")) {
                switch (in.get("datatype").asText()) {
                    case "FP32" -> buf.putFloat((float) v.asDouble());
                    case "FP64" -> buf.putDouble(v.asDouble());
                    case "FP16" -> buf.putShort(Float.floatToFloat16((float) v.asDouble()));
                    case "INT8", "UINT8" -> buf.put((byte) v.asInt());
                    case "INT16" -> buf.putShort((short) v.asInt());
                    case "INT32" -> buf.putInt(v.asInt());
                    case "INT64" -> buf.putLong(v.asLong());
                    case "BOOL" -> buf.put((byte) (v.asBoolean() ? 1 : 0));
                    case "BYTES" -> {
                        byte[] s = v.asText().getBytes(StandardCharsets.UTF_8);
                        buf.putInt(s.length).put(s);
                    }
                    default -> throw new IllegalArgumentException(in.get("datatype").asText());
                }
            }
            buf.flip();
            b.addRawInputContents(ByteString.copyFrom(buf));
        }
        return b.build();
    }

    /** A gRPC response's outputs in the v2 JSON form, decoding raw or typed contents. */
    public static JsonNode outputs(ModelInferResponse r) {
        ArrayNode out = JSON.createArrayNode();
        for (int i = 0; i < r.getOutputsCount(); i++) {
            ModelInferResponse.InferOutputTensor o = r.getOutputs(i);
            ObjectNode t = out.addObject();
            t.put("name", o.getName()).put("datatype", o.getDatatype());
            ArrayNode shape = t.putArray("shape");
            o.getShapeList().forEach(shape::add);
            ArrayNode data = t.putArray("data");
            if (r.getRawOutputContentsCount() > 0) {
                ByteBuffer b = r.getRawOutputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                while (b.hasRemaining()) {
                    switch (o.getDatatype()) {
                        case "FP32" -> data.add(b.getFloat());
                        case "FP64" -> data.add(b.getDouble());
                        case "FP16" -> data.add(Float.float16ToFloat(b.getShort()));
                        case "INT8" -> data.add(b.get());
                        case "UINT8" -> data.add(Byte.toUnsignedInt(b.get()));
                        case "INT16" -> data.add(b.getShort());
                        case "INT32" -> data.add(b.getInt());
                        case "INT64" -> data.add(b.getLong());
                        case "BOOL" -> data.add(b.get() != 0);
                        case "BYTES" -> {
                            byte[] s = new byte[b.getInt()];
                            b.get(s);
                            data.add(new String(s, StandardCharsets.UTF_8));
                        }
                        default -> throw new IllegalArgumentException(o.getDatatype());
                    }
                }
            } else {
                InferTensorContents c = o.getContents();
                List<Object> values = new ArrayList<>();
                values.addAll(c.getFp32ContentsList());
                values.addAll(c.getFp64ContentsList());
                values.addAll(c.getIntContentsList());
                values.addAll(c.getInt64ContentsList());
                values.addAll(c.getUintContentsList());
                values.addAll(c.getBoolContentsList());
                c.getBytesContentsList().forEach(s -> values.add(s.toStringUtf8()));
                values.forEach(v -> data.add(JSON.valueToTree(v)));
            }
        }
        return out;
    }
}
