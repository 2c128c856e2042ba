package dev.meshwork.controller;

import dev.meshwork.config.ConfigCheck;

/**
 * The controller's one configuration object ({@code ./meshwork controller}).
 *
 * @param mesh       the router it drives
 * @param kubernetes the API server it watches
 * @param status     what InferenceService statuses give as the mesh's addresses
 * @param runtimes   where the cluster's ServingRuntimes go for the routers to read
 * @param owner      the owner the controller's vmodels carry: it changes and deletes only those
 * @param resyncMs   how often every InferenceService is looked at again (statuses follow loads)
 * @param nodes      the node pods, whose pod-deletion-cost the controller keeps up to date
 */
public record ControllerConfig(Mesh mesh, Kubernetes kubernetes, Status status, String owner, long resyncMs, Runtimes runtimes, Nodes nodes) {
    public ControllerConfig(Mesh mesh, Kubernetes kubernetes, Status status, String owner, long resyncMs) {
        this(mesh, kubernetes, status, owner, resyncMs, new Runtimes("", ""), Nodes.DEFAULT);
    }

    public ControllerConfig {
        runtimes = runtimes == null ? new Runtimes("", "") : runtimes;
        nodes = nodes == null ? Nodes.DEFAULT : nodes;
        ConfigCheck.notBlank("owner", owner);
        ConfigCheck.atLeast("resyncMs", resyncMs, 1000); // fabric8's informers resync at most once a second
    }

    public static ControllerConfig defaults() {
        return new ControllerConfig(new Mesh("http://127.0.0.1:8080", "", ""), new Kubernetes("", "", "", ""), new Status("", ""),
                "meshwork-controller", 5000, new Runtimes("", ""), Nodes.DEFAULT);
    }

    /**
     * The mesh's REST management API.
     *
     * @param url       a router's (or the routers' Service's) base URL
     * @param tokenFile a file with the API token the controller sends (an admin of every namespace it serves); empty: none
     * @param caFile    PEM certificates an https router's certificate is checked against; empty: the JDK's
     */
    public record Mesh(String url, String tokenFile, String caFile) {
        public Mesh {
            ConfigCheck.require(url != null && (url.startsWith("http://") || url.startsWith("https://")),
                    "mesh.url must be an http(s) URL, got '%s'", url);
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            tokenFile = tokenFile == null ? "" : tokenFile;
            caFile = caFile == null ? "" : caFile;
            ConfigCheck.fileOrEmpty("mesh.tokenFile", tokenFile, "file");
            ConfigCheck.fileOrEmpty("mesh.caFile", caFile, "file");
        }
    }

    /**
     * The Kubernetes API server.
     *
     * @param namespace the namespace whose InferenceServices are served; empty: every namespace
     * @param apiUrl    the API server; empty: the pod's own, or the kubeconfig's
     * @param tokenFile a bearer token file; empty: the pod's service-account token (or the kubeconfig's credentials)
     * @param caFile    the API server's CA; empty: the pod's service-account CA (or the kubeconfig's)
     */
    public record Kubernetes(String namespace, String apiUrl, String tokenFile, String caFile) {
        public Kubernetes {
            namespace = namespace == null ? "" : namespace;
            apiUrl = apiUrl == null ? "" : apiUrl;
            tokenFile = tokenFile == null ? "" : tokenFile;
            caFile = caFile == null ? "" : caFile;
            ConfigCheck.require(apiUrl.isEmpty() || apiUrl.startsWith("https://") || apiUrl.startsWith("http://"),
                    "kubernetes.apiUrl must be an http(s) URL, got '%s'", apiUrl);
            ConfigCheck.fileOrEmpty("kubernetes.tokenFile", tokenFile, "file");
            ConfigCheck.fileOrEmpty("kubernetes.caFile", caFile, "file");
        }
    }

    /**
     * The mesh's addresses as statuses show them (what clients call).
     *
     * @param restUrl the REST address; empty: {@code mesh.url}
     * @param grpcUrl the gRPC address ({@code grpc://host:port}); empty: {@code mesh.url}'s host on port 8081
     */
    public record Status(String restUrl, String grpcUrl) {
        public Status {
            restUrl = restUrl == null ? "" : restUrl;
            grpcUrl = grpcUrl == null ? "" : grpcUrl;
        }
    }

    /**
     * The cluster's ServingRuntimes and ClusterServingRuntimes, mirrored into the ConfigMap the routers mount as
     * {@code runtimes.dir}.
     *
     * @param configMap the ConfigMap's name; empty: runtimes are not mirrored (the catalog is the ConfigMap's own content)
     * @param namespace the ConfigMap's namespace; empty: the controller's own
     */
    public record Runtimes(String configMap, String namespace) {
        public Runtimes {
            configMap = configMap == null ? "" : configMap;
            namespace = namespace == null ? "" : namespace;
        }
    }

    /**
     * The mesh's node pods: every {@code resyncMs} the controller writes each one's {@code
     * controller.kubernetes.io/pod-deletion-cost} from the routers' {@code removalCost} (the node's
     * hot copies held nowhere else weigh most), so a scale-down removes the node that costs least to lose.
     *
     * @param deletionCost  whether it does
     * @param namespace     the pods' namespace; empty: the controller's own
     * @param labelSelector the label selector of the node pods (the node id is the pod's name)
     */
    public record Nodes(boolean deletionCost, String namespace, String labelSelector) {
        public static final Nodes DEFAULT = new Nodes(true, "", "app.kubernetes.io/component=node");

        public Nodes {
            namespace = namespace == null ? "" : namespace;
            labelSelector = labelSelector == null ? "" : labelSelector;
            ConfigCheck.notBlank("nodes.labelSelector", labelSelector);
        }
    }

    /** The REST address statuses show. */
    public String restUrl() {
        return status.restUrl().isEmpty() ? mesh.url() : status.restUrl();
    }

    /** The gRPC address statuses show. */
    public String grpcUrl() {
        return status.grpcUrl().isEmpty() ? "grpc://" + java.net.URI.create(mesh.url()).getHost() + ":8081" : status.grpcUrl();
    }
}
