package dev.meshwork.router;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A router that would listen beyond loopback with neither TLS nor authentication does not start. */
class ExposureGuardTest {
    @Test
    void anOpenListenerOnTheNetworkIsRefusedInOneLine() {
        RouterConfig exposed = ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "TEST_", Map.of(),
                List.of("--http.host=0.0.0.0", "--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=")).config();
        assertThatThrownBy(() -> Standalone.start(exposed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the REST listener would listen on 0.0.0.0 with neither TLS nor authentication");
    }
}
