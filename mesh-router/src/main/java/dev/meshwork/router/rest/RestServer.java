package dev.meshwork.router.rest;

import dev.meshwork.kserve.CatalogWatcher;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.mesh.ModelDirectory;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.RequestMetrics;
import dev.meshwork.router.mesh.VModelService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;

/** The router's REST front door on Vert.x. Event loops only route; the work runs on request threads. */
public final class RestServer implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer server;

    public RestServer(Vertx vertx, RouterConfig.Http config, ModelService service, VModelService vmodels,
                      CatalogWatcher catalog, ModelDirectory directory, ExecutorService requestThreads, RequestMetrics requests,
                      PrometheusMeterRegistry metrics, BooleanSupplier ready) {
        this.vertx = vertx;
        Router router = Router.router(vertx);
        Offloader off = new Offloader(requestThreads);
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
        router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxRequestBytes()));
        new InferenceRoutes(service, off, requests, ready).mount(router);
        router.get("/metrics").handler(ctx -> off.handle(ctx, () -> new Reply(200, metrics.scrape().getBytes(StandardCharsets.UTF_8),
                "text/plain; version=0.0.4; charset=utf-8")));
        new RepositoryRoutes(service, off).mount(router);
        new ManagementRoutes(service, directory, off).mount(router);
        new VModelRoutes(vmodels, off).mount(router);
        new RuntimeRoutes(catalog, off).mount(router);
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
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
                .requestHandler(router).listen().await();
    }

    /** The bound port (useful when the configured port was 0). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() {
        server.close().await();
    }
}
