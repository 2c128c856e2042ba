package dev.meshwork.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.meshwork.node.cluster.NodeGrpcService;
import dev.meshwork.nodeapi.LoadOnMiss;
import dev.meshwork.nodeapi.NodeFence;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.node.NodeServiceGrpc;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.protocol.oip.ModelMetadataRequest;
import dev.meshwork.protocol.tensor.DataType;
import dev.meshwork.protocol.tensor.GrpcTensorCodec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.Tensor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A router's last try at a model ({@link LoadOnMiss}) against a real node's gRPC service on loopback, with ONNX
 * Runtime: a node holding no copy loads one for that request (an inference or a metadata call) and answers it, and
 * says "no copy" to any other; a
 * registration that is not the request's, an unreadable one, or a draining node loads nothing.
 */
class LoadOnMissTest {
    private static final ModelSpec ADD = NodeSlotsTest.onnx("add", "add-vectors", "");
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<String> published = new ConcurrentLinkedQueue<>();
    private NodeAgent node;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        node = new NodeAgent(NodeSlotsTest.config(List.of()));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .addService(new NodeGrpcService(node, published::add, work))
                .intercept(NodeFence.server()).intercept(LoadOnMiss.server()).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
        work.shutdownNow();
    }

    /** A stub fenced to {@code fenced}'s registration, as a router's, that asks for {@code onMiss} if not null. */
    private NodeServiceGrpc.NodeServiceBlockingStub stub(ModelSpec fenced, ModelSpec onMiss) {
        NodeServiceGrpc.NodeServiceBlockingStub s = NodeServiceGrpc.newBlockingStub(channel)
                .withInterceptors(NodeFence.attach(0, fenced.fingerprint())).withDeadlineAfter(30, TimeUnit.SECONDS);
        return onMiss == null ? s : s.withInterceptors(LoadOnMiss.attach(onMiss));
    }

    private static ModelInferRequest add(float a, float b) {
        ByteBuffer x = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(a).putFloat(b);
        Tensor t = Tensor.of("a", DataType.FP32, new long[]{1, 2}, ByteString.copyFrom(x.array()));
        Tensor u = Tensor.of("b", DataType.FP32, new long[]{1, 2}, ByteString.copyFrom(x.array()));
        return GrpcTensorCodec.encode(new InferenceRequest("add", "", "", Map.of(), List.of(t, u), List.of(), false));
    }

    private static float first(ModelInferResponse r) {
        return GrpcTensorCodec.decode(r).outputs().get(0).buffer().order(ByteOrder.LITTLE_ENDIAN).getFloat(0);
    }

    @Test
    void withoutItANodeThatHoldsNoCopySaysSoAndLoadsNothing() {
        assertThatThrownBy(() -> stub(ADD, null).infer(add(1, 2))).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(GrpcErrors.isCopyMissing(e)).as("the copy-missing answer a router places again on").isTrue());
        assertThat(node.copy("add")).isEmpty();
    }

    @Test
    void theLastTryLoadsACopyForItsRequestAndTheTableHearsOfIt() {
        assertThat(first(stub(ADD, ADD).infer(add(1, 2)))).isEqualTo(2f);
        assertThat(node.copy("add")).get().extracting(c -> c.state()).isEqualTo(CopyState.LOADED);
        assertThat(published).contains("add");
        // the copy is an ordinary one now: the next request finds it without asking
        assertThat(first(stub(ADD, null).infer(add(3, 4)))).isEqualTo(6f);
    }

    @Test
    void aMetadataCallOnItsLastTryLoadsToo() {
        ModelMetadataRequest ask = ModelMetadataRequest.newBuilder().setName("add").build();
        assertThatThrownBy(() -> stub(ADD, null).metadata(ask)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(GrpcErrors.isCopyMissing(e)).isTrue());
        assertThat(stub(ADD, ADD).metadata(ask).getInputsList()).extracting(i -> i.getName()).containsExactly("a", "b");
        assertThat(node.copy("add")).isPresent();
        assertThat(published).contains("add");
    }

    @Test
    void aRegistrationThatIsNotTheRequestsLoadsNothing() {
        ModelSpec other = NodeSlotsTest.onnx("other", "add-vectors", "");
        assertThatThrownBy(() -> stub(ADD, other).infer(add(1, 2))).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("names another registration than the request's model 'add'");
        });
        ModelSpec moved = NodeSlotsTest.onnx("add", "mlp-classifier", ""); // same id, other bytes: not the fenced registration
        assertThatThrownBy(() -> stub(ADD, moved).infer(add(1, 2))).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(node.copy("add")).isEmpty();
        assertThat(node.copy("other")).isEmpty();
    }

    @Test
    void anUnreadableRegistrationFailsTheCallClearly() {
        Metadata junk = new Metadata();
        junk.put(LoadOnMiss.MODEL, new byte[]{(byte) 0xff, 0x01, 0x02});
        assertThatThrownBy(() -> stub(ADD, null).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(junk)).infer(add(1, 2)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("meshwork-load-on-miss-bin header is not a model registration");
                });
        assertThat(node.copy("add")).isEmpty();
    }

    @Test
    void aDrainingNodeLoadsNothingForIt() {
        node.drain();
        assertThatThrownBy(() -> stub(ADD, ADD).infer(add(1, 2))).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("draining");
        });
        assertThat(node.copy("add")).isEmpty();
    }
}
