package dev.meshwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.MemoryPlan;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.node.cluster.NodeProcessConfig;
import dev.meshwork.router.RouterConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every overlay of deploy/ rendered by {@code kubectl kustomize} and checked against the code: the
 * objects parse as Kubernetes' own types, selectors and ports line up, the configuration the pods
 * read has only keys the processes know, probes point at the ports the processes listen on, a node
 * drains within its grace period and its memory plan fits its limit.
 */
class RenderedManifestsTest {
    /** What a JVM takes besides its heap and the slots' native budgets: metaspace, code, threads, direct buffers. */
    private static final long JVM_OVERHEAD = 512L << 20;

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void everyObjectIsAKubernetesObjectWithNoUnknownField(String overlay) throws Exception {
        Rendered r = Rendered.of(overlay);
        assertThat(r.objects()).hasSizeGreaterThan(10);
        for (ObjectNode o : r.objects()) {
            StrictModel.read(o);
        }
        for (ObjectNode d : r.ofKind("Deployment")) {
            for (JsonNode c : Pods.podSpec(d).path("containers")) {
                assertThat(c.path("image").asText()).as("image of %s", d.path("metadata").path("name"))
                        .isEqualTo("meshwork:" + System.getProperty("meshwork.version"));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void kserveCrdsForClustersWithoutKServeAreCustomResourceDefinitionsWithAStatus() throws Exception {
        Rendered crds = Rendered.of("crds");
        assertThat(crds.objects()).isNotEmpty();
        for (ObjectNode o : crds.objects()) {
            StrictModel.read(o);
            assertThat(o.path("spec").path("versions").get(0).path("subresources").has("status")).as("the controller writes status").isTrue();
        }
        assertThat(crds.named("CustomResourceDefinition", "inferenceservices.serving.kserve.io").path("spec").path("group").asText())
                .isEqualTo("serving.kserve.io");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void selectorsAndPortsLineUp(String overlay) throws Exception {
        Rendered r = Rendered.of(overlay);
        List<ObjectNode> deployments = r.ofKind("Deployment");
        for (ObjectNode s : r.ofKind("Service")) {
            List<ObjectNode> selected = deployments.stream().filter(d -> Pods.selects(s.path("spec").path("selector"), Pods.podLabels(d))).toList();
            assertThat(selected).as("pods of Service %s", s.path("metadata").path("name")).isNotEmpty();
            for (JsonNode p : s.path("spec").path("ports")) {
                for (ObjectNode d : selected) {
                    JsonNode c = Pods.podSpec(d).path("containers").get(0);
                    assertThat(Pods.port(c, p.path("targetPort").asText())).as("port %s of Service %s in %s", p.path("targetPort"),
                            s.path("metadata").path("name"), d.path("metadata").path("name")).isPresent();
                }
            }
        }
        for (ObjectNode pdb : r.ofKind("PodDisruptionBudget")) {
            assertThat(deployments).as("pods of %s", pdb.path("metadata").path("name"))
                    .anyMatch(d -> Pods.selects(pdb.path("spec").path("selector").path("matchLabels"), Pods.podLabels(d)));
        }
        for (ObjectNode np : r.ofKind("NetworkPolicy")) {
            assertThat(deployments).as("pods of %s", np.path("metadata").path("name"))
                    .anyMatch(d -> Pods.selects(np.path("spec").path("podSelector").path("matchLabels"), Pods.podLabels(d)));
        }
        for (ObjectNode d : deployments) {
            assertThat(d.path("spec").path("selector").path("matchLabels")).isNotEmpty();
            assertThat(Pods.selects(d.path("spec").path("selector").path("matchLabels"), Pods.podLabels(d))).isTrue();
            assertThat(Pods.podSpec(d).path("serviceAccountName").asText()).as("the identity of %s", d.path("metadata").path("name"))
                    .isEqualTo(d.path("metadata").path("name").asText().equals("meshwork-controller") ? "meshwork-controller" : "meshwork");
            for (JsonNode v : Pods.podSpec(d).path("volumes")) {
                if (v.has("configMap")) {
                    r.named("ConfigMap", v.path("configMap").path("name").asText());
                }
                if (v.has("persistentVolumeClaim")) {
                    r.named("PersistentVolumeClaim", v.path("persistentVolumeClaim").path("claimName").asText());
                }
            }
            JsonNode sc = Pods.podSpec(d).path("containers").get(0).path("securityContext");
            assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
            assertThat(Pods.podSpec(d).path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void thePodsConfigurationHasOnlyKeysTheProcessesKnowAndProbesTheirPorts(String overlay) throws Exception {
        Rendered r = Rendered.of(overlay);
        ObjectNode router = r.named("Deployment", "meshwork-router");
        JsonNode rc = Pods.container(router, "router");
        Set<String> routerKeys = ConfigLoader.keys(RouterConfig.defaults()).keySet();
        Map<String, String> routerFile = leaves(Pods.mountedConfigFile(r, router, rc, Pods.configArg(rc)));
        assertThat(routerKeys).as("keys of the router's config file").containsAll(routerFile.keySet());
        assertThat(envKeys(rc)).as("MESHWORK_* variables of the router").allMatch(k -> routerKeys.contains(k));
        assertThat(Pods.port(rc, "http")).contains(Integer.parseInt(routerFile.get("http.port")));
        assertThat(Pods.port(rc, "grpc")).contains(Integer.parseInt(routerFile.get("grpc.port")));
        assertThat(Pods.port(rc, "hazelcast")).contains(Integer.parseInt(routerFile.get("cluster.port")));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(rc.path(probe).path("httpGet").path("port").asText()).as("router %s", probe).isEqualTo("http");
            assertThat(rc.path(probe).path("httpGet").path("scheme").asText("HTTP"))
                    .isEqualTo(Pods.literalEnv(rc).containsKey("MESHWORK_TLS_CERTFILE") ? "HTTPS" : "HTTP");
        }

        ObjectNode node = r.named("Deployment", "meshwork-node");
        JsonNode nc = Pods.container(node, "node");
        Set<String> nodeKeys = ConfigLoader.keys(NodeProcessConfig.defaults()).keySet();
        NodeProcessConfig config = nodeConfig(r, node, nc);
        assertThat(nodeKeys).containsAll(leaves(Pods.mountedConfigFile(r, node, nc, Pods.configArg(nc))).keySet());
        assertThat(envKeys(nc)).as("MESHWORK_* variables of the node").allMatch(k -> nodeKeys.contains(k));
        assertThat(Pods.envNames(nc)).contains("MESHWORK_NODE_NODEID", "MESHWORK_GRPC_ADVERTISEHOST", "MESHWORK_CLUSTER_HOST",
                "MESHWORK_PLACEMENT_KUBERNETESNODE");
        assertThat(Pods.port(nc, "grpc")).contains(config.grpc().port());
        assertThat(Pods.port(nc, "http")).contains(config.http().port());
        assertThat(Pods.port(nc, "hazelcast")).contains(config.cluster().port());
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(nc.path(probe).path("httpGet").path("port").asText()).as("node %s", probe).isEqualTo("http");
        }

        ObjectNode members = r.named("Service", "meshwork-hazelcast");
        assertThat(members.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(members.path("spec").path("publishNotReadyAddresses").asBoolean()).as("members find each other before they are ready").isTrue();
        assertThat(Pods.selects(members.path("spec").path("selector"), Pods.podLabels(router))).isTrue();
        assertThat(Pods.selects(members.path("spec").path("selector"), Pods.podLabels(node))).isTrue();
        assertThat(Pods.selects(members.path("spec").path("selector"), Pods.podLabels(r.named("Deployment", "meshwork-controller"))))
                .as("the controller is not a cluster member").isFalse();
        assertThat(config.cluster().kubernetes().enabled()).isTrue();
        assertThat(config.cluster().kubernetes().serviceName()).isEqualTo("meshwork-hazelcast").isEqualTo(routerFile.get("cluster.kubernetes.serviceName"));
        ObjectNode memberPolicy = r.named("NetworkPolicy", "meshwork-members");
        JsonNode memberIngress = memberPolicy.path("spec").path("ingress");
        assertThat(memberIngress).as("one rule: members from members").hasSize(1);
        assertThat(memberIngress.get(0).path("ports").get(0).path("port").asInt()).isEqualTo(config.cluster().port());
        JsonNode from = memberIngress.get(0).path("from").get(0).path("podSelector").path("matchLabels");
        assertThat(Pods.selects(from, Pods.podLabels(router))).isTrue();
        assertThat(Pods.selects(from, Pods.podLabels(node))).isTrue();
        assertThat(Pods.selects(from, Pods.podLabels(r.named("Deployment", "meshwork-controller"))))
                .as("Hazelcast's member port (no TLS, no authentication) is closed to every pod but members").isFalse();
        assertThat(Pods.selects(memberPolicy.path("spec").path("podSelector").path("matchLabels"), Pods.podLabels(router))).isTrue();
        assertThat(Pods.selects(memberPolicy.path("spec").path("podSelector").path("matchLabels"), Pods.podLabels(node))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void aNodeDrainsWithinItsGracePeriodAndItsMemoryPlanFitsItsLimit(String overlay) throws Exception {
        Rendered r = Rendered.of(overlay);
        ObjectNode node = r.named("Deployment", "meshwork-node");
        JsonNode nc = Pods.container(node, "node");
        NodeProcessConfig config = nodeConfig(r, node, nc);
        long graceMs = Pods.podSpec(node).path("terminationGracePeriodSeconds").asLong() * 1000;
        assertThat(graceMs).as("terminationGracePeriodSeconds against drain.timeoutMs + drain.graceMs")
                .isGreaterThan(config.drain().timeoutMs() + config.drain().graceMs());

        long limit = Pods.bytes(nc.path("resources").path("limits").path("memory").asText());
        assertThat(Pods.bytes(nc.path("resources").path("requests").path("memory").asText())).as("memory request = limit").isEqualTo(limit);
        long heap = MemoryPlan.childHeap(Arrays.asList(Pods.literalEnv(nc).getOrDefault("MESHWORK_JVM_OPTS", "").split("\\s+")));
        assertThat(Pods.literalEnv(nc).get("MESHWORK_JVM_OPTS")).as("the node's heap is set, not a share of the limit").contains("-Xmx");
        long slots = 0;
        long children = 0;
        assertThat(config.node().slots()).as("the node's slots are spelled out").isNotEmpty();
        for (NodeConfig.SlotConfig s : config.node().slots()) {
            long budget = s.memoryBytes() > 0 ? s.memoryBytes() : config.node().slotMemoryBytes();
            slots += budget * s.count();
            if (s.isolation().equals(NodeConfig.SlotConfig.PROCESS)) {
                children += s.count() * (MemoryPlan.childHeap(config.node().isolation().jvmOptions()) + MemoryPlan.CHILD_OVERHEAD);
            }
        }
        // the runtime processes the node starts from the catalog (Meshwork's Python runtime): their budgets and the processes
        for (NodeConfig.External e : dev.meshwork.node.runtime.external.LaunchedRuntimes.add(dev.meshwork.kserve.RuntimeCatalog.load(null),
                config.node())) {
            if (!e.command().isEmpty()) {
                slots += e.capacityBytes() > 0 ? e.capacityBytes() : config.node().slotMemoryBytes();
                children += MemoryPlan.LAUNCHED_OVERHEAD;
            }
        }
        MemoryPlan plan = new MemoryPlan(heap + JVM_OVERHEAD, slots, children, limit);
        assertThat(plan.warning()).as("heap %d MiB + slots %d MiB + processes %d MiB + JVM %d MiB in a %d MiB limit", heap >> 20, slots >> 20,
                children >> 20, JVM_OVERHEAD >> 20, limit >> 20).isEmpty();
        assertThat(children).as("xgboost and lightgbm run isolated").isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void theRuntimesConfigMapHoldsTheBuiltInCatalog(String overlay) throws Exception {
        ObjectNode cm = Rendered.of(overlay).configMap("meshwork-runtimes");
        Set<String> keys = new TreeSet<>(Pods.strings(cm.path("data")).keySet());
        assertThat(keys).hasSize(10);
        for (String key : keys) {
            try (InputStream in = dev.meshwork.kserve.RuntimeCatalog.class.getResourceAsStream("builtin/" + key)) {
                assertThat(in).as("built-in %s", key).isNotNull();
                assertThat(cm.path("data").path(key).asText()).as(key).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void discoveryMayReadItsEndpointsAndNothingMore(String overlay) throws Exception {
        Rendered r = Rendered.of(overlay);
        ObjectNode role = r.named("Role", "meshwork-discovery");
        Set<String> granted = new TreeSet<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode res : rule.path("resources")) {
                for (JsonNode verb : rule.path("verbs")) {
                    granted.add(res.asText() + ":" + verb.asText());
                }
            }
        }
        assertThat(granted).containsExactlyInAnyOrder("endpoints:get", "endpoints:list", "pods:get", "pods:list",
                "endpointslices:get", "endpointslices:list");
        ObjectNode binding = r.named("RoleBinding", "meshwork-discovery");
        assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo("meshwork");
        // nodes read their machine's labels, and nothing else cluster-wide
        JsonNode nodeRule = r.named("ClusterRole", "meshwork-node-labels").path("rules");
        assertThat(nodeRule).hasSize(1);
        assertThat(nodeRule.get(0).path("resources").toString()).isEqualTo("[\"nodes\"]");
        assertThat(nodeRule.get(0).path("verbs").toString()).isEqualTo("[\"get\"]");
        ObjectNode nodeBinding = r.named("ClusterRoleBinding", "meshwork-node-labels");
        assertThat(nodeBinding.path("subjects").get(0).path("namespace").asText())
                .isEqualTo(r.named("Deployment", "meshwork-node").path("metadata").path("namespace").asText());
        r.named("ServiceAccount", "meshwork");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void theControllerMayReadInferenceServicesAndWriteTheirStatusAndIsConfiguredWithKeysItKnows(String overlay) throws Exception {
        Rendered r = Rendered.of(overlay);
        Set<String> granted = new TreeSet<>();
        for (JsonNode rule : r.named("ClusterRole", "meshwork-controller").path("rules")) {
            for (JsonNode res : rule.path("resources")) {
                for (JsonNode verb : rule.path("verbs")) {
                    granted.add(res.asText() + ":" + verb.asText());
                }
            }
        }
        assertThat(granted).containsExactlyInAnyOrder("inferenceservices:get", "inferenceservices:list", "inferenceservices:watch",
                "inferenceservices/status:get", "inferenceservices/status:update", "inferenceservices/status:patch",
                "servingruntimes:get", "servingruntimes:list", "servingruntimes:watch",
                "clusterservingruntimes:get", "clusterservingruntimes:list", "clusterservingruntimes:watch");
        // it may rewrite the routers' catalog ConfigMap, and no other
        JsonNode cmRule = r.named("Role", "meshwork-controller-runtimes").path("rules").get(0);
        assertThat(cmRule.path("resources").get(0).asText()).isEqualTo("configmaps");
        String catalog = cmRule.path("resourceNames").get(0).asText();
        r.named("ConfigMap", catalog);
        assertThat(Pods.literalEnv(Pods.container(r.named("Deployment", "meshwork-controller"), "controller")))
                .containsEntry("MESHWORK_CONTROLLER_RUNTIMES_CONFIGMAP", catalog);
        for (String pods : List.of("meshwork-router", "meshwork-node")) {
            boolean mounted = false;
            for (JsonNode v : Pods.podSpec(r.named("Deployment", pods)).path("volumes")) {
                mounted |= v.path("configMap").path("name").asText().equals(catalog);
            }
            assertThat(mounted).as("%s mounts the ConfigMap the controller writes (nodes start its runtimes' processes)", pods).isTrue();
        }
        // it may read and annotate pods (pod-deletion-cost) in its own namespace, and do nothing else with them; its
        // selector finds the node pods and no other
        JsonNode podRule = r.named("Role", "meshwork-controller-pods").path("rules").get(0);
        assertThat(podRule.path("resources").toString()).isEqualTo("[\"pods\"]");
        assertThat(podRule.path("verbs").toString()).isEqualTo("[\"get\",\"list\",\"patch\"]");
        assertThat(r.named("RoleBinding", "meshwork-controller-pods").path("subjects").get(0).path("name").asText()).isEqualTo("meshwork-controller");
        Map<String, String> selector = new java.util.HashMap<>();
        for (String term : dev.meshwork.controller.ControllerConfig.defaults().nodes().labelSelector().split(",")) {
            selector.put(term.split("=")[0], term.split("=")[1]);
        }
        for (String pods : List.of("meshwork-router", "meshwork-node", "meshwork-controller")) {
            boolean selected = Pods.podLabels(r.named("Deployment", pods)).entrySet().containsAll(selector.entrySet());
            assertThat(selected).as("nodes.labelSelector selects %s", pods).isEqualTo(pods.equals("meshwork-node"));
        }
        ObjectNode binding = r.named("ClusterRoleBinding", "meshwork-controller");
        ObjectNode deployment = r.named("Deployment", "meshwork-controller");
        assertThat(binding.path("subjects").get(0).path("namespace").asText()).as("the binding names the controller's namespace")
                .isEqualTo(deployment.path("metadata").path("namespace").asText()).isNotEmpty();
        JsonNode c = Pods.container(deployment, "controller");
        assertThat(c.path("args").get(0).asText()).isEqualTo("controller");
        Set<String> keys = ConfigLoader.keys(dev.meshwork.controller.ControllerConfig.defaults()).keySet();
        for (String name : Pods.envNames(c)) {
            if (name.startsWith("MESHWORK_CONTROLLER_")) {
                String key = name.substring("MESHWORK_CONTROLLER_".length());
                assertThat(keys).as("%s names a key of the controller", name).anyMatch(k -> k.replace('.', '_').toUpperCase(Locale.ROOT).equals(key));
            }
        }
        String meshUrl = Pods.literalEnv(c).get("MESHWORK_CONTROLLER_MESH_URL");
        ObjectNode service = r.named("Service", "meshwork");
        assertThat(java.net.URI.create(meshUrl).getHost()).as("the controller calls the routers' Service")
                .isEqualTo("meshwork." + service.path("metadata").path("namespace").asText() + ".svc");
        assertThat(java.net.URI.create(meshUrl).getPort()).isEqualTo(service.path("spec").path("ports").get(0).path("port").asInt());
        assertThat(meshUrl).startsWith(Pods.literalEnv(Pods.container(r.named("Deployment", "meshwork-router"), "router"))
                .containsKey("MESHWORK_TLS_CERTFILE") ? "https://" : "http://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void theOverlaysSizeTheMeshAsDocumented(String overlay) throws Exception {
        Rendered r = Rendered.of(overlay);
        int routers = r.named("Deployment", "meshwork-router").path("spec").path("replicas").asInt();
        int nodes = r.named("Deployment", "meshwork-node").path("spec").path("replicas").asInt();
        JsonNode rc = Pods.container(r.named("Deployment", "meshwork-router"), "router");
        if (overlay.endsWith("dev")) {
            assertThat(List.of(routers, nodes)).containsExactly(1, 2);
            r.named("PersistentVolumeClaim", "meshwork-registry");
            assertThat(r.named("Deployment", "meshwork-router").path("spec").path("strategy").path("type").asText()).isEqualTo("Recreate");
        } else {
            assertThat(List.of(routers, nodes)).containsExactly(3, 3);
            assertThat(Pods.envNames(rc)).contains("MESHWORK_REGISTRY_JDBCURL", "MESHWORK_TLS_CERTFILE", "MESHWORK_AUTH_TOKENSFILE");
            JsonNode spread = Pods.podSpec(r.named("Deployment", "meshwork-node")).path("topologySpreadConstraints").get(0);
            assertThat(spread.path("topologyKey").asText()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(r.ofKind("ServiceMonitor")).hasSize(2);
            assertThat(r.ofKind("PrometheusRule")).hasSize(1);
        }
    }

    /** The node's configuration as the process would load it: the mounted file plus the literal MESHWORK_* values. */
    static NodeProcessConfig nodeConfig(Rendered r, ObjectNode node, JsonNode container) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("node", ".yaml");
        try {
            java.nio.file.Files.writeString(file, Pods.mountedConfigFile(r, node, container, Pods.configArg(container)));
            Map<String, String> env = new HashMap<>(Pods.literalEnv(container));
            env.values().removeIf(v -> v.startsWith("/etc/meshwork/")); // mounted files (certificates, storage keys) exist only in the pod
            // the runtimes directory is the mounted meshwork-runtimes ConfigMap, which exists only in the pod (its content is the
            // built-in catalog, which theRuntimesConfigMapHoldsTheBuiltInCatalog checks)
            return ConfigLoader.load(NodeProcessConfig.class, NodeProcessConfig.defaults(), "MESHWORK_", env,
                    List.of("--config=" + file, "--runtimes.dir=")).config();
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** A YAML configuration file's keys (dotted; a list is one leaf) with their values as text. */
    static Map<String, String> leaves(String yaml) throws Exception {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        walk(Rendered.YAML.readTree(yaml), "", out);
        return out;
    }

    private static void walk(JsonNode node, String prefix, Map<String, String> out) {
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) {
                walk(e.getValue(), prefix + e.getKey() + ".", out);
            } else {
                out.put(prefix + e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
            }
        });
    }

    /** The configuration keys of a container's MESHWORK_* variables (the launcher's own MESHWORK_JVM_OPTS aside). */
    private static List<String> envKeys(JsonNode container) {
        List<String> out = new ArrayList<>();
        for (String name : Pods.envNames(container)) {
            if (name.startsWith("MESHWORK_") && !name.equals("MESHWORK_JVM_OPTS")) {
                out.add(name.substring("MESHWORK_".length()));
            }
        }
        return out.stream().map(k -> toKey(k, container)).toList();
    }

    /** MESHWORK_NODE_STORAGE_CACHEDIR back to node.storage.cacheDir, by matching against the process's keys. */
    private static String toKey(String env, JsonNode container) {
        Set<String> all = new TreeSet<>(ConfigLoader.keys(RouterConfig.defaults()).keySet());
        all.addAll(ConfigLoader.keys(NodeProcessConfig.defaults()).keySet());
        return all.stream().filter(k -> k.replace('.', '_').toUpperCase(Locale.ROOT).equals(env)).findFirst()
                .orElse("(unknown: MESHWORK_" + env + " in " + container.path("name").asText() + ")");
    }
}
