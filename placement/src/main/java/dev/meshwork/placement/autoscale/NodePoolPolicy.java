package dev.meshwork.placement.autoscale;

import java.util.ArrayList;
import java.util.List;

/**
 * How many nodes the mesh wants, from its own pressure signal: a pure function of the last state,
 * a signal and the time, so the routers, the local autoscaler and the placement simulator run the
 * same rules, and tables of cases test them.
 *
 * <p>The raw count is the largest of: the nodes whose slot memory holds the working set (the bytes
 * of the models requested in the window) at the target utilisation, slot by slot (a model's bytes
 * can use only the memory of the slot kind it runs in: ONNX models fill the ONNX slots, not the
 * XGBoost ones); the nodes that keep requests in
 * flight per node at the target; one more node than now when the nodes thrash (evictions per node
 * per second above the threshold while requests wait for loads), and the nodes there are while they
 * still evict at half that rate (else the pool cycles: up on thrashing, down on memory, up again,
 * losing the copies of every node it sheds); and one node when any request came
 * in the idle window or waits now (scale from zero). Past the idle window with no request, it is 0.
 * The raw count is clamped to [minNodes, maxNodes]. Going up follows the raw count at once, unless
 * the last step up was within the up cool-down; going down follows the highest raw count seen over
 * the down stabilisation window (Kubernetes' HPA does the same), so a lull does not shed nodes a
 * returning burst needs.
 */
public final class NodePoolPolicy {
    private NodePoolPolicy() {
    }

    /**
     * The rules.
     *
     * @param minNodes                 the fewest nodes (0 allows scale to zero)
     * @param maxNodes                 the most nodes
     * @param targetMemoryUtilization  the share of slot memory the working set should fill (0 to 1]
     * @param inFlightPerNode          requests in flight per node above which another node is wanted
     * @param thrashEvictionsPerNodeSecond evictions per node per second that, with requests waiting for loads, want another node
     * @param nodeBytes                one node's slot memory, for when no node is up to measure it from (scale from zero)
     * @param idleMs                   with no request for this long, the pool may go to {@code minNodes}; 0: it never idles
     * @param upCooldownMs             after a step up, the next step up waits this long (the new node's start and loads)
     * @param downStabilizationMs      a step down takes the highest raw count of this long
     */
    public record Settings(int minNodes, int maxNodes, double targetMemoryUtilization, int inFlightPerNode,
                           double thrashEvictionsPerNodeSecond, long nodeBytes, long idleMs, long upCooldownMs, long downStabilizationMs) {
        public Settings {
            if (minNodes < 0 || maxNodes < Math.max(1, minNodes)) {
                throw new IllegalArgumentException("autoscale: need 0 <= minNodes <= maxNodes and maxNodes >= 1, got " + minNodes + " and " + maxNodes);
            }
            if (!(targetMemoryUtilization > 0 && targetMemoryUtilization <= 1)) {
                throw new IllegalArgumentException("autoscale.targetMemoryUtilization must be in (0, 1], got " + targetMemoryUtilization);
            }
        }
    }

    /**
     * What the mesh looks like now, as a router sees it.
     *
     * @param readyNodes          nodes up and not draining
     * @param memory              per slot name (a slot kind: {@code onnx-0}), the working set it holds and the ready nodes' memory for it
     * @param inFlight            requests running on the nodes, all of them
     * @param evictionsPerSecond  copies evicted to make room, all nodes, per second over the window
     * @param waitingForLoads     requests waiting for a load now
     * @param msSinceLastRequest  since the last request this router saw (Long.MAX_VALUE for none yet)
     */
    public record Signal(int readyNodes, List<Memory> memory, int inFlight, double evictionsPerSecond, int waitingForLoads,
                         long msSinceLastRequest) {
        public Signal {
            memory = List.copyOf(memory);
        }

        /** The working set, all slots. */
        public long workingSetBytes() {
            return memory.stream().mapToLong(Memory::workingSetBytes).sum();
        }

        /** The ready nodes' slot memory, all slots. */
        public long capacityBytes() {
            return memory.stream().mapToLong(Memory::capacityBytes).sum();
        }
    }

