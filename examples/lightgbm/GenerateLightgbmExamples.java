// Generates the example LightGBM models and their expected outputs. Run from the repository root
// after a build (./meshwork build):
//     java -cp "perf/target/lib/*" examples/lightgbm/GenerateLightgbmExamples.java
// The outputs are committed, so tests never train. Expected outputs are the booster's own
// predictions here, in the training process, independent of Meshwork's adapter and codec.
import com.microsoft.ml.lightgbm.SWIGTYPE_p_double;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_float;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_int;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_long_long;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_p_void;
import com.microsoft.ml.lightgbm.lightgbmlib;
import com.microsoft.ml.lightgbm.lightgbmlibConstants;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

public class GenerateLightgbmExamples {
    static final int FEATURES = 4;

    interface Label {
        int of(double[] x);
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("examples", "lightgbm");
        train(out.resolve("lgbm-binary"), "objective=binary", 1, x -> x[0] * x[1] - 0.4 * x[2] + 0.2 * x[3] > 0 ? 1 : 0,
                "FP32 [batch,4] -> probability of class 1, FP64 [batch]");
        train(out.resolve("lgbm-multiclass"), "objective=multiclass num_class=3", 3, x -> {
            double[] s = {x[0] - x[3], x[1] + 0.5 * x[2], 0.3};
            return s[0] > s[1] && s[0] > s[2] ? 0 : s[1] > s[2] ? 1 : 2;
        }, "FP32 [batch,4] -> class probabilities, FP64 [batch,3]");
    }

    /**
     * Predicts through LightGBM's C API with an output buffer of rows x classes doubles
     * (lightgbm4j's predictForMat allocates 2 x rows, too small for three or more classes).
     */
    static double[] predict(String modelText, float[] rows, int rowCount, int classes) {
        SWIGTYPE_p_p_void handle = lightgbmlib.new_voidpp();
        SWIGTYPE_p_int iterations = lightgbmlib.new_intp();
        if (lightgbmlib.LGBM_BoosterLoadModelFromString(modelText, iterations, handle) < 0) {
            throw new IllegalStateException(lightgbmlib.LGBM_GetLastError());
        }
        SWIGTYPE_p_float input = lightgbmlib.new_floatArray(rows.length);
        for (int i = 0; i < rows.length; i++) {
            lightgbmlib.floatArray_setitem(input, i, rows[i]);
        }
        SWIGTYPE_p_double output = lightgbmlib.new_doubleArray((long) rowCount * classes);
        SWIGTYPE_p_long_long length = lightgbmlib.new_int64_tp();
        if (lightgbmlib.LGBM_BoosterPredictForMat(lightgbmlib.voidpp_value(handle), lightgbmlib.float_to_voidp_ptr(input),
                lightgbmlibConstants.C_API_DTYPE_FLOAT32, rowCount, FEATURES, 1, lightgbmlibConstants.C_API_PREDICT_NORMAL,
                0, -1, "", length, output) < 0) {
            throw new IllegalStateException(lightgbmlib.LGBM_GetLastError());
        }
        double[] out = new double[(int) lightgbmlib.int64_tp_value(length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = lightgbmlib.doubleArray_getitem(output, i);
        }
        lightgbmlib.LGBM_BoosterFree(lightgbmlib.voidpp_value(handle));
        return out;
    }

    static void train(Path dir, String objective, int classes, Label label, String description) throws Exception {
        Random r = new Random(20261122);
        int rows = 500;
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
        String params = objective + " num_leaves=8 learning_rate=0.2 min_data_in_leaf=5 num_threads=1 seed=7 deterministic=true verbose=-1";
        LGBMDataset dataset = LGBMDataset.createFromMat(data, rows, FEATURES, true, "verbose=-1", null);
        dataset.setField("label", labels);
        LGBMBooster booster = LGBMBooster.create(dataset, params);
        for (int i = 0; i < 20; i++) {
            booster.updateOneIter();
        }
        Files.createDirectories(dir);
        String modelText = booster.saveModelToString(0, 0, LGBMBooster.FeatureImportanceType.SPLIT);
        Files.writeString(dir.resolve("model.txt"), modelText);

        float[] cases = {0.5f, -1.0f, 0.3f, 2.0f, -1.2f, 0.4f, 1.5f, -0.7f, 0f, 0f, 0f, 0f};
        double[] pred = predict(modelText, cases, 3, classes);
        StringBuilder json = new StringBuilder();
        json.append("{\n \"model\": \"").append(dir.getFileName()).append("\",\n \"description\": \"").append(description)
                .append("\",\n \"cases\": [{\n  \"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [3, ").append(FEATURES)
                .append("], \"data\": [");
        for (int i = 0; i < cases.length; i++) {
            json.append(i == 0 ? "" : ", ").append(Float.toString(cases[i]));
        }
        json.append("]}],\n  \"outputs\": [{\"name\": \"predict\", \"datatype\": \"FP64\", \"shape\": [3");
        if (classes > 1) {
            json.append(", ").append(classes);
        }
        json.append("], \"data\": [");
        for (int i = 0; i < pred.length; i++) {
            json.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s", Double.toString(pred[i])));
        }
        json.append("]}]\n }]\n}\n");
        Files.writeString(dir.resolve("expected.json"), json.toString());
        Files.writeString(dir.resolve(dir.getFileName() + ".model.json"),
                "{\"name\": \"" + dir.getFileName() + "\", \"modelFormat\": {\"name\": \"lightgbm\"}, \"storageUri\": \"model.txt\"}\n");
        booster.close();
        dataset.close();
    }
}
