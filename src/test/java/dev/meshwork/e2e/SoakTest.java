package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.chaos.SoakResult;
import dev.meshwork.testing.chaos.SoakRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak's two-minute version: 2 routers and 2 nodes whose slots hold a third of the 30 models
 * served, so models load and are evicted every second under checked open-loop traffic; no process
 * may gain threads, open files or live heap over the second half, and the shared maps stay within
 * what they can rightly hold. {@code ./meshwork bench soak --seconds=1800} is the 30-minute run.
 */
class SoakTest {
    @TempDir
    Path dir;

    @Test
    void twoMinutesOfChurnLeaveEveryProcessFlat() throws Exception {
        SoakRun.Plan d = SoakRun.Plan.of(120);
        SoakRun.Plan plan = new SoakRun.Plan(d.routers(), d.nodes(), d.models(), d.ratePerSecond(), d.seconds(), 2_000, d.slotBytes(), d.seed());
        SoakResult result = new SoakRun(plan, dir, System.out::println).run();
        System.out.println(result.summary());
        assertThat(result.violations()).isEmpty();
        assertThat(result.evictionsPerSecond()).as("models churn: evictions every second").isGreaterThanOrEqualTo(1.0);
        assertThat(result.ok()).as("answers").isGreaterThan(3_000);
    }
}
