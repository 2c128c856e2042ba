package dev.meshwork.security;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A listener open to the network needs TLS or authentication, or an explicit --security.insecure=true. */
class SecurityConfigTest {
    @Test
    void anExposedListenerWithoutTlsOrAuthIsRefused() {
        SecurityConfig d = SecurityConfig.defaults();
        assertThatThrownBy(() -> d.checkExposure("the REST listener", "0.0.0.0", false, false))
                .hasMessageStartingWith("the REST listener would listen on 0.0.0.0 with neither TLS nor authentication")
                .hasMessageContaining("--security.insecure=true");
        assertThatCode(() -> d.checkExposure("x", "127.0.0.1", false, false)).doesNotThrowAnyException();
        assertThatCode(() -> d.checkExposure("x", "0.0.0.0", true, false)).doesNotThrowAnyException();
        assertThatCode(() -> d.checkExposure("x", "0.0.0.0", false, true)).doesNotThrowAnyException();
        assertThatCode(() -> new SecurityConfig(true, "", 1 << 20, 5).checkExposure("x", "0.0.0.0", false, false)).doesNotThrowAnyException();
    }
}
