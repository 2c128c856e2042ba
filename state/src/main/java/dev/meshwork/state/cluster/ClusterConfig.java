package dev.meshwork.state.cluster;

import dev.meshwork.config.ConfigCheck;
import dev.meshwork.security.tls.TlsConfig;
import java.util.List;

/**
 * How a process joins the mesh's Hazelcast cluster (YAML section {@code cluster} of the router and
 * node configurations).
 *
 * @param name                  the cluster name: members with another name never join
 * @param host                  the address the member binds and announces; {@code 0.0.0.0} binds every interface
 * @param port                  the first port tried; the next free one up to {@code port + 20} is taken
 * @param members               TCP-IP discovery: {@code host:port} or {@code host:port-port} of members to join
 * @param heartbeatSeconds      how often members tell each other they are alive
 * @param failureSeconds        how long a member may stay silent before it is declared gone and its
 *                              copies leave the placement table; lower is faster recovery, but a long
 *                              GC pause may then drop a healthy node; a member declared gone tries to merge back
 *                              every twice this time (at least 5 s), and a node serves nothing until it has
 * @param kubernetes            Kubernetes discovery instead of the member list
 * @param tls                   how this process dials other mesh processes (router -> node, node -> node on drain):
 *                              {@code serverCaFile} for the nodes' certificates (each must name its node id) and this
 *                              process's own certificate and key to present; a node's listener has its own {@code tls}
 * @param secretFile            the shared cluster secret internal calls carry when there is no TLS; every router and
 *                              node of a cluster reads the same file; empty for none
 * @param routerNames           the names (CN or DNS SAN, {@code *} at the end matches any rest) of the certificates a
 *                              node takes calls from; other nodes may only hand over models while draining
 */
public record ClusterConfig(String name, String host, int port, List<String> members, int heartbeatSeconds, int failureSeconds,
                            Kubernetes kubernetes, TlsConfig tls, String secretFile, List<String> routerNames) {
    public ClusterConfig(String name, String host, int port, List<String> members, int heartbeatSeconds, int failureSeconds,
                         Kubernetes kubernetes) {
        this(name, host, port, members, heartbeatSeconds, failureSeconds, kubernetes, TlsConfig.defaults(), "", List.of("router*"));
    }

    public ClusterConfig {
        ConfigCheck.notBlank("cluster.name", name);
        ConfigCheck.notBlank("cluster.host", host);
        ConfigCheck.range("cluster.port", port, 1, 65_535, "a TCP port");
        ConfigCheck.atLeast("cluster.heartbeatSeconds", heartbeatSeconds, 1);
        ConfigCheck.require(failureSeconds > heartbeatSeconds,
                "cluster.failureSeconds must be more than cluster.heartbeatSeconds (%d), got %d", heartbeatSeconds, failureSeconds);
        members = members == null ? List.of() : List.copyOf(members);
        kubernetes = kubernetes == null ? Kubernetes.disabled() : kubernetes;
        tls = tls == null ? TlsConfig.defaults() : tls;
        secretFile = secretFile == null ? "" : secretFile;
        ConfigCheck.fileOrEmpty("cluster.secretFile", secretFile, "file");
        routerNames = routerNames == null ? List.of("router*") : List.copyOf(routerNames);
        ConfigCheck.require(!routerNames.isEmpty(), "cluster.routerNames must name at least one router certificate name");
    }

    /** Whether {@code name} is one of {@code routerNames}. */
    public boolean isRouterName(String name) {
        return routerNames.stream().anyMatch(p -> p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : name.equals(p));
    }

    /**
     * Hazelcast's Kubernetes discovery (the pods behind a headless service).
     *
     * @param enabled     Hazelcast's Kubernetes discovery instead of {@code cluster.members}
     * @param namespace   the namespace of the service; empty: the pod's own
     * @param serviceName the headless service whose endpoints are the members
     * @param apiUrl      the Kubernetes API server; empty: the one a pod reaches ({@code https://kubernetes.default.svc})
     * @param tokenFile   a file with the bearer token for the API server, read at start; empty: the pod's service-account
     *                    token, which Hazelcast reads again as Kubernetes rotates it
     * @param caFile      the PEM certificates the API server's certificate is checked against; empty: the pod's
     *                    service-account {@code ca.crt}
     */
    public record Kubernetes(boolean enabled, String namespace, String serviceName, String apiUrl, String tokenFile, String caFile) {
        public Kubernetes {
            namespace = namespace == null ? "" : namespace;
            serviceName = serviceName == null ? "" : serviceName;
            apiUrl = apiUrl == null ? "" : apiUrl;
            tokenFile = tokenFile == null ? "" : tokenFile;
            caFile = caFile == null ? "" : caFile;
            ConfigCheck.require(apiUrl.isEmpty() || apiUrl.startsWith("https://") || apiUrl.startsWith("http://"),
                    "cluster.kubernetes.apiUrl must be an http(s) URL, got '%s'", apiUrl);
            ConfigCheck.fileOrEmpty("cluster.kubernetes.tokenFile", tokenFile, "file");
            ConfigCheck.fileOrEmpty("cluster.kubernetes.caFile", caFile, "file");
        }

        public static Kubernetes disabled() {
            return new Kubernetes(false, "", "", "", "", "");
        }
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig("meshwork", "127.0.0.1", 5701, List.of("127.0.0.1:5701-5710"), 1, 5, Kubernetes.disabled(),
                TlsConfig.defaults(), "", List.of("router*"));
    }
}
