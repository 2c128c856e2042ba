package dev.meshwork.protocol.tensor;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests joined along their first (batch) dimension and the answer split back by rows: the
 * tensor side of dynamic batching. Only fixed-size datatypes batch (a BYTES tensor's rows have no
 * fixed width). Pure; any thread.
 */
public final class TensorBatches {
    private TensorBatches() {
    }

    /**
     * The rows a request carries when it can join a batch: every input has a fixed-size datatype, at
     * least one dimension and the same first dimension (at least 1); -1 otherwise.
     */
    public static int rows(InferenceRequest r) {
        if (r.inputs().isEmpty()) {
            return -1;
        }
        long rows = -1;
        for (Tensor t : r.inputs()) {
            long[] shape = t.shape();
            if (t.datatype() == DataType.BYTES || shape.length == 0 || shape[0] < 1 || (rows >= 0 && shape[0] != rows)) {
                return -1;
            }
            rows = shape[0];
        }
        return rows > Integer.MAX_VALUE ? -1 : (int) rows;
    }

    /**
     * What requests must agree on to share a batch: each input's name, datatype and shape beyond the
     * first dimension, the requested outputs, the parameters and the output form.
     */
    public static String key(InferenceRequest r) {
        StringBuilder b = new StringBuilder();
        r.inputs().stream().sorted(Comparator.comparing(Tensor::name)).forEach(t -> {
            long[] shape = t.shape();
            b.append(t.name()).append(':').append(t.datatype()).append(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length))).append(';');
        });
        b.append('|').append(r.requestedOutputs()).append('|').append(new TreeMap<>(r.parameters())).append('|').append(r.rawOutputs());
        return b.toString();
    }

    /** One request holding every request's inputs, concatenated in order along the first dimension (they share a {@link #key}). */
    public static InferenceRequest join(List<InferenceRequest> requests) {
        InferenceRequest first = requests.get(0);
        if (requests.size() == 1) {
            return first;
        }
        List<Tensor> inputs = new ArrayList<>(first.inputs().size());
        for (Tensor t : first.inputs()) {
            long rows = 0;
            List<ByteString> parts = new ArrayList<>(requests.size());
            for (InferenceRequest r : requests) {
                Tensor same = input(r, t.name());
                rows += same.shape()[0];
                parts.add(same.data());
            }
            long[] shape = t.shape();
            shape[0] = rows;
            inputs.add(new Tensor(t.name(), t.datatype(), shape, ByteString.copyFrom(parts)));
        }
        return new InferenceRequest(first.modelName(), first.modelVersion(), first.id(), first.parameters(), inputs, first.requestedOutputs(),
                first.rawOutputs());
    }

    private static Tensor input(InferenceRequest r, String name) {
        for (Tensor t : r.inputs()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("a request in the batch has no input '" + name + "'");
    }

    /**
     * The answer to each request of a batch: every output cut into the requests' rows, in order.
     * Throws {@link IllegalArgumentException} when an output does not have the batch's rows as its
     * first dimension (the model does not batch that output) or is BYTES.
     *
     * @param rows the rows of each request, in the batch's order
     * @param ids  each request's id, for its answer
     */
    public static List<InferenceResponse> split(InferenceResponse batch, int[] rows, String[] ids) {
        long total = Arrays.stream(rows).asLongStream().sum();
        List<List<Tensor>> outputs = new ArrayList<>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            outputs.add(new ArrayList<>(batch.outputs().size()));
        }
        for (Tensor out : batch.outputs()) {
            long[] shape = out.shape();
            if (out.datatype() == DataType.BYTES || shape.length == 0 || shape[0] != total) {
                throw new IllegalArgumentException("output '" + out.name() + "' has shape " + Arrays.toString(shape) + ", not " + total
                        + " rows first");
            }
            long rowBytes = out.data().size() / Math.max(1, total);
            long at = 0;
            for (int i = 0; i < rows.length; i++) {
                long[] part = shape.clone();
                part[0] = rows[i];
                outputs.get(i).add(new Tensor(out.name(), out.datatype(), part, out.data().substring((int) at, (int) (at + rowBytes * rows[i]))));
                at += rowBytes * rows[i];
            }
        }
        List<InferenceResponse> answers = new ArrayList<>(rows.length);
        Map<String, Object> parameters = batch.parameters();
        for (int i = 0; i < rows.length; i++) {
            answers.add(new InferenceResponse(batch.modelName(), batch.modelVersion(), ids[i], parameters, outputs.get(i)));
        }
        return answers;
    }
}
