package dev.meshwork.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The mapping from a vmodel's state to KServe's InferenceService status, case by case. */
class InferenceServiceStatusTest {
    @ParameterizedTest(name = "{0} {1}/{2} -> {3} {4}/{5} ready={6}")
    @CsvSource({
            // vmodel state, active model, target model -> transition, active state, target state, ready
            "DEFINED,        LOADED,     LOADED,     UpToDate,            Loaded,       '',           True",
            "DEFINED,        NOT_LOADED, NOT_LOADED, UpToDate,            Standby,      '',           True",
            "DEFINED,        LOADING,    LOADING,    UpToDate,            Loading,      '',           False",
            "DEFINED,        FAILED,     FAILED,     BlockedByFailedLoad, FailedToLoad, '',           False",
            "TRANSITIONING,  LOADED,     LOADING,    InProgress,          Loaded,       Loading,      True",
            "TRANSITION_FAILED, LOADED,  FAILED,     BlockedByFailedLoad, Loaded,       FailedToLoad, True",
    })
    void aVModelsStateMapsToKServesModelStatus(String vmodel, String active, String target, String transition, String activeState,
                                               String targetState, String ready) {
        ObjectNode v = MeshClient.JSON.createObjectNode().put("name", "m").put("state", vmodel).put("activeModel", "m__isvc-a")
                .put("targetModel", "m__isvc-b").put("error", vmodel.equals("TRANSITION_FAILED") ? "bad bytes" : "");
        v.set("active", model(active, "boom"));
        v.set("target", model(target, "bad bytes"));
        JsonNode s = InferenceServiceStatus.of(new InferenceServiceStatus.Input("m", "http://mesh:8080", "grpc://mesh:8081", v, ""));
        assertThat(s.path("modelStatus").path("transitionStatus").asText()).isEqualTo(transition);
        assertThat(s.path("modelStatus").path("states").path("activeModelState").asText()).isEqualTo(activeState);
        assertThat(s.path("modelStatus").path("states").path("targetModelState").asText("")).isEqualTo(targetState);
        assertThat(s.path("conditions").get(1).path("type").asText()).isEqualTo("Ready");
        assertThat(s.path("conditions").get(1).path("status").asText()).isEqualTo(ready);
        if (transition.equals("BlockedByFailedLoad")) {
            JsonNode f = s.path("modelStatus").path("lastFailureInfo");
            assertThat(f.path("reason").asText()).isEqualTo("ModelLoadFailed");
            assertThat(f.path("location").asText()).isEqualTo("node-1");
            assertThat(f.path("message").asText()).isIn("boom", "bad bytes");
        } else {
            assertThat(s.path("modelStatus").has("lastFailureInfo")).isFalse();
        }
    }

    @Test
    void anUnservableSpecIsInvalidAndNamesWhyAndTheAddressesFollowTheConfiguration() {
        JsonNode s = InferenceServiceStatus.of(new InferenceServiceStatus.Input("m", "http://mesh:8080", "grpc://mesh:8081", null,
                "the mesh refused m__isvc-a: no runtime is auto-selected for model format 'sklearn'"));
        assertThat(s.path("modelStatus").path("transitionStatus").asText()).isEqualTo("InvalidSpec");
        assertThat(s.path("modelStatus").path("states").path("activeModelState").asText()).isEqualTo("Pending");
        assertThat(s.path("modelStatus").path("lastFailureInfo").path("reason").asText()).isEqualTo("NoSupportingRuntime");
        assertThat(s.path("url").asText()).isEqualTo("grpc://mesh:8081");
        assertThat(s.path("address").path("url").asText()).isEqualTo("http://mesh:8080/v2/models/m");
        assertThat(s.path("components").path("predictor").path("restUrl").asText()).isEqualTo("http://mesh:8080");
    }

    @Test
    void timesAreKeptWhileNothingChangesSoAnUnchangedStatusIsNotWrittenAgain() {
        ObjectNode v = MeshClient.JSON.createObjectNode().put("state", "DEFINED").put("activeModel", "a").put("targetModel", "a");
        v.set("active", model("LOADED", ""));
        InferenceServiceStatus.Input in = new InferenceServiceStatus.Input("m", "http://mesh:8080", "grpc://mesh:8081", v, "");
        ObjectNode first = StatusTimes.stamp(InferenceServiceStatus.of(in), null, Instant.parse("2026-11-26T10:00:00Z"));
        ObjectNode again = StatusTimes.stamp(InferenceServiceStatus.of(in), first, Instant.parse("2026-11-26T10:05:00Z"));
        assertThat(again).isEqualTo(first);
        v.set("active", model("LOADING", ""));
        ObjectNode changed = StatusTimes.stamp(InferenceServiceStatus.of(in), first, Instant.parse("2026-11-26T10:06:00Z"));
        assertThat(changed.path("conditions").get(0).path("lastTransitionTime").asText()).isEqualTo("2026-11-26T10:06:00Z");
    }

    private static ObjectNode model(String state, String error) {
        ObjectNode m = MeshClient.JSON.createObjectNode().put("state", state).put("error", state.equals("FAILED") ? error : "");
        m.putArray("copies").addObject().put("node", "node-1").put("state", state);
        return m;
    }
}
