package dev.meshwork.kserve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Mutated InferenceService and ServingRuntime YAML: every document is either read or refused as bad
 * input (INVALID_ARGUMENT) with a message that names the file, never another exception. Bounded
 * counts and a fixed seed keep the build fast and repeatable (change the seed to explore further).
 */
class DocumentFuzzTest {
    static final String ISVC = """
            apiVersion: "serving.kserve.io/v1beta1"
            kind: "InferenceService"
            metadata:
              name: "sklearn-iris"
              namespace: team-a
              annotations: {serving.kserve.io/deploymentMode: ModelMesh}
            spec:
              predictor:
                model:
                  modelFormat: {name: sklearn, version: "1"}
                  runtime: kserve-sklearnserver
                  storageUri: "s3://models/sklearn/model.joblib"
            ---
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: old-schema}
            spec:
              predictor:
                onnx: {storageUri: "file:///models/m.onnx"}
            ---
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: keyed}
            spec:
              predictor:
                model:
                  modelFormat: {name: onnx}
                  runtime: ovms-1.x
                  storage: {key: localMinIO, path: onnx/mnist.onnx, parameters: {bucket: other}}
            """;
    static final String RUNTIME = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata:
              name: example-runtime
              annotations: {serving.meshwork.dev/adapter: onnx}
            spec:
              supportedModelFormats:
                - name: example-format
                  version: "1"
                  autoSelect: true
                  priority: 2
              multiModel: true
              nodeSelector: {pool: gpu}
              containers:
                - name: kserve-container
                  image: examplemodelserver:latest
            """;
    static final String ALPHABET = ":-{}[],\"' \n  #&*!|>%@`\tkind0123456789";

    static String mutate(String valid, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder(valid);
        for (int i = 1 + r.nextInt(4); i > 0 && b.length() > 0; i--) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(5)) {
                case 0 -> b.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 1 -> b.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(12)));
                case 3 -> b.setLength(at);
                default -> b.insert(at, List.of("null", "~", "[]", "{}", "!!binary AAAA", "&a x", "*a", "\"\"", "99999999999999999999").get(r.nextInt(9)));
            }
        }
        return b.toString();
    }

    static void readOrRefused(Runnable parse) {
        try {
            parse.run();
        } catch (MeshError e) {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains(".yaml");
        }
    }

    @Property(tries = 1500, seed = "20261126")
    void mutatedInferenceServicesAreReadOrRefused(@ForAll long seed) {
        String yaml = mutate(ISVC, seed);
        readOrRefused(() -> InferenceServiceParser.parseAll("isvc.yaml", yaml, "file:/models/isvc.yaml"));
    }

    @Property(tries = 1500, seed = "20261126")
    void mutatedServingRuntimesAreReadOrRefused(@ForAll long seed) {
        String yaml = mutate(RUNTIME, seed);
        readOrRefused(() -> ServingRuntimeParser.parse("runtimes/example.yaml", yaml));
    }
}
