package dev.meshwork.perf.meshsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A small noisy neighbour in the simulator: without shares the storm costs the victims their copies; with them, none. */
class TenantSimulatorTest {
    static final List<String> SMALL = List.of("--nodes=10", "--tenants=100", "--aggressors=2", "--hotModels=5", "--coldModels=500",
            "--modelMb=1", "--headroom=2", "--victimRate=100", "--aggressorRate=400", "--aloneSeconds=40", "--stormSeconds=30");

    @Test
    void fairShareKeepsTheVictimsCopiesThroughTheStormAndLruAloneDoesNot() {
        TenantSim sim = TenantSim.load(withPolicy("lru"));
        TenantSimulator.Result off = new TenantSimulator(sim, false).run();
        TenantSimulator.Result on = new TenantSimulator(sim, true).run();
        assertThat(off.victimCopiesEvicted()).isPositive();
        assertThat(off.victimHitStorm()).isLessThan(off.victimHitAlone() - 0.1);
        assertThat(on.victimCopiesEvicted()).isZero();
        assertThat(on.victimHitStorm()).isGreaterThanOrEqualTo(on.victimHitAlone());
        assertThat(on.aggressorLoadsRefused()).isZero(); // idle memory is lent: the aggressor still loads everything it asks for
        assertThat(on.windows()).hasSize(70);
    }

    @Test
    void theFrequencyPolicyAloneKeepsMostOfTheVictimsHitsThroughAStormOfModelsUsedOnce() {
        TenantSimulator.Result lfu = new TenantSimulator(TenantSim.load(withPolicy("lfu")), false).run();
        TenantSimulator.Result lru = new TenantSimulator(TenantSim.load(withPolicy("lru")), false).run();
        assertThat(lfu.victimHitStorm()).isGreaterThan(lfu.victimHitAlone() - 0.05).isGreaterThan(lru.victimHitStorm() + 0.1);
    }

    private static List<String> withPolicy(String policy) {
        return java.util.stream.Stream.concat(SMALL.stream(), java.util.stream.Stream.of("--evictionPolicy=" + policy)).toList();
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> TenantSim.load(List.of("--aggressors=0"))).hasMessageContaining("aggressors");
    }
}
