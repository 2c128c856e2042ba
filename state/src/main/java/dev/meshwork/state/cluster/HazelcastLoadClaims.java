package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.meshwork.placement.table.LoadClaims;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Load claims in a Hazelcast map: an entry per claimed model with a time-to-live of the lease, so
 * a claim nobody releases disappears by itself; a claim whose owner is no longer a member is
 * replaced at once (compare-and-set, so two routers cannot both take it over). Thread-safe.
 */
public final class HazelcastLoadClaims implements LoadClaims {
    private final IMap<String, Claim> map;
    private final Predicate<String> ownerAlive;

    /** @param ownerAlive whether the owner of a claim is still in the cluster */
    public HazelcastLoadClaims(HazelcastInstance hz, Predicate<String> ownerAlive) {
        this.map = hz.getMap(MapNames.CLAIMS);
        this.ownerAlive = ownerAlive;
    }

    @Override
    public Optional<Claim> tryClaim(String modelId, String owner, long leaseMs) {
        Claim mine = new Claim(modelId, owner, System.currentTimeMillis() + leaseMs);
        for (int attempt = 0; attempt < 3; attempt++) {
            Claim held = map.putIfAbsent(modelId, mine, leaseMs, TimeUnit.MILLISECONDS);
            if (held == null || held.owner().equals(owner)) {
                if (held != null) {
                    map.set(modelId, mine, leaseMs, TimeUnit.MILLISECONDS); // renew our own
                }
                return Optional.empty();
            }
            if (held.binding(ownerAlive.test(held.owner()), System.currentTimeMillis(), leaseMs)) {
                return Optional.of(held);
            }
            if (map.replace(modelId, held, mine)) {
                map.setTtl(modelId, leaseMs, TimeUnit.MILLISECONDS);
                return Optional.empty();
            }
        }
        return current(modelId);
    }

    @Override
    public void release(String modelId, String owner) {
        Claim held = map.get(modelId);
        if (held != null && held.owner().equals(owner)) {
            map.remove(modelId, held);
        }
    }

    @Override
    public Optional<Claim> current(String modelId) {
        return Optional.ofNullable(map.get(modelId));
    }
}
