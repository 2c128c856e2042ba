package dev.meshwork.router.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.protocol.tensor.JsonTensorCodec;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.ModelStatus;
import dev.meshwork.security.Access;
import dev.meshwork.security.Action;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/** The model repository extension: Triton's index and KServe's list, load and unload. */
final class RepositoryRoutes {
    private final ModelService service;
    private final Offloader off;

    RepositoryRoutes(ModelService service, Offloader off) {
        this.service = service;
        this.off = off;
    }

    /** One repository entry, with Triton's state words (READY, LOADING, UNAVAILABLE). */
    record IndexEntry(String name, String version, String state, String reason) {
    }

    static IndexEntry entry(ModelStatus s) {
        return switch (s.state()) {
            case LOADED -> new IndexEntry(s.name(), "1", "READY", "");
            case LOADING -> new IndexEntry(s.name(), "1", "LOADING", "");
            case FAILED -> new IndexEntry(s.name(), "1", "UNAVAILABLE", s.error());
            case NOT_LOADED -> new IndexEntry(s.name(), "1", "UNAVAILABLE", "not loaded; loads on its first request");
        };
    }

    void mount(Router r, RestAccess a) {
        a.list(r.get("/v2/repository/models"), Action.VIEW, ctx -> {
            Access access = RestAccess.of(ctx);
            off.handle(ctx, () -> Reply.json(200, index(access, false)));
        });
        a.list(r.post("/v2/repository/index"), Action.VIEW, this::index);
        a.route(r.post("/v2/repository/models/:name/load"), Action.DEPLOY, ctx -> {
            String name = ctx.pathParam("name");
            String id = RestAccess.id(ctx, name);
            off.handle(ctx, () -> {
                service.load(id);
                return Reply.json(200, Map.of("name", name, "load", true));
            });
        });
        a.route(r.post("/v2/repository/models/:name/unload"), Action.DEPLOY, ctx -> {
            String name = ctx.pathParam("name");
            String id = RestAccess.id(ctx, name);
            off.handle(ctx, () -> {
                service.unload(id);
                return Reply.json(200, Map.of("name", name, "unload", true));
            });
        });
    }

    private void index(RoutingContext ctx) {
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        Access access = RestAccess.of(ctx);
        off.handle(ctx, () -> {
            boolean readyOnly = false;
            if (body.length > 0) {
                JsonNode req = JsonTensorCodec.parse(body);
                readyOnly = req.path("ready").asBoolean(false);
            }
            return Reply.json(200, index(access, readyOnly));
        });
    }

    private List<IndexEntry> index(Access access, boolean readyOnly) {
        return service.list().stream().filter(s -> access.sees(s.namespace())).map(service::status).map(RepositoryRoutes::entry)
                .filter(e -> !readyOnly || e.state().equals("READY")).toList();
    }
}
