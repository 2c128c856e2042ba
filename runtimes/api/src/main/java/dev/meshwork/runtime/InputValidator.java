package dev.meshwork.runtime;

import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.protocol.tensor.Tensor;
import dev.meshwork.protocol.tensor.TensorSpec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Checks a request against a model's declared inputs and outputs, before any runtime sees it. */
public final class InputValidator {
    private InputValidator() {
    }

    public static void check(ModelMetadata meta, InferenceRequest req) {
        Set<String> seen = new HashSet<>();
        for (Tensor t : req.inputs()) {
            TensorSpec spec = meta.input(t.name()).orElseThrow(() -> MeshError.invalid(
                    "model '%s' has no input '%s'; its inputs are %s", req.modelName(), t.name(), meta.inputs()));
            if (!seen.add(t.name())) {
                throw MeshError.invalid("input '%s' is given twice", t.name());
            }
            if (spec.datatype() != t.datatype()) {
                throw MeshError.invalid("input '%s' is %s but model '%s' expects %s", t.name(), t.datatype(), req.modelName(), spec.datatype());
            }
            long[] want = spec.shape();
            long[] got = t.shape();
            boolean ok = want.length == got.length;
            for (int i = 0; ok && i < want.length; i++) {
                ok = want[i] < 0 || want[i] == got[i];
            }
            if (!ok) {
                throw MeshError.invalid("input '%s' has shape %s but model '%s' expects %s (-1 = any size)",
                        t.name(), Arrays.toString(got), req.modelName(), Arrays.toString(want));
            }
        }
        if (seen.size() != meta.inputs().size()) {
            throw MeshError.invalid("model '%s' needs inputs %s but the request gives only %s", req.modelName(), meta.inputs(), seen);
        }
        for (String out : req.requestedOutputs()) {
            if (meta.output(out).isEmpty()) {
                throw MeshError.invalid("model '%s' has no output '%s'; its outputs are %s", req.modelName(), out, meta.outputs());
            }
        }
    }
}
