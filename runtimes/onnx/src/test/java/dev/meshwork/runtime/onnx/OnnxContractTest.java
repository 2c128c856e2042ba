package dev.meshwork.runtime.onnx;

import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.testing.runtime.RuntimeContractTest;

/** The runtime contract, against examples/onnx. */
class OnnxContractTest extends RuntimeContractTest {
    @Override
    protected RuntimeProvider provider() {
        return new OnnxProvider();
    }
}
