package dev.meshwork.router;

import dev.meshwork.router.tenant.TenantsConfig;
import dev.meshwork.router.payload.PayloadLogConfig;
import dev.meshwork.telemetry.TracingConfig;
import dev.meshwork.config.ConfigCheck;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.router.cluster.ForwardConfig;
import dev.meshwork.router.autoscale.AutoscaleConfig;
import dev.meshwork.router.cluster.ScalingConfig;
import dev.meshwork.security.AuthConfig;
import dev.meshwork.security.SecurityConfig;
import dev.meshwork.security.tls.TlsConfig;
import dev.meshwork.state.cluster.ClusterConfig;
import dev.meshwork.security.grpc.IdleConnections;
import dev.meshwork.state.store.JdbcRegistryStore;
import java.util.List;

/**
 * The router process's one configuration object: YAML file ({@code --config}), environment
 * ({@code MESHWORK_HTTP_PORT}) and flags ({@code --http.port=8080}), see {@code ConfigLoader}.
 *
 * @param http     the REST listener
 * @param grpc     the gRPC listener
 * @param requestThreads threads that run requests (decoding, waiting for loads, inference): 0 means a
 *                 virtual thread per request, N a pool of N platform threads
 * @param examples directories whose {@code *.model.json} registration documents are registered at start, and
 *                 which join the storage roots ({@code ./meshwork up} passes {@code examples/})
 * @param node     the embedded node of standalone mode
 * @param registry where registrations and vmodels are kept across restarts
 * @param runtimes the ServingRuntime catalog
 * @param models   a directory of InferenceService documents the registry follows
 * @param cluster  the Hazelcast cluster a cluster-mode router ({@code ./meshwork router}) joins
 * @param forward  how a cluster-mode router forwards requests and loads models on a miss
 * @param scaling  when a cluster-mode router adds copies of busy models and releases idle ones
 * @param tls      TLS of the REST and gRPC listeners (off unless a certificate is given)
 * @param auth     how callers prove who they are (off unless a source is given); rights per namespace follow
 * @param security the exposure guard and the audit log
 * @param tenants  tenants' documents from a directory, and the router's overload limit
 * @param payloadLog how models' payload logs (their logger) are sent
 * @param tracing  distributed tracing (OpenTelemetry, OTLP); off unless an endpoint is given
 * @param autoscale the node count a cluster router asks for ({@code meshwork_desired_nodes}), from the mesh's own pressure
 */
