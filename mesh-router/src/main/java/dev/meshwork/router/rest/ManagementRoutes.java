package dev.meshwork.router.rest;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.config.OwnedDirectory;
import dev.meshwork.router.mesh.ModelRegistration;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.mesh.RequestHistory;
import dev.meshwork.security.Access;
import dev.meshwork.security.Action;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Meshwork's management REST (mirrors ModelMesh's management gRPC): register, list, status, unregister. */
final class ManagementRoutes {
    private final ModelService service;
    /** The watched model directory, or null when there is none. */
    private final OwnedDirectory<?> directory;
    private final RequestHistory history;
    private final Offloader off;
    /** A copy used this recently is hot in a node's removal cost: the autoscale signal's working-set window. */
    private final long hotWindowMs;

    ManagementRoutes(ModelService service, OwnedDirectory<?> directory, RequestHistory history, Offloader off, long hotWindowMs) {
        this.service = service;
        this.hotWindowMs = hotWindowMs;
        this.history = history;
        this.directory = directory;
        this.off = off;
    }

    private Map<String, Object> modelList(Access access) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("models", service.list().stream().filter(s -> access.sees(s.namespace())).map(service::status).toList());
        if (directory != null) {
            body.put("directory", Map.of("path", directory.dir().toString(), "errors", directory.errors()));
        }
        return body;
    }

    void mount(Router r, RestAccess a) {
        a.route(r.put("/v1/mesh/models/:name"), Action.DEPLOY, this::register);
        a.list(r.get("/v1/mesh/models"), Action.VIEW, ctx -> {
            Access access = RestAccess.of(ctx);
            off.handle(ctx, () -> Reply.json(200, modelList(access)));
        });
        a.route(r.get("/v1/mesh/models/:name"), Action.VIEW, ctx -> {
            String id = RestAccess.id(ctx, ctx.pathParam("name"));
            off.handle(ctx, () -> Reply.json(200, service.status(id)));
        });
        a.route(r.get("/v1/mesh/models/:name/history"), Action.VIEW, ctx -> {
            String name = ctx.pathParam("name");
            String id = RestAccess.id(ctx, name);
            off.handle(ctx, () -> {
                if (!service.isRegistered(id) && service.vmodels().get(id).isEmpty()) {
                    throw MeshError.notFound("no model or vmodel '%s' is registered", name);
                }
                return Reply.json(200, Map.of("name", name, "intervalSeconds", RequestHistory.INTERVAL_SECONDS,
                        "samples", history.of(id)));
            });
        });
        a.route(r.delete("/v1/mesh/models/:name"), Action.DEPLOY, ctx -> {
            String name = ctx.pathParam("name");
            String id = RestAccess.id(ctx, name);
            off.handle(ctx, () -> {
                service.unregister(id);
                return Reply.json(200, Map.of("name", name, "unregistered", true));
            });
        });
        a.list(r.get("/v1/mesh/nodes"), Action.ADMIN, ctx -> off.handle(ctx, () -> Reply.json(200, Map.of("nodes", nodesWithCosts()))));
        a.route(r.post("/v1/mesh/nodes/:node/drain"), Action.ADMIN, ctx -> {
            String node = ctx.pathParam("node");
            String principal = RestAccess.of(ctx).principal().name();
            off.handle(ctx, () -> Reply.json(202, Map.of("node", node, "draining", true, "started", service.drain(node, principal))));
        });
    }

    private void register(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        String namespace = RestAccess.of(ctx).namespace();
        boolean load = "true".equals(ctx.queryParams().get("load"));
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        off.handle(ctx, () -> {
            ModelSpec spec = ModelRegistration.parse(namespace, name, body);
            boolean created = service.register(spec);
            if (!load) {
                return Reply.json(created ? 201 : 200, service.status(spec));
            }
            try {
                return Reply.json(created ? 201 : 200, service.load(spec.id()));
            } catch (RuntimeException e) {
                // the registration stands (as ModelMesh's registerModel with loadNow): the answer says so, and why the load failed
                MeshError failed = MeshError.wrap(e);
                throw new MeshError(failed.code(), "model '" + spec.name() + "' is registered, but its load failed: " + failed.getMessage(), e);
            }
        });
    }

    /** The nodes, each with what losing it would cost ({@code removalCost}, what the controller puts in pod-deletion-cost). */
    private List<Map<String, Object>> nodesWithCosts() {
        long now = System.currentTimeMillis();
        return service.nodes().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>(node(n));
            m.put("removalCost", service.removalCost(n, now, hotWindowMs));
            return m;
        }).toList();
    }

    /** The nodes as the API shows them (also the console's {@code nodes} event). */
    static List<Map<String, Object>> nodes(ModelService service) {
        return service.nodes().stream().map(ManagementRoutes::node).toList();
    }

    private static Map<String, Object> node(NodeRecord n) {
        return Map.of("node", n.nodeId(), "endpoint", n.endpoint(),
                "zone", n.zone(), "labels", n.labels(), "draining", n.draining(), "inFlight", n.inFlight(), "slots", n.slots().stream()
                .map(s -> Map.of("name", s.name(), "runtime", s.runtime(), "device", s.device(),
                        "capacityBytes", s.capacityBytes(), "usedBytes", s.usedBytes(), "evictions", s.evictions(),
                        "models", s.models())).toList());
    }
}
