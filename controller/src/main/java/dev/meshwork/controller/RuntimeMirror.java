package dev.meshwork.controller;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Mirrors the cluster's ServingRuntimes and ClusterServingRuntimes into the ConfigMap the routers
 * read their runtime catalog from ({@code runtimes.dir}, where the manifests mount it): one
 * document per object ({@code servingruntime-<namespace>-<name>.yaml},
 * {@code clusterservingruntime-<name>.yaml}), holding its name, namespace, labels, annotations and
 * spec. The ConfigMap's content is replaced as a whole, so a deleted runtime disappears from it; the
 * routers reload the directory when Kubernetes updates the mounted files, and a document with a
 * built-in's kind and name replaces the built-in. Threads: informer callbacks only mark the mirror
 * stale; one scheduler thread writes, at most every half second.
 */
final class RuntimeMirror implements AutoCloseable {
    static final ResourceDefinitionContext SERVING_RUNTIMES = new ResourceDefinitionContext.Builder().withGroup("serving.kserve.io")
            .withVersion("v1alpha1").withKind("ServingRuntime").withPlural("servingruntimes").withNamespaced(true).build();
    static final ResourceDefinitionContext CLUSTER_SERVING_RUNTIMES = new ResourceDefinitionContext.Builder().withGroup("serving.kserve.io")
            .withVersion("v1alpha1").withKind("ClusterServingRuntime").withPlural("clusterservingruntimes").withNamespaced(false).build();
    /** A ConfigMap holds at most 1 MiB; the routers' poller reads at most 1,000 files. */
    static final int MAX_BYTES = 1_000_000;
    static final int MAX_DOCUMENTS = 1000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RuntimeMirror.class);
    private final KubernetesClient client;
    private final String namespace;
    private final String configMap;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final AtomicBoolean stale = new AtomicBoolean(true);
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshwork-controller-runtimes");
        t.setDaemon(true);
        return t;
    });
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();

    RuntimeMirror(KubernetesClient client, String namespace, String configMap) {
        this.client = client;
        this.namespace = namespace;
        this.configMap = configMap;
    }

    void start(long resyncMs) throws Exception {
        ResourceEventHandler<GenericKubernetesResource> mark = new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource r) {
                stale.set(true);
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                stale.set(true);
            }

            @Override
            public void onDelete(GenericKubernetesResource r, boolean finalStateUnknown) {
                stale.set(true);
            }
        };
        informers.add(client.genericKubernetesResources(SERVING_RUNTIMES).inAnyNamespace().inform(mark, resyncMs));
        informers.add(client.genericKubernetesResources(CLUSTER_SERVING_RUNTIMES).inform(mark, resyncMs));
        for (SharedIndexInformer<GenericKubernetesResource> i : informers) {
            i.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        writer.scheduleWithFixedDelay(this::mirrorIfStale, 0, 500, TimeUnit.MILLISECONDS);
    }

    private void mirrorIfStale() {
        if (!stale.getAndSet(false)) {
            return;
        }
        try {
            mirror();
        } catch (RuntimeException e) {
            stale.set(true); // the API server is away: the next tick tries again
            LOG.warn("could not write the runtime catalog to ConfigMap {}/{}: {}", namespace, configMap, e.toString());
        }
    }

    /** The catalog documents of the runtimes the informers hold now, by file name. */
    Map<String, String> documents() {
        Map<String, String> out = new TreeMap<>();
        for (GenericKubernetesResource r : informers.get(0).getStore().list()) {
            out.put("servingruntime-" + r.getMetadata().getNamespace() + "-" + r.getMetadata().getName() + ".yaml", document(r));
        }
        for (GenericKubernetesResource r : informers.get(1).getStore().list()) {
            out.put("clusterservingruntime-" + r.getMetadata().getName() + ".yaml", document(r));
        }
        return out;
    }

    private void mirror() {
        Map<String, String> data = documents();
        int bytes = data.entrySet().stream().mapToInt(e -> e.getKey().length() + e.getValue().length()).sum();
        if (data.size() > MAX_DOCUMENTS || bytes > MAX_BYTES) {
            LOG.error("the cluster's {} ServingRuntimes and ClusterServingRuntimes ({} bytes) do not fit in ConfigMap {}/{} (at most {} documents,"
                    + " {} bytes); the catalog is left as it was", data.size(), bytes, namespace, configMap, MAX_DOCUMENTS, MAX_BYTES);
            return;
        }
        var resource = client.configMaps().inNamespace(namespace).withName(configMap);
        ConfigMap current = resource.get();
        if (current != null && data.equals(current.getData() == null ? Map.of() : current.getData())) {
            return;
        }
        if (current == null) {
            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(configMap)
                    .withNamespace(namespace).endMetadata().withData(data).build()).create();
        } else {
            resource.edit(c -> new ConfigMapBuilder(c).withData(data).build());
        }
        LOG.info("runtime catalog in ConfigMap {}/{}: {}", namespace, configMap, data.keySet());
    }

    /** An object as a catalog document: what the routers' parser reads, without the server's bookkeeping. */
    private String document(GenericKubernetesResource r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", r.getApiVersion());
        doc.put("kind", r.getKind());
        ObjectMeta m = r.getMetadata();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", m.getName());
        if (m.getNamespace() != null) {
            meta.put("namespace", m.getNamespace());
        }
        if (m.getLabels() != null && !m.getLabels().isEmpty()) {
            meta.put("labels", m.getLabels());
        }
        if (m.getAnnotations() != null && !m.getAnnotations().isEmpty()) {
            meta.put("annotations", m.getAnnotations());
        }
        doc.put("metadata", meta);
        doc.put("spec", r.getAdditionalProperties().getOrDefault("spec", Map.of()));
        return "# mirrored by the Meshwork controller from " + r.getKind() + " " + (m.getNamespace() == null ? "" : m.getNamespace() + "/")
                + m.getName() + "; edit the object, not this file\n" + serialization.asYaml(doc);
    }

    @Override
    public void close() {
        writer.shutdownNow();
        informers.forEach(SharedIndexInformer::close);
    }
}
