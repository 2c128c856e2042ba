package dev.meshwork.router.rest;

import dev.meshwork.router.mesh.VModelDocument;
import dev.meshwork.router.mesh.VModelService;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** Meshwork's vmodel REST (mirrors ModelMesh's setVModel, getVModelStatus, deleteVModel). */
final class VModelRoutes {
    private final VModelService vmodels;
    private final Offloader off;

    VModelRoutes(VModelService vmodels, Offloader off) {
        this.vmodels = vmodels;
        this.off = off;
    }

    void mount(Router r) {
        r.put("/v1/mesh/vmodels/:name").handler(this::set);
        r.get("/v1/mesh/vmodels").handler(ctx -> off.handle(ctx, () -> Reply.json(200,
                Map.of("vmodels", vmodels.list().stream().map(v -> vmodels.status(v.id(), "")).toList()))));
        r.get("/v1/mesh/vmodels/:name").handler(ctx -> {
            String name = ctx.pathParam("name");
            String owner = owner(ctx);
            off.handle(ctx, () -> Reply.json(200, vmodels.status(name, owner)));
        });
        r.delete("/v1/mesh/vmodels/:name").handler(ctx -> {
            String name = ctx.pathParam("name");
            String owner = owner(ctx);
            off.handle(ctx, () -> {
                vmodels.delete(name, owner);
                return Reply.json(200, Map.of("name", name, "deleted", true));
            });
        });
    }

    private static String owner(RoutingContext ctx) {
        String owner = ctx.queryParams().get("owner");
        return owner == null ? "" : owner;
    }

    private void set(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        off.handle(ctx, () -> {
            VModelService.SetRequest request = VModelDocument.parse(name, body);
            boolean created = vmodels.get(name).isEmpty();
            return Reply.json(created ? 201 : 200, vmodels.set(request));
        });
    }
}
