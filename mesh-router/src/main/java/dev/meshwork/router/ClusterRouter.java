package dev.meshwork.router;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.kserve.CatalogWatcher;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.router.autoscale.LocalNodePool;
import dev.meshwork.router.autoscale.NodePoolSignal;
import dev.meshwork.router.cluster.ClusterNodeBackend;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.security.ClusterSecret;
import dev.meshwork.state.cluster.ClusterConfig;
import dev.meshwork.state.cluster.ClusterMember;
import dev.meshwork.state.cluster.HazelcastLoadClaims;
import dev.meshwork.state.cluster.HazelcastModelRegistry;
import dev.meshwork.state.cluster.HazelcastNodeTable;
import dev.meshwork.state.cluster.HazelcastPlacementTable;
import dev.meshwork.state.cluster.RouteMemo;
import dev.meshwork.state.cluster.HazelcastVModelRegistry;
import dev.meshwork.state.cluster.HazelcastTenantRegistry;
import dev.meshwork.state.cluster.InternalHops;
import dev.meshwork.state.cluster.NodeReaper;
import dev.meshwork.state.cluster.RegistryGuard;
import dev.meshwork.state.cluster.RowSigner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cluster mode ({@code ./meshwork router}): a router that is a data member of the mesh's Hazelcast
 * cluster, holds the shared registry (persisted through the registry store) and forwards requests
 * to the nodes in the node table.
 */
public final class ClusterRouter extends MeshRouter {
    private final RegistryStore store;
    private final CatalogWatcher catalog;
    private final HazelcastInstance hz;
    private final ClusterNodeBackend backend;
    private final NodeReaper reaper;
    private final RouterConfig config;
    private final NodePoolSignal autoscale;
    /** The node processes of {@code ./meshwork up --nodes auto}; null unless autoscale.local.enabled. */
    private final LocalNodePool pool;

    private ClusterRouter(RouterConfig config) {
        this.config = config;
        FrontDoor.checkExposure(config);
        List<Path> docs = ExampleRegistrar.documents(config.examples());
        AtomicReference<ModelService> ready = new AtomicReference<>();
        this.catalog = FrontDoor.watchCatalog(config, ready);
        // several routers share one H2 file: the first serves it to the others over loopback
        System.setProperty("h2.bindAddress", System.getProperty("h2.bindAddress", "127.0.0.1"));
        this.store = RegistryStores.open(config.registry().shared());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ClusterSecret secret = InternalHops.secret(config.cluster(), metrics);
        RowSigner signer = InternalHops.signer(secret);
        this.hz = ClusterMember.start(config.cluster(), ClusterMember.Role.ROUTER, "router", store, signer);
        RouteMemo routes = new RouteMemo(hz, signer);
        HazelcastPlacementTable placement = new HazelcastPlacementTable(hz, signer, routes);
        HazelcastNodeTable nodes = new HazelcastNodeTable(hz, signer);
        String owner = hz.getCluster().getLocalMember().getUuid().toString();
        HazelcastLoadClaims claims = new HazelcastLoadClaims(hz,
                o -> hz.getCluster().getMembers().stream().map(Member::getUuid).anyMatch(u -> u.toString().equals(o)));
        this.backend = new ClusterNodeBackend(placement, nodes, claims, owner, config.forward(),
                InternalHops.dialer(config.cluster(), secret, metrics), config.scaling(), metrics);
        this.reaper = new NodeReaper(hz, nodes, placement, 2_000, n -> backend.nodeGone(n.nodeId(), n.endpoint()));
        // ready: with forward.nodeWaitMs a router serves with no node (it holds requests while the pool grows from zero)
        FrontDoor door = new FrontDoor(config, catalog, ready, backend, new FrontDoor.Registries(new HazelcastModelRegistry(hz, signer, routes),
                new HazelcastVModelRegistry(hz, signer), new HazelcastTenantRegistry(hz, signer)),
                () -> (int) hz.getCluster().getMembers().stream().filter(m -> !m.isLiteMember()).count(), docs, metrics,
                () -> hz.getLifecycleService().isRunning() && (config.forward().nodeWaitMs() > 0 || !backend.nodes().isEmpty()) && store.healthy());
        RegistryStores.instrument(store, metrics);
        io.micrometer.core.instrument.Gauge.builder("meshwork.route.memo.entries", routes, RouteMemo::size)
                .description("registered models whose registration and copies this router holds for its requests").register(metrics);
        ClusterMember.instrument(hz, metrics);
        dev.meshwork.telemetry.ProcessMetrics.bind(metrics);
        // a registry change that no router signed (a member without the cluster key) is refused by this member's store: audit it
        Counter refusedChanges = Counter.builder("meshwork_registry_refused_changes")
                .description("registry changes refused because no router of the cluster signed them").register(metrics);
        RegistryGuard.of(hz).onRefused((kind, key) -> {
            refusedChanges.increment();
            door.audit().record("unknown", ModelSpec.namespaceOf(key), "deploy", kind + " " + key, "refused:not_signed", "cluster",
                    "a change to the shared registry that no router of this cluster signed");
        });
        this.autoscale = new NodePoolSignal(config.autoscale(), nodes, metrics, name -> footprintOf(ready.get(), name),
                backend::waitingForLoads);
        this.pool = config.autoscale().local().enabled() ? localPool(ready, nodes) : null;
        opened(door);
    }

