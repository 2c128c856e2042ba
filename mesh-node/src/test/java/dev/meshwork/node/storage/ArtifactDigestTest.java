package dev.meshwork.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The artifact digest is the one the README's shell commands print, for a file and for a directory. */
class ArtifactDigestTest {
    @TempDir
    Path dir;

    static String shell(Path cwd, String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).directory(cwd.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out.substring(0, 64);
    }

    @Test
    void aFileHasTheDigestOfItsBytes() throws Exception {
        Path file = Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5});
        String expected = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3, 4, 5}));
        assertThat(ArtifactDigest.of(file)).isEqualTo("sha256:" + expected).isEqualTo("sha256:" + shell(dir, "sha256sum model.onnx"));
    }

    @Test
    void aDirectoryHasTheDigestTheShellListingGives() throws Exception {
        Path model = Files.createDirectories(dir.resolve("m"));
        Files.writeString(model.resolve("saved_model.pb"), "graph");
        Files.createDirectories(model.resolve("variables"));
        Files.writeString(model.resolve("variables/variables.index"), "index");
        Files.writeString(model.resolve("variables/variables.data-00000-of-00001"), "data");
        Files.writeString(model.resolve("Zeta.txt"), "upper case sorts first in byte order");
        Files.writeString(model.resolve("variables-old"), "a '-' sorts before '/'");
        String shell = shell(model, "(find . -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum");
        assertThat(ArtifactDigest.of(model)).isEqualTo("sha256:" + shell);

        String before = ArtifactDigest.of(model);
        Files.writeString(model.resolve("variables/variables.index"), "indeX");
        assertThat(ArtifactDigest.of(model)).as("one changed byte in one file").isNotEqualTo(before);
    }
}
