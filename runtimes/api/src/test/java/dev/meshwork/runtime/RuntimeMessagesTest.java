package dev.meshwork.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RuntimeMessagesTest {
    @Test
    void quotedExcerptsOfTheArtifactAreDropped() {
        assertThat(RuntimeMessages.withoutArtifactText("Unrecognized token 'SECRET': was expecting \"null\"\n at [Source: x]"))
                .isEqualTo("Unrecognized token '...': was expecting \"...\"");
        assertThat(RuntimeMessages.withoutArtifactText("Invalid cast, from Integer to Object")).isEqualTo("Invalid cast, from Integer to Object");
    }
}
