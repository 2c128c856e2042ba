package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.S3Server;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A mesh process pulling models from a real S3-compatible server on loopback: a single file and a SavedModel folder. */
class S3StorageTest {
    static final S3Server s3 = S3Server.start();
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension(s3.meshFlags());

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Test
    void modelsComeFromS3AndAnswerWhatTheirGeneratorsComputed() throws Exception {
        Path examples = MeshProcess.repoRoot().resolve("examples");
        s3.createBucket("models");
        s3.upload("models", "onnx/add-vectors/model.onnx", examples.resolve("onnx/add-vectors/model.onnx"));
        s3.upload("models", "tensorflow/tf-linear", examples.resolve("tensorflow/tf-linear"));

        assertThat(mesh.put("/v1/mesh/models/s3-adder", "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"s3://models/onnx/add-vectors/model.onnx\"}").status())
                .isEqualTo(201);
        assertThat(mesh.put("/v1/mesh/models/s3-linear", "{\"modelFormat\":{\"name\":\"tensorflow\"},\"storageUri\":\"s3://models/tensorflow/tf-linear\"}").status())
                .isEqualTo(201);
        for (String[] pair : new String[][]{{"s3-adder", "add-vectors"}, {"s3-linear", "tf-linear"}}) {
            JsonNode c = Fixtures.cases(pair[1]).get(0);
            MeshExtension.Http r = mesh.post("/v2/models/" + pair[0] + "/infer", Fixtures.v2Body(c));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), c.get("outputs"));
        }

        // a missing object is the model's load failure, in the protocol's shape; the others keep serving
        mesh.put("/v1/mesh/models/s3-missing", "{\"modelFormat\":{\"name\":\"onnx\"},\"storageUri\":\"s3://models/onnx/nothing-here.onnx\"}");
        MeshExtension.Http missing = mesh.post("/v2/models/s3-missing/infer", Fixtures.v2Body(Fixtures.cases("add-vectors").get(0)));
        assertThat(missing.status()).isEqualTo(503);
        assertThat(missing.body()).contains("no such object, and no objects under onnx/nothing-here.onnx/ in bucket models");
        assertThat(mesh.post("/v2/models/s3-adder/infer", Fixtures.v2Body(Fixtures.cases("add-vectors").get(0))).status()).isEqualTo(200);
    }
}
