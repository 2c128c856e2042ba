package dev.meshwork.router.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.router.mesh.ModelRegistration;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Tenant documents and batching settings from outside: every hostile one is a 400 that says what was wrong, never another error. */
class TenantDocumentTest {
    static void refused(ThrowingCall call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(4_001);
        });
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "null", "[]", "42", "\"text\"", "{",
            "{\"maxModels\": -1}", "{\"maxModels\": 1.5}", "{\"maxModels\": 99999999999999999999}", "{\"maxModels\": \"ten\"}",
            "{\"memoryShare\": \"150%\"}", "{\"memoryShare\": -0.5}", "{\"memoryShare\": \"9999999999999Ti\"}", "{\"memoryShare\": {}}",
            "{\"memoryShare\": 0.5, \"maxMemory\": 0.25}", "{\"requestsPerSecond\": -1}", "{\"requestsPerSecond\": 1e308}",
            "{\"burst\": 5}", "{\"priority\": 1e30}", "{\"priority\": \"high\"}", "{\"namespace\": \"other\"}",
            "{\"requestPerSecond\": 5}", "{\"maxModels\": {\"nested\": [1, 2, 3]}}"})
    void hostileBodiesAreRefusedWithTheReason(String body) {
        refused(() -> TenantDocument.parse("team-a", body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void hostileFilesAreRefusedWithTheReasonAliasBombsIncluded() {
        refused(() -> TenantDocument.parseAll("maxModels: 3\n", "file:/t.yaml")); // no namespace
        refused(() -> TenantDocument.parseAll("namespace: Not_A_Namespace\n", "file:/t.yaml"));
        refused(() -> TenantDocument.parseAll("namespace: [a\n", "file:/t.yaml"));
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ", ").append('*').append((char) (c - 1));
            }
            bomb.append("]\n");
        }
        bomb.append("namespace: team-a\n");
        refused(() -> TenantDocument.parseAll(bomb.toString(), "file:/bomb.yaml"));
        assertThat(TenantDocument.parseAll("---\n---\nnamespace: team-a\nmaxModels: 3\n", "file:/t.yaml"))
                .extracting(TenantPolicy::maxModels).containsExactly(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"on\"", "[]", "{}", "{\"maxBatchSize\": -2}", "{\"maxBatchSize\": 70000}", "{\"maxBatchSize\": 8.5}",
            "{\"maxBatchSize\": 8, \"maxLatency\": -1}", "{\"maxBatchSize\": 8, \"maxLatency\": 1e300}", "{\"maxBatchSize\": 8, \"maxLatency\": \"5ms\"}",
            "{\"maxBatchSize\": 8, \"wait\": 5}", "{\"maxBatchSize\": 8, \"preferredBatchSizes\": 4}",
            "{\"maxBatchSize\": 8, \"preferredBatchSizes\": [16]}", "{\"maxBatchSize\": 8, \"preferredBatchSizes\": [0]}",
            "{\"maxBatchSize\": 8, \"preferredBatchSizes\": [\"4\"]}", "{\"maxBatchSize\": 8, \"preferredBatchSizes\": [4.5]}",
            "{\"maxBatchSize\": 8, \"preferredBatchSizes\": [9999999999]}"})
    void hostileBatchingSettingsAreRefusedWithTheReason(String batching) {
        refused(() -> ModelRegistration.parse("default", "m", ("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"/m.onnx\", \"batching\": "
                + batching + "}").getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"predict_proba\"", "{}", "[1]", "[\"\"]", "[\"a\", \"a\"]", "[null]",
            "[\"o0\",\"o1\",\"o2\",\"o3\",\"o4\",\"o5\",\"o6\",\"o7\",\"o8\",\"o9\",\"o10\",\"o11\",\"o12\",\"o13\",\"o14\",\"o15\",\"o16\"]"})
    void hostileDefaultOutputsAreRefusedWithTheReason(String outputs) {
        refused(() -> ModelRegistration.parse("default", "m", ("{\"modelFormat\": {\"name\": \"sklearn\"}, \"storageUri\": \"/m.pkl\", "
                + "\"defaultOutputs\": " + outputs + "}").getBytes(StandardCharsets.UTF_8)));
        assertThat(ModelRegistration.parse("default", "m", ("{\"modelFormat\": {\"name\": \"sklearn\"}, \"storageUri\": \"/m.pkl\", "
                + "\"defaultOutputs\": [\"predict_proba\"]}").getBytes(StandardCharsets.UTF_8)).defaultOutputs()).containsExactly("predict_proba");
    }

    @Test
    void randomBytesAndMutatedDocumentsOnlyEverGetA400() {
        SplittableRandom random = new SplittableRandom(14);
        String valid = "{\"maxModels\": 10, \"memoryShare\": \"25%\", \"maxMemory\": \"2Gi\", \"requestsPerSecond\": 100, \"burst\": 200,"
                + " \"maxInFlight\": 8, \"priority\": 1}";
        for (int i = 0; i < 2_000; i++) {
            byte[] doc = valid.getBytes(StandardCharsets.UTF_8);
            for (int k = random.nextInt(1, 6); k > 0; k--) {
                doc[random.nextInt(doc.length)] = (byte) random.nextInt(256);
            }
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            for (byte[] body : new byte[][]{doc, noise}) {
                try {
                    TenantDocument.parse("team-a", body);
                    TenantDocument.parseAll(new String(body, StandardCharsets.UTF_8), "file:/t.yaml");
                } catch (MeshError e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                }
            }
        }
    }
}
