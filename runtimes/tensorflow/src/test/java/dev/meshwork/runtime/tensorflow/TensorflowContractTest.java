package dev.meshwork.runtime.tensorflow;

import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.testing.runtime.RuntimeContractTest;

/** The runtime contract, against examples/tensorflow. */
class TensorflowContractTest extends RuntimeContractTest {
    @Override
    protected RuntimeProvider provider() {
        return new TensorflowProvider();
    }
}
