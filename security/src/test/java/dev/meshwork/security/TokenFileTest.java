package dev.meshwork.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens are kept as hashes, read again on change, and a broken edit keeps the last good file. */
class TokenFileTest {
    @TempDir
    Path dir;

    private static String entry(String token, String who) {
        return "tokens:\n  - {sha256: " + TokenFile.sha256(token) + ", principal: " + who + ", namespaces: [a], roles: [invoker]}\n";
    }

    private static void write(Path f, String text, long mtimeMillis) throws Exception {
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeMillis));
    }

    @Test
    void aChangedFileIsReadAgainAndABrokenOneKeepsTheLastGood() throws Exception {
        Path f = dir.resolve("tokens.yaml");
        write(f, entry("one", "first"), 1_000_000);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        TokenFile tokens = new TokenFile(f, 10, metrics);
        assertThat(tokens.authenticate(new Credentials("one", List.of())).name()).isEqualTo("first");

        write(f, entry("two", "second"), 2_000_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> tokens.knows("two"));
        assertThatThrownBy(() -> tokens.authenticate(new Credentials("one", List.of()))).isInstanceOf(AuthenticationException.class);

        write(f, "tokens: [{sha256: nothex, principal: x}]", 3_000_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            tokens.knows("two");
            return metrics.counter("meshwork_security_reload_failures", "file", "auth.tokensFile").count() == 1;
        });
        assertThat(tokens.knows("two")).isTrue();
        assertThat(metrics.get("meshwork_security_file_current").gauge().value()).isZero();
    }

    @Test
    void aBadFileAtStartIsRefusedSayingWhy() throws Exception {
        Path f = dir.resolve("tokens.yaml");
        Files.writeString(f, "tokens:\n  - {sha256: abc, principal: x, namespaces: [a], roles: [invoker]}\n");
        assertThatThrownBy(() -> new TokenFile(f, 10, new SimpleMeterRegistry()))
                .hasMessageStartingWith("auth.tokensFile: entry 0 needs sha256: the 64 hex digits of the token's SHA-256");
        Files.writeString(f, "tokens:\n  - {sha256: " + TokenFile.sha256("t") + ", principal: x, namespaces: [a], roles: [owner]}\n");
        assertThatThrownBy(() -> new TokenFile(f, 10, new SimpleMeterRegistry()))
                .hasMessage("auth.tokensFile: unknown role 'owner'; roles are invoker, deployer, viewer and admin");
    }
}
