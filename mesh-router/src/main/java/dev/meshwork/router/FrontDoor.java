package dev.meshwork.router;

import dev.meshwork.kserve.CatalogWatcher;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.overload.ConcurrencyLimit;
import dev.meshwork.placement.registry.ModelRegistry;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.VModelRegistry;
import dev.meshwork.router.grpc.GrpcAccess;
import dev.meshwork.router.grpc.GrpcServer;
import dev.meshwork.router.grpc.InferenceGrpcService;
import dev.meshwork.router.grpc.ModelMeshGrpcService;
import dev.meshwork.router.grpc.ModelMeshHeaders;
import dev.meshwork.router.mesh.ModelDirectory;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.NodeBackend;
import dev.meshwork.router.mesh.RequestMetrics;
import dev.meshwork.router.mesh.VModelService;
import dev.meshwork.router.overload.OverloadGate;
import dev.meshwork.router.payload.PayloadLogger;
import dev.meshwork.router.rest.RestServer;
import dev.meshwork.router.tenant.TenantDirectory;
import dev.meshwork.router.tenant.Tenants;
import dev.meshwork.placement.tenant.TenantRegistry;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.config.OwnedDirectory;
import dev.meshwork.security.AccessControl;
import dev.meshwork.security.AuditLog;
import dev.meshwork.security.tls.ServerTls;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What every router has, whatever its nodes are: the model service over a backend and registries,
 * the REST and gRPC listeners, the model directory, and the example registrations. Standalone
 * mode and cluster mode differ only in the backend and registries they hand in.
 */
final class FrontDoor implements AutoCloseable {
    private final ExecutorService requestThreads;
    private final Vertx vertx;
    private final RestServer rest;
    private final GrpcServer grpc;
    private final ModelService service;
    private final OwnedDirectory<ModelSpec> directory;
    private final List<String> registered;
    private final PrometheusMeterRegistry metrics;
    private final AuditLog audit;
    private final Tenants tenants;
    private final OwnedDirectory<TenantPolicy> tenantDirectory;
    private final PayloadLogger payloads;

    /** The shared documents a front door serves: registrations, vmodels and tenants' policies. */
    record Registries(ModelRegistry models, VModelRegistry vmodels, TenantRegistry tenants) {
    }

    /** Refuses listeners open to the network with neither TLS nor authentication; called before anything starts. */
    static void checkExposure(RouterConfig config) {
        config.security().checkExposure("the REST listener", config.http().host(), config.tls().enabled(), config.auth().enabled());
        config.security().checkExposure("the gRPC listener", config.grpc().host(), config.tls().enabled(), config.auth().enabled());
    }

    /** The catalog watcher tells {@code ref}'s service about changes once the front door has made it. */
    static CatalogWatcher watchCatalog(RouterConfig config, AtomicReference<ModelService> ref) {
        return new CatalogWatcher(config.runtimes().dir().isEmpty() ? null : Path.of(config.runtimes().dir()),
                config.runtimes().pollMs(), () -> Optional.ofNullable(ref.get()).ifPresent(ModelService::catalogChanged));
    }

    /** {@code routers} counts the routers of the mesh, which share each namespace's limits. */
    FrontDoor(RouterConfig config, CatalogWatcher catalog, AtomicReference<ModelService> ref, NodeBackend backend,
              Registries registries, IntSupplier routers, List<Path> exampleDocs, PrometheusMeterRegistry metrics, BooleanSupplier ready) {
        this.metrics = metrics;
        ServerTls tls = ServerTls.of(config.tls(), metrics);
        this.audit = new AuditLog(config.security(), metrics);
        AccessControl access = new AccessControl(config.auth(), audit, metrics, ModelSpec::isNamespace, ModelSpec.DEFAULT_NAMESPACE);
        this.requestThreads = RequestThreads.create(config.requestThreads());
        NodeConfig.Overload overload = config.node().overload();
        // a fixed tenants.maxInFlight replaces the adaptive cap
        ConcurrencyLimit cap = overload.enabled() && config.tenants().maxInFlight() == 0
                ? new ConcurrencyLimit(overload.settings(Runtime.getRuntime().availableProcessors())) : null;
        OverloadGate gate = new OverloadGate(cap, overload.retryAfterMs(), metrics);
        this.tenants = new Tenants(registries.tenants(), config.tenants(), routers, metrics, cap, overload.retryAfterMs());
        this.tenantDirectory = config.tenants().dir().isEmpty() ? null
                : TenantDirectory.open(Path.of(config.tenants().dir()), config.tenants().pollMs(), tenants, audit);
        AtomicReference<String> source = new AtomicReference<>("http://" + config.http().host() + "/");
        this.payloads = new PayloadLogger(config.payloadLog(), metrics, source::get);
        this.service = new ModelService(registries.models(), registries.vmodels(), backend, catalog::catalog, tenants, metrics, payloads);
        backend.requiredLabels(service::requiredLabels);
        backend.tenants(tenants);
        ref.set(service);
        RequestMetrics requests = new RequestMetrics(metrics, service, gate);
        VModelService vmodelService = new VModelService(service, requestThreads);
        this.vertx = Vertx.vertx();
        this.registered = ExampleRegistrar.registerAll(service, exampleDocs, catalog::catalog);
        this.directory = config.models().dir().isEmpty() ? null
                : ModelDirectory.open(Path.of(config.models().dir()), config.models().pollMs(), service, audit);
        if (catalog.dir() != null) {
            catalog.onReload(error -> audit.record("system", "*", "admin", "runtime-reload " + catalog.dir(),
                    error.isEmpty() ? "ok" : "failed", "file", error));
        }
        this.rest = new RestServer(vertx, config.http(), tls, access, service, vmodelService, catalog, directory, tenantDirectory,
                requestThreads, requests, metrics, ready, config.autoscale().windowMs());
        source.set("http://" + config.http().host() + ":" + rest.port() + "/");
        this.grpc = new GrpcServer(config.grpc(), tls, List.of(new InferenceGrpcService(service, requestThreads, "meshwork", "0.1.0", requests,
                config.grpc().maxResponseBytes()),
                new ModelMeshGrpcService(service, vmodelService, requestThreads)), List.of(new GrpcAccess(access), new ModelMeshHeaders()));
    }

    AuditLog audit() {
        return audit;
    }

    int httpPort() {
        return rest.port();
    }

    int grpcPort() {
        return grpc.port();
    }

    Tenants tenants() {
        return tenants;
    }

    ModelService service() {
        return service;
    }

    PrometheusMeterRegistry metrics() {
        return metrics;
    }

    List<String> registered() {
        return registered;
    }

    @Override
    public void close() {
        grpc.close();
        rest.close();
        vertx.close().await();
        requestThreads.shutdown();
        if (directory != null) {
            directory.close();
        }
        if (tenantDirectory != null) {
            tenantDirectory.close();
        }
        tenants.close();
        payloads.close();
        audit.close();
    }
}
