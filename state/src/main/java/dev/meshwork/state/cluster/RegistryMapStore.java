package dev.meshwork.state.cluster;

import com.hazelcast.map.MapStore;
import dev.meshwork.placement.registry.RegistryStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The registry maps' persistence: Hazelcast calls it on the member that owns an entry's partition
 * (a router), before a write is visible. The whole store is read once, when the map is first
 * loaded; after that the map is the authority, so a lookup of an unknown name never reaches the
 * database. Called from Hazelcast's partition threads; thread-safe through the store.
 */
final class RegistryMapStore<T extends java.io.Serializable> implements MapStore<String, Object> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RegistryMapStore.class);
    private final RegistryStore store;
    private final String kind;
    private final Class<T> type;
    private final RowSigner signer;
    /** The kind the map's values are signed as ({@code registry-model}). */
    private final String signedKind;
    private final RegistryGuard guard;
    private volatile Map<String, T> initial;

    RegistryMapStore(RegistryStore store, String kind, Class<T> type, RowSigner signer, String signedKind, RegistryGuard guard) {
        this.guard = guard;
        this.store = store;
        this.kind = kind;
        this.type = type;
        this.signer = signer;
        this.signedKind = signedKind;
    }

    private Map<String, T> initial() {
        Map<String, T> m = initial;
        if (m == null) {
            m = store.loadAll(kind, type);
            initial = m;
        }
        return m;
    }

    /**
     * Persists a change, which is only ever a signed value a router wrote: anything else (a member
     * without the cluster key, an object of another kind) is refused before it reaches the store
     * or the map, said in the log and told to the {@link RegistryGuard}.
     */
    @Override
    public void store(String key, Object value) {
        T v = SignedMap.unwrap(signer, signedKind, type, key, value);
        if (v == null) {
            LOG.warn("refused a {} change to '{}' that did not come from a router of this cluster (no valid signature)", kind, key);
            guard.refused(kind, key);
            throw new IllegalStateException("registry changes are made through a router's API");
        }
        store.save(kind, key, v);
    }

    @Override
    public void storeAll(Map<String, Object> map) {
        map.forEach(this::store);
    }

    @Override
    public void delete(String key) {
        store.delete(kind, key);
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        keys.forEach(this::delete);
    }

    @Override
    public Object load(String key) {
        T v = initial == null ? null : initial.get(key);
        return v == null ? null : SignedMap.wrap(signer, signedKind, key, v);
    }

    /** What the store holds, signed by this router as it loads it into the map. */
    @Override
    public Map<String, Object> loadAll(Collection<String> keys) {
        Map<String, T> all = initial();
        if (!all.keySet().containsAll(keys)) {
            // a reload after lost partitions asks for rows written since this member's last read
            all = store.loadAll(kind, type);
            initial = all;
        }
        Map<String, Object> out = new HashMap<>();
        for (String k : keys) {
            T v = all.get(k);
            if (v != null) {
                out.put(k, SignedMap.wrap(signer, signedKind, k, v));
            }
        }
        return out;
    }

    @Override
    public Iterable<String> loadAllKeys() {
        initial = store.loadAll(kind, type); // a fresh read: this is the map's (re)load
        return initial.keySet();
    }
}
