package dev.meshwork.router.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.config.OwnedDirectory;
import dev.meshwork.placement.tenant.StoredTenantRegistry;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.security.AuditLog;
import dev.meshwork.security.SecurityConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void documentsFollowTheirFilesAndLeaveApiDocumentsAlone() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), TenantsConfig.defaults(), () -> 1, metrics);
             AuditLog audit = new AuditLog(SecurityConfig.defaults(), metrics)) {
            tenants.put(TenantDocument.parse("api-made", "{\"maxModels\": 3}".getBytes()));
            Files.writeString(dir.resolve("tenants.yaml"), """
                    namespace: team-a
                    memoryShare: 25%
                    requestsPerSecond: 50
                    ---
                    namespace: "*"
                    maxModels: 100
                    """);
            try (OwnedDirectory<TenantPolicy> d = TenantDirectory.open(dir, 60_000, tenants, audit)) {
                assertThat(d.errors()).isEmpty();
                assertThat(tenants.policy("team-a").memoryShare().fraction()).isEqualTo(0.25);
                assertThat(tenants.policy("anyone").maxModels()).isEqualTo(100);
                assertThat(tenants.document("team-a").orElseThrow().source()).isEqualTo("file:" + dir.toRealPath().resolve("tenants.yaml"));

                Files.writeString(dir.resolve("more.yaml"), "namespace: api-made\nmaxModels: 9\n");
                Files.writeString(dir.resolve("broken.yaml"), "namespace: team-b\nburst: many\n");
                d.sync();
                assertThat(d.errors()).containsKeys("api-made", dir.toRealPath().resolve("broken.yaml").toString());
                assertThat(d.errors().get("api-made")).contains("already exists through the API");
                assertThat(tenants.policy("api-made").maxModels()).as("the API's document stands").isEqualTo(3);

                Files.writeString(dir.resolve("tenants.yaml"), "namespace: team-a\nmemoryShare: 0.5\n");
                Files.delete(dir.resolve("broken.yaml"));
                d.sync();
                assertThat(tenants.policy("team-a").memoryShare().fraction()).isEqualTo(0.5);
                assertThat(tenants.policy("team-a").requestsPerSecond()).isZero();
                assertThat(tenants.document(TenantPolicy.DEFAULTS)).as("its document left the file").isEmpty();

                Files.delete(dir.resolve("tenants.yaml"));
                d.sync();
                assertThat(tenants.document("team-a")).isEmpty();
                assertThat(tenants.document("api-made")).isPresent();
            }
        }
    }

    @Test
    void theQuotaAndTheLimitsSayWhatWasPassed() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), TenantsConfig.defaults(), () -> 4, metrics)) {
            tenants.put(TenantDocument.parse("t", "{\"maxModels\": 2, \"maxInFlight\": 4}".getBytes()));
            tenants.checkRegistration("t", () -> 1L);
            assertThatThrownBy(() -> tenants.checkRegistration("t", () -> 2L)).isInstanceOfSatisfying(MeshError.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
                assertThat(e.getMessage()).contains("namespace 't' has 2 models registered and may have at most 2 (maxModels)");
            });
            tenants.checkRegistration("other", () -> 1_000L); // no document, no defaults: no quota
            // four routers share the namespace's four places: one here
            try (Tenants.Ticket a = tenants.admit("t", true)) {
                assertThatThrownBy(() -> tenants.admit("t", true)).isInstanceOfSatisfying(MeshError.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(e.retryAfterMillis()).isPositive();
                    assertThat(e.getMessage()).contains("maxInFlight");
                });
            }
            assertThat(metrics.get("meshwork_tenant_throttled").tag("namespace", "t").tag("reason", "in-flight").counter().count())
                    .isEqualTo(1);
            assertThat(metrics.get("meshwork_tenant_requests").tag("namespace", "t").counter().count()).isEqualTo(1);
            try (Tenants.Ticket again = tenants.admit("t", false)) {
                assertThat(tenants.status("t", 1, dev.meshwork.placement.tenant.MeshUsage.NONE).inFlight()).isEqualTo(1);
            }
        }
    }

    @Test
    void withoutPerNamespaceMetricsEveryNamespaceCountsAsAll() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (Tenants tenants = new Tenants(new StoredTenantRegistry(), new TenantsConfig("", 1000, 0, 0.8, false), () -> 1, metrics)) {
            tenants.admit("a", true).close();
            tenants.admit("b", false).close();
            assertThat(metrics.get("meshwork_tenant_requests").tag("namespace", "all").counter().count()).isEqualTo(2);
            assertThat(metrics.find("meshwork_tenant_requests").tag("namespace", "a").counter()).isNull();
        }
    }
}
