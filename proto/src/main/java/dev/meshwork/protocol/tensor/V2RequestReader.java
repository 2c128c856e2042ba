package dev.meshwork.protocol.tensor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads an Open Inference Protocol v2 request body as a stream: each input's {@code data} goes
 * straight into its tensor's bytes when its name, datatype and shape came before it (as clients
 * write them), instead of through a tree of one node per element first. Anything unusual (data
 * before the shape, an element that is not a plain number of the tensor's kind) takes the tree's
 * path, so its checks and messages are the same. Stateless; one call per body.
 */
final class V2RequestReader {
    private V2RequestReader() {
    }

    static InferenceRequest read(byte[] body, String model, String version) {
        if (body.length == 0) {
            throw MeshError.invalid("the request body is empty; send a JSON object");
        }
        try (JsonParser p = JsonTensorCodec.MAPPER.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw MeshError.invalid("the request body must be a JSON object");
            }
            List<Tensor> inputs = null;
            List<String> outputs = new ArrayList<>();
            String id = "";
            Map<String, Object> parameters = Map.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "inputs" -> inputs = inputs(p);
                    case "outputs" -> outputs = outputs(tree(p));
                    case "id" -> {
                        JsonNode n = tree(p);
                        id = n.isNull() ? "" : n.asText();
                    }
                    case "parameters" -> parameters = JsonTensorCodec.parameters(tree(p));
                    default -> p.skipChildren();
                }
            }
            if (inputs == null || inputs.isEmpty()) {
                throw MeshError.invalid("the request needs a non-empty \"inputs\" array of {name, shape, datatype, data}");
            }
            return new InferenceRequest(model, version, id, parameters, inputs, outputs, false);
        } catch (JsonProcessingException e) {
            throw MeshError.invalid("the request body is not valid JSON: %s", e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tree(JsonParser p) throws IOException {
        return JsonTensorCodec.MAPPER.readTree(p);
    }

    private static List<Tensor> inputs(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw MeshError.invalid("the request needs a non-empty \"inputs\" array of {name, shape, datatype, data}");
        }
        List<Tensor> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw MeshError.invalid("every input must be an object {name, shape, datatype, data}");
            }
            out.add(input(p));
        }
        return out;
    }

    /** One input object, the parser on its START_OBJECT; checked in the order the tree's decoding did. */
    private static Tensor input(JsonParser p) throws IOException {
        JsonNode name = null;
        JsonNode datatype = null;
        JsonNode shape = null;
        JsonNode dataTree = null;
        RawTensorWriter streamed = null;
        long[] streamedShape = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> name = tree(p);
                case "datatype" -> datatype = tree(p);
                case "shape" -> shape = tree(p);
                case "data" -> {
                    if (streamed != null || dataTree != null) {
                        throw MeshError.invalid("an input has two \"data\" fields");
                    }
                    if (name != null && datatype != null && shape != null) {
                        String n = JsonTensorCodec.inputName(name);
                        DataType type = JsonTensorCodec.dataType(datatype, n);
                        streamedShape = JsonTensorCodec.shape(n, shape);
                        streamed = new RawTensorWriter(n, type, Tensor.elementCount(n, streamedShape));
                        stream(streamed, p, n);
                    } else {
                        dataTree = tree(p);
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (streamed != null) {
            return streamed.build(streamedShape);
        }
        String n = JsonTensorCodec.inputName(name);
        DataType type = JsonTensorCodec.dataType(datatype, n);
        long[] dims = JsonTensorCodec.shape(n, shape);
        if (dataTree == null) {
            throw MeshError.invalid("input '%s' has no \"data\"", n);
        }
        RawTensorWriter w = new RawTensorWriter(n, type, Tensor.elementCount(n, dims));
        JsonElements.appendAll(w, dataTree, n);
        return w.build(dims);
    }

    /** Appends every leaf of the (possibly nested) array the parser is on, in row-major order. */
    private static void stream(RawTensorWriter w, JsonParser p, String tensor) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_ARRAY) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                stream(w, p, tensor);
            }
            return;
        }
        switch (w.type()) {
            case FP16, FP32, FP64 -> {
                if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                    w.addFloat(p.getDoubleValue());
                    return;
                }
            }
            case BOOL -> {
                if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    w.addBool(t == JsonToken.VALUE_TRUE);
                    return;
                }
            }
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32 -> {
                if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    w.addInteger(p.getLongValue());
                    return;
                }
            }
            default -> {
            }
        }
        JsonElements.append(w, tree(p), tensor); // the tree's checks and messages for everything else
    }

    /** The requested outputs: {@code [{"name": ...}, ...]}. */
    private static List<String> outputs(JsonNode outs) {
        List<String> out = new ArrayList<>();
        if (!outs.isArray()) {
            throw MeshError.invalid("\"outputs\" must be an array of {\"name\": ...}");
        }
        for (JsonNode o : outs) {
            JsonNode name = o.get("name");
            if (name == null || !name.isTextual()) {
                throw MeshError.invalid("every requested output needs a \"name\" string");
            }
            out.add(name.textValue());
        }
        return out;
    }
}
