package dev.meshwork.placement.table;

import java.util.Optional;

/**
 * One claim per model across the mesh on the right to load it, so that routers missing at once
 * cause one load. A claim is held for a lease: if its owner dies without releasing it, it lapses,
 * and a claim whose owner has left the cluster may be taken over at once. Thread-safe.
 */
public interface LoadClaims {
    /** A claim: who holds it and until when (milliseconds since the epoch). */
    record Claim(String modelId, String owner, long expiresMillis) implements java.io.Serializable {
        /**
         * Whether a router may honour it now: its owner is alive and it runs neither out nor beyond
         * what a lease of {@code leaseMs} can promise (twice that plus a minute, for clocks and
         * routers' settings that disagree): a claim written to last far longer is stale or forged,
         * and honouring it would hold the model's loads back on every router for as long as it says.
         */
        public boolean binding(boolean ownerAlive, long nowMillis, long leaseMs) {
            return ownerAlive && expiresMillis > nowMillis && expiresMillis - nowMillis <= 2 * leaseMs + 60_000;
        }
    }

    /**
     * Claims the load of {@code modelId} for {@code owner}; returns empty when the claim is now
     * {@code owner}'s, else the claim that someone else holds.
     */
    Optional<Claim> tryClaim(String modelId, String owner, long leaseMs);

    /** Gives the claim up, if {@code owner} holds it. */
    void release(String modelId, String owner);

    /** The current claim on the model, if any. */
    Optional<Claim> current(String modelId);
}
