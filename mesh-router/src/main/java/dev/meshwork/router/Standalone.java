package dev.meshwork.router;

import dev.meshwork.kserve.CatalogWatcher;
import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.node.runtime.external.LaunchedRuntimes;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.registry.StoredModelRegistry;
import dev.meshwork.placement.registry.StoredVModelRegistry;
import dev.meshwork.placement.tenant.MeshUsage;
import dev.meshwork.placement.tenant.StoredTenantRegistry;
import dev.meshwork.router.mesh.LocalNodeBackend;
import dev.meshwork.router.mesh.ModelService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Standalone mode: one JVM with a router (REST and gRPC) and one embedded node, called in-process.
 * Registers the example models it is pointed at.
 */
public final class Standalone extends MeshRouter {
    private final LocalNodeBackend backend;
    private final RegistryStore store;
    private final CatalogWatcher catalog;

    private Standalone(RouterConfig config) {
        FrontDoor.checkExposure(config);
        List<Path> docs = ExampleRegistrar.documents(config.examples());
        // Example folders the operator pointed at are readable storage, whatever the other roots are.
        List<String> roots = new ArrayList<>(config.node().storage().roots());
        config.examples().forEach(roots::add);
        AtomicReference<ModelService> ready = new AtomicReference<>();
        this.catalog = FrontDoor.watchCatalog(config, ready);
        NodeConfig withRoots = config.node().withStorage(config.node().storage().withRoots(roots));
        NodeConfig nodeConfig = withRoots.withExternalRuntimes(LaunchedRuntimes.add(catalog.catalog(), withRoots));
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // the front door limits whole requests (FrontDoor); the embedded node counting them again would only halve the signal
        NodeAgent agent = new NodeAgent(nodeConfig.withOverload(nodeConfig.overload().off()));
        agent.instrument(metrics);
        dev.meshwork.telemetry.ProcessMetrics.bind(metrics);
        this.backend = new LocalNodeBackend(agent);
        this.store = RegistryStores.open(config.registry());
        RegistryStores.instrument(store, metrics);
        FrontDoor door = new FrontDoor(config, catalog, ready, backend, new FrontDoor.Registries(new StoredModelRegistry(store),
                new StoredVModelRegistry(store), new StoredTenantRegistry(store)), () -> 1, docs, metrics, store::healthy);
        agent.tenancy(door.tenants()::policies, () -> MeshUsage.NONE); // the one node is the whole mesh
        opened(door);
    }

    public static Standalone start(RouterConfig config) {
        return new Standalone(config);
    }

    @Override
    public String describe() {
        return "standalone: router + embedded node";
    }

    @Override
    public void close() {
        door().close();
        backend.close();
        store.close();
        catalog.close();
    }
}
