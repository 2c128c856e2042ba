package dev.meshwork.router;

import dev.meshwork.node.NodeAgent;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.registry.JdbcRegistryStore;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.registry.StoredModelRegistry;
import dev.meshwork.placement.registry.StoredVModelRegistry;
import dev.meshwork.placement.runtime.CatalogWatcher;
import dev.meshwork.router.grpc.GrpcServer;
import dev.meshwork.router.grpc.InferenceGrpcService;
import dev.meshwork.router.grpc.ModelMeshGrpcService;
import dev.meshwork.router.grpc.ModelMeshHeaders;
import dev.meshwork.router.mesh.LocalNodeBackend;
import dev.meshwork.router.mesh.ModelDirectory;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.VModelService;
import dev.meshwork.router.rest.RestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ExecutorService;

/**
 * Standalone mode: one JVM with a router (REST and gRPC) and one embedded node, called in-process.
 * Registers the example models it is pointed at.
 */
public final class Standalone implements AutoCloseable {
    private final ExecutorService requestThreads;
    private final Vertx vertx;
    private final LocalNodeBackend backend;
    private final RestServer rest;
    private final GrpcServer grpc;
    private final ModelService service;
    private final RegistryStore store;
    private final CatalogWatcher catalog;
    private final ModelDirectory directory;
    private final List<String> registered;

    private Standalone(RouterConfig config) {
        List<Path> docs = ExampleRegistrar.documents(config.examples());
        // Example folders the operator pointed at are readable storage, whatever the other roots are.
        List<String> roots = new ArrayList<>(config.node().storage().roots());
        config.examples().forEach(roots::add);
        AtomicReference<ModelService> ready = new AtomicReference<>(); // the watcher starts before the service exists
        this.catalog = new CatalogWatcher(config.runtimes().dir().isEmpty() ? null : Path.of(config.runtimes().dir()),
                config.runtimes().pollMs(), () -> Optional.ofNullable(ready.get()).ifPresent(ModelService::catalogChanged));
        NodeConfig withRoots = config.node().withStorage(config.node().storage().withRoots(roots));
        NodeConfig nodeConfig = withRoots.withExternalRuntimes(LaunchedRuntimes.add(catalog.catalog(), withRoots));
        this.requestThreads = RequestThreads.create(config.requestThreads());
        this.backend = new LocalNodeBackend(new NodeAgent(nodeConfig));
        this.store = config.registry().jdbcUrl().isEmpty() ? RegistryStore.NONE
                : new JdbcRegistryStore(config.registry().jdbcUrl(), config.registry().user(), config.registry().password());
        this.service = new ModelService(new StoredModelRegistry(store), new StoredVModelRegistry(store), backend, catalog::catalog);
        ready.set(service);
        VModelService vmodels = new VModelService(service, requestThreads);
        this.vertx = Vertx.vertx();
        this.registered = ExampleRegistrar.registerAll(service, docs);
        this.directory = config.models().dir().isEmpty() ? null
                : new ModelDirectory(Path.of(config.models().dir()), config.models().pollMs(), service);
        this.rest = new RestServer(vertx, config.http(), service, vmodels, catalog, directory, requestThreads);
        this.grpc = new GrpcServer(config.grpc(), List.of(new InferenceGrpcService(service, requestThreads, "meshwork", "0.1.0"),
                new ModelMeshGrpcService(service, vmodels, requestThreads)), List.of(new ModelMeshHeaders()));
    }

    public static Standalone start(RouterConfig config) {
        return new Standalone(config);
    }

    public int httpPort() {
        return rest.port();
    }

    public int grpcPort() {
        return grpc.port();
    }

    public ModelService service() {
        return service;
    }

    /** The models registered from the example documents. */
    public List<String> registered() {
        return registered;
    }

    @Override
    public void close() {
        grpc.close();
        rest.close();
        vertx.close().await();
        requestThreads.shutdown();
        backend.close();
        store.close();
        catalog.close();
        if (directory != null) {
            directory.close();
        }
    }
}
