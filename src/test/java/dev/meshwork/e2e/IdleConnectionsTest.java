package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.MeshExtension;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connections that say nothing do not hold a socket forever: a peer that connects and stays
 * silent, and one that sends half a request and stalls (a slow-loris), are closed by the REST and
 * gRPC listeners once the idle time has passed.
 */
class IdleConnectionsTest {
    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--http.idleTimeoutMs=500", "--grpc.idleTimeoutMs=500");

    /** Reads until the server closes the connection; fails if it has not within 10 s. */
    private static void assertClosedByServer(Socket s, long openedNanos) throws Exception {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        while (in.read() >= 0) {
            // a 408 or a GOAWAY may come first; the close is what counts
        }
        assertThat((System.nanoTime() - openedNanos) / 1_000_000).as("closed after the idle time, not at once").isGreaterThanOrEqualTo(400);
    }

    @Test
    void silentAndStalledConnectionsAreClosed() throws Exception {
        int http = URI.create(mesh.process().http()).getPort();
        int grpc = mesh.process().grpcPort();
        long opened = System.nanoTime();
        try (Socket silentRest = new Socket("127.0.0.1", http); Socket stalledRest = new Socket("127.0.0.1", http);
             Socket silentGrpc = new Socket("127.0.0.1", grpc)) {
            stalledRest.getOutputStream().write("POST /v2/models/add-vectors/infer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"in"
                    .getBytes(StandardCharsets.US_ASCII));
            assertClosedByServer(silentRest, opened);
            assertClosedByServer(stalledRest, opened);
            assertClosedByServer(silentGrpc, opened);
        }
        // the listeners still serve
        assertThat(mesh.get("/v2/health/ready").status()).isEqualTo(200);
    }
}
