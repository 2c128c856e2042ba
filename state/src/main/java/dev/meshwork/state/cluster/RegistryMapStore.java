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
final class RegistryMapStore<T> implements MapStore<String, T> {
    private final RegistryStore store;
    private final String kind;
    private final Class<T> type;
    private volatile Map<String, T> initial;

    RegistryMapStore(RegistryStore store, String kind, Class<T> type) {
        this.store = store;
        this.kind = kind;
        this.type = type;
    }

    private Map<String, T> initial() {
        Map<String, T> m = initial;
        if (m == null) {
            m = store.loadAll(kind, type);
            initial = m;
        }
        return m;
    }

    @Override
    public void store(String key, T value) {
        store.save(kind, key, value);
    }

    @Override
    public void storeAll(Map<String, T> map) {
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
    public T load(String key) {
        return initial == null ? null : initial.get(key);
    }

    @Override
    public Map<String, T> loadAll(Collection<String> keys) {
        Map<String, T> all = initial();
        Map<String, T> out = new HashMap<>();
        for (String k : keys) {
            T v = all.get(k);
            if (v != null) {
                out.put(k, v);
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
