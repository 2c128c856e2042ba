package dev.meshwork.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that makes a link bad on demand: added one-way latency, a bandwidth
 * limit, stalls (bytes held back, the connection left open: a black hole) and resets (every
 * connection cut with RST). Between a router and a node it listens where the node says it is (the
 * node advertises the proxy's address) and forwards to where the node listens. Each connection
 * direction has a reader and a writer thread (virtual), so latency delays bytes without reordering
 * them; the knobs are volatile and read per chunk.
 */
public final class FaultProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private volatile long latencyMs;
    private volatile long bytesPerSecond;
    private volatile boolean stalled;
    private volatile boolean refusing;
    private volatile boolean running = true;

    private record Chunk(byte[] bytes, long dueNanos) {
    }

    /** Listens on {@code listen} and forwards every connection to {@code upstream}. */
    public FaultProxy(InetSocketAddress listen, InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen);
        Thread.ofVirtual().name("fault-proxy-accept").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Adds this much delay to every byte, each way. */
    public FaultProxy latency(long ms) {
        this.latencyMs = ms;
        return this;
    }

    /** Limits each direction of each connection to this many bytes per second (0: no limit). */
    public FaultProxy bandwidth(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /** Holds back every byte (the connections stay open) until un-stalled. */
    public FaultProxy stall(boolean on) {
        this.stalled = on;
        return this;
    }

    /** Resets new connections at once (as a peer that answers with RST) while on. */
    public FaultProxy refuse(boolean on) {
        this.refusing = on;
        return this;
    }

    /** Cuts every open connection with a reset. */
    public void resetAll() {
        for (Socket s : Set.copyOf(open)) {
            reset(s);
        }
    }

    public long connections() {
        return connections.get();
    }

    public long resets() {
        return resets.get();
    }

    private void accept() {
        while (running) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            if (refusing) {
                reset(client);
                continue;
            }
            Socket up = new Socket();
            try {
                up.connect(upstream, 2_000);
                up.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
            } catch (IOException e) {
                reset(client);
                continue;
            }
            open.add(client);
            open.add(up);
            pipe(client, up);
            pipe(up, client);
        }
    }

    private void pipe(Socket from, Socket to) {
        BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Chunk end = new Chunk(new byte[0], 0);
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    queue.add(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(latencyMs)));
                }
            } catch (IOException e) {
                // closed or reset: the writer ends the other side
            }
            queue.add(end);
        });
        Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    if (c == end) {
                        break;
                    }
                    while (stalled && running) {
                        Thread.sleep(10);
                    }
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    out.write(c.bytes());
                    out.flush();
                    long rate = bytesPerSecond;
                    if (rate > 0) {
                        TimeUnit.NANOSECONDS.sleep(c.bytes().length * 1_000_000_000L / rate);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the other side went
            }
            close(from);
            close(to);
        });
    }

    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0); // close with RST, not FIN
        } catch (SocketException ignored) {
            // already closed
        }
        close(s);
        resets.incrementAndGet();
    }

    private void close(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
        resetAll();
    }
}
