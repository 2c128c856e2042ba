package dev.meshwork.node.runtime.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The inference socket's frames read from hostile bytes: each is an IOException, never an allocation it asked for or a hang. */
class InferenceFramesTest {
    /** What the reading end makes of {@code bytes}, written by a peer that then closes. */
    private static InferenceFrames.Request read(byte[] bytes) throws IOException {
        Path dir = Files.createTempDirectory("mw-frames-");
        Path socket = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            try (SocketChannel writer = SocketChannel.open(UnixDomainSocketAddress.of(socket)); SocketChannel reader = server.accept()) {
                writer.write(ByteBuffer.wrap(bytes));
                writer.shutdownOutput();
                return InferenceFrames.readRequest(reader);
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aLengthPastTheLimitIsRefusedBeforeAnythingIsAllocated() {
        IOException e = assertThrows(IOException.class, () -> read(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
        assertThrows(IOException.class, () -> read(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));
    }

    @Test
    void anotherVersionOrAHeaderLongerThanTheFrameIsRefused() {
        IOException version = assertThrows(IOException.class, () -> read(new byte[] {0, 0, 0, 3, 9, 0, 0}));
        assertTrue(version.getMessage().contains("version"), version.getMessage());
        IOException header = assertThrows(IOException.class, () -> read(new byte[] {0, 0, 0, 3, 1, 0x7f, (byte) 0xff}));
        assertTrue(header.getMessage().contains("header"), header.getMessage());
    }

    @Test
    void aFrameCutShortIsAnErrorAndAPeerThatLeavesBetweenFramesIsTheEnd() throws IOException {
        assertThrows(java.io.EOFException.class, () -> read(new byte[] {0, 0, 0, 50, 1, 0, 0}));
        assertThrows(java.io.EOFException.class, () -> read(new byte[] {0, 0}));
        assertNull(read(new byte[0]));
        InferenceFrames.Request ok = read(new byte[] {0, 0, 0, 5, 1, 0, 0, 42, 43});
        assertEquals(2, ok.length());
    }
}
