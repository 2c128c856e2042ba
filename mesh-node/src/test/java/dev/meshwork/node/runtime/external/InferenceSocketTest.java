package dev.meshwork.node.runtime.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node's end of the inference socket against a peer that speaks the frames and misbehaves on request. */
class InferenceSocketTest {
    private final AtomicInteger accepted = new AtomicInteger();
    private ServerSocketChannel server;
    private Path dir;

    /** What the peer does with a request named by its model. */
    private void serve() {
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            Thread.ofVirtual().start(() -> {
                try (c) {
                    for (InferenceFrames.Request r; (r = InferenceFrames.readRequest(c)) != null; ) {
                        ModelInferRequest q = ModelInferRequest.parseFrom(com.google.protobuf.CodedInputStream.newInstance(r.body(),
                                r.offset(), r.length()));
                        switch (q.getModelName()) {
                            case "busy" -> InferenceFrames.writeFailure(c, new InferenceFrames.Failure(Status.Code.RESOURCE_EXHAUSTED, 1500,
                                    "too many requests"));
                            case "hang" -> Thread.sleep(60_000);
                            case "die" -> {
                                return;
                            }
                            default -> InferenceFrames.writeAnswer(c, ModelInferResponse.newBuilder().setModelName(q.getModelName())
                                    .setId(r.trace().getOrDefault("traceparent", "none")).build());
                        }
                    }
                } catch (Exception e) {
                    // the connection ends
                }
            });
        }
    }

    private InferenceSocket start() throws IOException {
        dir = Files.createTempDirectory("mw-frames-");
        Path socket = dir.resolve("rt.sock.infer");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(this::serve);
        return new InferenceSocket(socket);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("rt.sock.infer"));
            Files.deleteIfExists(dir);
        }
    }

    private static ModelInferRequest request(String model) {
        return ModelInferRequest.newBuilder().setModelName(model).build();
    }

    @Test
    void answersComeBackAndOneConnectionServesOneRequestAfterAnother() throws Exception {
        try (InferenceSocket socket = start()) {
            for (int i = 0; i < 5; i++) {
                assertEquals("m" + i, socket.infer(request("m" + i), 1, 5_000).getModelName());
            }
            assertEquals(1, accepted.get());
            assertEquals("none", socket.infer(request("m"), 1, 5_000).getId(), "no span, no trace header");
            for (int i = 0; i < 200; i++) {
                socket.infer(request("m"), 1, 600_000);
            }
            assertTrue(InferenceSocket.DEADLINES.getQueue().size() < 10, "an answered call's timer leaves the queue: "
                    + InferenceSocket.DEADLINES.getQueue().size());
        }
    }

    @Test
    void theCallersSpanTravelsAsTheParentOfTheRuntimesOwn() throws Exception {
        io.opentelemetry.api.trace.SpanContext parent = io.opentelemetry.api.trace.SpanContext.create("0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331", io.opentelemetry.api.trace.TraceFlags.getSampled(), io.opentelemetry.api.trace.TraceState.getDefault());
        try (InferenceSocket socket = start();
             var scope = io.opentelemetry.context.Context.current().with(io.opentelemetry.api.trace.Span.wrap(parent)).makeCurrent()) {
            assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", socket.infer(request("m"), 1, 5_000).getId());
        }
    }

    @Test
    void aConnectionToAReplacedProcessIsNotUsedAgain() throws Exception {
        try (InferenceSocket socket = start()) {
            socket.infer(request("m"), 1, 5_000);
            socket.infer(request("m"), 2, 5_000);
            assertEquals(2, accepted.get());
        }
    }

    @Test
    void theRuntimesOwnErrorKeepsItsStatusAndPushbackAndCountsAsAnAnswer() throws Exception {
        try (InferenceSocket socket = start()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> socket.infer(request("busy"), 1, 5_000));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertEquals("too many requests", e.getStatus().getDescription());
            assertTrue(GrpcErrors.isAnswer(e));
            assertEquals("1500", e.getTrailers().get(GrpcErrors.RETRY_PUSHBACK));
            assertEquals("m", socket.infer(request("m"), 1, 5_000).getModelName(), "the connection still serves");
            assertEquals(1, accepted.get());
        }
    }

    @Test
    void aPeerThatDoesNotAnswerInTimeIsADeadlineAndABrokenConnectionIsUnavailable() throws Exception {
        try (InferenceSocket socket = start()) {
            long t0 = System.nanoTime();
            StatusRuntimeException late = assertThrows(StatusRuntimeException.class, () -> socket.infer(request("hang"), 1, 300));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000, "the deadline ends the wait");

            StatusRuntimeException broken = assertThrows(StatusRuntimeException.class, () -> socket.infer(request("die"), 1, 5_000));
            assertEquals(Status.Code.UNAVAILABLE, broken.getStatus().getCode());
            assertFalse(GrpcErrors.isAnswer(broken), "a broken connection is no answer: the process may have died");
            assertEquals("m", socket.infer(request("m"), 1, 5_000).getModelName(), "a new connection serves the next request");
        }
    }

    @Test
    void aProcessThatIsNotListeningIsUnavailable() throws Exception {
        try (InferenceSocket socket = start()) {
            server.close();
            Files.deleteIfExists(dir.resolve("rt.sock.infer"));
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> socket.infer(request("m"), 1, 5_000));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        }
    }
}
