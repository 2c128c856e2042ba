package dev.meshwork.router.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CrossSiteGuardTest {
    @Test
    void hostNamesAreReadWithoutTheirPort() {
        assertThat(CrossSiteGuard.hostName("localhost:8080")).isEqualTo("localhost");
        assertThat(CrossSiteGuard.hostName("[::1]:8080")).isEqualTo("::1");
        assertThat(CrossSiteGuard.hostName("::1")).isEqualTo("::1");
        assertThat(CrossSiteGuard.hostName("Mesh.Example")).isEqualTo("mesh.example");
    }

    @Test
    void loopbackNamesAreLoopbackAndNothingElseIs() {
        assertThat(CrossSiteGuard.isLoopbackName("localhost")).isTrue();
        assertThat(CrossSiteGuard.isLoopbackName("127.0.0.1")).isTrue();
        assertThat(CrossSiteGuard.isLoopbackName("127.3.4.5")).isTrue();
        assertThat(CrossSiteGuard.isLoopbackName("::1")).isTrue();
        assertThat(CrossSiteGuard.isLoopbackName("127.0.0.1.attacker.example")).isFalse();
        assertThat(CrossSiteGuard.isLoopbackName("attacker.example")).isFalse();
        assertThat(CrossSiteGuard.isLoopbackName("")).isFalse();
    }
}
