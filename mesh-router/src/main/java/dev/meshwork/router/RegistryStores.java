package dev.meshwork.router;

import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.state.store.JdbcRegistryStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Opens the registry store a router's configuration names (none when the URL is empty). */
final class RegistryStores {
    private RegistryStores() {
    }

    static RegistryStore open(RouterConfig.Registry registry) {
        return registry.jdbcUrl().isEmpty() ? RegistryStore.NONE : new JdbcRegistryStore(registry.jdbcUrl(), registry.user(), registry.password());
    }

    /** {@code meshwork_registry_store_up}: 1 while the store can be used, 0 while it cannot (readiness says the same). */
    static void instrument(RegistryStore store, MeterRegistry metrics) {
        Gauge.builder("meshwork_registry_store_up", store, s -> s.healthy() ? 1 : 0)
                .description("whether the registry store can be used (1) or not (0)").register(metrics);
    }
}
