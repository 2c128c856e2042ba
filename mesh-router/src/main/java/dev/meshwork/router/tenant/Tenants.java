package dev.meshwork.router.tenant;

import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.tenant.MeshUsage;
import dev.meshwork.placement.tenant.TenantAdmission;
import dev.meshwork.placement.tenant.TenantPolicies;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.placement.tenant.TenantRegistry;
import dev.meshwork.placement.tenant.TenantShares;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.router.overload.OverloadGate;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's side of tenancy: the tenants' documents (through the shared registry), a snapshot of
 * them that request threads read without touching the cluster, admission of each inference request
 * ({@link TenantAdmission}), the registration quota, and the numbers {@code GET /v1/mesh/namespaces}
 * shows. The snapshot and the number of routers are refreshed every second on the tenants' own thread
 * (and at once after a change made here), so another router's change holds here within a second.
 * Thread-safe.
 */
public final class Tenants implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tenants.class);
    static final long REFRESH_MS = 1_000;
    private final TenantRegistry registry;
    private final TenantsConfig config;
    private final IntSupplier routerCount;
    private final MeterRegistry metrics;
    private final TenantAdmission admission;
    private final long retryAfterMs;
    private final ConcurrentMap<String, TenantStats> stats = new ConcurrentHashMap<>();
    private final ScheduledExecutorService thread;
    private volatile TenantPolicies policies;
    private volatile int routers = 1;
    private long lastTick = System.nanoTime();

    /**
     * @param routerCount the routers of the mesh, which share each namespace's limits (read once a second)
     */
    public Tenants(TenantRegistry registry, TenantsConfig config, IntSupplier routerCount, MeterRegistry metrics) {
        this(registry, config, routerCount, metrics, null, 0);
    }

    /**
     * With {@code overload} (the router's adaptive cap, which its {@link OverloadGate} applies on arrival), a
     * router whose {@code tenants.maxInFlight} is 0 sheds namespaces below the highest priority above
     * {@code tenants.shedAt} of it, with 503 / UNAVAILABLE and {@code retryAfterMs}.
     */
    public Tenants(TenantRegistry registry, TenantsConfig config, IntSupplier routerCount, MeterRegistry metrics,
                   dev.meshwork.placement.overload.ConcurrencyLimit overload, long retryAfterMs) {
        this.registry = registry;
        this.config = config;
        this.routerCount = routerCount;
        this.metrics = metrics;
        this.retryAfterMs = retryAfterMs;
        this.admission = new TenantAdmission(config.maxInFlight(), config.shedAt(), overload);
        this.policies = registry.policies();
        this.routers = Math.max(1, routerCount.getAsInt());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("meshwork-tenants").unstarted(r));
        thread.scheduleWithFixedDelay(this::refresh, REFRESH_MS, REFRESH_MS, TimeUnit.MILLISECONDS);
    }

    private void refresh() {
        try {
            policies = registry.policies();
            routers = Math.max(1, routerCount.getAsInt());
            long now = System.nanoTime();
            double seconds = Math.max(1e-3, (now - lastTick) / 1e9);
            lastTick = now;
            stats.values().forEach(s -> s.tick(seconds));
        } catch (RuntimeException e) {
            LOG.debug("tenant policies not refreshed this round; the last ones stand", e);
        }
    }

    /** The policies as of the last refresh. */
    public TenantPolicies policies() {
        return policies;
    }

    /** The policy that holds for the namespace now. */
    public TenantPolicy policy(String namespace) {
        return policies.of(namespace);
    }

    /** The routers the limits are split over, as of the last refresh. */
    public int routers() {
        return routers;
    }

    /** An admitted request: close it when its answer is done. */
    public final class Ticket implements AutoCloseable {
        private final String namespace;
        private final boolean counts;
        private final OverloadGate.Arrival arrival;
        private boolean succeeded;
        private boolean closed;

        private Ticket(String namespace, boolean counts, OverloadGate.Arrival arrival) {
            this.namespace = namespace;
            this.counts = counts;
            this.arrival = arrival;
        }

        /** The request was answered: when it found its model loaded, its answer tells the overload cap about capacity. */
        public void succeeded() {
            succeeded = true;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                admission.release(namespace);
                if (succeeded && counts && arrival != null) { // a request that waited for a load says nothing about load on the mesh
                    arrival.countsAsAnswer();
                }
            }
        }
    }

    /**
     * Admits one inference request of {@code namespace} ({@code hit}: a copy of its model was loaded
     * when it came), or refuses it with 429 / RESOURCE_EXHAUSTED saying which limit and when to retry.
     */
    public Ticket admit(String namespace, boolean hit) {
        return admit(namespace, hit, true, null);
    }

    /**
     * {@link #admit(String, boolean)} for a request that passed the overload gate as {@code arrival} (null: it
     * did not); when {@code capped} its answer counts for the adaptive cap, and lower priorities are shed
     * below it; a request of a model that batches is not capped (its batcher's wait is not load).
     */
    public Ticket admit(String namespace, boolean hit, boolean capped, OverloadGate.Arrival arrival) {
        TenantPolicies p = policies;
        TenantPolicy policy = p.of(namespace);
        TenantAdmission.Verdict v = admission.admit(policy, p.highestPriority(), routers, System.nanoTime(), capped);
        TenantStats s = stats(namespace);
        if (v.admitted()) {
            s.admitted(hit);
            return new Ticket(namespace, hit && capped, arrival);
        }
        s.refused(v.outcome());
        throw switch (v.outcome()) {
            case RATE -> MeshError.retryAfter(ErrorCode.RATE_LIMITED, String.format(java.util.Locale.ROOT,
                    "namespace '%s' sent more than its limit of %s requests per second (requestsPerSecond, %s per router over %d routers);"
                            + " retry after %d ms", namespace, policy.requestsPerSecond(), trim(v.limit()), routers,
                    TimeUnit.NANOSECONDS.toMillis(v.retryAfterNanos()) + 1), TimeUnit.NANOSECONDS.toMillis(v.retryAfterNanos()) + 1);
            case IN_FLIGHT -> MeshError.retryAfter(ErrorCode.RATE_LIMITED, "namespace '" + namespace + "' has its limit of "
                    + policy.maxInFlight() + " requests in flight (maxInFlight, " + trim(v.limit()) + " at this router); retry when one ends",
                    100);
            default -> admission.adaptive() ? MeshError.retryAfter(ErrorCode.UNAVAILABLE, "this router is running its limit of "
                    + trim(v.limit()) + " requests at once for namespaces of priority " + policy.priority() + " (it adapts to keep answers"
                    + " within the tolerance of node.overload); retry after " + retryAfterMs + " ms", retryAfterMs)
                    : MeshError.retryAfter(ErrorCode.RATE_LIMITED, "this router is overloaded (" + trim(v.limit())
                    + " requests in flight for namespaces of priority " + policy.priority() + "; tenants.maxInFlight = " + config.maxInFlight()
                    + "); namespaces below the highest priority are shed first; retry shortly", 1000);
        };
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(java.util.Locale.ROOT, "%.2f", d);
    }

    private TenantStats stats(String namespace) {
        String tag = config.metricsPerNamespace() ? namespace : "all";
        return stats.computeIfAbsent(tag, t -> new TenantStats(metrics, t));
    }

    /**
     * Refuses a new registration that would pass the namespace's {@code maxModels}; {@code registered}
     * counts its registrations now. Two registrations at once on two routers may both pass the check
     * (it is not a transaction): the quota may be passed by the registrations that race it.
     */
    public void checkRegistration(String namespace, Supplier<Long> registered) {
        TenantPolicy p = policies.of(namespace);
        if (p.maxModels() == 0) {
            return;
        }
        long n = registered.get();
        if (n >= p.maxModels()) {
            throw MeshError.format(ErrorCode.QUOTA_EXCEEDED, "namespace '%s' has %d models registered and may have at most %d (maxModels);"
                    + " unregister one first, or raise its maxModels", namespace, n, p.maxModels());
        }
    }

    /** The most copies copy scaling may make of a model of the namespace; 0 for no limit of its own. */
    public int maxCopies(String namespace) {
        return policies.of(namespace).maxCopiesPerModel();
    }

    public Optional<TenantPolicy> document(String namespace) {
        return registry.get(namespace);
    }

    public List<TenantPolicy> documents() {
        return registry.list();
    }

    /** Stores a document; the change holds at this router at once, at the others within a second. */
    public Optional<TenantPolicy> put(TenantPolicy policy) {
        Optional<TenantPolicy> previous = registry.put(policy);
        policies = registry.policies();
        return previous;
    }

    public Optional<TenantPolicy> remove(String namespace) {
        Optional<TenantPolicy> removed = registry.remove(namespace);
        policies = registry.policies();
        return removed;
    }

    /**
     * One namespace as {@code GET /v1/mesh/namespaces} shows it.
     *
     * @param usage the mesh's usage now, summed from the node table
     */
    public NamespaceStatus status(String namespace, long models, MeshUsage usage) {
        TenantPolicies p = policies;
        TenantShares shares = TenantShares.of(p, usage.slotBytes(), usage.byNamespace());
        TenantStats s = stats.get(config.metricsPerNamespace() ? namespace : "all");
        long ceiling = shares.ceiling(namespace);
        return new NamespaceStatus(namespace, p.hasOwn(namespace), TenantDocument.view(p.of(namespace)), models, usage.bytes(namespace),
                shares.guaranteed(namespace), ceiling == Long.MAX_VALUE ? null : ceiling, s == null ? 0 : round(s.requestRate()),
                s == null ? 0 : round(s.throttleRate()), s == null || Double.isNaN(s.hitRatio()) ? null : round(s.hitRatio()),
                admission.inFlight(namespace), s == null ? 0 : s.hits(), s == null ? 0 : s.misses());
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    /** The mesh's usage from the node table. */
    public static MeshUsage usage(List<NodeRecord> nodes) {
        return MeshUsage.of(nodes, null);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
