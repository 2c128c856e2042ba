package dev.meshwork.runtime.pytorch;

import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.testing.runtime.RuntimeContractTest;

/** The runtime contract, against examples/pytorch. */
class PytorchContractTest extends RuntimeContractTest {
    @Override
    protected RuntimeProvider provider() {
        return new PytorchProvider();
    }
}
