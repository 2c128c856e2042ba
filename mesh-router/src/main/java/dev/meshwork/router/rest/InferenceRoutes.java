package dev.meshwork.router.rest;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.tensor.InferenceRequest;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.protocol.tensor.KServeV1Codec;
import dev.meshwork.protocol.tensor.ModelMetadata;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.RequestMetrics;
import dev.meshwork.router.payload.PayloadLogger;
import dev.meshwork.router.overload.OverloadGate;
import dev.meshwork.security.Action;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** KServe v1 and Open Inference Protocol v2 REST: inference, metadata, readiness and health. */
final class InferenceRoutes {
    static final String SERVER_NAME = "meshwork";
    static final String SERVER_VERSION = "0.1.0";
    /** The header whose value a payload log's events carry as their id. */
    static final String REQUEST_ID = "x-request-id";
    private final ModelService service;
    private final Offloader off;

    private final RequestMetrics requests;
    private final BooleanSupplier ready;

    InferenceRoutes(ModelService service, Offloader off, RequestMetrics requests, BooleanSupplier ready) {
        this.service = service;
        this.off = off;
        this.requests = requests;
        this.ready = ready;
    }

    void mount(Router r, RestAccess a) {
        for (String prefix : List.of("/v2/models/:name", "/v2/models/:name/versions/:version")) {
            a.route(r.post(prefix + "/infer"), Action.INFER, this::v2Infer);
            a.route(r.get(prefix), Action.INFER, this::v2Metadata);
            a.route(r.get(prefix + "/ready"), Action.INFER, this::v2Ready);
        }
        a.route(r.postWithRegex("/v1/models/(?<name>[^/:]+):predict"), Action.INFER, this::v1Predict);
        a.route(r.getWithRegex("/v1/models/(?<name>[^/:]+)"), Action.INFER, this::v1Status);
        // health probes and the server's own metadata stay open: orchestrators probe without credentials
        for (String path : List.of("/v2/health/live", "/health/live")) {
            r.get(path).handler(ctx -> Offloader.send(ctx, Reply.json(200, Map.of("live", true))));
        }
        for (String path : List.of("/v2/health/ready", "/health/ready")) {
            // ready means able to serve: a cluster router has joined and sees at least one node
            r.get(path).handler(ctx -> off.handle(ctx, () -> {
                boolean ok = ready.getAsBoolean();
                return Reply.json(ok ? 200 : 503, Map.of("ready", ok));
            }));
        }
        r.get("/v2").handler(ctx -> Offloader.send(ctx, Reply.json(200, Map.of("name", SERVER_NAME, "version", SERVER_VERSION,
                "extensions", List.of("model_repository")))));
    }

    private void v2Infer(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String id = RestAccess.id(ctx, name);
        String version = ctx.pathParam("version");
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        MultiMap headers = ctx.request().headers();
        OverloadGate.Arrival arrived = arrive(ctx);
        if (arrived == null) {
            return;
        }
        off.handle(ctx, service.runsInline(id, body.length), () -> requests.time("rest-v2", id, headers::get, arrived, () -> {
            ModelSpec spec = service.route(id, headers::get); // an unknown model is a 404 whatever the body holds
            InferenceRequest req = JsonTensorCodec.decodeV2(body, name, version);
            return Reply.ok(service.payloads().logged(spec, id, () -> PayloadLogger.requestId(headers.get(REQUEST_ID), req.id()), () -> body,
                    () -> body.length, () -> JsonTensorCodec.encodeV2(service.infer(spec, req)), a -> a, a -> a.length));
        }));
    }

    /**
     * The request arrives at the overload gate, on the event loop: its arrival, or null when it was refused
     * and the refusal has been sent (at once, without waiting for a request thread).
     */
    private OverloadGate.Arrival arrive(RoutingContext ctx) {
        try {
            return requests.arrive();
        } catch (RuntimeException e) {
            Offloader.send(ctx, RestErrors.reply(e));
            return null;
        }
    }

    private void v2Metadata(RoutingContext ctx) {
        String id = RestAccess.id(ctx, ctx.pathParam("name"));
        off.handle(ctx, () -> Reply.ok(JsonTensorCodec.toBytes(JsonTensorCodec.metadataJson(service.metadata(id)))));
    }

    private void v2Ready(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String id = RestAccess.id(ctx, name);
        off.handle(ctx, () -> {
            service.resolve(id);
            boolean ready = service.ready(id);
            return Reply.json(ready ? 200 : 503, Map.of("name", name, "ready", ready));
        });
    }

    private void v1Predict(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String id = RestAccess.id(ctx, name);
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        MultiMap headers = ctx.request().headers();
        OverloadGate.Arrival arrived = arrive(ctx);
        if (arrived == null) {
            return;
        }
        off.handle(ctx, service.runsInline(id, body.length), () -> requests.time("rest-v1", id, headers::get, arrived, () -> {
            ModelSpec spec = service.route(id, headers::get);
            ModelMetadata meta = service.metadata(spec); // the routed model's: a split's models may differ in their inputs
            KServeV1Codec.V1Request req = KServeV1Codec.decode(body, name, meta);
            return Reply.ok(service.payloads().logged(spec, id, () -> PayloadLogger.requestId(headers.get(REQUEST_ID), ""), () -> body,
                    () -> body.length, () -> KServeV1Codec.encode(service.infer(spec, req.request()), req.rowForm()), a -> a, a -> a.length));
        }));
    }

    private void v1Status(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String id = RestAccess.id(ctx, name);
        off.handle(ctx, () -> {
            service.resolve(id);
            return Reply.json(200, Map.of("name", name, "ready", service.ready(id)));
        });
    }
}
