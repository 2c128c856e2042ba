package dev.meshwork.protocol.tensor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.protocol.error.MeshError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol v2 REST JSON form of requests and responses, and the JSON shapes
 * shared with the KServe v1 codec. Stateless and thread-safe.
 */
public final class JsonTensorCodec {
    /**
     * Jackson's default buffer pool is per thread, and every request runs on a fresh virtual thread: each
     * parse and write allocated new buffers (a tenth of a small REST inference's time went to making the
     * generator). A pool shared by all threads hands the same few buffers round.
     */
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
            // numbers are most of a tensor's JSON: FastDoubleParser reads the same values as Double.parseDouble, in half
            // the time of a request's decoding (./meshwork bench codec)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build());
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private JsonTensorCodec() {
    }

    /** Parses a JSON body into a tree; malformed JSON is an INVALID_ARGUMENT naming where it broke. */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw MeshError.invalid("the request body is empty; send a JSON object");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw MeshError.invalid("the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw MeshError.invalid("the request body is not valid JSON: %s", e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes a v2 inference request body for {@code model} (the name from the URL wins over the body's),
     * as a stream ({@link V2RequestReader}).
     */
    public static InferenceRequest decodeV2(byte[] body, String model, String version) {
        return V2RequestReader.read(body, model, version);
    }

    /** An input's name: a non-empty string. */
    static String inputName(JsonNode nameNode) {
        if (nameNode == null || !nameNode.isTextual() || nameNode.textValue().isEmpty()) {
            throw MeshError.invalid("an input has no \"name\" string");
        }
        return nameNode.textValue();
    }

    /** An input's datatype, by its v2 name ({@code FP32}); a missing one is refused by {@link DataType#parse}. */
    static DataType dataType(JsonNode datatype, String name) {
        return DataType.parse(datatype != null && !datatype.isNull() ? datatype.asText() : null, name);
    }

    /** An input's shape: an array of 64-bit integers. */
    static long[] shape(String name, JsonNode shapeNode) {
        if (shapeNode == null || !shapeNode.isArray()) {
            throw MeshError.invalid("input '%s' has no \"shape\" array", name);
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber()) {
                throw MeshError.invalid("input '%s' has a shape entry %s that is not an integer", name, d);
            }
            if (!d.canConvertToLong()) {
                throw MeshError.invalid("input '%s' has a shape entry %s that is not a 64-bit integer", name, d);
            }
            shape[i] = d.longValue();
        }
        return shape;
    }

    /** Encodes a v2 inference response body. */
    public static byte[] encodeV2(InferenceResponse resp) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("model_name", resp.modelName());
            if (!resp.modelVersion().isEmpty()) {
                g.writeStringField("model_version", resp.modelVersion());
            }
            if (!resp.id().isEmpty()) {
                g.writeStringField("id", resp.id());
            }
            if (!resp.parameters().isEmpty()) {
                g.writeObjectField("parameters", resp.parameters());
            }
            writeTensors(g, "outputs", resp.outputs());
            g.writeEndObject();
        });
    }

    /**
     * Encodes an inference request as a v2 JSON body: what a gRPC request looks like in REST, raw
     * contents decoded (payload logging writes gRPC requests this way).
     */
    public static byte[] encodeV2Request(InferenceRequest req) {
        return write(g -> {
            g.writeStartObject();
            if (!req.id().isEmpty()) {
                g.writeStringField("id", req.id());
            }
            if (!req.parameters().isEmpty()) {
                g.writeObjectField("parameters", req.parameters());
            }
            writeTensors(g, "inputs", req.inputs());
            if (!req.requestedOutputs().isEmpty()) {
                g.writeArrayFieldStart("outputs");
                for (String name : req.requestedOutputs()) {
                    g.writeStartObject();
                    g.writeStringField("name", name);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    private static void writeTensors(JsonGenerator g, String field, List<Tensor> tensors) throws IOException {
        g.writeArrayFieldStart(field);
        for (Tensor t : tensors) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("datatype", t.datatype().name());
            g.writeArrayFieldStart("shape");
            for (long d : t.shape()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("data");
            ByteBuffer b = t.buffer();
            long n = t.elementCount();
            for (long i = 0; i < n; i++) {
                JsonElements.writeElement(g, t.datatype(), b);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    public static ObjectNode metadataJson(ModelMetadata m) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("name", m.name());
        m.versions().forEach(root.putArray("versions")::add);
        root.put("platform", m.platform());
        writeSpecs(root.putArray("inputs"), m.inputs());
        writeSpecs(root.putArray("outputs"), m.outputs());
        return root;
    }

    private static void writeSpecs(com.fasterxml.jackson.databind.node.ArrayNode arr, List<TensorSpec> specs) {
        for (TensorSpec s : specs) {
            ObjectNode o = arr.addObject();
            o.put("name", s.name());
            o.put("datatype", s.datatype().name());
            com.fasterxml.jackson.databind.node.ArrayNode shape = o.putArray("shape");
            for (long d : s.shape()) {
                shape.add(d);
            }
        }
    }

    static Map<String, Object> parameters(JsonNode params) {
        if (params == null || params.isNull()) {
            return Map.of();
        }
        if (!params.isObject()) {
            throw MeshError.invalid("\"parameters\" must be a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = params.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isBoolean()) {
                out.put(e.getKey(), v.booleanValue());
            } else if (v.isIntegralNumber() && v.canConvertToLong()) {
                out.put(e.getKey(), v.longValue());
            } else if (v.isNumber()) {
                out.put(e.getKey(), v.doubleValue());
            } else if (v.isTextual()) {
                out.put(e.getKey(), v.textValue());
            } else if (!v.isNull()) {
                out.put(e.getKey(), v.toString());
            }
        }
        return out;
    }

    /** A body that writes itself with a JsonGenerator. */
    interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] write(JsonWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The error body every REST endpoint answers with: {@code {"error": "..."}}. */
    public static byte[] errorBody(String message) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    /** Serialises any JSON tree or plain value (records, maps, lists) to bytes. */
    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
