package dev.meshwork.node.runtime;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.node.runtime.lightgbm.LightgbmRuntimeAdapter;
import dev.meshwork.node.runtime.onnx.OnnxRuntimeAdapter;
import dev.meshwork.node.runtime.pytorch.PytorchRuntimeAdapter;
import dev.meshwork.node.runtime.tensorflow.TensorflowRuntimeAdapter;
import dev.meshwork.node.runtime.xgboost.XgboostRuntimeAdapter;
import dev.meshwork.protocol.error.MeshError;

/**
 * Makes the adapter of an in-process runtime for one device. GPU devices are passed through to
 * the runtimes that take one and report whether they can (ONNX Runtime's CUDA provider, DJL's GPU
 * device); the native artifacts this build ships are CPU-only, so there a GPU slot starts and its
 * loads fail with the runtime's own words. The others are refused a GPU at start.
 */
public final class InProcessRuntimes {
    private InProcessRuntimes() {
    }

    public static RuntimeAdapter create(String adapter, String deviceText, NodeConfig config) {
        Device device = Device.parse(deviceText);
        return switch (adapter) {
            case "onnx" -> new OnnxRuntimeAdapter(config.onnx(), device);
            case "xgboost" -> cpuOnly(adapter, device, XgboostRuntimeAdapter::new);
            case "pytorch" -> new PytorchRuntimeAdapter(device);
            case "tensorflow" -> cpuOnly(adapter, device, TensorflowRuntimeAdapter::new);
            case "lightgbm" -> cpuOnly(adapter, device, LightgbmRuntimeAdapter::new);
            default -> throw MeshError.invalid("node.slots: adapter '%s' is not an in-process runtime; use one of %s",
                    adapter, NodeConfig.IN_PROCESS_RUNTIMES);
        };
    }

    private static RuntimeAdapter cpuOnly(String adapter, Device device, java.util.function.Supplier<RuntimeAdapter> make) {
        if (device.isCuda()) {
            // TensorFlow Java and XGBoost fall back to the CPU without an error, LightGBM predicts on the CPU
            // only, and this build ships their CPU artifacts: refuse rather than pretend.
            throw MeshError.invalid("node.slots: adapter '%s' runs on cpu only in Meshwork, not on %s", adapter, device);
        }
        return make.get();
    }
}
