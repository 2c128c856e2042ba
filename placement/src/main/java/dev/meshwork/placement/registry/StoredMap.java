package dev.meshwork.placement.registry;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Documents of one kind held in memory for reads and written through to a store before a change
 * is visible. Reads are lock-free; writes are serialised so the store and the memory agree.
 */
public final class StoredMap<T> {
    private final String kind;
    private final Function<T, String> idOf;
    private final RegistryStore store;
    private final Map<String, T> items = new ConcurrentHashMap<>();

    public StoredMap(String kind, Class<T> type, Function<T, String> idOf, RegistryStore store) {
        this.kind = kind;
        this.idOf = idOf;
        this.store = store;
        items.putAll(store.loadAll(kind, type));
    }

    public Optional<T> get(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(items.get(id));
    }

    public synchronized Optional<T> put(T item) {
        String id = idOf.apply(item);
        store.save(kind, id, item);
        return Optional.ofNullable(items.put(id, item));
    }

    public synchronized Optional<T> remove(String id) {
        if (!items.containsKey(id)) {
            return Optional.empty();
        }
        store.delete(kind, id);
        return Optional.ofNullable(items.remove(id));
    }

    public List<T> list() {
        return items.values().stream().sorted(Comparator.comparing(idOf)).toList();
    }
}
