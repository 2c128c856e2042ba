package dev.meshwork.kserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KServe's selection rules, one table row per rule, over a catalog that exercises each of them. */
class RuntimeSelectorTest {
    static final List<ServingRuntime> CATALOG = ServingRuntimeParser.parse("test.yaml", """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: cluster-sk}
            spec:
              supportedModelFormats:
                - {name: sklearn, version: "1", autoSelect: true, priority: 1}
                - {name: onnx, version: "1", autoSelect: true, priority: 5}
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: cluster-high}
            spec:
              supportedModelFormats:
                - {name: sklearn, version: "1", autoSelect: true, priority: 3}
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata: {name: ns-high, namespace: team}
            spec:
              supportedModelFormats:
                - {name: sklearn, version: "1", autoSelect: true, priority: 3}
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: b-tie}
            spec:
              supportedModelFormats: [{name: xgboost, autoSelect: true, priority: 2}]
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: a-tie}
            spec:
              supportedModelFormats: [{name: xgboost, autoSelect: true, priority: 2}]
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: switched-off}
            spec:
              disabled: true
              supportedModelFormats: [{name: pmml, autoSelect: true, priority: 9}, {name: onnx, version: "1", autoSelect: true, priority: 9}]
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: ClusterServingRuntime
            metadata: {name: manual}
            spec:
              supportedModelFormats: [{name: pytorch, version: "1"}, {name: onnx, version: "1", priority: 50}]
            ---
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata: {name: cluster-sk, namespace: team}
            spec:
              supportedModelFormats: [{name: sklearn, version: "1"}]
            """);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            highest priority of the matching entry wins         | default | onnx    |   |             | cluster-sk
            a version must be listed (sklearn 1 lists it)       | default | sklearn | 1 |             | cluster-high
            no version given: every version of the format counts | default | sklearn |   |             | cluster-high
            tie at the same priority: namespace before cluster  | team    | sklearn | 1 |             | ns-high
            tie at cluster scope: name order                    | default | xgboost |   |             | a-tie
            disabled runtimes are never auto-selected           | default | onnx    | 1 |             | cluster-sk
            explicit: the namespace's runtime comes first       | team    | sklearn | 1 | cluster-sk  | cluster-sk@team
            explicit: else the cluster's                        | default | sklearn | 1 | cluster-sk  | cluster-sk@
            explicit: autoSelect false does not matter          | default | pytorch | 1 | manual      | manual@
            """)
    void selects(String rule, String namespace, String format, String version, String runtime, String expected) {
        ServingRuntime r = RuntimeSelector.select(CATALOG, namespace, format, version == null ? "" : version, runtime == null ? "" : runtime);
        if (expected.contains("@")) {
            assertThat(r.name() + "@" + r.namespace()).as(rule).isEqualTo(expected);
        } else {
            assertThat(r.name()).as(rule).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            KServe's example: sklearn version 0 does not select a runtime listing only 1 | default | sklearn | 0 |         | no runtime is auto-selected for model format 'sklearn' version '0' in namespace 'default': cluster-sk (version 1) lists another version
            autoSelect false is not a candidate                 | default | pytorch |   |         | manual (version 1) has autoSelect false
            a format nobody lists                               | default | caffe   |   |         | no runtime lists that format
            a disabled runtime says so                          | default | pmml    |   |         | switched-off is disabled
            explicit runtime that does not exist                | default | onnx    |   | nope    | runtime 'nope' is neither a ServingRuntime in namespace 'default' nor a ClusterServingRuntime
            explicit runtime that is disabled                   | default | onnx    |   | switched-off | runtime 'switched-off' (ClusterServingRuntime/switched-off) is disabled
            explicit runtime without the format                 | default | xgboost |   | manual  | runtime 'manual' does not support model format 'xgboost'; it supports [pytorch:1, onnx:1]
            explicit runtime without the version                | default | pytorch | 2 | manual  | runtime 'manual' supports model format 'pytorch' in versions [1], not version '2'
            """)
    void refuses(String rule, String namespace, String format, String version, String runtime, String message) {
        assertThatThrownBy(() -> RuntimeSelector.select(CATALOG, namespace, format, version == null ? "" : version, runtime == null ? "" : runtime))
                .as(rule).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "built-in: {0} {1} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            onnx       |   |                     | kserve-tritonserver
            tensorflow | 2 |                     | kserve-tensorflow-serving
            pytorch    |   |                     | kserve-torchserve
            pytorch    | 1 | kserve-tritonserver | kserve-tritonserver
            xgboost    |   |                     | kserve-xgbserver
            xgboost    | 2 | kserve-mlserver     | kserve-mlserver
            lightgbm   | 4 |                     | kserve-lgbserver
            sklearn    |   |                     | kserve-mlserver
            sklearn    | 1 | kserve-sklearnserver | kserve-sklearnserver
            mlflow     |   |                     | kserve-mlserver
            lightgbm   | 4 | kserve-lgbserver    | kserve-lgbserver
            """)
    void theBuiltInCatalogSelectsAsKServeDoes(String format, String version, String runtime, String expected) {
        assertThat(RuntimeCatalog.load(null).select("default", format, version == null ? "" : version, runtime == null ? "" : runtime).name())
                .isEqualTo(expected);
    }
}
