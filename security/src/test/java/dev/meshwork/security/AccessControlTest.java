package dev.meshwork.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one decision: who (token), which namespace, which right; what is refused and how it is counted and audited. */
class AccessControlTest {
    @TempDir
    Path dir;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private AccessControl control;
    private AuditLog audit;
    private Path auditFile;

    @BeforeEach
    void setUp() throws Exception {
        Path tokens = dir.resolve("tokens.yaml");
        Files.writeString(tokens, """
                tokens:
                  - {sha256: %s, principal: alice, namespaces: [team-a], roles: [invoker, deployer]}
                  - {sha256: %s, principal: carol, namespaces: [team-a, team-b], roles: [viewer]}
                  - {sha256: %s, principal: root, namespaces: ["*"], roles: [admin]}
                  - {sha256: %s, principal: tenant-admin, namespaces: [team-a], roles: [admin]}
                """.formatted(TokenFile.sha256("alice-token"), TokenFile.sha256("carol-token"), TokenFile.sha256("root-token"),
                TokenFile.sha256("ta-token")));
        auditFile = dir.resolve("audit.log");
        audit = new AuditLog(new SecurityConfig(false, auditFile.toString(), 1 << 20, 3), metrics);
        AuthConfig d = AuthConfig.defaults();
        control = new AccessControl(new AuthConfig(tokens.toString(), "", "", "", "", 60, "sub", "namespaces", "roles", "", false, 1000),
                audit, metrics, ns -> ns.matches("[a-z0-9-]+"), "default");
    }

    /** The writer thread appends to a file in the temporary directory; it must stop before JUnit deletes that. */
    @AfterEach
    void closeAudit() {
        audit.close();
    }

    private Access check(String token, String ns, Action action, boolean listing) {
        return control.check(new Credentials(token, List.of()), ns, action, listing, "fraud-v3", "rest");
    }

    private static MeshError refusal(Runnable r) {
        try {
            r.run();
        } catch (MeshError e) {
            return e;
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aPrincipalActsInItsNamespacesWithItsRolesOnly() {
        assertThat(check("alice-token", null, Action.INFER, false).namespace()).isEqualTo("team-a"); // its only namespace
        assertThat(check("alice-token", "team-a", Action.DEPLOY, false).principal().name()).isEqualTo("alice");
        assertThat(check("alice-token", "team-a", Action.VIEW, false)).isNotNull(); // a deployer sees what it deploys

        MeshError other = refusal(() -> check("alice-token", "team-b", Action.INFER, false));
        assertThat(other.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(other.getMessage()).isEqualTo("principal 'alice' lacks the invoker role in namespace 'team-b' that infer requests need");
        MeshError viewer = refusal(() -> check("carol-token", "team-a", Action.INFER, false));
        assertThat(viewer.getMessage()).contains("lacks the invoker role");
        assertThat(refusal(() -> check("carol-token", "team-b", Action.DEPLOY, false)).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void listsCoverEveryNamespaceOfThePrincipalAndShowOnlyThose() {
        Access carol = check("carol-token", null, Action.VIEW, true);
        assertThat(carol.namespace()).isEqualTo("*");
        assertThat(carol.sees("team-a")).isTrue();
        assertThat(carol.sees("team-b")).isTrue();
        assertThat(carol.sees("team-c")).isFalse();
        Access onlyB = check("carol-token", "team-b", Action.VIEW, true);
        assertThat(onlyB.sees("team-a")).isFalse();
    }

    @Test
    void theMeshAsAWholeNeedsAdminOverEveryNamespace() {
        assertThat(check("root-token", null, Action.ADMIN, true).principal().name()).isEqualTo("root");
        assertThat(refusal(() -> check("ta-token", null, Action.ADMIN, true)).getMessage())
                .isEqualTo("principal 'tenant-admin' lacks the admin role over all namespaces (*) that admin requests need");
        assertThat(check("ta-token", "team-a", Action.DEPLOY, false)).isNotNull(); // admin of its namespace deploys there
    }

    @Test
    void missingAndBadCredentialsAre401WithoutTheToken() throws Exception {
        MeshError none = refusal(() -> check(null, null, Action.INFER, false));
        assertThat(none.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(none.getMessage()).contains("Authorization: Bearer");
        MeshError bad = refusal(() -> check("guessed-secret-123", null, Action.INFER, false));
        assertThat(bad.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(bad.getMessage()).doesNotContain("guessed-secret-123");
        assertThat(refusal(() -> check("alice-token", "Team_A", Action.INFER, false)).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);

        assertThat(metrics.counter("meshwork_auth_refusals", "reason", "no_credentials").count()).isEqualTo(1);
        assertThat(metrics.counter("meshwork_auth_refusals", "reason", "bad_credentials").count()).isEqualTo(1);
        assertThat(metrics.counter("meshwork_auth_refusals", "reason", "bad_namespace").count()).isEqualTo(1);
        audit.close();
        List<String> lines = Files.readAllLines(auditFile);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("\"outcome\":\"refused:bad_credentials\"", "\"target\":\"fraud-v3\"", "\"protocol\":\"rest\"")
                .doesNotContain("guessed-secret-123");
    }

    @Test
    void changesAreAuditedWithTheirOutcome() throws Exception {
        Access a = check("alice-token", null, Action.DEPLOY, false);
        control.audited(a, Action.DEPLOY, "PUT fraud-v3", "ok", "rest");
        control.audited(a, Action.INFER, "fraud-v3", "ok", "rest"); // inference is not a change: not audited
        audit.close();
        assertThat(Files.readAllLines(auditFile)).singleElement().asString()
                .contains("\"principal\":\"alice\"", "\"namespace\":\"team-a\"", "\"action\":\"deploy\"", "\"outcome\":\"ok\"");
    }

    @Test
    void metricsAreOpenUnlessProtected() {
        assertThat(check(null, null, Action.METRICS, true).principal()).isEqualTo(Principal.ANONYMOUS);
        AuthConfig d = AuthConfig.defaults();
        assertThat(d.enabled()).isFalse();
        AccessControl off = new AccessControl(d, audit, metrics, ns -> true, "default");
        assertThat(off.check(new Credentials(null, List.of()), null, Action.DEPLOY, false, "x", "rest").namespace()).isEqualTo("default");
    }
}
