package dev.meshwork.node.cache;

/**
 * What a slot's cache reports as it works, for metrics. Called on the thread that did the work (a
 * request or load thread), so implementations must be quick and must not block.
 */
public interface CacheEvents {
    CacheEvents NONE = new CacheEvents() {
    };

    /** A request pinned a copy: {@code hit} when it was LOADED already; {@code waitNanos} spent waiting for the load or a turn. */
    default void request(boolean hit, long waitNanos) {
    }

    /** A load ended after {@code nanos}, well or not. */
    default void loaded(long nanos, boolean ok) {
    }

    /** One phase of a load took {@code nanos}: its breakdown, phase by phase, says where cold requests wait. */
    default void loadPhase(LoadPhase phase, long nanos) {
    }

    default void evicted() {
    }

    default void unloaded() {
    }
}
