package dev.meshwork.runtime.lightgbm;

import static com.microsoft.ml.lightgbm.lightgbmlib.LGBM_BoosterCreateFromModelfile;
import static com.microsoft.ml.lightgbm.lightgbmlib.LGBM_BoosterFree;
import static com.microsoft.ml.lightgbm.lightgbmlib.LGBM_BoosterGetNumClasses;
import static com.microsoft.ml.lightgbm.lightgbmlib.LGBM_BoosterGetNumFeature;
import static com.microsoft.ml.lightgbm.lightgbmlib.LGBM_BoosterPredictForMat;
import static com.microsoft.ml.lightgbm.lightgbmlib.LGBM_GetLastError;
import static com.microsoft.ml.lightgbm.lightgbmlib.delete_doubleArray;
import static com.microsoft.ml.lightgbm.lightgbmlib.delete_floatArray;
import static com.microsoft.ml.lightgbm.lightgbmlib.delete_int64_tp;
import static com.microsoft.ml.lightgbm.lightgbmlib.delete_intp;
import static com.microsoft.ml.lightgbm.lightgbmlib.delete_voidpp;
import static com.microsoft.ml.lightgbm.lightgbmlib.doubleArray_getitem;
import static com.microsoft.ml.lightgbm.lightgbmlib.floatArray_setitem;
import static com.microsoft.ml.lightgbm.lightgbmlib.float_to_voidp_ptr;
import static com.microsoft.ml.lightgbm.lightgbmlib.int64_tp_value;
import static com.microsoft.ml.lightgbm.lightgbmlib.intp_value;
import static com.microsoft.ml.lightgbm.lightgbmlib.new_doubleArray;
import static com.microsoft.ml.lightgbm.lightgbmlib.new_floatArray;
import static com.microsoft.ml.lightgbm.lightgbmlib.new_int64_tp;
import static com.microsoft.ml.lightgbm.lightgbmlib.new_intp;
import static com.microsoft.ml.lightgbm.lightgbmlib.new_voidpp;
import static com.microsoft.ml.lightgbm.lightgbmlib.voidpp_value;

import com.microsoft.ml.lightgbm.SWIGTYPE_p_double;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_float;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_int;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_long_long;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_p_void;
import com.microsoft.ml.lightgbm.SWIGTYPE_p_void;
import com.microsoft.ml.lightgbm.lightgbmlibConstants;
import io.github.metarank.lightgbm4j.LGBMBooster;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A LightGBM booster over LightGBM's C API (the SWIG bindings lightgbm4j ships), with output
 * buffers sized for every class. lightgbm4j's own predictForMat allocates two values per row,
 * which a model with three or more classes overruns (native heap corruption).
 *
 * <p>Thread-safe: LightGBM's prediction is safe from many threads; {@link #close} runs once, after
 * the last prediction (the node's cache guarantees it).
 */
final class LightgbmBooster implements AutoCloseable {
    private final SWIGTYPE_p_p_void handlePointer;
    private final SWIGTYPE_p_void handle;
    final int features;
    final int classes;

    private LightgbmBooster(SWIGTYPE_p_p_void handlePointer, int features, int classes) {
        this.handlePointer = handlePointer;
        this.handle = voidpp_value(handlePointer);
        this.features = features;
        this.classes = classes;
    }

    static void loadNative() {
        try {
            LGBMBooster.loadNative();
        } catch (IOException e) {
            throw new UncheckedIOException("could not load LightGBM's native library", e);
        }
    }

    /** Loads a model file; throws IllegalArgumentException with LightGBM's message when it cannot. */
    static LightgbmBooster load(String file) {
        loadNative();
        SWIGTYPE_p_p_void pointer = new_voidpp();
        SWIGTYPE_p_int iterations = new_intp();
        try {
            if (LGBM_BoosterCreateFromModelfile(file, iterations, pointer) < 0) {
                delete_voidpp(pointer);
                throw new IllegalArgumentException(LGBM_GetLastError());
            }
        } finally {
            delete_intp(iterations);
        }
        SWIGTYPE_p_void handle = voidpp_value(pointer);
        try {
            return new LightgbmBooster(pointer, intOf(handle, true), intOf(handle, false));
        } catch (RuntimeException e) {
            LGBM_BoosterFree(handle);
            delete_voidpp(pointer);
            throw e;
        }
    }

    private static int intOf(SWIGTYPE_p_void handle, boolean features) {
        SWIGTYPE_p_int out = new_intp();
        try {
            int rc = features ? LGBM_BoosterGetNumFeature(handle, out) : LGBM_BoosterGetNumClasses(handle, out);
            if (rc < 0) {
                throw new IllegalArgumentException(LGBM_GetLastError());
            }
            return intp_value(out);
        } finally {
            delete_intp(out);
        }
    }

    /**
     * A prediction runs on the request's own thread: a node's concurrency comes from concurrent
     * requests, and OpenMP's team (spinning between regions) would otherwise compete with the request
     * and transport threads for every core, for a few rows' worth of work.
     */
    private static final String ONE_THREAD = "num_threads=1";

    /** Predicts rows (row-major, {@code features} per row): {@code classes} values per row. */
    double[] predict(float[] rows, int rowCount) {
        long outSize = (long) rowCount * classes;
        SWIGTYPE_p_float input = new_floatArray(rows.length);
        SWIGTYPE_p_double output = new_doubleArray(Math.max(1, outSize));
        SWIGTYPE_p_long_long outLength = new_int64_tp();
        try {
            for (int i = 0; i < rows.length; i++) {
                floatArray_setitem(input, i, rows[i]);
            }
            int rc = LGBM_BoosterPredictForMat(handle, float_to_voidp_ptr(input), lightgbmlibConstants.C_API_DTYPE_FLOAT32,
                    rowCount, features, 1, lightgbmlibConstants.C_API_PREDICT_NORMAL, 0, -1, ONE_THREAD, outLength, output);
            if (rc < 0) {
                throw new IllegalStateException(LGBM_GetLastError());
            }
            long length = int64_tp_value(outLength);
            if (length != outSize) {
                throw new IllegalStateException("LightGBM returned " + length + " values for " + rowCount + " rows of " + classes + " classes");
            }
            double[] values = new double[(int) length];
            for (int i = 0; i < values.length; i++) {
                values[i] = doubleArray_getitem(output, i);
            }
            return values;
        } finally {
            delete_floatArray(input);
            delete_doubleArray(output);
            delete_int64_tp(outLength);
        }
    }

    @Override
    public void close() {
        LGBM_BoosterFree(handle);
        delete_voidpp(handlePointer);
    }
}
