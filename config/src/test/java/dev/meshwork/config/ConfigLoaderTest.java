package dev.meshwork.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.error.MeshError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    record Http(String host, int port) {
    }

    record Conf(Http http, List<String> roots, boolean verbose, double ratio) {
        static Conf defaults() {
            return new Conf(new Http("127.0.0.1", 8080), List.of("."), false, 0.5);
        }
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("c.yaml"), "http:\n  host: 0.0.0.0\n  port: 9000\nverbose: true\n");
        var loaded = ConfigLoader.load(Conf.class, Conf.defaults(), "T_",
                Map.of("T_HTTP_PORT", "9100", "T_ROOTS", "/a, /b"),
                List.of("up", "--config=" + yaml, "--http.port", "9200", "--ratio=0.25"));
        assertThat(loaded.config()).isEqualTo(new Conf(new Http("0.0.0.0", 9200), List.of("/a", "/b"), true, 0.25));
        assertThat(loaded.positional()).containsExactly("up");
    }

    @Test
    void defaultsStandWhenNothingIsGiven() {
        assertThat(ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of(), List.of()).config()).isEqualTo(Conf.defaults());
    }

    @Test
    void unknownKeysAndBadValuesAreNamed(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of(), List.of("--http.prot=1")))
                .isInstanceOf(MeshError.class).hasMessageContaining("flag --http.prot names unknown configuration key 'http.prot'")
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of("T_HTTP_PORT", "eighty"), List.of()))
                .hasMessageContaining("environment variable T_HTTP_PORT has value 'eighty' which is not a valid number");
        Path yaml = Files.writeString(dir.resolve("c.yaml"), "htp:\n  port: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of(), List.of("--config=" + yaml)))
                .hasMessageContaining("unknown configuration key 'htp'");
        assertThatThrownBy(() -> ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of(), List.of("--verbose=yes")))
                .hasMessageContaining("flag --verbose has value 'yes'");
    }

    @Test
    void aFractionalFlagOverridesAWholeNumberTheFileWroteForAFractionalKey(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("c.yaml"), "ratio: 2\n");
        assertThat(ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of(), List.of("--config=" + yaml, "--ratio=0.75"))
                .config().ratio()).isEqualTo(0.75);
        assertThatThrownBy(() -> ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of(), List.of("--http.port=80.5")))
                .isInstanceOf(MeshError.class).hasMessageContaining("configuration is not valid");
    }

    @Test
    void aConfigPathThatNoFileSystemTakesIsBadInput() {
        // found by ConfigFuzzTest: a NUL in --config= was an InvalidPathException, not a message
        assertThatThrownBy(() -> ConfigLoader.load(Conf.class, Conf.defaults(), "T_", Map.of(), List.of("--config=a\0b.yaml")))
                .isInstanceOf(MeshError.class).hasMessageContaining("config file 'a\\0b.yaml' is not a valid path");
    }
}
