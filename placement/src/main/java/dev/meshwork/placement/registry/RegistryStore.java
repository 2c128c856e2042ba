package dev.meshwork.placement.registry;

import java.util.Map;

/**
 * Where registrations and vmodels survive a restart: documents of a kind ("model", "vmodel") by
 * id. A save or delete returns only once it is durable, so an API that answers success after it
 * never loses the change. Implementations are thread-safe.
 */
public interface RegistryStore extends AutoCloseable {
    /** No store: everything lives and dies with the process. */
    RegistryStore NONE = new RegistryStore() {
        @Override
        public <T> Map<String, T> loadAll(String kind, Class<T> type) {
            return Map.of();
        }

        @Override
        public void save(String kind, String id, Object document) {
        }

        @Override
        public void delete(String kind, String id) {
        }

        @Override
        public void close() {
        }
    };

    <T> Map<String, T> loadAll(String kind, Class<T> type);

    void save(String kind, String id, Object document);

    void delete(String kind, String id);

    /** Whether the store can be used now (readiness and a metric ask); a store without a connection to lose is always healthy. */
    default boolean healthy() {
        return true;
    }

    @Override
    void close();
}
