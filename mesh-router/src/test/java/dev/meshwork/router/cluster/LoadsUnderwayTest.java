package dev.meshwork.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Loads are counted per node from when they are sent until they answer, however they end. */
class LoadsUnderwayTest {
    @Test
    void countsEachNodesLoadsUntilTheyAnswer() {
        LoadsUnderway underway = new LoadsUnderway();
        assertThat(underway.on("a")).isZero();
        LoadsUnderway.Started first = underway.start("a");
        try (LoadsUnderway.Started second = underway.start("a"); LoadsUnderway.Started other = underway.start("b")) {
            assertThat(underway.on("a")).isEqualTo(2);
            assertThat(underway.on("b")).isEqualTo(1);
            first.close();
            assertThat(underway.on("a")).isEqualTo(1);
        }
        assertThat(underway.on("a")).isZero();
        assertThat(underway.on("b")).isZero();
        try (LoadsUnderway.Started failed = underway.start("a")) {
            throw new IllegalStateException("the node refused the load");
        } catch (IllegalStateException expected) {
            assertThat(underway.on("a")).isZero(); // closed before the failure is handled, as LoadCoordinator relies on
        }
    }
}
