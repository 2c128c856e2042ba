package dev.meshwork.kserve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ServingRuntime documents as KServe's documentation writes them, and the mistakes people make in them. */
class ServingRuntimeParserTest {
    /** The example ServingRuntime of KServe's "Serving Runtimes" page, fields and all. */
    static final String KSERVE_EXAMPLE = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata:
              name: example-runtime
            spec:
              supportedModelFormats:
                - name: example-format
                  version: "1"
                  autoSelect: true
              containers:
                - name: kserve-container
                  image: examplemodelserver:latest
                  args:
                    - --model_dir=/mnt/models
                    - --http_port=8080
                  env:
                    - name: STORAGE_URI
                      value: "gs://bucket/model"
                  resources:
                    requests: {cpu: "1", memory: 2Gi}
                  ports:
                    - containerPort: 8080
              protocolVersions: [v1, v2]
              multiModel: false
              nodeSelector:
                accelerator: nvidia-a100
              someFieldKServeAddsLater: {whatever: 1}
            """;

    @Test
    void kserveDocsExampleReadsWithEveryField() {
        ServingRuntime r = ServingRuntimeParser.parse("example.yaml", KSERVE_EXAMPLE).get(0);
        assertThat(r.key()).isEqualTo("ServingRuntime/default/example-runtime");
        assertThat(r.formats()).containsExactly(new ServingRuntime.Format("example-format", "1", true, 0));
        assertThat(r.protocolVersions()).containsExactly("v1", "v2");
        ServingRuntime.Container c = r.containers().get(0);
        assertThat(c.image()).isEqualTo("examplemodelserver:latest");
        assertThat(c.args()).containsExactly("--model_dir=/mnt/models", "--http_port=8080");
        assertThat(c.env()).containsEntry("STORAGE_URI", "gs://bucket/model");
        assertThat(c.ports()).containsExactly(8080);
        assertThat(c.resources()).as("nested as a mapping, not its text").containsEntry("requests",
                java.util.Map.of("cpu", "1", "memory", "2Gi"));
        assertThat(r.adapter()).isEmpty();
        assertThat(r.nodeSelector()).containsExactly(java.util.Map.entry("accelerator", "nvidia-a100"));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            kind: InferenceService                                   | /kind: expected ServingRuntime or ClusterServingRuntime, got string "InferenceService"
            metadata: {}                                             | /metadata/name: expected a non-empty string, got nothing
            spec: {supportedModelFormats: {name: onnx}}              | /spec/supportedModelFormats: expected a list, got object
            spec: {supportedModelFormats: [{version: "1"}]}          | /spec/supportedModelFormats/0/name: expected a non-empty string, got nothing
            spec: {supportedModelFormats: [{name: onnx, version: 1}]} | /spec/supportedModelFormats/0/version: expected a string (quote it: version: "1")
            spec: {supportedModelFormats: [{name: onnx, autoSelect: "yes"}]} | /spec/supportedModelFormats/0/autoSelect: expected true or false, got string "yes"
            spec: {supportedModelFormats: [{name: onnx, priority: 0}]} | /spec/supportedModelFormats/0/priority: expected an integer of at least 1, got number 0
            spec: {disabled: 1}                                      | /spec/disabled: expected true or false, got number 1
            spec: {nodeSelector: [gpu]}                              | /spec/nodeSelector: expected a mapping
            spec: {protocolVersions: [v3]}                           | /spec/protocolVersions/0: expected one of
            spec: {containers: [{image: x}]}                         | /spec/containers/0/name: expected a non-empty string, got nothing
            metadata: {name: x, annotations: {serving.meshwork.dev/adapter: caffe}} | /metadata/annotations/serving.meshwork.dev/adapter: expected one of
            """)
    void mistakesNameTheFileThePathAndWhatWasExpected(String patch, String message) {
        String doc = """
                apiVersion: serving.kserve.io/v1alpha1
                kind: ClusterServingRuntime
                metadata: {name: broken}
                spec: {supportedModelFormats: [{name: onnx}]}
                """;
        String key = patch.substring(0, patch.indexOf(':'));
        String patched = doc.lines().map(l -> l.startsWith(key + ":") ? patch : l).reduce((a, b) -> a + "\n" + b).orElseThrow();
        assertThatThrownBy(() -> ServingRuntimeParser.parse("runtimes/broken.yaml", patched))
                .hasMessageStartingWith("runtimes/broken.yaml: ").hasMessageContaining(message);
    }

    @Test
    void aDirectoryExtendsAndOverridesTheBuiltInsAndRefusesDuplicates(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("triton.yaml"), """
                apiVersion: serving.kserve.io/v1alpha1
                kind: ClusterServingRuntime
                metadata: {name: kserve-tritonserver, annotations: {serving.meshwork.dev/adapter: auto}}
                spec:
                  disabled: true
                ---
                apiVersion: serving.kserve.io/v1alpha1
                kind: ServingRuntime
                metadata: {name: my-onnx, namespace: default, annotations: {serving.meshwork.dev/adapter: onnx}}
                spec:
                  supportedModelFormats: [{name: onnx, version: "1", autoSelect: true, priority: 1}]
                """);
        Files.writeString(dir.resolve("notes.txt"), "not a runtime");
        RuntimeCatalog c = RuntimeCatalog.load(dir);
        assertThat(c.runtimes()).extracting(ServingRuntime::key).contains("ServingRuntime/default/my-onnx", "ClusterServingRuntime/kserve-torchserve");
        assertThat(c.select("default", "onnx", "", "").name()).isEqualTo("my-onnx"); // triton is disabled now
        Files.writeString(dir.resolve("twice.yml"), Files.readString(dir.resolve("triton.yaml")));
        assertThatThrownBy(() -> RuntimeCatalog.load(dir)).hasMessageContaining("is defined twice, also in");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lots", "-1Gi", "1e40", "9999999Ei", "[1Gi]", "{a: 1}", "512mi"})
    void aContainersMemoryLimitIsABudgetAndABadOneSaysWhere(String memory) {
        String doc = """
                apiVersion: serving.kserve.io/v1alpha1
                kind: ClusterServingRuntime
                metadata: {name: py, annotations: {serving.meshwork.dev/adapter: external}}
                spec:
                  supportedModelFormats: [{name: sklearn, version: "1"}]
                  containers: [{name: c, command: [meshwork-python-runtime], resources: {limits: {memory: %s}}}]
                """;
        assertThat(ServingRuntimeParser.parse("runtimes/py.yaml", doc.formatted("256Mi")).get(0).containers().get(0).memoryLimitBytes())
                .isEqualTo(256L << 20);
        assertThatThrownBy(() -> ServingRuntimeParser.parse("runtimes/py.yaml", doc.formatted(memory)))
                .isInstanceOf(dev.meshwork.protocol.error.MeshError.class)
                .hasMessageContaining("runtimes/py.yaml").hasMessageContaining("/spec/containers/0/resources/limits/memory");
    }

    @Test
    void builtInsAreValidAndBoundToTheInProcessRuntimesOrTheShippedPythonOne() {
        List<ServingRuntime> all = RuntimeCatalog.load(null).runtimes();
        assertThat(all).hasSize(RuntimeCatalog.BUILT_IN.size()).allSatisfy(r -> {
            assertThat(r.clusterScoped()).isTrue();
            if (r.name().equals("kserve-sklearnserver") || r.name().equals("kserve-mlserver")) {
                assertThat(r.adapter()).isEqualTo("external");
                assertThat(r.containers().get(0).command()).containsExactly("meshwork-python-runtime");
                assertThat(r.containers().get(0).ports()).as("the node picks a Unix socket").isEmpty();
            } else {
                assertThat(r.adapter()).isEqualTo("auto");
            }
        });
    }

    @Test
    void aRuntimesBatchingDefaultComesFromItsEnvAndABadOneSaysWhich() {
        assertThat(ServingRuntimeParser.parse("example.yaml", KSERVE_EXAMPLE).get(0).batching().enabled()).isFalse();
        String batched = KSERVE_EXAMPLE.replace("- name: STORAGE_URI\n          value: \"gs://bucket/model\"",
                "- {name: MAX_BATCH_SIZE, value: \"16\"}\n        - {name: BATCH_TIMEOUT, value: \"2.5\"}");
        assertThat(batched).isNotEqualTo(KSERVE_EXAMPLE);
        assertThat(ServingRuntimeParser.parse("batched.yaml", batched).get(0).batching())
                .isEqualTo(new dev.meshwork.placement.registry.Batching(16, 2_500));
        ServingRuntime bad = ServingRuntimeParser.parse("bad.yaml", batched.replace("\"16\"", "\"lots\"")).get(0);
        assertThatThrownBy(bad::batching).hasMessageContaining("example-runtime").hasMessageContaining("MAX_BATCH_SIZE=lots");
    }
}
