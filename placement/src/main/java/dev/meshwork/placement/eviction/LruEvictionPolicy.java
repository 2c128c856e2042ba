package dev.meshwork.placement.eviction;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Least recently used first, as ModelMesh does; ties go to the larger copy, which frees more. */
public final class LruEvictionPolicy implements EvictionPolicy {
    private static final Comparator<EvictionCandidate> ORDER = (a, b) -> {
        int c = Long.compare(a.lastUsed(), b.lastUsed());
        if (c == 0) {
            c = Long.compare(b.sizeBytes(), a.sizeBytes());
        }
        return c == 0 ? a.modelId().compareTo(b.modelId()) : c;
    };

    @Override
    public Optional<EvictionCandidate> victim(List<EvictionCandidate> candidates) {
        EvictionCandidate best = null;
        for (EvictionCandidate c : candidates) { // a loop, not a stream: a node under churn runs this per eviction
            if (best == null || ORDER.compare(c, best) < 0) {
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Registered for {@link EvictionPolicies} as "lru". */
    public static final class Provider implements EvictionPolicyProvider {
        @Override
        public String name() {
            return "lru";
        }

        @Override
        public EvictionPolicy create() {
            return new LruEvictionPolicy();
        }
    }
}
