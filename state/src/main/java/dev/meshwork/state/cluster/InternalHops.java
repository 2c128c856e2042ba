package dev.meshwork.state.cluster;

import dev.meshwork.security.ClusterSecret;
import dev.meshwork.security.grpc.CallerCheck;
import dev.meshwork.security.grpc.InternalChannels;
import dev.meshwork.security.tls.ClientTls;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Trust between mesh processes, made from the {@code cluster} section every router and node
 * share: how to dial ({@code cluster.tls}: TLS with this process's certificate, or the cluster
 * secret) and whom a node's listener (its own {@code tls}) takes calls from (routers; other nodes
 * only to hand a model over while draining).
 */
public final class InternalHops {
    private InternalHops() {
    }

    /** The cluster secret of {@code cluster.secretFile}, or null. */
    public static ClusterSecret secret(ClusterConfig c, MeterRegistry metrics) {
        return c.secretFile().isEmpty() ? null : new ClusterSecret(Path.of(c.secretFile()), c.tls().reloadMs(), metrics);
    }

    /** How this process signs and checks the rows of the shared tables. */
    public static RowSigner signer(ClusterSecret secret) {
        return secret == null ? RowSigner.NONE : new RowSigner(secret);
    }

    /** How this process dials the others, with the secret it read once ({@link #secret}; null for none). */
    public static InternalChannels dialer(ClusterConfig c, ClusterSecret secret, MeterRegistry metrics) {
        return new InternalChannels(ClientTls.credentials(c.tls(), metrics), secret);
    }

    /**
     * Whom a node takes calls from: over mTLS, certificates named as routers ({@code cluster.routerNames}),
     * and nodes of the table for {@code handOverMethod} only; without it, callers with the secret.
     * Null when neither is configured (a laptop on loopback).
     */
    public static CallerCheck nodeCallers(ClusterConfig c, boolean mutualTls, ClusterSecret secret, String handOverMethod,
                                          Predicate<String> isNode) {
        if (!mutualTls && secret == null) {
            return null;
        }
        return new CallerCheck((method, name) -> c.isRouterName(name) || (method.equals(handOverMethod) && isNode.test(name)), secret);
    }
}
