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
}
