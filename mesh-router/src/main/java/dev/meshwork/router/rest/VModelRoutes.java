package dev.meshwork.router.rest;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.router.mesh.VModelDocument;
import dev.meshwork.router.mesh.VModelService;
import dev.meshwork.security.Access;
import dev.meshwork.security.Action;
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

    void mount(Router r, RestAccess a) {
        a.route(r.put("/v1/mesh/vmodels/:name"), Action.DEPLOY, this::set);
        a.list(r.get("/v1/mesh/vmodels"), Action.VIEW, ctx -> {
            Access access = RestAccess.of(ctx);
            off.handle(ctx, () -> Reply.json(200, Map.of("vmodels", vmodels.list().stream()
                    .filter(v -> access.sees(ModelSpec.namespaceOf(v.id()))).map(v -> vmodels.status(v.id(), "")).toList())));
        });
        a.route(r.get("/v1/mesh/vmodels/:name"), Action.VIEW, ctx -> {
            String id = RestAccess.id(ctx, ctx.pathParam("name"));
            String owner = owner(ctx);
            off.handle(ctx, () -> Reply.json(200, vmodels.status(id, owner)));
        });
        a.route(r.delete("/v1/mesh/vmodels/:name"), Action.DEPLOY, ctx -> {
            String name = ctx.pathParam("name");
            String id = RestAccess.id(ctx, name);
            String owner = owner(ctx);
            off.handle(ctx, () -> {
                vmodels.delete(id, owner);
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
        String namespace = RestAccess.of(ctx).namespace();
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        off.handle(ctx, () -> {
            VModelService.SetRequest request = VModelDocument.parse(namespace, name, body);
            boolean created = vmodels.get(request.vmodelId()).isEmpty();
            return Reply.json(created ? 201 : 200, vmodels.set(request));
        });
    }
}
