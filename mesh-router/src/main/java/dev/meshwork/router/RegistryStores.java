package dev.meshwork.router;

import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.state.store.JdbcRegistryStore;

/** Opens the registry store a router's configuration names (none when the URL is empty). */
final class RegistryStores {
    private RegistryStores() {
    }

    static RegistryStore open(RouterConfig.Registry registry) {
        return registry.jdbcUrl().isEmpty() ? RegistryStore.NONE : new JdbcRegistryStore(registry.jdbcUrl(), registry.user(), registry.password());
    }
}
