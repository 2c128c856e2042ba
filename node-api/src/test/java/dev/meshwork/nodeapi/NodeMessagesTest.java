package dev.meshwork.nodeapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.protocol.node.LoadRequest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NodeMessagesTest {
    @Test
    void aLoadRequestCarriesEveryFieldANodeNeeds() {
        ModelSpec spec = new ModelSpec("fraud-v3", new ModelFormat("onnx", "1"), "s3://models/fraud", "team-onnx", 4096);
        LoadRequest request = NodeMessages.loadRequest(spec, "onnx-1");
        assertThat(request.getSlot()).isEqualTo("onnx-1");
        assertThat(NodeMessages.spec(request.getModel())).isEqualTo(spec);
    }

    @Test
    void absentValuesTravelAsTheProtocolsDefaults() {
        ModelSpec spec = new ModelSpec("m", new ModelFormat("xgboost", null), "file:///m.json", null, -1);
        LoadRequest request = NodeMessages.loadRequest(spec, null);
        assertThat(request.getSlot()).isEmpty();
        assertThat(request.getModel().getFormatVersion()).isEmpty();
        assertThat(request.getModel().getSizeHintBytes()).isZero();
        assertThat(NodeMessages.spec(request.getModel()).runtime()).isEmpty();
    }

    @Test
    void everyCopyStateHasItsWireState() {
        assertThat(Arrays.stream(CopyState.values()).map(s -> NodeMessages.copyState(s).name()))
                .containsExactly(Arrays.stream(CopyState.values()).map(Enum::name).toArray(String[]::new));
    }

    @Test
    void aNodeComputesTheSameFingerprintAsTheRouterThatSentTheSpec() {
        ModelSpec atRouter = new ModelSpec("fraud", new ModelFormat("onnx", null), "s3://models/fraud.onnx", "kserve-tritonserver", 4096,
                "team-a", "file:/docs/fraud.yaml");
        ModelSpec atNode = NodeMessages.spec(NodeMessages.descriptor(atRouter));
        assertThat(atNode.id()).isEqualTo("team-a/fraud");
        assertThat(atNode.fingerprint()).isEqualTo(atRouter.fingerprint());
        ModelSpec moved = new ModelSpec("fraud", new ModelFormat("onnx", ""), "s3://models/fraud-v2.onnx", "kserve-tritonserver", 4096,
                "team-a", "");
        assertThat(moved.fingerprint()).isNotEqualTo(atRouter.fingerprint());
    }
}
