package dev.meshwork.node.runtime.external;

import dev.meshwork.protocol.error.GrpcErrors;
import dev.meshwork.protocol.oip.ModelInferRequest;
import dev.meshwork.protocol.oip.ModelInferResponse;
import dev.meshwork.telemetry.Tracing;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's end of an isolated slot's inference socket ({@link InferenceFrames}): the request's
 * own thread writes the request and reads the answer on a connection of its own, taken from a pool
 * (one per request in flight, kept for the next), so an inference crosses no event loop and no
 * other thread of the node. Failures come out as the gRPC hop's would (a StatusRuntimeException:
 * the runtime's own status, UNAVAILABLE when the connection breaks, DEADLINE_EXCEEDED when it does
 * not answer in time), so crashes are told apart the same way. Connections are opened for one
 * process and never reused for the next. Request threads call it concurrently; the pool is a
 * concurrent deque.
 */
final class InferenceSocket implements AutoCloseable {
    /** Connections kept idle at most: more requests than this in flight open and close their own. */
    private static final int MAX_IDLE = 64;
    /** Each call's deadline; a cancelled one leaves the queue at once (the timeout is the load timeout, minutes). */
    static final ScheduledThreadPoolExecutor DEADLINES = deadlines();
    private final Path socket;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /** An open connection, and the process it was opened to. */
    private record Connection(SocketChannel channel, long pid) {
    }

    InferenceSocket(Path socket) {
        this.socket = socket;
    }

    /** One inference in the process {@code pid}, within {@code timeoutMs} or the caller's gRPC deadline, whichever is sooner. */
    ModelInferResponse infer(ModelInferRequest request, long pid, long timeoutMs) {
        long waitMs = timeoutMs;
        Deadline deadline = Context.current().getDeadline();
        if (deadline != null) {
            waitMs = Math.min(waitMs, Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
        }
        Connection c = take(pid);
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> timer = DEADLINES.schedule(() -> {
            late.set(true);
            quietly(c.channel);
        }, waitMs, TimeUnit.MILLISECONDS);
        InferenceFrames.Answer answer;
        try {
            Map<String, String> trace = new TreeMap<>();
            Tracing.inject(io.opentelemetry.context.Context.current(), trace::put);
            InferenceFrames.writeRequest(c.channel, trace, request);
            answer = InferenceFrames.readAnswer(c.channel);
            if (answer == null) {
                throw new java.io.EOFException("the runtime process closed the inference socket");
            }
        } catch (IOException e) {
            quietly(c.channel);
            if (late.get()) {
                throw Status.DEADLINE_EXCEEDED.withDescription("the isolated slot's process did not answer within " + waitMs + " ms")
                        .asRuntimeException();
            }
            throw Status.UNAVAILABLE.withDescription("the isolated slot's process broke the inference connection: " + e.getMessage())
                    .withCause(e).asRuntimeException();
        } finally {
            timer.cancel(false);
        }
        give(c);
        if (answer.failure() != null) {
            Metadata trailers = new Metadata();
            trailers.put(GrpcErrors.ANSWERED, answer.failure().code().name());
            if (answer.failure().pushbackMillis() > 0) {
                trailers.put(GrpcErrors.RETRY_PUSHBACK, Long.toString(answer.failure().pushbackMillis()));
            }
            throw Status.fromCode(answer.failure().code()).withDescription(answer.failure().description()).asRuntimeException(trailers);
        }
        try {
            return ModelInferResponse.parseFrom(com.google.protobuf.CodedInputStream.newInstance(answer.body(), answer.offset(),
                    answer.length()));
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("the isolated slot's process answered a malformed ModelInferResponse: " + e.getMessage())
                    .asRuntimeException();
        }
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("meshwork-infer-deadlines").factory());
        e.setRemoveOnCancelPolicy(true); // else every answered call's timer stays queued until it would have fired
        return e;
    }

    /** Closes the idle connections: the process they go to is gone. */
    void forget() {
        for (Connection c; (c = idle.pollFirst()) != null; ) {
            quietly(c.channel);
        }
    }

    private Connection take(long pid) {
        for (Connection c; (c = idle.pollFirst()) != null; ) {
            if (c.pid == pid && c.channel.isOpen()) {
                return c;
            }
            quietly(c.channel); // opened to a process that has since been replaced
        }
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                quietly(ch);
                throw e;
            }
            return new Connection(ch, pid);
        } catch (IOException e) {
            throw Status.UNAVAILABLE.withDescription("cannot reach the isolated slot's process at " + socket + ": " + e.getMessage())
                    .withCause(e).asRuntimeException();
        }
    }

    private void give(Connection c) {
        if (closed || idle.size() >= MAX_IDLE) {
            quietly(c.channel);
            return;
        }
        idle.offerFirst(c);
        if (closed) { // close() ran meanwhile: nothing else will close it
            forget();
        }
    }

    private static void quietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }

    @Override
    public void close() {
        closed = true;
        forget();
    }
}
