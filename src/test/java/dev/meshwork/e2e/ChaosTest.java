package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.chaos.ChaosPlan;
import dev.meshwork.testing.chaos.ChaosResult;
import dev.meshwork.testing.chaos.ChaosRun;
import dev.meshwork.testing.chaos.Fault;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos run's short version: 2 routers and 4 nodes as processes, checked open-loop traffic over
 * REST and gRPC, and one fault of each kind (kill -9 and SIGTERM restarts of a node and of a router,
 * a node SIGSTOPped for 10-12 s); no invariant may break. {@code ./meshwork bench chaos} is the
 * long version, with charts.
 */
class ChaosTest {
    @TempDir
    Path dir;

    @Test
    void everyFaultRecoversAndNoInvariantBreaks() throws Exception {
        ChaosPlan plan = ChaosPlan.of(Fault.values().length, 7).quick();
        ChaosResult result = new ChaosRun(plan, dir, System.out::println).run();
        System.out.println(result.summary());
        assertThat(result.violations(plan.recoveryBoundMs())).isEmpty();
        assertThat(result.faults()).extracting(ChaosResult.FaultRecord::kind).containsExactlyInAnyOrder(Fault.values());
        assertThat(result.ok()).as("answers").isGreaterThan(1_000);
        assertThat(result.faults()).allSatisfy(f ->
                assertThat(f.detectedMs()).as("detection of " + f).isBetween(0L, 30_000L));
    }
}
