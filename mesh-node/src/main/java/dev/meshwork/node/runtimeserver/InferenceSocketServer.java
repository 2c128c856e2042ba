package dev.meshwork.node.runtimeserver;

import dev.meshwork.node.runtime.external.InferenceFrames;
import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.telemetry.Tracing;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An isolated slot's process's end of the inference socket ({@link InferenceFrames}): one platform
 * thread per connection reads a request, runs it ({@link RuntimeInferenceService#infer}) and writes
 * the answer, so a request crosses no event loop here either. The node opens one connection per
 * request in flight. Errors are answered in the gRPC service's terms (one mapping,
 * {@link GrpcErrors#toStatus}); a malformed frame closes its connection. The socket sits in the
 * node's owner-only directory beside the gRPC one, which is what keeps other users out. The
 * acceptor's thread is virtual, the connections' are platform threads; the service is thread-safe.
 */
final class InferenceSocketServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InferenceSocketServer.class);
    private final ServerSocketChannel server;
    private final RuntimeInferenceService service;

    private InferenceSocketServer(ServerSocketChannel server, RuntimeInferenceService service) {
        this.server = server;
        this.service = service;
    }

    static InferenceSocketServer start(Path socket, RuntimeInferenceService service) throws IOException {
        Files.deleteIfExists(socket); // left by a process that died
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        InferenceSocketServer s = new InferenceSocketServer(ch, service);
        Thread.ofVirtual().name("meshwork-infer-accept").start(s::accept);
        return s;
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                // a platform thread: it blocks in the kernel's read, where a virtual thread would wait for the poller's hand-off
                Thread.ofPlatform().daemon().name("meshwork-infer-conn").start(() -> serve(c));
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("the inference socket stopped accepting: {}", e.toString());
                }
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            for (InferenceFrames.Request r; (r = InferenceFrames.readRequest(c)) != null; ) {
                ModelInferResponse answer;
                try {
                    ModelInferRequest request = ModelInferRequest.parseFrom(com.google.protobuf.CodedInputStream.newInstance(r.body(),
                            r.offset(), r.length()));
                    io.opentelemetry.context.Context parent = r.trace().isEmpty() ? null : Tracing.extract(r.trace()::get);
                    answer = service.infer(request, parent);
                } catch (Throwable t) {
                    StatusRuntimeException s = GrpcErrors.toStatus(t instanceof com.google.protobuf.InvalidProtocolBufferException
                            ? dev.meshwork.protocol.error.MeshError.invalid("a malformed ModelInferRequest: %s", t.getMessage()) : t);
                    String pushback = s.getTrailers() == null ? null : s.getTrailers().get(GrpcErrors.RETRY_PUSHBACK);
                    InferenceFrames.writeFailure(c, new InferenceFrames.Failure(s.getStatus().getCode(),
                            pushback == null ? 0 : Long.parseLong(pushback), s.getStatus().getDescription()));
                    continue;
                }
                InferenceFrames.writeAnswer(c, answer);
            }
        } catch (IOException e) {
            LOG.debug("an inference connection ended: {}", e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