    /**
     * One slot kind's memory.
     *
     * @param slot            the slot's name, the same on every node that has it ({@code onnx-0})
     * @param workingSetBytes the bytes of the models requested in the window that run in it (one copy each)
     * @param capacityBytes   the memory of that slot on the ready nodes, together
     */
    public record Memory(String slot, long workingSetBytes, long capacityBytes) {
    }

    /** One raw count and when it was made. */
    public record Recommendation(long atMs, int nodes) {
    }

    /**
     * What the policy remembers between decisions. Immutable.
     *
     * @param desired      the count it asked for last
     * @param lastUpMs     when it last asked for more (Long.MIN_VALUE / 2 for never)
     * @param recent       raw counts within the down stabilisation window, oldest first
     */
    public record State(int desired, long lastUpMs, List<Recommendation> recent) {
        public State {
            recent = List.copyOf(recent);
        }

        /** Before the first decision: as many as there are now. */
        public static State initial(int nodes) {
            return new State(nodes, Long.MIN_VALUE / 2, List.of());
        }
    }

    /**
     * A decision.
     *
     * @param desired the nodes wanted now
     * @param raw     the count the signal alone asks for, before cool-down and stabilisation
     * @param reason  which input set the raw count, for the log and the status page
     * @param next    the state for the next decision
     */
    public record Decision(int desired, int raw, String reason, State next) {
    }

    public static Decision decide(State state, Signal s, Settings settings, long nowMs) {
        boolean active = s.msSinceLastRequest() < settings.idleMs() || s.waitingForLoads() > 0 || settings.idleMs() == 0;
        int raw = 0;
        String reason = "idle";
        if (active) {
            raw = 1;
            reason = "traffic";
            int memory = 0;
            for (Memory m : s.memory()) {
                // a slot kind no node is up to measure (scale from zero) is sized by the configured node memory
                long perNode = s.readyNodes() > 0 && m.capacityBytes() > 0 ? m.capacityBytes() / s.readyNodes() : settings.nodeBytes();
                if (perNode > 0) {
                    memory = Math.max(memory, ceilDiv(m.workingSetBytes(), (long) Math.max(1, perNode * settings.targetMemoryUtilization())));
                }
            }
            if (memory > raw) {
                raw = memory;
                reason = "memory";
            }
            int concurrency = ceilDiv(s.inFlight(), settings.inFlightPerNode());
            if (concurrency > raw) {
                raw = concurrency;
                reason = "in-flight";
            }
            double evictionsPerNode = s.readyNodes() == 0 ? 0 : s.evictionsPerSecond() / s.readyNodes();
            boolean thrashing = s.waitingForLoads() > 0 && evictionsPerNode > settings.thrashEvictionsPerNodeSecond();
            if (thrashing && s.readyNodes() + 1 > raw) {
                raw = s.readyNodes() + 1;
                reason = "thrashing";
            } else if (evictionsPerNode > settings.thrashEvictionsPerNodeSecond() / 2 && s.readyNodes() > raw) {
                // still evicting at half the thrash rate: one node fewer would put the rest back over it, and the pool
                // would cycle (up on thrash, down on memory, up again), losing the copies of every node it sheds
                raw = s.readyNodes();
                reason = "evicting";
            }
        }
        raw = Math.max(settings.minNodes(), Math.min(settings.maxNodes(), raw));

        List<Recommendation> recent = new ArrayList<>();
        for (Recommendation r : state.recent()) {
            if (nowMs - r.atMs() < settings.downStabilizationMs()) {
                recent.add(r);
            }
        }
        recent.add(new Recommendation(nowMs, raw));
        int desired = state.desired();
        long lastUp = state.lastUpMs();
        if (raw > desired) {
            if (nowMs - lastUp >= settings.upCooldownMs() || desired == 0) { // from zero, never wait: a request is waiting
                desired = raw;
                lastUp = nowMs;
            }
        } else if (raw < desired) {
            int highest = recent.stream().mapToInt(Recommendation::nodes).max().orElse(raw);
            desired = Math.min(desired, highest);
        }
        return new Decision(desired, raw, reason, new State(desired, lastUp, recent));
    }

    private static int ceilDiv(long a, long b) {
        return (int) Math.min(Integer.MAX_VALUE, (a + b - 1) / b);
    }
}
