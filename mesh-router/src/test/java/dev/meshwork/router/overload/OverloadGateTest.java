package dev.meshwork.router.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.placement.overload.ConcurrencyLimit;
import dev.meshwork.placement.tenant.StoredTenantRegistry;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.router.tenant.Tenants;
import dev.meshwork.router.tenant.TenantsConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The router's adaptive cap ({@code node.overload}), counted from arrival, and what the tenants' admission tells it. */
class OverloadGateTest {
    private static ConcurrencyLimit fixed(int n) {
        return new ConcurrencyLimit(new ConcurrencyLimit.Settings(0.05, n, n, n, 250_000_000L));
    }

    @Test
    void pastTheLimitAnArrivalIsRefusedWith503AndRetryAfterAndClosingGivesThePlaceBack() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        OverloadGate gate = new OverloadGate(fixed(2), 150, metrics);
        OverloadGate.Arrival a = gate.arrive();
        OverloadGate.Arrival b = gate.arrive();
        assertThatThrownBy(gate::arrive).isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.code().httpStatus()).isEqualTo(503);
            assertThat(e.retryAfterMillis()).isEqualTo(150);
            assertThat(e.getMessage()).contains("running its limit of 2 inference requests at once", "node.overload");
        });
        assertThat(metrics.get("meshwork.overload.limit").gauge().value()).isEqualTo(2);
        assertThat(metrics.get("meshwork.overload.inflight").gauge().value()).isEqualTo(2);
        assertThat(metrics.get("meshwork.overload.refused").counter().count()).isEqualTo(1);
        a.countsAsAnswer();
        a.close();
        a.close(); // closing twice gives back one place
        b.close();
        assertThat(gate.limit().inFlight()).isZero();
        gate.arrive().close();
    }

    @Test
    void onlyAnsweredRequestsThatFoundTheirModelLoadedAndDoNotBatchCountAsAnswers() {
        // a window as short as can be: after 20 counted answers at the limit the cap probes a step up
        ConcurrencyLimit limit = new ConcurrencyLimit(new ConcurrencyLimit.Settings(0.05, 1, 64, 1, 1));
        OverloadGate gate = new OverloadGate(limit, 100, new SimpleMeterRegistry());
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), TenantsConfig.defaults(), () -> 1, new SimpleMeterRegistry(), limit, 100)) {
            for (int i = 0; i < 30; i++) {
                answer(tenants, gate.arrive(), false, true, true); // waited for a load
                answer(tenants, gate.arrive(), true, false, true); // failed
                answer(tenants, gate.arrive(), true, true, false); // its model batches
            }
            assertThat(limit.limit()).as("none of those says anything of capacity").isEqualTo(1);
            for (int i = 0; i < 20; i++) {
                answer(tenants, gate.arrive(), true, true, true);
            }
            assertThat(limit.limit()).as("answered hits are measured").isEqualTo(2);
        }
    }

    private static void answer(Tenants tenants, OverloadGate.Arrival arrival, boolean hit, boolean succeeded, boolean capped) {
        try (arrival; Tenants.Ticket t = tenants.admit("default", hit, capped, arrival)) {
            if (succeeded) {
                t.succeeded();
            }
        }
    }

    @Test
    void aFixedMaxInFlightReplacesTheAdaptiveLimitInAdmission() {
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), new TenantsConfig("", 1000, 3, 0.8, false), () -> 1,
                new SimpleMeterRegistry(), fixed(1), 150)) {
            tenants.admit("default", true);
            tenants.admit("default", true);
            tenants.admit("default", true);
            assertThatThrownBy(() -> tenants.admit("default", true)).isInstanceOfSatisfying(MeshError.class,
                    e -> assertThat(e.code()).as("the fixed limit's own answer").isEqualTo(ErrorCode.RATE_LIMITED));
        }
    }
}
