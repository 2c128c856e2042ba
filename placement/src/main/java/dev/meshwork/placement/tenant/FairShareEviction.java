package dev.meshwork.placement.tenant;

import dev.meshwork.placement.eviction.EvictionCandidate;
import dev.meshwork.placement.eviction.EvictionPolicy;
import dev.meshwork.placement.registry.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which copy a load evicts when namespaces share a slot, as max-min fair share with lending: the
 * slot's own eviction policy (LRU, GDSF) chooses, but only among the copies a load of namespace
 * {@code n} may take.
 * <ol>
 *   <li>When the load would take {@code n} past its ceiling ({@code maxMemory}), only {@code n}'s own copies.</li>
 *   <li>Else the copies of namespaces that hold more than their guaranteed share across the mesh
 *       (borrowers, {@code n} among them when it borrows too): idle memory is lent, and taken back first.</li>
 *   <li>Else {@code n}'s own copies: a namespace at or under its share loses copies only to its own loads.</li>
 * </ol>
 * Without any share or ceiling every namespace with a copy is a borrower, and the choice is the
 * plain policy's. A copy's namespace is its model id's. Pure, thread-safe (given a thread-safe policy).
 */
public final class FairShareEviction {
    private FairShareEviction() {
    }

    /** What a load may do next. */
    public record Decision(Optional<EvictionCandidate> victim, boolean ceilingBound) {
    }

    /**
     * The next copy to evict for a load of {@code bytes} in {@code namespace}; empty when no copy may
     * go for it ({@link Decision#ceilingBound} then says the ceiling is why, not lack of candidates).
     */
    public static Decision victim(String namespace, long bytes, List<EvictionCandidate> candidates, TenantShares shares, EvictionPolicy inner) {
        if (!shares.policies().sharesMemory()) {
            return new Decision(inner.victim(candidates), false); // nobody is guaranteed or capped: the plain policy, at its cost
        }
        if (shares.passesCeiling(namespace, bytes)) {
            return new Decision(inner.victim(of(namespace, candidates)), true);
        }
        List<EvictionCandidate> borrowed = new ArrayList<>();
        List<EvictionCandidate> own = new ArrayList<>();
        java.util.Map<String, Boolean> over = new java.util.HashMap<>();
        for (EvictionCandidate c : candidates) {
            String ns = ModelSpec.namespaceOf(c.modelId());
            if (over.computeIfAbsent(ns, shares::overShare)) {
                borrowed.add(c);
            } else if (ns.equals(namespace)) {
                own.add(c);
            }
        }
        Optional<EvictionCandidate> v = inner.victim(borrowed);
        return new Decision(v.isPresent() ? v : inner.victim(own), false);
    }

    private static List<EvictionCandidate> of(String namespace, List<EvictionCandidate> candidates) {
        List<EvictionCandidate> own = new ArrayList<>();
        for (EvictionCandidate c : candidates) {
            if (ModelSpec.namespaceOf(c.modelId()).equals(namespace)) {
                own.add(c);
            }
        }
        return own;
    }
}
