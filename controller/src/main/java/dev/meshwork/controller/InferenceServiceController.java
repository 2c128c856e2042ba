package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches InferenceServices (fabric8's informer) and keeps the mesh and their statuses in line:
 * every add, change, delete and periodic resync queues the object's key, and one worker thread
 * reconciles keys one at a time (a key queued twice is reconciled once). A resync skips an
 * InferenceService that was serving and up to date less than a minute ago, so a cluster of many
 * steady models costs the mesh a status read per model per minute, not per resync. At start, once the
 * informer has listed everything, the controller's vmodels whose InferenceService is gone are
 * removed, and vmodels registered by hand are reported and left alone. Threads: the informer's
 * (callbacks only queue) and the worker.
 */
final class InferenceServiceController implements AutoCloseable {
    static final ResourceDefinitionContext INFERENCE_SERVICES = new ResourceDefinitionContext.Builder().withGroup("serving.kserve.io")
            .withVersion("v1beta1").withKind("InferenceService").withPlural("inferenceservices").withNamespaced(true).build();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InferenceServiceController.class);
    private final KubernetesClient client;
    private final ControllerConfig config;
    private final MeshClient mesh;
    private final Reconciler reconciler;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final Set<String> queued = new LinkedHashSet<>(); // guarded by itself
    /** When each steady InferenceService (serving, up to date) was last found so: the worker writes, the informer's thread reads. */
    private final Map<String, Long> steady = new java.util.concurrent.ConcurrentHashMap<>();
    private static final long STEADY_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(60);
    private final Thread worker;
    private volatile boolean closed;
    private SharedIndexInformer<GenericKubernetesResource> informer;

    InferenceServiceController(KubernetesClient client, ControllerConfig config, MeshClient mesh) {
        this.client = client;
        this.config = config;
        this.mesh = mesh;
        this.reconciler = new Reconciler(mesh, config);
        this.worker = new Thread(this::work, "meshwork-controller-worker");
        this.worker.setDaemon(true);
    }

    /** Lists and watches InferenceServices, cleans up after ones deleted while the controller was away, then reconciles. */
    void start() throws Exception {
        var resources = client.genericKubernetesResources(INFERENCE_SERVICES);
        var scope = config.kubernetes().namespace().isEmpty() ? resources.inAnyNamespace() : resources.inNamespace(config.kubernetes().namespace());
        informer = scope.inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource r) {
                queue(key(r));
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                String key = key(after);
                boolean resync = Objects.equals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
                Long steadySince = steady.get(key);
                if (resync && steadySince != null && System.nanoTime() - steadySince < STEADY_RECHECK_NANOS) {
                    return; // served and up to date: looked at again once a minute, not at every resync
                }
                queue(key);
            }

            @Override
            public void onDelete(GenericKubernetesResource r, boolean finalStateUnknown) {
                queue(key(r));
            }
        }, config.resyncMs());
        informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        removeOrphans();
        worker.start();
    }

    /** The InferenceServices the informer holds now (for the banner and tests). */
    int watched() {
        return informer.getStore().list().size();
    }

    private void removeOrphans() {
        List<String> byHand = new ArrayList<>();
        try {
            for (JsonNode v : mesh.vmodels()) {
                String namespace = v.path("namespace").asText();
                String name = v.path("name").asText();
                if (!v.path("owner").asText().equals(config.owner())) {
                    byHand.add(namespace + "/" + name);
                    continue;
                }
                GenericKubernetesResource isvc = informer.getStore().getByKey(namespace + "/" + name);
                if (isvc == null || !Reconciler.isModelMesh(json(isvc))) {
                    reconciler.forget(namespace, name);
                }
            }
        } catch (Exception e) {
            LOG.warn("could not compare the mesh's vmodels with the InferenceServices at start (the mesh at {}): {}", config.mesh().url(), e.toString());
        }
        if (!byHand.isEmpty()) {
            LOG.info("vmodels not made by this controller are left alone: {}", byHand);
        }
    }

    private void queue(String key) {
        synchronized (queued) {
            if (queued.add(key)) {
                queued.notifyAll();
            }
        }
    }

    private void work() {
        while (!closed) {
            String key;
            synchronized (queued) {
                while (queued.isEmpty() && !closed) {
                    try {
                        queued.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                key = queued.iterator().next();
                queued.remove(key);
            }
            try {
                reconcile(key);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the mesh or the API server is away: the next resync tries again
                LOG.warn("InferenceService {}: {}", key, e.toString());
            }
        }
    }

    private void reconcile(String key) throws Exception {
        int slash = key.indexOf('/');
        String namespace = key.substring(0, slash);
        String name = key.substring(slash + 1);
        GenericKubernetesResource isvc = informer.getStore().getByKey(key);
        JsonNode doc = isvc == null ? null : json(isvc);
        if (doc == null || !Reconciler.isModelMesh(doc)) {
            steady.remove(key);
            reconciler.forget(namespace, name);
            return;
        }
        JsonNode old = doc.get("status");
        ObjectNode status = reconciler.reconcile(doc, old);
        JsonNode model = status.path("modelStatus");
        String active = model.path("states").path("activeModelState").asText();
        if (model.path("transitionStatus").asText().equals("UpToDate") && (active.equals("Loaded") || active.equals("Standby"))) {
            steady.put(key, System.nanoTime());
        } else {
            steady.remove(key);
        }
        if (!status.equals(old)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> value = MeshClient.JSON.convertValue(status, Map.class);
            client.genericKubernetesResources(INFERENCE_SERVICES).inNamespace(namespace).withName(name).editStatus(r -> {
                r.setAdditionalProperty("status", value);
                return r;
            });
        }
    }

    private JsonNode json(GenericKubernetesResource r) {
        try {
            return MeshClient.JSON.readTree(serialization.asJson(r));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an InferenceService did not read back as JSON", e);
        }
    }

    private static String key(GenericKubernetesResource r) {
        return r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        if (informer != null) {
            informer.close();
        }
    }
}
