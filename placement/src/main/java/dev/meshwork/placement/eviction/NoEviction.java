package dev.meshwork.placement.eviction;

import java.util.List;
import java.util.Optional;

/**
 * Never evicts: the slot's caller decides what leaves (ModelMesh in front of the runtime-server
 * unloads by its own accounting), so a load that does not fit is refused rather than made room for
 * behind the caller's back. Stateless.
 */
public final class NoEviction implements EvictionPolicy {
    /** The name configuration uses. */
    public static final String NAME = "none";

    @Override
    public Optional<EvictionCandidate> victim(List<EvictionCandidate> candidates) {
        return Optional.empty();
    }

    /** Registered for {@link EvictionPolicies} as "none". */
    public static final class Provider implements EvictionPolicyProvider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public EvictionPolicy create() {
            return new NoEviction();
        }
    }
}
