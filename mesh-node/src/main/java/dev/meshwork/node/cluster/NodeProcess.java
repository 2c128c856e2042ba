package dev.meshwork.node.cluster;

import dev.meshwork.kserve.RuntimeCatalog;
import dev.meshwork.node.runtime.external.LaunchedRuntimes;
import dev.meshwork.telemetry.TracingInterceptors;

import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.node.NodeAgent;
import dev.meshwork.nodeapi.LoadOnMiss;
import dev.meshwork.nodeapi.NodeFence;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.table.NodeTable;
import dev.meshwork.placement.table.PlacementTable;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.GrpcCalls;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.security.AuditLog;
import dev.meshwork.security.ClusterSecret;
import dev.meshwork.security.grpc.CallerCheck;
import dev.meshwork.security.grpc.InternalChannels;
import dev.meshwork.security.tls.ServerTls;
import dev.meshwork.state.cluster.ClusterMember;
import dev.meshwork.state.cluster.HazelcastNodeTable;
import dev.meshwork.state.cluster.HazelcastTenantRegistry;
import dev.meshwork.state.cluster.HazelcastPlacementTable;
import dev.meshwork.state.cluster.InternalHops;
import dev.meshwork.state.cluster.RowSigner;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import dev.meshwork.security.grpc.IdleConnections;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of the mesh: the node agent behind {@code meshwork.node.v1.NodeService} on gRPC, a
 * lite member of the cluster, and the publisher of its rows in the shared tables. Started by
 * {@link NodeMain}; {@link #drainAndClose} is the graceful exit.
 */
public final class NodeProcess implements AutoCloseable {
    private final NodeProcessConfig config;
    private final NodeAgent agent;
    private final HazelcastInstance hz;
    private final PlacementTable placement;
    private final NodeTable nodes;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;
    private final TablePublisher publisher;
    private final ClusterTenancy tenancy;
    private final String endpoint;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NodeHttp http;
    private final InternalChannels dialer;
    private final AuditLog audit;
    /** Where the node runs (its zone, pool, machine), as its node record carries it. */
    private final java.util.Map<String, String> labels;
    private volatile boolean joined;
    private final NodeStanding standing;
    /** One drain at a time: an operator's and SIGTERM's do not interleave. */
    private final Object drainLock = new Object();
    private final java.util.concurrent.atomic.AtomicBoolean drainAsked = new java.util.concurrent.atomic.AtomicBoolean();
    private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);
    private static final long ROUTER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(120);

    private NodeProcess(NodeProcessConfig config) {
        this.config = config;
        RuntimeCatalog catalog = RuntimeCatalog.load(config.runtimes().dir().isEmpty() ? null : java.nio.file.Path.of(config.runtimes().dir()));
        this.agent = new NodeAgent(config.node().withExternalRuntimes(LaunchedRuntimes.add(catalog, config.node())));
        agent.instrument(metrics);
        dev.meshwork.telemetry.ProcessMetrics.bind(metrics);
        ClusterSecret secret = InternalHops.secret(config.cluster(), metrics);
        RowSigner signer = InternalHops.signer(secret);
        this.hz = ClusterMember.start(config.cluster(), ClusterMember.Role.NODE, config.node().nodeId(), RegistryStore.NONE, signer);
        this.placement = new HazelcastPlacementTable(hz, signer);
        this.nodes = new HazelcastNodeTable(hz, signer);
        TablePublisher[] late = new TablePublisher[1];
        // the process's fencing token: a later start of the same node id has a higher one (clocks of a cluster agree to
        // far better than the time a process takes to start)
        this.standing = new NodeStanding(config.node().nodeId(), System.currentTimeMillis());
        NodeGrpcService service = new NodeGrpcService(agent, id -> late[0].publish(id), requests, this::drainInBackground, standing);
        this.audit = new AuditLog(config.security(), metrics);
        this.dialer = InternalHops.dialer(config.cluster(), secret, metrics);
        ServerTls tls = ServerTls.of(config.tls(), metrics);
        InetSocketAddress address = new InetSocketAddress(config.grpc().host(), config.grpc().port());
        CallerCheck callers = InternalHops.nodeCallers(config.cluster(), config.tls().mutual(), secret, NodeServiceGrpc.getLoadMethod().getFullMethodName(),
                name -> nodes.get(name).isPresent());
        try {
            NettyServerBuilder b = IdleConnections.limit(tls == null ? NettyServerBuilder.forAddress(address)
                    : NettyServerBuilder.forAddress(address, tls.grpcCredentials()), IdleConnections.DEFAULT_IDLE_MS);
            if (callers != null) {
                b.intercept(callers);
            }
            b.intercept(TracingInterceptors.server()); // a router's traceparent becomes the parent of the node's spans
            b.intercept(NodeFence.server()); // a router's call names the process it is meant for
            b.intercept(LoadOnMiss.server()); // and, on its last try at a model, the registration to load for it
            this.server = b
                    .directExecutor()
                    .maxInboundMessageSize(config.grpc().maxMessageBytes())
                    .addService(service)
                    .addService(health.getHealthService())
                    .build().start();
        } catch (IOException e) {
            hz.shutdown();
            agent.close();
            throw new MeshError(ErrorCode.UNAVAILABLE, "cannot listen for gRPC on " + config.grpc().host() + ":" + config.grpc().port()
                    + ": " + e.getMessage(), e);
        }
        this.endpoint = config.grpc().endpoint(server.getPort());
        this.labels = config.placement().labelMap(config.placement().kubernetesNode().isEmpty() ? java.util.Map.of()
                : KubernetesNodeLabels.read(config.placement().kubernetesNode(), config.placement().kubernetesLabels(), config.cluster().kubernetes()));
        // live at once (a node waiting for a router is healthy), ready once its rows are in the tables
        this.http = new NodeHttp(config.http(), metrics, () -> joined && hz.getLifecycleService().isRunning() && !agent.draining()
                && standing.serving());
        awaitRouter();
        this.publisher = new TablePublisher(agent, placement, nodes, endpoint, () -> hz.getCluster().getLocalMember().getUuid().toString(),
                config.publishMs(), labels, standing.incarnation(), standing::mayWrite);
        late[0] = publisher;
        standing.reactions(() -> {
            publisher.forget(); // the cluster removed this node's rows when it declared it gone
            unloadAll("it merged back into the cluster");
        }, () -> {
            publisher.fence();
            health.setStatus("", HealthCheckResponse.ServingStatus.NOT_SERVING);
            unloadAll("a newer process of its node id replaced it");
        });
        standing.watch(hz);
        this.tenancy = new ClusterTenancy(new HazelcastTenantRegistry(hz, signer), nodes, config.node().nodeId(), 1_000);
        agent.tenancy(tenancy::policies, tenancy::others);
        joined = true;
        health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
    }

    /**
     * The shared tables live on routers (nodes are lite members and hold none of them), so a node
     * that starts first, as one may under Kubernetes or {@code ./meshwork up --nodes N}, waits for
     * a router to join before it writes its rows, rather than fail its first write.
     */
    private void awaitRouter() {
        long started = System.nanoTime();
        long nextLog = started;
        while (hz.getCluster().getMembers().stream().allMatch(m -> m.isLiteMember())) {
            long now = System.nanoTime();
            if (now - started > ROUTER_WAIT_NANOS) {
                server.shutdownNow();
                http.close();
                hz.shutdown();
                agent.close();
                throw new MeshError(ErrorCode.UNAVAILABLE, "no router joined cluster '" + config.cluster().name() + "' within "
                        + TimeUnit.NANOSECONDS.toSeconds(ROUTER_WAIT_NANOS) + " s; start a router (./meshwork router) with the same cluster.* settings");
            }
            if (now >= nextLog) {
                LOG.info("node {} waits for a router to join cluster '{}' (the shared tables live on routers)", config.node().nodeId(),
                        config.cluster().name());
                nextLog = now + TimeUnit.SECONDS.toNanos(5);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshError(ErrorCode.UNAVAILABLE, "interrupted while waiting for a router");
            }
        }
    }

    /** Unloads every copy this process holds (their rows are gone or another process's); on a thread of its own. */
    private void unloadAll(String why) {
        java.util.List<String> held = agent.slotRecords().stream().flatMap(r -> r.models().stream()).toList();
        LOG.warn("node {} unloads its {} copies: {}", config.node().nodeId(), held.size(), why);
        for (String id : held) {
            try {
                agent.unload(id).join();
            } catch (RuntimeException e) {
                LOG.warn("unloading {} failed: {}", id, e.getMessage());
            }
        }
    }

    public static NodeProcess start(NodeProcessConfig config) {
        return new NodeProcess(config);
    }

    public String endpoint() {
        return endpoint;
    }

    public int grpcPort() {
        return server.getPort();
    }

    public int httpPort() {
        return http.port();
    }

    public NodeAgent agent() {
        return agent;
    }

    /** SIGTERM: drain (see {@link Drainer}), then stop serving and leave the cluster. */
    public void drainAndClose() {
        drain("system", "signal");
        close();
    }

    /**
     * A drain an operator asked for through a router ({@code POST /v1/mesh/nodes/{node}/drain}): the
     * same drain as SIGTERM's on a thread of its own, after which the process stays up, serving
     * nothing new, until it is stopped. Returns false when a drain was under way or done already.
     */
    private boolean drainInBackground(String principal) {
        if (agent.draining() || !drainAsked.compareAndSet(false, true)) {
            return false;
        }
        Thread.ofPlatform().name("meshwork-drain").daemon().start(() -> drain(principal.isEmpty() ? "unknown" : principal, "api"));
        return true;
    }

    private void drain(String principal, String protocol) {
        if (standing.superseded()) {
            return; // replaced: nothing here to hand over, and the rows under this node id are the newer process's
        }
        synchronized (drainLock) {
            health.setStatus("", HealthCheckResponse.ServingStatus.NOT_SERVING);
            long started = System.nanoTime();
            java.util.Map<String, String> pool = new java.util.HashMap<>(labels);
            pool.remove(dev.meshwork.placement.table.NodeRecord.ZONE);
            new Drainer(agent, publisher, placement, nodes, config.drain(), dialer, pool).drain();
            audit.record(principal, "*", "admin", "drain " + config.node().nodeId(), "ok", protocol,
                    "drained in " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        }
    }

    @Override
    public void close() {
        health.enterTerminalState();
        GrpcCalls.shutdown(server, 5);
        publisher.close();
        tenancy.close();
        http.close();
        hz.shutdown();
        requests.shutdown();
        agent.close();
        audit.close();
    }
}
