package dev.meshwork.router.rest;

import dev.meshwork.kserve.CatalogWatcher;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.config.OwnedDirectory;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.RequestHistory;
import dev.meshwork.router.mesh.RequestMetrics;
import dev.meshwork.router.console.ConsoleAssets;
import dev.meshwork.router.mesh.VModelService;
import dev.meshwork.security.AccessControl;
import dev.meshwork.security.Action;
import dev.meshwork.security.tls.ServerTls;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The router's REST front door on Vert.x. Event loops only route; the work runs on request threads. */
public final class RestServer implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer server;
    private final MeshEvents events;
    private final long historyTimer;

    public RestServer(Vertx vertx, RouterConfig.Http config, ServerTls tls, AccessControl access, ModelService service, VModelService vmodels,
                      CatalogWatcher catalog, OwnedDirectory<?> directory, OwnedDirectory<?> tenantDirectory, ExecutorService requestThreads,
                      RequestMetrics requests, PrometheusMeterRegistry metrics, BooleanSupplier ready, long hotWindowMs) {
        this.vertx = vertx;
        Router router = Router.router(vertx);
        Offloader off = new Offloader(requestThreads, config.maxResponseBytes());
        router.route().handler(new CrossSiteGuard(config.host(), config.allowedHosts(), config.allowedOrigins()));
        // every body here is JSON (or a YAML document), never a form: curl's -d says application/x-www-form-urlencoded,
        // and Vert.x would decode such a body as form fields and fail on it
        router.route().handler(ctx -> {
            String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"))) {
                ctx.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
            }
            ctx.next();
        });
        // each route reads its body only after the access check (RestAccess), so no global BodyHandler here
        RestAccess a = new RestAccess(access, config.maxRequestBytes());
        new InferenceRoutes(service, off, requests, ready).mount(router, a);
        a.list(router.get("/metrics"), Action.METRICS, ctx -> off.handle(ctx, () -> new Reply(200,
                metrics.scrape().getBytes(StandardCharsets.UTF_8), "text/plain; version=0.0.4; charset=utf-8")));
        new RepositoryRoutes(service, off).mount(router, a);
        RequestHistory history = new RequestHistory(metrics);
        this.historyTimer = vertx.setPeriodic(RequestHistory.INTERVAL_SECONDS * 1000L,
                id -> {
                    try {
                        requestThreads.execute(() -> history.sample(java.time.Instant.now()));
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // shutting down: no more samples
                    }
                });
        new ManagementRoutes(service, directory, history, off, hotWindowMs).mount(router, a);
        this.events = new MeshEvents(vertx, service, vmodels, requestThreads, config.idleTimeoutMs());
        events.mount(router, a);
        new ConsoleAssets().mount(router);
        new VModelRoutes(vmodels, off).mount(router, a);
        new RuntimeRoutes(catalog, off).mount(router, a);
        new TenantRoutes(service, tenantDirectory, off).mount(router, a);
        router.errorHandler(404, ctx -> Offloader.send(ctx,
                RestErrors.reply(404, "no endpoint " + ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(413, ctx -> Offloader.send(ctx, RestErrors.reply(413,
                "request body is larger than the limit of " + config.maxRequestBytes() + " bytes (http.maxRequestBytes)")));
        AllowedMethods allowed = new AllowedMethods(router);
        router.errorHandler(405, ctx -> {
            String methods = allowed.on(ctx.request().path());
            ctx.response().putHeader(HttpHeaders.ALLOW, methods);
            Offloader.send(ctx, RestErrors.reply(405, "method " + ctx.request().method() + " is not allowed on " + ctx.request().path()
                    + "; it serves " + methods));
        });
        router.errorHandler(500, ctx -> Offloader.send(ctx, RestErrors.reply(ctx.failure() == null
                ? new IllegalStateException("request failed") : ctx.failure())));
        HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
                // a connection that says nothing (a slow-loris, or a peer gone without a FIN) does not hold a socket forever
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeoutMs())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setTcpKeepAlive(true);
        if (tls != null) {
            options.setSsl(true).setKeyCertOptions(KeyCertOptions.wrap(tls.keyManager()));
            if (OpenSSLEngineOptions.isAvailable()) {
                options.setSslEngineOptions(new OpenSSLEngineOptions());
            }
            if (tls.trustManager() != null) {
                options.setTrustOptions(TrustOptions.wrap(tls.trustManager()))
                        .setClientAuth(tls.requireClientCertificate() ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
            }
        }
        this.server = vertx.createHttpServer(options).requestHandler(router).listen().await();
    }

    /** The bound port (useful when the configured port was 0). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        vertx.cancelTimer(historyTimer);
        events.close();
        server.close().await();
    }
}
