package dev.meshwork.placement.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelSpecTest {
    @Test
    void statusShowsNoCredentials() {
        assertThat(ModelSpec.redactUri("https://alice:s3cret@models.example/m.onnx?X-Amz-Signature=abc&v=2"))
                .isEqualTo("https://***@models.example/m.onnx?X-Amz-Signature=***&v=***");
        assertThat(ModelSpec.redactUri("http://token@host/a")).isEqualTo("http://***@host/a");
        assertThat(ModelSpec.redactUri("s3://bucket/key/model.onnx")).isEqualTo("s3://bucket/key/model.onnx");
        assertThat(ModelSpec.redactUri("/models/a@b/model.onnx")).isEqualTo("/models/a@b/model.onnx");
        ModelSpec spec = new ModelSpec("m", new ModelFormat("onnx", ""), "http://u:p@h/m.onnx", "", 0);
        assertThat(spec.displayStorageUri()).isEqualTo("http://***@h/m.onnx");
        assertThat(spec.storageUri()).isEqualTo("http://u:p@h/m.onnx"); // the node still gets the real one
    }

    @Test
    void oversizedFieldsAreRefusedUpFront() {
        ModelSpec huge = new ModelSpec("m", new ModelFormat("onnx", ""), "file:///" + "a".repeat(70_000), "", 0);
        assertThatThrownBy(huge::validate).hasMessage("model 'm' has a storageUri of 70008 characters; at most 8192 are accepted");
        ModelSpec longRuntime = new ModelSpec("m", new ModelFormat("onnx", ""), "file:///m.onnx", "r".repeat(300), 0);
        assertThatThrownBy(longRuntime::validate).hasMessageContaining("longer than 253 characters");
    }

    @Test
    void aStorageUriMayPinTheDigestOfItsBytes() {
        String hex = "0123456789abcdef".repeat(4);
        String uri = "s3://models/fraud/model.onnx#sha256=" + hex;
        new ModelSpec("m", new ModelFormat("onnx", ""), uri, "", 0).validate();
        assertThat(DigestPin.of(uri)).isEqualTo("sha256:" + hex);
        assertThat(DigestPin.location(uri)).isEqualTo("s3://models/fraud/model.onnx");
        assertThat(DigestPin.of("s3://models/fraud/model.onnx")).isEmpty();
        ModelSpec bad = new ModelSpec("m", new ModelFormat("onnx", ""), "file:///m.onnx#sha256=ABC", "", 0);
        assertThatThrownBy(bad::validate).hasMessage("model 'm' has a storageUri that pins '#sha256=ABC', which is not a SHA-256 digest"
                + " (64 lower-case hex digits, as sha256sum prints)");
    }
}
