package dev.meshwork.router.cluster;

import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.node.NodeStatusRequest;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Suspicion on timeouts. A forward that ran out of its deadline without an answer may mean the
 * node hangs (a stopped process, a black-holed link), which the cluster declares only after
 * {@code cluster.failureSeconds}; or only that the model is slow. So the node is asked for its
 * status with a short deadline: one that does not answer that either is suspect at once (passed
 * over for {@code forward.suspectMs}: its models are served from other copies or loaded elsewhere).
 * A slow model's timeouts cost one cheap status call each, never a suspicion. One probe per node at
 * a time, each on a virtual thread; called from request threads.
 */
final class TimeoutProbe {
    private static final Logger LOG = LoggerFactory.getLogger(TimeoutProbe.class);
    /** How long a node that is up takes at most to say so. */
    static final long PROBE_MS = 1_000;

    private final NodeChannels channels;
    private final RecentFailures suspects;
    private final ForwardMetrics metrics;
    private final Set<String> probing = ConcurrentHashMap.newKeySet();

    TimeoutProbe(NodeChannels channels, RecentFailures suspects, ForwardMetrics metrics) {
        this.channels = channels;
        this.suspects = suspects;
        this.metrics = metrics;
    }

    /** A forward to {@code target} timed out without an answer: probe the node unless a probe is under way. */
    void timedOut(LoadCoordinator.Target target) {
        if (suspects.contains(target.nodeId()) || !probing.add(target.nodeId())) {
            return;
        }
        Thread.ofVirtual().name("meshwork-timeout-probe").start(() -> {
            try {
                channels.stub(target, "").withDeadlineAfter(PROBE_MS, TimeUnit.MILLISECONDS).status(NodeStatusRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                if (!GrpcErrors.isAnswer(e)) {
                    suspects.record(target.nodeId());
                    metrics.suspected("timeout");
                    LOG.warn("node {} let a forward time out and did not answer a status call within {} ms ({}); passing it over",
                            target.nodeId(), PROBE_MS, e.getStatus().getCode());
                }
            } finally {
                probing.remove(target.nodeId());
            }
        });
    }
}
