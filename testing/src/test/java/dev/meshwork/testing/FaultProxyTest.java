package dev.meshwork.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fault proxy in front of an echo server on loopback: bytes pass unchanged, late, slowly, not at all, or the link is cut. */
class FaultProxyTest {
    /** An echo server: what a connection sends comes back. */
    private static ServerSocket echo() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client went
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    private static long roundTripMillis(Socket s, byte[] payload) throws IOException {
        long t = System.nanoTime();
        s.getOutputStream().write(payload);
        s.getOutputStream().flush();
        byte[] back = s.getInputStream().readNBytes(payload.length);
        assertThat(back).isEqualTo(payload);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
    }

    @Test
    void latencyBandwidthStallsAndResetsAreWhatTheySay() throws Exception {
        try (ServerSocket server = echo();
             FaultProxy proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", server.getLocalPort()))) {
            try (Socket s = new Socket("127.0.0.1", proxy.port())) {
                s.setSoTimeout(10_000);
                assertThat(roundTripMillis(s, "hello".getBytes())).as("a clean link").isLessThan(1_000);
                proxy.latency(100);
                assertThat(roundTripMillis(s, "late".getBytes())).as("100 ms each way").isGreaterThanOrEqualTo(200);
                proxy.latency(0).bandwidth(200_000);
                assertThat(roundTripMillis(s, new byte[100_000])).as("100 kB at 200 kB/s (the echo overlaps the two ways)").isGreaterThanOrEqualTo(450);
                proxy.bandwidth(0).stall(true);
                s.getOutputStream().write("held".getBytes());
                s.setSoTimeout(500);
                assertThatThrownBy(() -> s.getInputStream().read()).as("nothing comes back while stalled")
                        .isInstanceOf(java.net.SocketTimeoutException.class);
                proxy.stall(false);
                s.setSoTimeout(10_000);
                assertThat(s.getInputStream().readNBytes(4)).as("then it all comes").isEqualTo("held".getBytes());
                proxy.resetAll();
                assertThatThrownBy(() -> {
                    s.getOutputStream().write(new byte[64]);
                    s.getOutputStream().flush();
                    if (s.getInputStream().read() >= 0) {
                        throw new AssertionError("the link answered after a reset");
                    }
                    throw new IOException("closed");
                }).isInstanceOf(IOException.class);
            }
            proxy.refuse(true);
            try (Socket s = new Socket("127.0.0.1", proxy.port())) {
                s.setSoTimeout(5_000);
                assertThatThrownBy(() -> {
                    s.getOutputStream().write(1);
                    if (s.getInputStream().read() < 0) {
                        throw new IOException("closed");
                    }
                }).as("refused connections are cut").isInstanceOf(IOException.class);
            }
            assertThat(proxy.resets()).isGreaterThanOrEqualTo(2);
        }
    }
}
