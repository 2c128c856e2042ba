package dev.meshwork.runtime.xgboost;

import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.testing.runtime.RuntimeContractTest;

/** The runtime contract, against examples/xgboost. */
class XgboostContractTest extends RuntimeContractTest {
    @Override
    protected RuntimeProvider provider() {
        return new XgboostProvider();
    }
}
