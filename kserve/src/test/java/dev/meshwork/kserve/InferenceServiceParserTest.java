package dev.meshwork.kserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.PayloadLogging;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** InferenceService documents as KServe's documentation writes them, both schemas, and the mistakes people make. */
class InferenceServiceParserTest {
    static ModelSpec one(String yaml) {
        List<ModelSpec> all = InferenceServiceParser.parseAll("isvc.yaml", yaml, "file:/models/isvc.yaml");
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Test
    void modelMeshExamplesWithAStorageKeyReadAsStorageUris() {
        // modelmesh-serving's quick start and its example-onnx-mnist, as published
        ModelSpec mnist = one(dev.meshwork.testing.Fixtures.modelMeshServingExample("example-mnist-isvc"));
        ModelSpec onnx = one(dev.meshwork.testing.Fixtures.modelMeshServingExample("example-onnx-mnist"));
        assertThat(onnx.storageUri()).isEqualTo("storage://localMinIO/onnx/mnist.onnx");
        assertThat(onnx.runtime()).isEqualTo("ovms-1.x");
        assertThat(mnist.storageUri()).isEqualTo("storage://localMinIO/sklearn/mnist-svm.joblib");
        assertThat(mnist.format().name()).isEqualTo("sklearn");
        ModelSpec bucket = one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: b}
                spec:
                  predictor:
                    model:
                      modelFormat: {name: onnx}
                      storage: {key: localMinIO, path: onnx/mnist.onnx, parameters: {bucket: other-bucket}}
                """);
        assertThat(bucket.storageUri()).isEqualTo("storage://localMinIO/onnx/mnist.onnx?bucket=other-bucket");
        ModelSpec uri = one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: u}
                spec:
                  predictor:
                    model:
                      modelFormat: {name: onnx}
                      storageUri: s3://modelmesh-example-models/onnx/mnist.onnx
                      storage: {key: localMinIO}
                """);
        assertThat(uri.storageUri()).isEqualTo("storage://localMinIO/onnx/mnist.onnx?bucket=modelmesh-example-models");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: x}
                spec: {predictor: {model: {modelFormat: {name: onnx}, storage: {key: k, path: ../../etc/passwd}}}}
                """)).hasMessageContaining("without '..'");
    }

    @Test
    void theKServeDocsExamplesRead() {
        // "First InferenceService" (new schema)
        ModelSpec iris = one("""
                apiVersion: "serving.kserve.io/v1beta1"
                kind: "InferenceService"
                metadata:
                  name: "sklearn-iris"
                spec:
                  predictor:
                    model:
                      modelFormat:
                        name: sklearn
                      storageUri: "gs://kfserving-examples/models/sklearn/1.0/model"
                """);
        assertThat(iris).isEqualTo(new ModelSpec("sklearn-iris", new ModelFormat("sklearn", ""), "gs://kfserving-examples/models/sklearn/1.0/model",
                "", 0, "default", "file:/models/isvc.yaml"));
        // the same in the old schema
        assertThat(one("""
                apiVersion: "serving.kserve.io/v1beta1"
                kind: "InferenceService"
                metadata: {name: "sklearn-iris", namespace: kserve-test}
                spec:
                  predictor:
                    sklearn:
                      storageUri: "gs://kfserving-examples/models/sklearn/1.0/model"
                """)).extracting(ModelSpec::format, ModelSpec::namespace).containsExactly(new ModelFormat("sklearn", ""), "kserve-test");
        // XGBoost on MLServer over the v2 protocol, a runtime named explicitly
        ModelSpec xgb = one("""
                apiVersion: "serving.kserve.io/v1beta1"
                kind: "InferenceService"
                metadata:
                  name: "xgboost-v2-mlserver"
                spec:
                  predictor:
                    model:
                      modelFormat:
                        name: xgboost
                      protocolVersion: v2
                      runtime: kserve-mlserver
                      storageUri: "gs://kfserving-examples/models/xgboost/iris"
                """);
        assertThat(xgb.runtime()).isEqualTo("kserve-mlserver");
        // TorchServe with a format version; TensorFlow and Triton in the old schema, with a runtimeVersion
        assertThat(one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: torchserve}
                spec:
                  predictor:
                    model:
                      modelFormat: {name: pytorch, version: "1"}
                      storageUri: gs://kfserving-examples/models/torchserve/image_classifier/v1
                      resources: {limits: {memory: 4Gi}}
                """).format()).isEqualTo(new ModelFormat("pytorch", "1"));
        List<ModelSpec> two = InferenceServiceParser.parseAll("two.yaml", """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: flower-sample}
                spec:
                  predictor:
                    tensorflow:
                      storageUri: "gs://kfserving-examples/models/tensorflow/flowers"
                ---
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: torchscript-cifar10}
                spec:
                  predictor:
                    triton:
                      storageUri: gs://kfserving-examples/models/torchscript
                      runtimeVersion: 21.08-py3
                      env: [{name: OMP_NUM_THREADS, value: "1"}]
                """, "");
        assertThat(two).extracting(s -> s.id() + ":" + s.format().name()).containsExactly("flower-sample:tensorflow", "torchscript-cifar10:triton");
    }

    @Test
    void theKServeDocsExamplesWithComponentsMeshworkDoesNotRunStillRegisterTheirModel() {
        // autoscaling, a transformer and an explainer: tolerated, not run (the canary, logger and batcher are read)
        ModelSpec canary = one("""
                apiVersion: "serving.kserve.io/v1beta1"
                kind: "InferenceService"
                metadata:
                  name: "sklearn-iris"
                  annotations:
                    serving.kserve.io/enable-tag-routing: "true"
                spec:
                  predictor:
                    canaryTrafficPercent: 10
                    minReplicas: 1
                    maxReplicas: 5
                    scaleTarget: 1
                    scaleMetric: concurrency
                    logger:
                      mode: all
                      url: http://message-dumper.default/
                    batcher:
                      maxBatchSize: 32
                      maxLatency: 5000
                    model:
                      modelFormat:
                        name: sklearn
                      storageUri: "gs://kfserving-examples/models/sklearn/2.0/model"
                """);
        assertThat(canary.storageUri()).isEqualTo("gs://kfserving-examples/models/sklearn/2.0/model");
        assertThat(canary.logging()).isEqualTo(new PayloadLogging(PayloadLogging.Mode.ALL, "http://message-dumper.default/"));
        ModelSpec withTransformer = one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: torch-transformer
                spec:
                  predictor:
                    model:
                      modelFormat:
                        name: pytorch
                      storageUri: gs://kfserving-examples/models/torchserve/image_classifier/v1
                  transformer:
                    containers:
                      - image: kserve/image-transformer:latest
                        name: kserve-container
                        command:
                          - "python"
                          - "-m"
                          - "model"
                        args:
                          - --model_name
                          - mnist
                  explainer:
                    alibi:
                      type: AnchorImages
                      storageUri: "gs://kfserving-examples/models/tensorflow/cifar/explainer-0.9.1"
                """);
        assertThat(withTransformer.format()).isEqualTo(new ModelFormat("pytorch", ""));
        // a custom predictor container names no model format: refused with what is expected
        assertThatThrownBy(() -> one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: custom-model
                spec:
                  predictor:
                    containers:
                      - name: kserve-container
                        image: "kserve/custom-model-grpc:latest"
                """)).hasMessageContaining("/spec/predictor: expected \"model\" or one of [sklearn");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            kind: Deployment                                            | /kind: expected InferenceService
            metadata: {namespace: x}                                    | /metadata/name: expected a non-empty string, got nothing
            spec: {}                                                    | /spec/predictor: expected a mapping, got nothing
            spec: {predictor: {}}                                       | /spec/predictor: expected "model" or one of [sklearn
            spec: {predictor: {sklearn: {storageUri: a}, onnx: {storageUri: b}}} | /spec/predictor: expected one framework, not [sklearn, onnx]
            spec: {predictor: {onnx: {}}}                               | /spec/predictor/onnx/storageUri: expected a non-empty string, got nothing
            spec: {predictor: {model: {modelFormat: onnx, storageUri: a}}} | /spec/predictor/model/modelFormat: expected a mapping, got string "onnx"
            spec: {predictor: {model: {modelFormat: {name: onnx}, storageUri: 7}}} | /spec/predictor/model/storageUri: expected a non-empty string, got number 7
            spec: {predictor: {model: {modelFormat: {name: onnx}, storageUri: a, runtime: [x]}}} | /spec/predictor/model/runtime: expected a string
            """)
    void mistakesNameTheFileThePathAndWhatWasExpected(String patch, String message) {
        String doc = """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: broken}
                spec: {predictor: {onnx: {storageUri: /m}}}
                """;
        String key = patch.substring(0, patch.indexOf(':'));
        String patched = doc.lines().map(l -> l.startsWith(key + ":") ? patch : l).reduce((a, b) -> a + "\n" + b).orElseThrow();
        assertThatThrownBy(() -> InferenceServiceParser.parseAll("models/broken.yaml", patched, ""))
                .hasMessageStartingWith("models/broken.yaml: ").hasMessageContaining(message);
    }

    @Test
    void kservesBatcherBecomesTheModelsBatchingAndABadOneSaysWhere() {
        // KServe's batcher example (docs: "Inference Batcher"), maxLatency in milliseconds
        ModelSpec batched = one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: torchserve}
                spec:
                  predictor:
                    minReplicas: 1
                    timeout: 60
                    batcher:
                      maxBatchSize: 32
                      maxLatency: 500
                    model:
                      modelFormat: {name: pytorch}
                      storageUri: s3://models/torchserve/image_classifier/v1
                """);
        assertThat(batched.batching()).isEqualTo(new dev.meshwork.placement.registry.Batching(32, 500_000));
        assertThat(one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: plain}
                spec: {predictor: {sklearn: {storageUri: s3://models/iris}}}
                """).batching().enabled()).isFalse();
        assertThatThrownBy(() -> one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: bad}
                spec: {predictor: {batcher: {maxBatchSize: -4}, sklearn: {storageUri: s3://models/iris}}}
                """)).hasMessageContaining("batcher").hasMessageContaining("maxBatchSize");
    }

    @Test
    void kservesLoggerBecomesTheModelsPayloadLoggingAndABadOneSaysWhere() {
        ModelSpec logged = one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: sklearn-iris}
                spec:
                  predictor:
                    logger: {mode: request, url: "https://sink.example/events"}
                    sklearn: {storageUri: s3://models/iris}
                """);
        assertThat(logged.logging().mode()).isEqualTo(PayloadLogging.Mode.REQUEST);
        assertThat(logged.logging().requests()).isTrue();
        assertThat(logged.logging().responses()).isFalse();
        assertThat(one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: default-mode}
                spec: {predictor: {logger: {url: "http://dumper/"}, sklearn: {storageUri: s3://models/iris}}}
                """).logging().mode()).as("KServe's default mode").isEqualTo(PayloadLogging.Mode.ALL);
        for (String bad : List.of("{mode: sometimes, url: \"http://dumper/\"}", "{mode: all, url: \"ftp://dumper/\"}",
                "{mode: all, url: \"http://user:secret@dumper/\"}", "{mode: all}", "[http://dumper/]")) {
            assertThatThrownBy(() -> one("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: bad}\n"
                    + "spec: {predictor: {logger: " + bad + ", sklearn: {storageUri: s3://models/iris}}}\n"))
                    .as(bad).hasMessageContaining("logger").isInstanceOf(dev.meshwork.protocol.error.MeshError.class)
                    .message().doesNotContain("secret");
        }
    }

    @Test
    void kservesPredictProbaSwitchBecomesTheModelsDefaultOutputs() {
        ModelSpec proba = one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: sklearn-iris}
                spec:
                  predictor:
                    model:
                      modelFormat: {name: sklearn}
                      storageUri: s3://models/iris
                      env: [{name: PREDICT_PROBA, value: "true"}]
                """);
        assertThat(proba.defaultOutputs()).containsExactly("predict_proba");
        assertThat(one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: legacy}
                spec: {predictor: {sklearn: {storageUri: s3://models/iris, env: [{name: PREDICT_PROBA, value: "True"}]}}}
                """).defaultOutputs()).as("the legacy schema, any case").containsExactly("predict_proba");
        assertThat(one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: not-asked}
                spec: {predictor: {sklearn: {storageUri: s3://models/iris, env: [{name: PREDICT_PROBA, value: "false"}, {name: X, value: "1"}]}}}
                """).defaultOutputs()).isEmpty();
        assertThat(proba.fingerprint()).as("not part of what a node loads").isEqualTo(proba.withDefaultOutputs(List.of()).fingerprint());
        assertThatThrownBy(() -> one("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata: {name: onnx}
                spec: {predictor: {onnx: {storageUri: s3://models/x, env: [{name: PREDICT_PROBA, value: "true"}]}}}
                """)).hasMessageContaining("the scikit-learn server's switch, and this model's format is onnx");
    }
}
