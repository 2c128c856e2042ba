// Generates the example TensorFlow SavedModel and its expected outputs. Run from the repository
// root after a build (./meshwork build):
//     java -cp "perf/target/lib/*" examples/tensorflow/GenerateTensorflowExamples.java
// The outputs are committed, so tests never export. Expected outputs are computed here with plain
// Java arithmetic, independently of TensorFlow and of Meshwork.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

public class GenerateTensorflowExamples {
    static final float[][] W = {{0.5f, -1.0f}, {2.0f, 0.25f}, {-0.75f, 1.5f}};
    static final float[] B = {0.1f, -0.2f};

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("examples", "tensorflow", "tf-linear");
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
            }
        }
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("features").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
            var scores = tf.withName("scores").math.add(tf.linalg.matMul(x, tf.constant(W)), tf.constant(B));
            var label = tf.withName("label").math.argMax(scores, tf.constant(1), TInt64.class);
            Signature sig = Signature.builder().key("serving_default").input("features", x).output("scores", scores).output("label", label).build();
            try (Session s = new Session(g)) {
                SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(sig).export();
            }
        }
        float[][] cases = {{1f, 2f, 3f}, {-1f, 0.5f, 0f}};
        StringBuilder scoresJson = new StringBuilder();
        StringBuilder labelsJson = new StringBuilder();
        for (int r = 0; r < cases.length; r++) {
            float[] row = new float[2];
            for (int j = 0; j < 2; j++) {
                float v = B[j];
                for (int k = 0; k < 3; k++) {
                    v += cases[r][k] * W[k][j];
                }
                row[j] = v;
                scoresJson.append(scoresJson.length() == 0 ? "" : ", ").append(Float.toString(v));
            }
            labelsJson.append(r == 0 ? "" : ", ").append(row[1] > row[0] ? 1 : 0);
        }
        String json = "{\n \"model\": \"tf-linear\",\n \"description\": \"features FP32 [batch,3] -> scores FP32 [batch,2] = x W + b, label INT64 [batch] = argmax\",\n"
                + " \"cases\": [{\n  \"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [2, 3], \"data\": [1.0, 2.0, 3.0, -1.0, 0.5, 0.0]}],\n"
                + "  \"outputs\": [{\"name\": \"scores\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [" + scoresJson + "]},\n"
                + "              {\"name\": \"label\", \"datatype\": \"INT64\", \"shape\": [2], \"data\": [" + labelsJson + "]}]\n }]\n}\n";
        Files.writeString(dir.resolve("expected.json"), json);
        Files.writeString(dir.resolve("tf-linear.model.json"),
                "{\"name\": \"tf-linear\", \"modelFormat\": {\"name\": \"tensorflow\"}, \"storageUri\": \".\"}\n");
        System.out.println(String.format(Locale.ROOT, "wrote %s", dir));
    }
}
