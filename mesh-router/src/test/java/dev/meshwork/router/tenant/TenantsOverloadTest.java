package dev.meshwork.router.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.placement.overload.ConcurrencyLimit;
import dev.meshwork.placement.tenant.StoredTenantRegistry;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The router's adaptive cap ({@code node.overload}) in front of the tenants' limits. */
class TenantsOverloadTest {
    @Test
    void pastTheAdaptiveLimitARequestIsRefusedWith503AndRetryAfter() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        ConcurrencyLimit limit = new ConcurrencyLimit(new ConcurrencyLimit.Settings(2.0, 2, 2, 2, 20));
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), TenantsConfig.defaults(), () -> 1, metrics, limit, 150)) {
            Tenants.Ticket a = tenants.admit("default", "m", true, true);
            Tenants.Ticket b = tenants.admit("default", "m", true, true);
            tenants.admit("default", "batched", true, false).close(); // a model that batches passes the cap
            assertThatThrownBy(() -> tenants.admit("default", "m", true, true)).isInstanceOfSatisfying(MeshError.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(e.code().httpStatus()).isEqualTo(503);
                assertThat(e.retryAfterMillis()).isEqualTo(150);
                assertThat(e.getMessage()).contains("running its limit of 2 requests at once", "node.overload");
            });
            assertThat(metrics.get("meshwork.overload.limit").gauge().value()).isEqualTo(2);
            a.succeeded();
            a.close();
            b.close();
            tenants.admit("default", "m", true, true).close();
        }
    }

    @Test
    void aFixedMaxInFlightWinsOverTheAdaptiveLimit() {
        ConcurrencyLimit limit = new ConcurrencyLimit(new ConcurrencyLimit.Settings(2.0, 1, 1, 1, 20));
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), new TenantsConfig("", 1000, 3, 0.8, false), () -> 1,
                new SimpleMeterRegistry(), limit, 150)) {
            tenants.admit("default", "m", true, true);
            tenants.admit("default", "m", true, true);
            tenants.admit("default", "m", true, true);
            assertThatThrownBy(() -> tenants.admit("default", "m", true, true)).isInstanceOfSatisfying(MeshError.class,
                    e -> assertThat(e.code()).as("the fixed limit's own answer").isEqualTo(ErrorCode.RATE_LIMITED));
        }
    }

    @Test
    void onlyAnsweredRequestsThatFoundTheirModelLoadedTeachTheLimit() {
        // a window of one sample: each sample of a request at the limit and not slower raises the limit
        ConcurrencyLimit limit = new ConcurrencyLimit(new ConcurrencyLimit.Settings(2.0, 1, 64, 1, 1));
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), TenantsConfig.defaults(), () -> 1, new SimpleMeterRegistry(), limit, 100)) {
            Tenants.Ticket cold = tenants.admit("default", "m", false, true);
            cold.succeeded();
            cold.close(); // waited for a load: not a sample
            Tenants.Ticket failed = tenants.admit("default", "m", true, true);
            failed.close(); // failed: not a sample
            assertThat(limit.limit()).isEqualTo(1);
            Tenants.Ticket answered = tenants.admit("default", "m", true, true);
            answered.succeeded();
            answered.close();
            assertThat(limit.limit()).as("the answered hit was a sample").isEqualTo(2);
        }
    }
}
