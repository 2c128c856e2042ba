package dev.meshwork.runtime.lightgbm;

import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.testing.runtime.RuntimeContractTest;

/** The runtime contract, against examples/lightgbm. */
class LightgbmContractTest extends RuntimeContractTest {
    @Override
    protected RuntimeProvider provider() {
        return new LightgbmProvider();
    }
}
