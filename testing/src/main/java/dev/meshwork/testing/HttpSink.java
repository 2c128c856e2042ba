package dev.meshwork.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that takes POSTs, as a payload logger's sink (KServe's
 * message-dumper): it keeps each request's headers and body, and answers 200, answers 500, or
 * hangs until closed, as told. Each request is handled on a virtual thread.
 */
public final class HttpSink implements AutoCloseable {
    /** How the sink answers. */
    public enum Behaviour { ACCEPT, FAIL, HANG }

    /** One POST as the sink saw it: headers by lower-case name, and the body. */
    public record Received(Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        public String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger posts = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Behaviour behaviour;

    private HttpSink(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            posts.incrementAndGet();
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(64 << 20);
            }
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            switch (this.behaviour) {
                case HANG -> {
                    try {
                        closing.await(10, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.close();
                }
                case FAIL -> {
                    ex.sendResponseHeaders(500, -1);
                    ex.close();
                }
                case ACCEPT -> {
                    received.add(new Received(headers, body));
                    ex.sendResponseHeaders(200, -1);
                    ex.close();
                }
            }
        });
        server.start();
    }

    public static HttpSink start(Behaviour behaviour) throws IOException {
        return new HttpSink(behaviour);
    }

    public void behave(Behaviour b) {
        this.behaviour = b;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    /** POSTs seen, whatever the answer. */
    public int posts() {
        return posts.get();
    }

    /** The next accepted POST, waiting up to {@code seconds}; null when none came. */
    public Received next(long seconds) throws InterruptedException {
        return received.poll(seconds, TimeUnit.SECONDS);
    }

    /** Every accepted POST not yet taken. */
    public List<Received> drain() {
        List<Received> out = new java.util.ArrayList<>();
        received.drainTo(out);
        return out;
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
