package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps each node pod's {@code controller.kubernetes.io/pod-deletion-cost} equal to what the
 * routers say losing that node would cost ({@code removalCost} in {@code GET /v1/mesh/nodes}), so a
 * Deployment scaled down (by KEDA, an HPA or by hand) removes the node whose hot copies are held
 * elsewhere or cold; the node then drains as on any SIGTERM. Pods whose name is no mesh node (not
 * joined yet) are left alone: Kubernetes removes pods that are not ready first anyway. Runs on its
 * own single thread; a failed round is logged once per distinct message and retried next period.
 */
final class PodDeletionCosts implements AutoCloseable {
    static final String ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";
    private final KubernetesClient client;
    private final MeshClient mesh;
    private final String namespace;
    private final String selector;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("meshwork-pod-deletion-cost").factory());
    private String lastProblem = "";

    PodDeletionCosts(KubernetesClient client, MeshClient mesh, String namespace, String selector) {
        this.client = client;
        this.mesh = mesh;
        this.namespace = namespace;
        this.selector = selector;
    }

    void start(long periodMs) {
        thread.scheduleWithFixedDelay(this::roundLogged, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    private void roundLogged() {
        try {
            round();
            lastProblem = "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String problem = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!problem.equals(lastProblem)) {
                System.err.println("meshwork controller: cannot set the node pods' pod-deletion-cost in namespace " + namespace + ": "
                        + problem + " (retried every period)");
                lastProblem = problem;
            }
        }
    }

    /** Reads the mesh's costs and writes those that differ from the pods' annotations; returns how many it wrote. */
    int round() throws Exception {
        Map<String, Integer> costs = new HashMap<>();
        for (JsonNode n : mesh.nodes()) {
            costs.put(n.path("node").asText(), n.path("removalCost").asInt(0));
        }
        int written = 0;
        for (Pod pod : client.pods().inNamespace(namespace).withLabelSelector(selector).list().getItems()) {
            Integer cost = costs.get(pod.getMetadata().getName());
            if (cost == null) {
                continue;
            }
            String want = Integer.toString(cost);
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            if (annotations != null && want.equals(annotations.get(ANNOTATION))) {
                continue;
            }
            client.pods().inNamespace(namespace).withName(pod.getMetadata().getName())
                    .edit(p -> new PodBuilder(p).editMetadata().addToAnnotations(ANNOTATION, want).endMetadata().build());
            written++;
        }
        return written;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
