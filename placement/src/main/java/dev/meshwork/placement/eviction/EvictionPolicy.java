package dev.meshwork.placement.eviction;

import java.util.List;
import java.util.Optional;

/** Chooses which copy to evict next when a slot needs room. Implementations are thread-safe; a stateful one is made per slot. */
public interface EvictionPolicy {
    /** The candidate to evict first, or empty when there is none. */
    Optional<EvictionCandidate> victim(List<EvictionCandidate> candidates);
}
