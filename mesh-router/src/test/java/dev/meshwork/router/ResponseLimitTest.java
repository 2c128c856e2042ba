package dev.meshwork.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.InferTensorContents;
import dev.meshwork.protocol.oip.ModelInferRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An answer larger than the listener sends is replaced by an error that says so, on REST and gRPC; small ones pass. */
class ResponseLimitTest {
    @RegisterExtension
    static final InJvmMesh mesh = new InJvmMesh("--http.maxResponseBytes=2048", "--grpc.maxResponseBytes=2048");

    private static String rows(int n) {
        String data = String.join(",", Collections.nCopies(2 * n, "1.5"));
        return "{\"inputs\":[{\"name\":\"a\",\"shape\":[" + n + ",2],\"datatype\":\"FP32\",\"data\":[" + data + "]},"
                + "{\"name\":\"b\",\"shape\":[" + n + ",2],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}";
    }

    @Test
    void aTooLargeAnswerIsA413OrResourceExhaustedAndTheMeshKeepsServing() throws Exception {
        InJvmMesh.Http big = mesh.post("/v2/models/add-vectors/infer", rows(1000));
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.body()).contains("more than this listener sends (http.maxResponseBytes = 2048)");
        assertThat(mesh.post("/v2/models/add-vectors/infer", rows(2)).status()).isEqualTo(200);

        ModelInferRequest.Builder req = ModelInferRequest.newBuilder().setModelName("add-vectors");
        for (String name : new String[] {"a", "b"}) {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (int i = 0; i < 2000; i++) {
                c.addFp32Contents(1.5f);
            }
            req.addInputsBuilder().setName(name).setDatatype("FP32").addShape(1000).addShape(2).setContents(c);
        }
        assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel()).modelInfer(req.build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("grpc.maxResponseBytes = 2048");
                });
    }
}
