package dev.meshwork.perf;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a multi-layer perceptron as an ONNX model (MatMul, Add and Relu per layer, seeded weights)
 * straight in ONNX's protobuf wire format, so benchmarks get a model whose batches amortise without
 * a Python toolchain: input {@code input} [batch, widths[0]] FP32, output {@code logits} [batch, last].
 * The field numbers are ONNX's ({@code onnx.proto}: ModelProto.graph = 7, GraphProto.node = 1, ...). Stateless.
 */
public final class OnnxMlpWriter {
    private OnnxMlpWriter() {
    }

    /** Writes the model (once: an existing file of the same widths and seed is kept) and returns its path. */
    public static Path write(Path file, int[] widths, long seed) throws IOException {
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(file.getParent());
        SplittableRandom random = new SplittableRandom(seed);
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(g);
        String previous = "input";
        for (int layer = 0; layer + 1 < widths.length; layer++) {
            int in = widths[layer];
            int outWidth = widths[layer + 1];
            String w = "w" + layer;
            String b = "b" + layer;
            out.writeBytes(5, tensor(w, new long[]{in, outWidth}, weights(random, in * outWidth, Math.sqrt(2.0 / in))));
            out.writeBytes(5, tensor(b, new long[]{outWidth}, weights(random, outWidth, 0.01)));
            String product = "mm" + layer;
            String sum = layer + 2 == widths.length ? "logits" : "add" + layer;
            out.writeBytes(1, node("MatMul" + layer, "MatMul", new String[]{previous, w}, product));
            out.writeBytes(1, node("Add" + layer, "Add", new String[]{product, b}, sum));
            previous = sum;
            if (layer + 2 < widths.length) {
                out.writeBytes(1, node("Relu" + layer, "Relu", new String[]{sum}, "relu" + layer));
                previous = "relu" + layer;
            }
        }
        out.writeString(2, "mlp");
        out.writeBytes(11, valueInfo("input", widths[0]));
        out.writeBytes(12, valueInfo("logits", widths[widths.length - 1]));
        out.flush();
        ByteString graph = ByteString.copyFrom(g.toByteArray());
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        CodedOutputStream model = CodedOutputStream.newInstance(m);
        model.writeInt64(1, 8); // ir_version
        model.writeString(2, "meshwork-perf");
        model.writeBytes(7, graph);
        ByteArrayOutputStream opset = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(opset);
        o.writeString(1, "");
        o.writeInt64(2, 13);
        o.flush();
        model.writeBytes(8, ByteString.copyFrom(opset.toByteArray()));
        model.flush();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, m.toByteArray());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static float[] weights(SplittableRandom random, int n, double scale) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return w;
    }

    private static ByteString tensor(String name, long[] dims, float[] values) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        return message(out -> {
            for (long d : dims) {
                out.writeInt64(1, d);
            }
            out.writeInt32(2, 1); // FLOAT
            out.writeString(8, name);
            out.writeBytes(9, ByteString.copyFrom(raw.array()));
        });
    }

    private static ByteString node(String name, String op, String[] inputs, String output) throws IOException {
        return message(out -> {
            for (String i : inputs) {
                out.writeString(1, i);
            }
            out.writeString(2, output);
            out.writeString(3, name);
            out.writeString(4, op);
        });
    }

    /** A FP32 tensor of shape [batch, width], the batch dimension symbolic. */
    private static ByteString valueInfo(String name, int width) throws IOException {
        ByteString batch = message(out -> out.writeString(2, "batch"));
        ByteString fixed = message(out -> out.writeInt64(1, width));
        ByteString shape = message(out -> {
            out.writeBytes(1, batch);
            out.writeBytes(1, fixed);
        });
        ByteString tensorType = message(out -> {
            out.writeInt32(1, 1);
            out.writeBytes(2, shape);
        });
        ByteString type = message(out -> out.writeBytes(1, tensorType));
        return message(out -> {
            out.writeString(1, name);
            out.writeBytes(2, type);
        });
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static ByteString message(Fields fields) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(b);
        fields.write(out);
        out.flush();
        return ByteString.copyFrom(b.toByteArray());
    }
}
