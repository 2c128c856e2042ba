package dev.meshwork.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.runtime.LoadedModel;
import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import dev.meshwork.runtime.RuntimeSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which providers a node runs: available ones only, the highest priority per name, shipped runtimes first. */
class InProcessRuntimesTest {
    /** A provider that records what it was asked for; its adapters are never loaded. */
    record FakeProvider(String name, int priority, boolean isAvailable) implements RuntimeProvider {
        @Override
        public Set<String> formats() {
            return Set.of(name);
        }

        @Override
        public RuntimeAdapter create(RuntimeSettings settings) {
            FakeProvider self = this;
            return new RuntimeAdapter() {
                @Override
                public String name() {
                    return self.name + "@" + self.priority + ":" + settings.options().getOrDefault("intraOpThreads", "-");
                }

                @Override
                public Set<String> formats() {
                    return self.formats();
                }

                @Override
                public long predictSize(Path artifact) {
                    return 0;
                }

                @Override
                public LoadedModel load(String modelId, Path artifact) {
                    throw new UnsupportedOperationException("not loaded in this test");
                }
            };
        }
    }

    @Test
    void theHighestPriorityAvailableProviderWinsPerName() {
        InProcessRuntimes runtimes = new InProcessRuntimes(List.of(new FakeProvider("zeta", 5, true), new FakeProvider("onnx", 5, true),
                new FakeProvider("onnx", 9, true), new FakeProvider("onnx", 20, false), new FakeProvider("xgboost", 5, true)));
        assertThat(runtimes.names()).containsExactly("onnx", "xgboost", "zeta");
        assertThat(runtimes.create("onnx", "cpu", NodeConfig.defaults()).name()).isEqualTo("onnx@9:1"); // node.onnx options reach it
        assertThat(runtimes.slots(NodeConfig.defaults())).extracting(NodeConfig.SlotConfig::adapter).containsExactly("onnx", "xgboost", "zeta");
    }

    @Test
    void anAbsentRuntimeIsRefusedNamingTheOnesThere() {
        InProcessRuntimes runtimes = new InProcessRuntimes(List.of(new FakeProvider("onnx", 5, true), new FakeProvider("tensorflow", 5, false)));
        assertThatThrownBy(() -> runtimes.create("tensorflow", "cpu", NodeConfig.defaults()))
                .hasMessageContaining("adapter 'tensorflow' is not an in-process runtime; use one of [onnx]");
    }

    @Test
    void theClassPathOfANodeHasEveryShippedRuntime() {
        assertThat(InProcessRuntimes.installed().names()).containsExactly("onnx", "xgboost", "lightgbm", "tensorflow", "pytorch");
    }
}
