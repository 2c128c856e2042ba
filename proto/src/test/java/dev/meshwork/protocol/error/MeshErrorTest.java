package dev.meshwork.protocol.error;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a client sent comes back in an error bounded: a 100 KB name must not turn NOT_FOUND into a too-large trailer. */
class MeshErrorTest {
    @Test
    void quotedValuesAreShortenedToTheirStartAndLength() {
        String name = "m".repeat(100_000);
        MeshError e = MeshError.notFound("model '%s' is not registered", name);
        assertThat(e.getMessage()).startsWith("model 'mmmm").contains("... (100000 characters)' is not registered").hasSizeLessThan(600);
        assertThat(MeshError.invalid("short '%s' stays", "name").getMessage()).isEqualTo("short 'name' stays");
    }

    @Test
    void everyMessageIsBounded() {
        MeshError e = new MeshError(ErrorCode.INTERNAL, "x".repeat(50_000));
        assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(MeshError.MAX_MESSAGE).endsWith("... (50000 characters)");
    }
}
