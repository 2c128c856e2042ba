package dev.meshwork.node.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The node's small HTTP side for operators and Kubernetes: {@code GET /metrics} (Prometheus),
 * {@code /health/live} and {@code /health/ready} (ready: joined the cluster, serving, not draining).
 * The JDK's HTTP server on one virtual thread per exchange; nothing here touches a model.
 */
final class NodeHttp implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    NodeHttp(NodeProcessConfig.Http config, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        try {
            this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
        } catch (IOException e) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "cannot listen for HTTP on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        server.setExecutor(threads);
        server.createContext("/metrics", x -> reply(x, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/health/live", x -> reply(x, 200, "application/json", "{\"live\":true}"));
        server.createContext("/health/ready", x -> {
            boolean ok = ready.getAsBoolean();
            reply(x, ok ? 200 : 503, "application/json", "{\"ready\":" + ok + "}");
        });
        server.createContext("/", x -> reply(x, 404, "application/json", "{\"error\":\"no endpoint " + x.getRequestMethod()
                + " " + x.getRequestURI().getPath() + "; the node serves /metrics, /health/live and /health/ready\"}"));
        server.start();
    }

    private static void reply(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdown();
    }
}