    private LocalNodePool localPool(AtomicReference<ModelService> service, HazelcastNodeTable nodes) {
        ClusterConfig c = config.cluster();
        var self = hz.getCluster().getLocalMember().getAddress();
        List<String> members = new java.util.ArrayList<>(c.members());
        members.add(self.getHost() + ":" + self.getPort());
        List<String> flags = new java.util.ArrayList<>(List.of("--cluster.name=" + c.name(), "--cluster.host=" + c.host(),
                "--cluster.port=" + c.port(), "--cluster.members=" + String.join(",", members),
                "--cluster.heartbeatSeconds=" + c.heartbeatSeconds(), "--cluster.failureSeconds=" + c.failureSeconds()));
        if (!c.secretFile().isEmpty()) {
            flags.add("--cluster.secretFile=" + c.secretFile());
        }
        try {
            return new LocalNodePool(config.autoscale().local(), config.autoscale().intervalMs(), () -> autoscale.decision().desired(),
                    nodes::list, n -> {
                        ModelService s = service.get();
                        return s == null ? 0 : s.removalCost(n, System.currentTimeMillis(), config.autoscale().windowMs());
                    }, flags);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot make the local node pool's log directory", e);
        }
    }

    /** Where the model a request name means runs and one copy's bytes: a copy's slot and measured size, else the registration's hint. */
    private NodePoolSignal.Footprint footprintOf(ModelService service, String name) {
        if (service == null) {
            return NodePoolSignal.Footprint.UNKNOWN;
        }
        try {
            ModelSpec spec = service.resolve(name);
            return backend.copies(spec.id()).stream().filter(c -> c.sizeBytes() > 0).max(java.util.Comparator.comparingLong(CopyRecord::sizeBytes))
                    .map(c -> new NodePoolSignal.Footprint(c.slot(), c.sizeBytes()))
                    .orElse(new NodePoolSignal.Footprint("", Math.max(0, spec.sizeHint())));
        } catch (RuntimeException e) { // unregistered meanwhile
            return NodePoolSignal.Footprint.UNKNOWN;
        }
    }

    public static ClusterRouter start(RouterConfig config) {
        return new ClusterRouter(config);
    }

    /** This router's cluster member, for benchmarks and tools that look at the shared maps. */
    public HazelcastInstance hazelcast() {
        return hz;
    }

    @Override
    public String describe() {
        return "cluster '" + config.cluster().name() + "': router at " + hz.getCluster().getLocalMember().getAddress()
                + ", " + hz.getCluster().getMembers().size() + " members, " + backend.nodes().size() + " nodes";
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close(); // the nodes drain while this router still serves
        }
        autoscale.close();
        door().close();
        reaper.close();
        backend.close();
        hz.shutdown();
        store.close();
        catalog.close();
    }
}
