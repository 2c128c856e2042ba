package dev.meshwork.placement.autoscale;

import java.util.List;

/**
 * What losing a node would cost the mesh, as Kubernetes' {@code controller.kubernetes.io/pod-deletion-cost}
 * (a scale-down removes the pod with the lowest first). A copy used within the hot window (the
 * autoscale signal's working-set window) and loaded on no other node costs most: its next requests
 * wait for a load. A hot copy with a twin elsewhere costs little (its requests move at once), a cold
 * copy held nowhere else less (a load, but nobody is waiting for it), a cold twin nothing. Pure; any thread.
 */
public final class RemovalCost {
    static final long HOT_ALONE = 10_000;
    static final long HOT_TWINNED = 100;
    static final long COLD_ALONE = 1;

    private RemovalCost() {
    }

    /**
     * One copy on the node.
     *
     * @param lastUsedMillis   when a request last ran on it
     * @param loadedElsewhere  how many other nodes hold a loaded copy of the same model
     */
    public record Copy(long lastUsedMillis, int loadedElsewhere) {
    }

    /** The node's cost, from 0 (nothing would be missed) up to {@link Integer#MAX_VALUE}; a copy used within {@code hotWindowMs} is hot. */
    public static int of(List<Copy> copies, long nowMillis, long hotWindowMs) {
        long cost = 0;
        for (Copy c : copies) {
            boolean hot = nowMillis - c.lastUsedMillis() <= hotWindowMs;
            boolean alone = c.loadedElsewhere() == 0;
            cost += hot ? (alone ? HOT_ALONE : HOT_TWINNED) : (alone ? COLD_ALONE : 0);
            if (cost >= Integer.MAX_VALUE) {
                return Integer.MAX_VALUE;
            }
        }
        return (int) cost;
    }
}
