package dev.meshwork.node.cluster;

import dev.meshwork.telemetry.TracingConfig;

import java.util.List;

import dev.meshwork.config.ConfigCheck;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.security.SecurityConfig;
import dev.meshwork.security.tls.TlsConfig;
import dev.meshwork.state.cluster.ClusterConfig;

/**
 * The node process's one configuration object ({@code ./meshwork node}): YAML file
 * ({@code --config}), environment ({@code MESHWORK_GRPC_PORT}) and flags ({@code --grpc.port=8086}).
 *
 * @param node      slots, runtimes, storage and limits, as in standalone mode
 * @param grpc      where routers reach the node
 * @param http      where operators and Kubernetes reach the node's metrics and health
 * @param cluster   the Hazelcast cluster it joins
 * @param publishMs how often the node rewrites its rows in the shared tables in full
 * @param drain     what happens on SIGTERM
 * @param tls       TLS of the gRPC listener: the certificate must name the node id ({@code node.nodeId}) as a DNS
 *                  name, and {@code clientCaFile} turns on mTLS, after which only routers' certificates get in
 * @param security  the exposure guard (a listener beyond loopback needs TLS or the cluster secret, unless
 *                  {@code security.insecure}) and the audit file, where a node writes its drains
 * @param placement where the node runs (its zone and labels), which routers weigh when they place copies
 * @param tracing   distributed tracing (OpenTelemetry, OTLP); off unless an endpoint is given
 * @param runtimes  the ServingRuntime catalog whose process-backed runtimes the node starts (the Python runtime's)
 * @param parentPid a process whose end ends this node, even by kill -9 (the router whose local pool started it); 0: none
 */
