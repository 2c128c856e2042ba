package dev.meshwork.placement.eviction;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Least recently used first, as ModelMesh does; ties go to the larger copy, which frees more. */
public final class LruEvictionPolicy implements EvictionPolicy {
    private static final Comparator<EvictionCandidate> ORDER = Comparator.comparingLong(EvictionCandidate::lastUsed)
            .thenComparing(Comparator.comparingLong(EvictionCandidate::sizeBytes).reversed())
            .thenComparing(EvictionCandidate::modelId);

    @Override
    public Optional<EvictionCandidate> victim(List<EvictionCandidate> candidates) {
        return candidates.stream().min(ORDER);
    }
}
