package dev.meshwork.perf;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Each runtime library called directly, the way an application embedding it would, on one FP32
 * input: the baseline the node's path is compared with. Not thread-safe; one per benchmark thread.
 */
final class DirectCalls {
    private DirectCalls() {
    }

    /** A loaded model called directly; close releases it. */
    interface Direct extends AutoCloseable {
        void call() throws Exception;

        @Override
        void close() throws Exception;
    }

    static Direct open(String format, Path model, String inputName, float[] data, long[] shape) throws Exception {
        return switch (format) {
            case "onnx" -> onnx(model, inputName, data, shape);
            case "xgboost" -> xgboost(model, data, shape);
            case "lightgbm" -> lightgbm(model, data, shape);
            case "tensorflow" -> tensorflow(model, inputName, data, shape);
            case "pytorch" -> pytorch(model, data, shape);
            default -> throw new IllegalArgumentException(format);
        };
    }

    private static Direct onnx(Path model, String input, float[] data, long[] shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(1);
        OrtSession session = env.createSession(model.resolve("model.onnx").toString(), opts);
        return new Direct() {
            public void call() throws Exception {
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                     OrtSession.Result r = session.run(Map.of(input, t))) {
                    r.get(0);
                }
            }

            public void close() throws Exception {
                session.close();
                opts.close();
            }
        };
    }

    private static Direct xgboost(Path model, float[] data, long[] shape) throws Exception {
        Booster booster = XGBoost.loadModel(model.resolve("model.json").toString());
        return new Direct() {
            public void call() throws Exception {
                DMatrix m = new DMatrix(data, (int) shape[0], (int) shape[1], Float.NaN);
                try {
                    booster.predict(m);
                } finally {
                    m.dispose();
                }
            }

            public void close() {
                booster.dispose();
            }
        };
    }

    private static Direct lightgbm(Path model, float[] data, long[] shape) throws Exception {
        // a binary model: lightgbm4j's predictForMat is safe for one value per row
        LGBMBooster booster = LGBMBooster.loadModelFromString(Files.readString(model.resolve("model.txt")));
        return new Direct() {
            public void call() throws Exception {
                booster.predictForMat(data, (int) shape[0], (int) shape[1], true, PredictionType.C_API_PREDICT_NORMAL);
            }

            public void close() throws Exception {
                booster.close();
            }
        };
    }

    private static Direct tensorflow(Path model, String input, float[] data, long[] shape) {
        SavedModelBundle bundle = SavedModelBundle.load(model.toString(), "serve");
        SessionFunction f = bundle.function("serving_default");
        byte[] raw = new byte[data.length * 4];
        java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().put(data);
        return new Direct() {
            public void call() {
                try (TFloat32 t = org.tensorflow.Tensor.of(TFloat32.class, org.tensorflow.ndarray.Shape.of(shape), DataBuffers.of(raw, true, false));
                     var r = f.call(Map.of(input, t))) {
                    r.get(0);
                }
            }

            public void close() {
                bundle.close();
            }
        };
    }

    private static Direct pytorch(Path model, float[] data, long[] shape) throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(DirectCalls.class.getClassLoader());
        ZooModel<NDList, NDList> zoo;
        try {
            zoo = Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(model.resolve("model.pt"))
                    .optEngine("PyTorch").optTranslator(new NoopTranslator()).build().loadModel();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        Predictor<NDList, NDList> predictor = zoo.newPredictor();
        return new Direct() {
            public void call() throws Exception {
                try (NDManager m = zoo.getNDManager().newSubManager()) {
                    predictor.predict(new NDList(m.create(data, new Shape(shape))));
                }
            }

            public void close() {
                predictor.close();
                zoo.close();
            }
        };
    }
}
