package dev.meshwork.protocol.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.error.MeshError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KServe v1 (TensorFlow Serving style) REST shapes, translated with the model's metadata:
 * <ul>
 * <li>{@code {"instances": [row, ...]}} (or {@code {"inputs": [row, ...]}}): rows of the model's
 * only input, batched along a new first dimension; rows may also be objects keyed by input name;</li>
 * <li>{@code {"inputs": {"name": nested, ...}}}: the columnar form, one tensor per input, as given.</li>
 * </ul>
 * The row forms answer {@code {"predictions": [...]}}: the single output as nested rows, or one
 * object per row when the model has several outputs. The columnar form answers
 * {@code {"outputs": ...}}: the single output as a nested array, or an object by output name.
 */
public final class KServeV1Codec {
    private KServeV1Codec() {
    }

    /** A decoded v1 request and whether its answer uses the row ("predictions") form. */
    public record V1Request(InferenceRequest request, boolean rowForm) {
    }

    public static V1Request decode(byte[] body, String model, ModelMetadata meta) {
        JsonNode root = JsonTensorCodec.parse(body);
        JsonNode instances = root.get("instances");
        JsonNode inputs = root.get("inputs");
        if (instances != null && inputs != null) {
            throw MeshError.invalid("give either \"instances\" or \"inputs\", not both");
        }
        List<Tensor> tensors;
        boolean rowForm;
        if (instances != null || (inputs != null && inputs.isArray())) {
            JsonNode rows = instances != null ? instances : inputs;
            if (!rows.isArray() || rows.isEmpty()) {
                throw MeshError.invalid("\"instances\" must be a non-empty array of rows");
            }
            tensors = rows.get(0).isObject() && !isB64(rows.get(0)) ? namedRows(rows, meta) : List.of(rowTensor(onlyInput(meta), rows));
            rowForm = true;
        } else if (inputs != null && inputs.isObject()) {
            tensors = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = inputs.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                TensorSpec spec = inputSpec(meta, e.getKey());
                tensors.add(tensor(spec, e.getValue(), JsonElements.nestedShape(e.getValue())));
            }
            rowForm = false;
        } else {
            throw MeshError.invalid("a v1 request needs \"instances\": [...] or \"inputs\": [...] or {...}");
        }
        InferenceRequest req = new InferenceRequest(model, "", "", JsonTensorCodec.parameters(root.get("parameters")),
                tensors, List.of(), false);
        return new V1Request(req, rowForm);
    }

    private static boolean isB64(JsonNode n) {
        return n.size() == 1 && n.has("b64");
    }

    private static TensorSpec onlyInput(ModelMetadata meta) {
        if (meta.inputs().size() != 1) {
            throw MeshError.invalid("model '%s' has %d inputs %s; send each instance as an object keyed by input name",
                    meta.name(), meta.inputs().size(), meta.inputs());
        }
        return meta.inputs().get(0);
    }

    private static TensorSpec inputSpec(ModelMetadata meta, String name) {
        return meta.input(name).orElseThrow(() -> MeshError.invalid("model '%s' has no input '%s'; its inputs are %s",
                meta.name(), name, meta.inputs()));
    }

    private static Tensor rowTensor(TensorSpec spec, JsonNode rows) {
        long[] inner = JsonElements.nestedShape(rows.get(0));
        long[] shape = new long[inner.length + 1];
        shape[0] = rows.size();
        System.arraycopy(inner, 0, shape, 1, inner.length);
        return tensor(spec, rows, shape);
    }

    private static List<Tensor> namedRows(JsonNode rows, ModelMetadata meta) {
        Map<String, List<JsonNode>> columns = new LinkedHashMap<>();
        for (JsonNode row : rows) {
            if (!row.isObject()) {
                throw MeshError.invalid("all instances must have the same form; found an object row and a %s row", row.getNodeType());
            }
            row.fields().forEachRemaining(e -> columns.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        List<Tensor> out = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> c : columns.entrySet()) {
            if (c.getValue().size() != rows.size()) {
                throw MeshError.invalid("input '%s' is given in %d of %d instances; give it in every instance",
                        c.getKey(), c.getValue().size(), rows.size());
            }
            com.fasterxml.jackson.databind.node.ArrayNode arr = JsonTensorCodec.MAPPER.createArrayNode();
            c.getValue().forEach(arr::add);
            out.add(rowTensor(inputSpec(meta, c.getKey()), arr));
        }
        return out;
    }

    private static Tensor tensor(TensorSpec spec, JsonNode data, long[] shape) {
        RawTensorWriter w = new RawTensorWriter(spec.name(), spec.datatype(), Tensor.elementCount(spec.name(), shape));
        JsonElements.appendAll(w, data, spec.name());
        return w.build(shape);
    }

    /** Encodes the answer in the form the request used. */
    public static byte[] encode(InferenceResponse resp, boolean rowForm) {
        List<Tensor> outs = resp.outputs();
        return JsonTensorCodec.write(g -> {
            g.writeStartObject();
            if (rowForm) {
                g.writeFieldName("predictions");
                if (outs.size() == 1) {
                    Tensor t = outs.get(0);
                    if (t.shape().length == 0) {
                        g.writeStartArray();
                        JsonElements.writeNested(g, t.datatype(), t.buffer(), t.shape(), 0);
                        g.writeEndArray();
                    } else {
                        JsonElements.writeNested(g, t.datatype(), t.buffer(), t.shape(), 0);
                    }
                } else {
                    writeRowObjects(g, outs);
                }
            } else {
                g.writeFieldName("outputs");
                if (outs.size() == 1) {
                    Tensor t = outs.get(0);
                    JsonElements.writeNested(g, t.datatype(), t.buffer(), t.shape(), 0);
                } else {
                    g.writeStartObject();
                    for (Tensor t : outs) {
                        g.writeFieldName(t.name());
                        JsonElements.writeNested(g, t.datatype(), t.buffer(), t.shape(), 0);
                    }
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        });
    }

    private static void writeRowObjects(com.fasterxml.jackson.core.JsonGenerator g, List<Tensor> outs) throws java.io.IOException {
        long rows = outs.stream().mapToLong(t -> t.shape().length == 0 ? 1 : t.shape()[0]).max().orElse(0);
        for (Tensor t : outs) {
            long r = t.shape().length == 0 ? 1 : t.shape()[0];
            if (r != rows) {
                throw MeshError.invalid("outputs have different batch sizes (%s has %d rows, expected %d); use the v2 protocol for this model",
                        t.name(), r, rows);
            }
        }
        List<ByteBuffer> buffers = outs.stream().map(Tensor::buffer).toList();
        g.writeStartArray();
        for (long row = 0; row < rows; row++) {
            g.writeStartObject();
            for (int i = 0; i < outs.size(); i++) {
                Tensor t = outs.get(i);
                long[] shape = t.shape();
                g.writeFieldName(t.name());
                JsonElements.writeNested(g, t.datatype(), buffers.get(i), shape, Math.min(1, shape.length));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
