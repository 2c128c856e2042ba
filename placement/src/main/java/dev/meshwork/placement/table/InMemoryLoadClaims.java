package dev.meshwork.placement.table;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/** Load claims of one process, for unit tests; same rules as the Hazelcast claims. Thread-safe. */
public final class InMemoryLoadClaims implements LoadClaims {
    private final ConcurrentMap<String, Claim> map = new ConcurrentHashMap<>();
    private final Predicate<String> ownerAlive;
    private final LongSupplier clock;

    public InMemoryLoadClaims(Predicate<String> ownerAlive, LongSupplier clock) {
        this.ownerAlive = ownerAlive;
        this.clock = clock;
    }

    @Override
    public Optional<Claim> tryClaim(String modelId, String owner, long leaseMs) {
        Claim mine = new Claim(modelId, owner, clock.getAsLong() + leaseMs);
        Claim after = map.merge(modelId, mine, (held, m) -> held.owner().equals(owner)
                || !held.binding(ownerAlive.test(held.owner()), clock.getAsLong(), leaseMs) ? m : held);
        return after == mine ? Optional.empty() : Optional.of(after);
    }

    @Override
    public void release(String modelId, String owner) {
        map.computeIfPresent(modelId, (k, held) -> held.owner().equals(owner) ? null : held);
    }

    @Override
    public Optional<Claim> current(String modelId) {
        return Optional.ofNullable(map.get(modelId)).filter(c -> c.expiresMillis() > clock.getAsLong());
    }
}
