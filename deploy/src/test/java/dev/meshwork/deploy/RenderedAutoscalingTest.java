package dev.meshwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/autoscaling/ as kubectl renders it: KEDA's ScaledObject and the HPA alternative follow the
 * routers' meshwork_desired_nodes on the node Deployment, one for one, within the bounds the routers
 * are configured with, and say nothing a strict reading of their APIs does not know.
 */
class RenderedAutoscalingTest {
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** KEDA's keda.sh/v1alpha1 ScaledObject, the fields these manifests set (fabric8 ships no model for it); any other is an error. */
    record ScaledObject(String apiVersion, String kind, Meta metadata, Spec spec) {
    }

    record Meta(String name, Map<String, String> labels) {
    }

    record Spec(Target scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod, Integer minReplicaCount, Integer maxReplicaCount,
                Advanced advanced, List<Trigger> triggers) {
    }

    record Target(String apiVersion, String kind, String name) {
    }

    record Advanced(HpaConfig horizontalPodAutoscalerConfig) {
    }

    record HpaConfig(Behavior behavior) {
    }

    record Behavior(Rules scaleDown) {
    }

    record Rules(Integer stabilizationWindowSeconds, List<Policy> policies) {
    }

    record Policy(String type, Integer value, Integer periodSeconds) {
    }

    record Trigger(String type, String metricType, Map<String, String> metadata) {
    }

    /** The routers' autoscale.minNodes and maxNodes, as their configuration file sets them. */
    private static int[] routerBounds() throws Exception {
        Map<String, String> keys = RenderedManifestsTest.leaves(Files.readString(Rendered.deployDir().resolve("base/config/router.yaml")));
        return new int[] {Integer.parseInt(keys.get("autoscale.minNodes")), Integer.parseInt(keys.get("autoscale.maxNodes"))};
    }

    @Test
    void kedaFollowsTheRoutersCountOnTheNodeDeployment() throws Exception {
        Rendered keda = Rendered.of("autoscaling/keda");
        assertThat(keda.objects()).hasSize(1);
        ScaledObject so = STRICT.treeToValue(keda.named("ScaledObject", "meshwork-node"), ScaledObject.class);
        assertThat(so.apiVersion()).isEqualTo("keda.sh/v1alpha1");
        Rendered.of("overlays/dev").named(so.spec().scaleTargetRef().kind(), so.spec().scaleTargetRef().name()); // the node Deployment
        assertThat(so.spec().scaleTargetRef().name()).isEqualTo("meshwork-node");
        int[] bounds = routerBounds();
        assertThat(List.of(so.spec().minReplicaCount(), so.spec().maxReplicaCount())).containsExactly(bounds[0], bounds[1]);
        Trigger t = so.spec().triggers().getFirst();
        assertThat(so.spec().triggers()).hasSize(1);
        assertThat(t.type()).isEqualTo("prometheus");
        // AverageValue 1: replicas = ceil(metric / 1), the routers' count itself; the highest router's, as the README says
        assertThat(t.metricType()).isEqualTo("AverageValue");
        assertThat(t.metadata()).containsEntry("threshold", "1").containsEntry("query", "max(meshwork_desired_nodes)");
        assertThat(t.metadata().get("serverAddress")).startsWith("http");
        Rules down = so.spec().advanced().horizontalPodAutoscalerConfig().behavior().scaleDown();
        assertThat(down.stabilizationWindowSeconds()).as("the routers stabilise; the HPA must not add its own 5 minutes").isZero();
        assertThat(down.policies()).singleElement().isEqualTo(new Policy("Pods", 1, 60));
    }

    @Test
    void theHpaAlternativeFollowsTheSameCountAsAStrictAutoscalingV2Object() throws Exception {
        Rendered r = Rendered.of("autoscaling/hpa");
        assertThat(r.objects()).hasSize(1);
        JsonNode object = r.named("HorizontalPodAutoscaler", "meshwork-node");
        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) StrictModel.read(object);
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("meshwork-node");
        int[] bounds = routerBounds();
        assertThat(List.of(hpa.getSpec().getMinReplicas(), hpa.getSpec().getMaxReplicas())).containsExactly(bounds[0], bounds[1]);
        MetricSpec m = hpa.getSpec().getMetrics().getFirst();
        assertThat(m.getType()).isEqualTo("External");
        assertThat(m.getExternal().getMetric().getName()).isEqualTo("meshwork_desired_nodes");
        assertThat(m.getExternal().getTarget().getType()).isEqualTo("AverageValue");
        assertThat(m.getExternal().getTarget().getAverageValue().toString()).isEqualTo("1");
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isZero();
    }
}
