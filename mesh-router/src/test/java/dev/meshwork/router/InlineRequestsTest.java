package dev.meshwork.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quick requests for a loaded in-process copy run on the thread that received them (the event loop,
 * the gRPC transport thread): they answer as the handed-off ones do, errors included, and the node
 * counts them.
 */
class InlineRequestsTest {
    /** A generous bound, so that a slow machine still counts add-vectors as quick. */
    @RegisterExtension
    static final InJvmMesh mesh = new InJvmMesh("--node.inlineMicros=100000");

    private static final String ADD = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2]},"
            + "{\"name\":\"b\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[10,20]}]}";

    private static long inlineRequests() throws Exception {
        Matcher m = Pattern.compile("(?m)^meshwork_node_inline_requests_total(?:\\{[^}]*})? ([0-9.eE+]+)$").matcher(mesh.get("/metrics").body());
        assertThat(m.find()).as("the node's inline counter is exposed").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    private static ModelInferRequest grpcAdd(String datatype) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2);
        ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName("add-vectors");
        r.addInputsBuilder().setName("a").setDatatype(datatype).addShape(1).addShape(2);
        r.addInputsBuilder().setName("b").setDatatype(datatype).addShape(1).addShape(2);
        return r.addRawInputContents(ByteString.copyFrom(b.array())).addRawInputContents(ByteString.copyFrom(b.array())).build();
    }

    @Test
    void quickRequestsRunInlineAndAnswerAsTheOthersDo() throws Exception {
        long before = inlineRequests();
        for (int i = 0; i < 20; i++) { // the first runs are handed off: the node has no run times for the copy yet
            InJvmMesh.Http r = mesh.post("/v2/models/add-vectors/infer", ADD);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("[11.0,22.0]");
        }
        long afterRest = inlineRequests();
        assertThat(afterRest - before).as("once it has run, add-vectors runs inline").isGreaterThan(0);

        for (int i = 0; i < 20; i++) {
            InJvmMesh.Http v1 = mesh.post("/v1/models/mlp-classifier:predict", "{\"instances\": [[5.1,3.5,1.4,0.2]]}");
            assertThat(v1.status()).as(v1.body()).isEqualTo(200);
            assertThat(v1.body()).contains("predictions");
        }
        assertThat(inlineRequests()).as("KServe v1 requests run inline too").isGreaterThan(afterRest);
        long afterV1 = inlineRequests();

        var stub = GRPCInferenceServiceGrpc.newBlockingStub(mesh.channel());
        for (int i = 0; i < 5; i++) {
            ModelInferResponse r = stub.modelInfer(grpcAdd("FP32"));
            ByteBuffer sum = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            assertThat(sum.getFloat()).isEqualTo(2f);
        }
        assertThat(inlineRequests()).as("gRPC requests run inline too").isGreaterThanOrEqualTo(afterV1 + 5);

        // errors of an inline request come back in each protocol's own shape, and the mesh goes on serving
        long beforeErrors = inlineRequests();
        InJvmMesh.Http bad = mesh.post("/v2/models/add-vectors/infer", ADD.replace("\"FP32\",\"data\":[10,20]", "\"INT32\",\"data\":[10,20]"));
        assertThat(bad.status()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).startsWith("{\"error\":").contains("INT32");
        assertThatThrownBy(() -> stub.modelInfer(grpcAdd("INT32")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(inlineRequests()).as("the bad requests ran inline").isGreaterThanOrEqualTo(beforeErrors + 2);
        assertThat(mesh.post("/v2/models/add-vectors/infer", ADD).status()).isEqualTo(200);
    }

    @Test
    void aLargeRequestIsHandedOff() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(mesh.post("/v2/models/add-vectors/infer", ADD).status()).isEqualTo(200);
        }
        long before = inlineRequests();
        // many times the rows of the recent requests: a model quick on one row need not be on thousands
        String rows = "1.5,".repeat(1999) + "1.5";
        InJvmMesh.Http big = mesh.post("/v2/models/add-vectors/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1000,2],\"datatype\":\"FP32\",\"data\":["
                + rows + "]},{\"name\":\"b\",\"shape\":[1000,2],\"datatype\":\"FP32\",\"data\":[" + rows + "]}]}");
        assertThat(big.status()).isEqualTo(200);
        assertThat(inlineRequests()).isEqualTo(before);
    }
}
