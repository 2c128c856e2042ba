package dev.meshwork.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random command lines and environments against the configuration loader: every one is either
 * loaded or refused as bad input (INVALID_ARGUMENT) with a message, never another exception.
 */
class ConfigFuzzTest {
    record Limits(int port, long bytes, List<String> hosts) {
    }

    record Conf(Limits http, List<String> roots, boolean verbose, double ratio, String name) {
        static Conf defaults() {
            return new Conf(new Limits(8080, 1024, List.of()), List.of("."), false, 0.5, "n");
        }
    }

    @Provide
    Arbitrary<List<String>> commandLines() {
        Arbitrary<String> key = Arbitraries.of("http.port", "http.bytes", "http.hosts", "http", "roots", "verbose", "ratio", "name", "config",
                "http.port.x", "", "nope", "roots.0");
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("", "0", "-1", "65536", "1.5", "1e3", "true", "TRUE", "yes", "null", "~",
                "99999999999999999999", "NaN", "a,b,,c", "[1,2]", "{a: 1}", "/no/such/file.yaml", "'", "\"", "-", "--", "a\0b", "/dev/null",
                "/proc/self"),
                Arbitraries.strings().ofMaxLength(12));
        Arbitrary<String> flag = net.jqwik.api.Combinators.combine(key, value, Arbitraries.integers().between(0, 3))
                .as((k, v, form) -> switch (form) {
                    case 0 -> "--" + k + "=" + v;
                    case 1 -> "--" + k;
                    case 2 -> v;
                    default -> "-" + k + "=" + v;
                });
        return flag.list().ofMaxSize(6);
    }

    @Property(tries = 2000, seed = "20261126")
    void randomCommandLinesAreLoadedOrRefused(@ForAll("commandLines") List<String> args, @ForAll("environments") Map<String, String> env) {
        try {
            Conf c = ConfigLoader.load(Conf.class, Conf.defaults(), "T_", env, args).config();
            assertThat(c.http()).isNotNull();
        } catch (MeshError e) {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<Map<String, String>> environments() {
        return Arbitraries.maps(Arbitraries.of("T_HTTP_PORT", "T_ROOTS", "T_VERBOSE", "T_RATIO", "T_HTTP_HOSTS", "T_UNKNOWN", "OTHER"),
                Arbitraries.of("", "1", "x", "-5", "a,b", "true", "1e400", "0.1")).ofMaxSize(3);
    }
}
