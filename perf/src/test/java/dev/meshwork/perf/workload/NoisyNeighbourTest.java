package dev.meshwork.perf.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped noisy-neighbour scenario loads, flags override it, and the report's figures are what the samples say. */
class NoisyNeighbourTest {
    @Test
    void theShippedScenarioLoadsAndFlagsOverrideIt() {
        NoisyNeighbour s = NoisyNeighbour.load(Path.of(".."), List.of("noisy-neighbour", "--stormSeconds=7", "--victim.share=25%"));
        assertThat(s.description()).isNotBlank();
        assertThat(s.aggressor().models()).isEqualTo(1000);
        assertThat(s.stormSeconds()).isEqualTo(7);
        assertThat(s.victim().share()).isEqualTo("25%");
        assertThat(s.command()).contains("--stormSeconds=7.0", "--victim.share=25%");
        assertThatThrownBy(() -> NoisyNeighbour.load(Path.of(".."), List.of("--victim.models=100", "--slotMb=10")))
                .hasMessageContaining("must fit in the mesh");
    }

    @Test
    void theReportTakesPercentilesPerPhaseAndHitRatiosFromTheRoutersCounts(@TempDir Path dir) throws Exception {
        NoisyNeighbour s = NoisyNeighbour.load(Path.of(".."), List.of("--aloneSeconds=10", "--stormSeconds=10", "--windowSeconds=5"));
        List<NoisyNeighbourBench.Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            samples.add(new NoisyNeighbourBench.Sample(true, i * 0.09, i, "ok"));           // alone: 1..100 ms
            samples.add(new NoisyNeighbourBench.Sample(true, 10 + i * 0.09, 2 * i, "ok"));  // storm: 2..200 ms
            samples.add(new NoisyNeighbourBench.Sample(false, 10 + i * 0.09, 5, i % 4 == 0 ? "http-429" : "ok"));
        }
        samples.add(new NoisyNeighbourBench.Sample(false, 15, Double.NaN, "RESOURCE_EXHAUSTED"));
        List<NoisyNeighbourBench.Hits> hits = List.of(new NoisyNeighbourBench.Hits(0, 0, 0, 0, 0),
                new NoisyNeighbourBench.Hits(5, 45, 5, 0, 0), new NoisyNeighbourBench.Hits(10, 90, 10, 0, 0),
                new NoisyNeighbourBench.Hits(15, 120, 30, 10, 20), new NoisyNeighbourBench.Hits(20, 150, 50, 20, 55));
        NoisyNeighbourReport r = new NoisyNeighbourReport(s, List.of(new NoisyNeighbourBench.Run("on", 0, samples, hits)));
        NoisyNeighbourReport.Figures f = r.figures().get(0);
        assertThat(f.victimAlone().p50Ms()).isEqualTo(50);
        assertThat(f.victimAlone().p99Ms()).isEqualTo(99);
        assertThat(f.victimStorm().p99Ms()).isEqualTo(198);
        assertThat(f.p99Ratio()).isEqualTo(2.0);
        assertThat(f.victimAlone().hitRatio()).isEqualTo(0.9);
        assertThat(f.victimStorm().hitRatio()).isEqualTo(0.6);
        assertThat(f.hitPointsLost()).isCloseTo(30, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(f.aggressorStorm().throttled()).isEqualTo(26);
        assertThat(f.aggressorStorm().ok()).isEqualTo(75);
        assertThat(f.aggressorStorm().hitRatio()).isCloseTo(20 / 75.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.summary()).contains("| on | 1 | 50.0 / 99.0 | 100.0 / 198.0 | 2.00 | 0.900 / 0.600 | 101 / 75 / 26 |");
        r.charts(dir);
        assertThat(dir.resolve("victim-p99.png")).isNotEmptyFile();
        assertThat(dir.resolve("victim-hit-ratio.png")).isNotEmptyFile();
    }
}
