package dev.meshwork.controller;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.config.ProcessLogging;
import dev.meshwork.config.ProcessStop;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code ./meshwork controller}: serves the cluster's ModelMesh InferenceServices from the mesh. */
public final class ControllerMain {
    private ControllerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProcessLogging.install();
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8", "warn");
        // KServe's API is v1beta1 for good: fabric8's warning about an unstable version says nothing here
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
        ControllerConfig config = ConfigLoader.loadOrExit("meshwork controller", ControllerConfig.class, ControllerConfig.defaults(),
                "MESHWORK_CONTROLLER_", args).config();
        KubernetesClient client;
        InferenceServiceController controller;
        RuntimeMirror runtimes = null;
        PodDeletionCosts costs = null;
        try {
            client = new KubernetesClientBuilder().withConfig(kubernetes(config.kubernetes())).build();
            if (!config.runtimes().configMap().isEmpty()) {
                String ns = config.runtimes().namespace().isEmpty() ? client.getNamespace() : config.runtimes().namespace();
                runtimes = new RuntimeMirror(client, ns == null ? "default" : ns, config.runtimes().configMap());
                runtimes.start(config.resyncMs());
            }
            MeshClient mesh = new MeshClient(config.mesh());
            controller = new InferenceServiceController(client, config, mesh);
            controller.start();
            if (config.nodes().deletionCost()) {
                String ns = config.nodes().namespace().isEmpty() ? client.getNamespace() : config.nodes().namespace();
                costs = new PodDeletionCosts(client, mesh, ns == null ? "default" : ns, config.nodes().labelSelector());
                costs.start(config.resyncMs());
            }
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            System.err.println("meshwork controller: cannot start: " + e.getMessage() + (root == e ? "" : " (" + root + ")")
                    + "; the Kubernetes API server is " + (config.kubernetes().apiUrl().isEmpty() ? "the pod's or the kubeconfig's"
                    : config.kubernetes().apiUrl()) + ", the mesh " + config.mesh().url());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        RuntimeMirror mirror = runtimes;
        PodDeletionCosts podCosts = costs;
        ProcessStop.install("meshwork-controller-shutdown", () -> {
            if (podCosts != null) {
                podCosts.close();
            }
            controller.close();
            if (mirror != null) {
                mirror.close();
            }
            client.close();
            stopped.countDown();
        });
        System.out.println("Meshwork controller is up: " + controller.watched() + " InferenceServices in "
                + (config.kubernetes().namespace().isEmpty() ? "every namespace" : "namespace " + config.kubernetes().namespace())
                + " at " + client.getMasterUrl() + ", served by the mesh at " + config.mesh().url()
                + (runtimes == null ? "" : "; ServingRuntimes mirrored into ConfigMap " + config.runtimes().configMap())
                + (costs == null ? "" : "; node pods (" + config.nodes().labelSelector() + ") get pod-deletion-cost"));
        System.out.flush();
        stopped.await();
    }

    /** The API server's address and credentials: the pod's own or the kubeconfig's, with what the configuration overrides. */
    static Config kubernetes(ControllerConfig.Kubernetes k) throws IOException {
        ConfigBuilder b = new ConfigBuilder(Config.autoConfigure(null));
        if (!k.apiUrl().isEmpty()) {
            b.withMasterUrl(k.apiUrl());
        }
        if (!k.tokenFile().isEmpty()) {
            b.withOauthToken(Files.readString(Path.of(k.tokenFile())).strip());
        }
        if (!k.caFile().isEmpty()) {
            b.withCaCertFile(k.caFile());
        }
        return b.build();
    }
}