public record NodeProcessConfig(NodeConfig node, Grpc grpc, Http http, ClusterConfig cluster, long publishMs, Drain drain,
                                TlsConfig tls, SecurityConfig security, Placement placement, TracingConfig tracing, Runtimes runtimes,
                                long parentPid) {
    public NodeProcessConfig(NodeConfig node, Grpc grpc, Http http, ClusterConfig cluster, long publishMs, Drain drain) {
        this(node, grpc, http, cluster, publishMs, drain, TlsConfig.defaults(), SecurityConfig.defaults(), Placement.defaults(),
                TracingConfig.defaults(), Runtimes.defaults(), 0);
    }

    public NodeProcessConfig(NodeConfig node, Grpc grpc, Http http, ClusterConfig cluster, long publishMs, Drain drain,
                             TlsConfig tls, SecurityConfig security) {
        this(node, grpc, http, cluster, publishMs, drain, tls, security, Placement.defaults(), TracingConfig.defaults(), Runtimes.defaults(), 0);
    }

    public NodeProcessConfig {
        ConfigCheck.atLeast("publishMs", publishMs, 10);
        tls = tls == null ? TlsConfig.defaults() : tls;
        security = security == null ? SecurityConfig.defaults() : security;
        placement = placement == null ? Placement.defaults() : placement;
        tracing = tracing == null ? TracingConfig.defaults() : tracing;
        runtimes = runtimes == null ? Runtimes.defaults() : runtimes;
        ConfigCheck.atLeast("parentPid", parentPid, 0);
    }

    /**
     * The runtimes a node starts processes for: the built-in catalog's (Meshwork's Python runtime) and
     * the process-backed ones of {@code dir}, read once at start.
     *
     * @param dir the routers' {@code runtimes.dir} (ServingRuntime / ClusterServingRuntime YAML documents), so nodes
     *            start the same processes the routers route to; empty: the built-in catalog only
     */
    public record Runtimes(String dir) {
        public Runtimes {
            dir = dir == null ? "" : dir;
            ConfigCheck.directoryOrEmpty("runtimes.dir", dir);
        }

        static Runtimes defaults() {
            return new Runtimes("");
        }
    }

    /**
     * What routers know of where the node runs, for placement.
     *
     * @param zone             the node's failure zone: a model's copies go to different zones before two share one; empty:
     *                         the Kubernetes node's {@code topology.kubernetes.io/zone} when {@code kubernetesNode} is set, else
     *                         a zone of its own
     * @param labels           more {@code key=value} labels of the node (a pool, an accelerator), which runtimes' nodeSelectors
     *                         match; shown in {@code GET /v1/mesh/nodes}
     * @param kubernetesNode   the Kubernetes node (machine) the pod runs on (the manifests pass {@code spec.nodeName}): its
     *                         labels named in {@code kubernetesLabels} are read from the API server at start; empty: none
     * @param kubernetesLabels which of the Kubernetes node's labels the node takes (its own {@code labels} and {@code zone} win)
     */
    public record Placement(String zone, List<String> labels, String kubernetesNode, List<String> kubernetesLabels) {
        public static final List<String> KUBERNETES_LABELS = List.of("topology.kubernetes.io/zone", "topology.kubernetes.io/region",
                "node.kubernetes.io/instance-type", "nvidia.com/gpu.present");

        public Placement {
            zone = zone == null ? "" : zone.strip();
            labels = labels == null ? List.of() : List.copyOf(labels);
            kubernetesNode = kubernetesNode == null ? "" : kubernetesNode.strip();
            kubernetesLabels = kubernetesLabels == null ? KUBERNETES_LABELS : List.copyOf(kubernetesLabels);
            for (String l : labels) {
                ConfigCheck.require(l.indexOf('=') > 0, "placement.labels takes key=value entries, got '%s'", l);
            }
        }

        public Placement(String zone, List<String> labels) {
            this(zone, labels, "", KUBERNETES_LABELS);
        }

        public static Placement defaults() {
            return new Placement("", List.of(), "", KUBERNETES_LABELS);
        }

        /** The labels as the node record carries them, the zone under {@code topology.kubernetes.io/zone}. */
        public java.util.Map<String, String> labelMap() {
            return labelMap(java.util.Map.of());
        }

        /** As {@link #labelMap()}, over the Kubernetes node's labels, which the configured ones override. */
        public java.util.Map<String, String> labelMap(java.util.Map<String, String> fromKubernetes) {
            java.util.Map<String, String> m = new java.util.TreeMap<>(fromKubernetes);
            for (String l : labels) {
                m.put(l.substring(0, l.indexOf('=')).strip(), l.substring(l.indexOf('=') + 1).strip());
            }
            if (!zone.isEmpty()) {
                m.put(dev.meshwork.placement.table.NodeRecord.ZONE, zone);
            }
            return m;
        }
    }

    /**
     * The HTTP listener of {@code /metrics} and {@code /health/*}.
     *
     * @param host the address to bind
     * @param port the port; 0 picks a free one ({@code ./meshwork up --nodes N} gives node i port 9085+i)
     */
    public record Http(String host, int port) {
        public Http {
            ConfigCheck.notBlank("http.host", host);
            ConfigCheck.port("http.port", port);
        }
    }

    /**
     * @param host            the address to bind
     * @param port            the port; 0 picks a free one
     * @param advertiseHost   the address routers use to reach the node; empty: {@code host} (or
     *                        127.0.0.1 when binding every interface)
     * @param maxMessageBytes the largest request message accepted
     */
    public record Grpc(String host, int port, String advertiseHost, int maxMessageBytes) {
        public Grpc {
            ConfigCheck.notBlank("grpc.host", host);
            ConfigCheck.port("grpc.port", port);
            ConfigCheck.atLeast("grpc.maxMessageBytes", maxMessageBytes, 1024);
        }

        public String endpoint(int boundPort) {
            String h = !advertiseHost.isEmpty() ? advertiseHost : host.equals("0.0.0.0") ? "127.0.0.1" : host;
            return h + ":" + boundPort;
        }
    }

    /**
     * @param timeoutMs   the longest a drain may take before the node leaves anyway
     * @param hotWindowMs models used within this window are loaded on other nodes before the node lets go of them
     * @param graceMs     how long the node keeps serving after it took its copies out of the table
     */
    public record Drain(long timeoutMs, long hotWindowMs, long graceMs) {
        public Drain {
            ConfigCheck.atLeast("drain.timeoutMs", timeoutMs, 0);
            ConfigCheck.atLeast("drain.hotWindowMs", hotWindowMs, 0);
            ConfigCheck.atLeast("drain.graceMs", graceMs, 0);
        }
    }

    public static NodeProcessConfig defaults() {
        return new NodeProcessConfig(NodeConfig.defaults(), new Grpc("127.0.0.1", 8085, "", 16 << 20), new Http("127.0.0.1", 9085), ClusterConfig.defaults(), 1000,
                new Drain(30_000, 300_000, 1_000), TlsConfig.defaults(), SecurityConfig.defaults(), Placement.defaults(), TracingConfig.defaults(),
                Runtimes.defaults(), 0);
    }
}
