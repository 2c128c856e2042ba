package dev.meshwork.perf.meshsim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.perf.BenchConfig;
import dev.meshwork.perf.sim.HitRatioBound;
import dev.meshwork.perf.sim.Trace;
import dev.meshwork.perf.sim.TraceGenerator;
import org.junit.jupiter.api.Test;

/** The placement simulator on a small mesh: its books balance, and it behaves as the product's rules say. */
class MeshSimulatorTest {
    static BenchConfig.Sim small(double failAt, double capacityShare) {
        return new BenchConfig.Sim(20, 2000, 300_000, 1.0, 10, 1.0, capacityShare, 5_000, 0, 0, failAt, "lru", 8, false, 3);
    }

    static Trace trace(BenchConfig.Sim s) {
        return new TraceGenerator(s.models(), s.zipf(), s.requests(), s.medianSizeMb() << 20, s.sizeSigma(), s.shiftEvery(), s.shiftBy(),
                s.seed()).generate();
    }

    @Test
    void theBooksBalanceAndNoNodeIsEverOverItsMemory() {
        BenchConfig.Sim s = small(0.5, 0.2);
        Trace t = trace(s);
        MeshSimulator sim = new MeshSimulator(s, t);
        MeshSimulator.Result r = sim.run();
        assertThat(r.requests()).isEqualTo(300_000);
        // every request was a hit, waited for a load, caused one, or found no room
        long windowRequests = r.windows().stream().mapToLong(MeshSimulator.Window::requests).sum();
        assertThat(windowRequests).isLessThanOrEqualTo(r.requests());
        assertThat(r.hits() + r.waitedForALoad() + r.loads() - r.scaledUp() + r.unplaceable()).isEqualTo(r.requests());
        assertThat(r.hitRatio()).isBetween(0.3, HitRatioBound.upper(t, sim.capacityBytes()));
        assertThat(r.evictions()).isPositive();
        assertThat(r.maxTableEntries()).isPositive();
        assertThat(r.balance().maxToMeanUsedBytes()).isBetween(1.0, 1.5);
        // the hottest models are busier than 200 req/s per copy at 5,000 req/s: copy scaling adds copies
        assertThat(r.scaledUp()).isPositive();
        MeshSimulator.Recovery rec = r.recovery();
        assertThat(rec.copiesLost()).isPositive();
        assertThat(rec.lowestHitRatio()).isLessThan(rec.hitRatioBefore());
        assertThat(rec.recoveredAfterMillis()).isPositive();
    }

    @Test
    void moreMemoryMeansMoreHitsAndTheSameTraceGivesTheSameRun() {
        BenchConfig.Sim tight = small(0, 0.05);
        BenchConfig.Sim roomy = small(0, 0.5);
        double tightHits = new MeshSimulator(tight, trace(tight)).run().hitRatio();
        double roomyHits = new MeshSimulator(roomy, trace(roomy)).run().hitRatio();
        assertThat(roomyHits).isGreaterThan(tightHits + 0.1);
        assertThat(new MeshSimulator(tight, trace(tight)).run().hits()).isEqualTo(new MeshSimulator(tight, trace(tight)).run().hits());
    }

    @Test
    void losingAZoneLeavesEveryModelWithTwoCopiesServedWhenPlacementKnowsTheZones() {
        // busy enough that dozens of models get extra copies, with room enough that they are not evicted at once
        BenchConfig.Sim base = new BenchConfig.Sim(21, 2000, 2_000_000, 1.0, 10, 1.0, 0.8, 50_000, 0, 0, 0.5, "lru", 8, false, 3);
        Trace t = trace(base);
        MeshSimulator.Recovery aware = new MeshSimulator(zoned(base, true), t).run().recovery();
        MeshSimulator.Recovery blind = new MeshSimulator(zoned(base, false), t).run().recovery();
        assertThat(aware.node()).startsWith("zone-0");
        assertThat(aware.multiCopyModels()).isPositive();
        assertThat(aware.multiCopyModelsLeftWithoutACopy()).as("copies spread across zones survive the loss of one").isZero();
        assertThat(blind.multiCopyModels()).isPositive();
        assertThat(blind.multiCopyModelsLeftWithoutACopy()).as("without zones, some models keep all their copies in the lost zone")
                .isPositive();
    }

    private static BenchConfig.Sim zoned(BenchConfig.Sim s, boolean aware) {
        return new BenchConfig.Sim(s.nodes(), s.models(), s.requests(), s.zipf(), s.medianSizeMb(), s.sizeSigma(), s.capacityShare(),
                s.ratePerSecond(), s.shiftEvery(), s.shiftBy(), s.failAt(), s.evictionPolicy(), s.sampleNodes(), s.optimal(), s.seed(), 3, aware);
    }
}