public record RouterConfig(Http http, Grpc grpc, int requestThreads, List<String> examples, NodeConfig node, Registry registry,
                           Runtimes runtimes, Models models, ClusterConfig cluster, ForwardConfig forward,
                           ScalingConfig scaling, TlsConfig tls, AuthConfig auth, SecurityConfig security, TenantsConfig tenants,
                           PayloadLogConfig payloadLog, TracingConfig tracing, AutoscaleConfig autoscale) {

    /**
     * @param dir    a directory of KServe InferenceService YAML documents: added, changed and removed
     *               documents register, update and unregister their models; empty for none
     * @param pollMs how often the directory is checked for changes
     */
    public record Models(String dir, long pollMs) {
        public Models {
            ConfigCheck.directoryOrEmpty("models.dir", dir);
            ConfigCheck.atLeast("models.pollMs", pollMs, 10);
        }
    }

    /**
     * @param dir    a directory of ServingRuntime / ClusterServingRuntime YAML documents that extend and
     *               override the built-in catalog; empty for the built-in catalog only
     * @param pollMs how often the directory is checked for changes
     */
    public record Runtimes(String dir, long pollMs) {
        public Runtimes {
            ConfigCheck.directoryOrEmpty("runtimes.dir", dir);
            ConfigCheck.atLeast("runtimes.pollMs", pollMs, 10);
        }
    }

    /**
     * @param jdbcUrl  the store's JDBC URL: an H2 file by default, or {@code jdbc:postgresql://...};
     *                 empty keeps registrations in memory only
     * @param user     the database user
     * @param password the database password
     */
    public record Registry(String jdbcUrl, String user, String password) {
        public static final String DEFAULT_URL = "jdbc:h2:file:./data/registry;WRITE_DELAY=0";

        public Registry {
            ConfigCheck.require(jdbcUrl.isEmpty() || jdbcUrl.startsWith("jdbc:"),
                    "registry.jdbcUrl must be a JDBC URL (jdbc:h2:..., jdbc:postgresql://...) or empty for memory only, got '%s'",
                    JdbcRegistryStore.displayUrl(jdbcUrl));
        }

        /**
         * The store as several routers on one machine can share it: the default H2 file in H2's
         * mixed mode (the first router to open it serves it to the others on a loopback port).
         */
        public Registry shared() {
            return jdbcUrl.equals(DEFAULT_URL) ? new Registry(DEFAULT_URL + ";AUTO_SERVER=TRUE", user, password) : this;
        }

        /** The URL without what may follow '?' (PostgreSQL URLs may carry the password there). */
        public String displayUrl() {
            return JdbcRegistryStore.displayUrl(jdbcUrl);
        }

        @Override
        public String toString() {
            return "Registry[jdbcUrl=" + displayUrl() + ", user=" + user + "]";
        }
    }

    /**
     * @param host            the address to bind
     * @param port            the port; 0 picks a free one
     * @param maxRequestBytes the largest request body accepted; larger ones get 413
     * @param allowedHosts    the names a request's {@code Host} header may carry besides loopback ones; a listener on
     *                        a loopback address accepts only {@code localhost}, {@code 127.*} and {@code [::1]} otherwise,
     *                        so a web page cannot reach it through DNS rebinding; on other addresses, empty means any
     * @param allowedOrigins  web origins ({@code https://console.example}) whose pages may send requests that change
     *                        or run something (anything but GET and HEAD); a request with another {@code Origin} is refused
     * @param maxResponseBytes the largest answer body sent; a larger answer is replaced by a 413 that says so
     * @param idleTimeoutMs   a connection that sends and receives nothing for this long is closed (half-open ones included)
     */
    public record Http(String host, int port, long maxRequestBytes, List<String> allowedHosts, List<String> allowedOrigins,
                       long maxResponseBytes, long idleTimeoutMs) {
        public static final long DEFAULT_MAX_RESPONSE = 64L << 20;

        public Http(String host, int port, long maxRequestBytes) {
            this(host, port, maxRequestBytes, List.of(), List.of(), DEFAULT_MAX_RESPONSE, IdleConnections.DEFAULT_IDLE_MS);
        }

        public Http {
            ConfigCheck.atLeast("http.idleTimeoutMs", idleTimeoutMs, 100);
            allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
            allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
            ConfigCheck.notBlank("http.host", host);
            ConfigCheck.port("http.port", port);
            ConfigCheck.atLeast("http.maxRequestBytes", maxRequestBytes, 1024);
            ConfigCheck.atLeast("http.maxResponseBytes", maxResponseBytes, 1024);
        }
    }

    /**
     * @param host            the address to bind
     * @param port            the port; 0 picks a free one
     * @param maxMessageBytes the largest request message accepted; larger ones get RESOURCE_EXHAUSTED
     * @param maxResponseBytes the largest answer message sent; a larger answer is replaced by RESOURCE_EXHAUSTED that says so
     * @param idleTimeoutMs   a connection without a call for this long is closed; one that never finishes its handshake
     *                        is dropped after this long (at most 2 minutes); idle connections are pinged, so half-open ones go too
     */
    public record Grpc(String host, int port, int maxMessageBytes, int maxResponseBytes, long idleTimeoutMs) {
        public Grpc(String host, int port, int maxMessageBytes) {
            this(host, port, maxMessageBytes, (int) Http.DEFAULT_MAX_RESPONSE, IdleConnections.DEFAULT_IDLE_MS);
        }

        public Grpc {
            ConfigCheck.atLeast("grpc.idleTimeoutMs", idleTimeoutMs, 100);
            ConfigCheck.atLeast("grpc.maxResponseBytes", maxResponseBytes, 1024);
            ConfigCheck.notBlank("grpc.host", host);
            ConfigCheck.port("grpc.port", port);
            ConfigCheck.atLeast("grpc.maxMessageBytes", maxMessageBytes, 1024);
        }
    }

    public RouterConfig {
        ConfigCheck.atLeast("requestThreads", requestThreads, 0);
        examples = List.copyOf(examples);
        examples.forEach(e -> ConfigCheck.require(java.nio.file.Files.isDirectory(java.nio.file.Path.of(e)),
                "examples must name existing directories, got '%s'", e));
        cluster = cluster == null ? ClusterConfig.defaults() : cluster;
        forward = forward == null ? ForwardConfig.defaults() : forward;
        scaling = scaling == null ? ScalingConfig.defaults() : scaling;
        tls = tls == null ? TlsConfig.defaults() : tls;
        auth = auth == null ? AuthConfig.defaults() : auth;
        security = security == null ? SecurityConfig.defaults() : security;
        tenants = tenants == null ? TenantsConfig.defaults() : tenants;
        payloadLog = payloadLog == null ? PayloadLogConfig.defaults() : payloadLog;
        tracing = tracing == null ? TracingConfig.defaults() : tracing;
        autoscale = autoscale == null ? AutoscaleConfig.defaults() : autoscale;
        // a pool that may shrink to no node must hold the request that wakes it, or that request fails
        ConfigCheck.require(autoscale.minNodes() > 0 || autoscale.idleMs() == 0 || forward.nodeWaitMs() > 0,
                "autoscale.minNodes 0 with autoscale.idleMs lets the node pool scale to zero: set forward.nodeWaitMs (how long a request"
                        + " waits for a node to join, e.g. 60000) so that the request that wakes the pool is held, not failed");
    }

    /** This configuration with the registry as cluster routers open it ({@link Registry#shared}). */
    public RouterConfig withSharedRegistry() {
        return new RouterConfig(http, grpc, requestThreads, examples, node, registry.shared(), runtimes, models, cluster, forward, scaling,
                tls, auth, security, tenants, payloadLog, tracing, autoscale);
    }

    public static RouterConfig defaults() {
        return new RouterConfig(new Http("127.0.0.1", 8080, 16L << 20), new Grpc("127.0.0.1", 8081, 16 << 20),
                0, List.of(), NodeConfig.defaults(), new Registry(Registry.DEFAULT_URL, "", ""),
                new Runtimes("", 1000), new Models("", 1000), ClusterConfig.defaults(), ForwardConfig.defaults(),
                ScalingConfig.defaults(), TlsConfig.defaults(), AuthConfig.defaults(), SecurityConfig.defaults(), TenantsConfig.defaults(),
                PayloadLogConfig.defaults(), TracingConfig.defaults(), AutoscaleConfig.defaults());
    }
}
