// Generates the example XGBoost models and their expected outputs. Run from the repository root
// after a build (./meshwork build):
//     java -cp "perf/target/lib/*" examples/xgboost/GenerateXgboostExamples.java
// The outputs are committed, so tests never train. Expected outputs are the booster's own
// predictions here, in the training process, independent of Meshwork's adapter and codec.
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

public class GenerateXgboostExamples {
    static final int FEATURES = 4;

    public static void main(String[] args) throws Exception {
        Path out = Path.of("examples", "xgboost");
        // binary: is 0.8*x0 - 0.5*x1 + 0.3*x2*x3 above 0?
        train(out.resolve("xgb-binary"), "binary:logistic", 0, x -> 0.8 * x[0] - 0.5 * x[1] + 0.3 * x[2] * x[3] > 0 ? 1 : 0,
                "FP32 [batch,4] -> probability of class 1, FP32 [batch]");
        // three classes by which of three scores is largest
        train(out.resolve("xgb-multiclass"), "multi:softprob", 3, x -> {
            double[] s = {x[0] + x[1], x[2] - x[0], 0.5 * x[3]};
            return s[0] > s[1] && s[0] > s[2] ? 0 : s[1] > s[2] ? 1 : 2;
        }, "FP32 [batch,4] -> class probabilities, FP32 [batch,3]");
    }

    interface Label {
        int of(double[] x);
    }

    static void train(Path dir, String objective, int classes, Label label, String description) throws Exception {
        Random r = new Random(20261122);
        int rows = 400;
        float[] data = new float[rows * FEATURES];
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++) {
            double[] x = new double[FEATURES];
            for (int f = 0; f < FEATURES; f++) {
                x[f] = r.nextGaussian();
                data[i * FEATURES + f] = (float) x[f];
            }
            labels[i] = label.of(x);
        }
        DMatrix train = new DMatrix(data, rows, FEATURES, Float.NaN);
        train.setLabel(labels);
        Map<String, Object> params = new HashMap<>();
        params.put("objective", objective);
        params.put("max_depth", 3);
        params.put("eta", 0.3);
        params.put("nthread", 1);
        params.put("seed", 7);
        if (classes > 0) {
            params.put("num_class", classes);
        }
        Booster booster = XGBoost.train(train, params, 20, new HashMap<>(), null, null);
        Files.createDirectories(dir);
        booster.saveModel(dir.resolve("model.json").toString());

        float[][] cases = {{0.5f, -1.0f, 0.3f, 2.0f}, {-1.2f, 0.4f, 1.5f, -0.7f}, {0f, 0f, 0f, 0f}};
        DMatrix input = new DMatrix(flatten(cases), cases.length, FEATURES, Float.NaN);
        float[][] pred = booster.predict(input);
        StringBuilder json = new StringBuilder();
        json.append("{\n \"model\": \"").append(dir.getFileName()).append("\",\n \"description\": \"").append(description)
                .append("\",\n \"cases\": [{\n  \"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [")
                .append(cases.length).append(", ").append(FEATURES).append("], \"data\": [");
        appendFloats(json, flatten(cases));
        json.append("]}],\n  \"outputs\": [{\"name\": \"predict\", \"datatype\": \"FP32\", \"shape\": [").append(cases.length);
        if (classes > 0) {
            json.append(", ").append(classes);
        }
        json.append("], \"data\": [");
        appendFloats(json, flatten(pred));
        json.append("]}]\n }]\n}\n");
        Files.writeString(dir.resolve("expected.json"), json.toString());
        Files.writeString(dir.resolve(dir.getFileName() + ".model.json"),
                "{\"name\": \"" + dir.getFileName() + "\", \"modelFormat\": {\"name\": \"xgboost\"}, \"storageUri\": \"model.json\"}\n");
        train.dispose();
        input.dispose();
        booster.dispose();
    }

    static float[] flatten(float[][] rows) {
        int width = rows[0].length;
        float[] out = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * width, width);
        }
        return out;
    }

    static void appendFloats(StringBuilder b, float[] values) {
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s", Float.toString(values[i])));
        }
    }
}
