package dev.meshwork.perf.meshsim;

/** One copy of a model on a simulated node. Mutable; the simulation's single thread owns it. */
final class SimCopy {
    final int model;
    final SimNode node;
    final long sizeBytes;
    /** Simulated time its load completes. */
    final long readyAtMillis;
    boolean loaded;
    /** False once evicted, released or lost with its node (a pending load completion is then ignored). */
    boolean live = true;
    /** Position in the node's resident lists while loaded. */
    int index = -1;
    long lastUsedMillis;
    long uses;

    SimCopy(int model, SimNode node, long sizeBytes, long readyAtMillis) {
        this.model = model;
        this.node = node;
        this.sizeBytes = sizeBytes;
        this.readyAtMillis = readyAtMillis;
    }

    /** A model's copies as the placement table shows them to the placement policy; {@code cs} null: none. */
    static java.util.List<dev.meshwork.placement.table.CopyRecord> records(SimCopy[] cs) {
        if (cs == null) {
            return java.util.List.of();
        }
        java.util.List<dev.meshwork.placement.table.CopyRecord> out = new java.util.ArrayList<>(cs.length);
        for (SimCopy c : cs) {
            out.add(new dev.meshwork.placement.table.CopyRecord(c.node.name, "sim-0", c.loaded ? dev.meshwork.placement.table.CopyState.LOADED
                    : dev.meshwork.placement.table.CopyState.LOADING, c.sizeBytes, c.lastUsedMillis, ""));
        }
        return out;
    }

    /** {@code cs} with {@code c} added ({@code cs} null: none yet). */
    static SimCopy[] with(SimCopy[] cs, SimCopy c) {
        if (cs == null) {
            return new SimCopy[]{c};
        }
        SimCopy[] more = java.util.Arrays.copyOf(cs, cs.length + 1);
        more[cs.length] = c;
        return more;
    }

    /** {@code cs} without {@code c}; null when none is left. */
    static SimCopy[] without(SimCopy[] cs, SimCopy c) {
        SimCopy[] rest = java.util.Arrays.stream(cs).filter(x -> x != c).toArray(SimCopy[]::new);
        return rest.length == 0 ? null : rest;
    }

    /** Completes the loads due by {@code t}, in order; how many of them were still wanted (live). */
    static int completeLoads(java.util.PriorityQueue<SimCopy> pending, long t, String[] ids) {
        int done = 0;
        while (!pending.isEmpty() && pending.peek().readyAtMillis <= t) {
            SimCopy c = pending.poll();
            if (c.live) {
                c.node.loaded(c, ids[c.model]);
                done++;
            }
        }
        return done;
    }
}
