package dev.meshwork.node.runtime.external;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.grpc.Status;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The frames of the inference socket between a node and its isolated slot's process: the OIP
 * messages themselves, each behind a length and a small header, with no HTTP/2, gRPC call or
 * thread hand-off around them. A request frame: length, version, the trace headers as
 * {@code name=value} lines, then a {@code ModelInferRequest}. An answer frame: length, a gRPC status
 * code (0: OK, then a {@code ModelInferResponse}; else the retry pushback in ms and the
 * description). Stateless; any thread, one frame at a time per socket.
 */
public final class InferenceFrames {
    /** The biggest frame either side takes: the size of the gRPC hop's messages. */
    public static final int MAX_FRAME = 64 << 20;
    private static final byte VERSION = 1;

    private InferenceFrames() {
    }

    /** The socket a runtime-server listening for gRPC on {@code grpcSocket} takes inference frames on. */
    public static java.nio.file.Path socketBeside(java.nio.file.Path grpcSocket) {
        return grpcSocket.resolveSibling(grpcSocket.getFileName() + ".infer");
    }

    /** A request as read: its trace headers and its message's bytes. */
    public record Request(Map<String, String> trace, byte[] body, int offset, int length) {
    }

    /** An error answer as read. */
    public record Failure(Status.Code code, long pushbackMillis, String description) {
    }

    public static void writeRequest(SocketChannel ch, Map<String, String> trace, MessageLite message) throws IOException {
        StringBuilder lines = new StringBuilder();
        trace.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        byte[] header = lines.toString().getBytes(StandardCharsets.US_ASCII);
        int size = message.getSerializedSize();
        byte[] frame = new byte[4 + 1 + 2 + header.length + size];
        ByteBuffer b = ByteBuffer.wrap(frame).putInt(frame.length - 4).put(VERSION).putShort((short) header.length).put(header);
        message.writeTo(CodedOutputStream.newInstance(frame, b.position(), size));
        writeFully(ch, ByteBuffer.wrap(frame));
    }

    public static Request readRequest(SocketChannel ch) throws IOException {
        byte[] frame = readFrame(ch);
        if (frame == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        if (frame.length < 3 || b.get() != VERSION) {
            throw new IOException("an inference frame of another version or malformed");
        }
        int headerLength = Short.toUnsignedInt(b.getShort());
        if (headerLength > frame.length - 3) {
            throw new IOException("an inference frame whose header is longer than the frame");
        }
        Map<String, String> trace = new TreeMap<>();
        for (String line : new String(frame, 3, headerLength, StandardCharsets.US_ASCII).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                trace.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        int offset = 3 + headerLength;
        return new Request(trace, frame, offset, frame.length - offset);
    }

    public static void writeAnswer(SocketChannel ch, MessageLite message) throws IOException {
        int size = message.getSerializedSize();
        byte[] frame = new byte[4 + 1 + size];
        ByteBuffer.wrap(frame).putInt(frame.length - 4).put((byte) 0);
        message.writeTo(CodedOutputStream.newInstance(frame, 5, size));
        writeFully(ch, ByteBuffer.wrap(frame));
    }

    public static void writeFailure(SocketChannel ch, Failure failure) throws IOException {
        byte[] text = (failure.description() == null ? "" : failure.description()).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 8 + text.length);
        b.putInt(b.capacity() - 4).put((byte) failure.code().value()).putLong(failure.pushbackMillis()).put(text).flip();
        writeFully(ch, b);
    }

    /**
     * An answer: the {@code ModelInferResponse}'s bytes as {@code [offset, length)} of the returned
     * frame's array with {@code failure} null, or the failure. Null at the end of the stream.
     */
    public static Answer readAnswer(SocketChannel ch) throws IOException {
        byte[] frame = readFrame(ch);
        if (frame == null) {
            return null;
        }
        if (frame.length < 1) {
            throw new IOException("an empty inference answer");
        }
        if (frame[0] == 0) {
            return new Answer(null, frame, 1, frame.length - 1);
        }
        if (frame.length < 9) {
            throw new IOException("a malformed inference failure");
        }
        ByteBuffer b = ByteBuffer.wrap(frame, 1, frame.length - 1);
        Status.Code code = Status.fromCodeValue(frame[0]).getCode();
        long pushback = b.getLong();
        return new Answer(new Failure(code, pushback, new String(frame, 9, frame.length - 9, StandardCharsets.UTF_8)), frame, 0, 0);
    }

    /** An answer frame as read. */
    public record Answer(Failure failure, byte[] body, int offset, int length) {
    }

    /** A frame's bytes after its length; null when the peer closed the socket between frames. */
    private static byte[] readFrame(SocketChannel ch) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        if (!readFully(ch, length, true)) {
            return null;
        }
        int n = length.flip().getInt();
        if (n < 0 || n > MAX_FRAME + 65_536) {
            throw new IOException("an inference frame of " + n + " bytes (at most " + MAX_FRAME + ")");
        }
        ByteBuffer body = ByteBuffer.allocate(n);
        readFully(ch, body, false);
        return body.array();
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer b, boolean endAllowed) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                if (endAllowed && b.position() == 0) {
                    return false;
                }
                throw new EOFException("the inference socket closed in the middle of a frame");
            }
        }
        return true;
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
