package dev.meshwork.router.rest;

import dev.meshwork.placement.tenant.MeshUsage;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.router.tenant.NamespaceStatus;
import dev.meshwork.config.OwnedDirectory;
import dev.meshwork.router.tenant.TenantDocument;
import dev.meshwork.router.tenant.Tenants;
import dev.meshwork.security.Access;
import dev.meshwork.security.Action;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Tenants over REST: {@code GET /v1/mesh/namespaces} (every namespace the caller may view, with
 * its policy, models, memory against its share and ceiling, request and throttle rates, hit ratio),
 * {@code GET|PUT|DELETE /v1/mesh/namespaces/{ns}} ({@code *} is the defaults document). Writing
 * a policy needs the admin role over every namespace: a tenant never sets its own limits.
 */
final class TenantRoutes {
    private final ModelService service;
    private final Tenants tenants;
    /** The watched tenant directory, or null. */
    private final OwnedDirectory<?> directory;
    private final Offloader off;

    TenantRoutes(ModelService service, OwnedDirectory<?> directory, Offloader off) {
        this.service = service;
        this.tenants = service.tenants();
        this.directory = directory;
        this.off = off;
    }

    void mount(Router r, RestAccess a) {
        a.list(r.get("/v1/mesh/namespaces"), Action.VIEW, ctx -> {
            Access access = RestAccess.of(ctx);
            off.handle(ctx, () -> Reply.json(200, list(access)));
        });
        a.namespaced(r.get("/v1/mesh/namespaces/:ns"), Action.VIEW, "ns", ctx -> {
            String ns = ctx.pathParam("ns");
            off.handle(ctx, () -> ns.equals(TenantPolicy.DEFAULTS) ? Reply.json(200, TenantDocument.view(tenants.policies().defaults()))
                    : Reply.json(200, status(ns)));
        });
        a.route(r.put("/v1/mesh/namespaces/:ns"), Action.ADMIN, this::put);
        a.route(r.delete("/v1/mesh/namespaces/:ns"), Action.ADMIN, ctx -> {
            String ns = ctx.pathParam("ns");
            off.handle(ctx, () -> {
                ownedByApi(ns);
                if (tenants.remove(ns).isEmpty()) {
                    throw MeshError.notFound("namespace '%s' has no tenant document; the %s", ns,
                            ns.equals(TenantPolicy.DEFAULTS) ? "built-in defaults (no limits) hold" : "defaults (*) hold for it");
                }
                return Reply.json(200, new Deleted(ns, true));
            });
        });
    }

    /** The answer to a DELETE, its fields in this order. */
    record Deleted(String namespace, boolean deleted) {
    }

    private void put(RoutingContext ctx) {
        String ns = ctx.pathParam("ns");
        byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        off.handle(ctx, () -> {
            TenantPolicy policy = TenantDocument.parse(ns, body);
            ownedByApi(ns);
            boolean created = tenants.put(policy).isEmpty();
            return Reply.json(created ? 201 : 200, TenantDocument.view(policy));
        });
    }

    /** A document the watched directory wrote is changed there, not over the API (the next sync would undo it). */
    private void ownedByApi(String ns) {
        Optional<TenantPolicy> current = tenants.document(ns);
        if (current.isPresent() && !current.get().source().isEmpty()) {
            throw MeshError.format(ErrorCode.PRECONDITION_FAILED, "the tenant document of '%s' comes from %s; change it there",
                    ns, current.get().source().substring(current.get().source().indexOf(':') + 1));
        }
    }

    private Map<String, Object> list(Access access) {
        Map<String, Long> models = modelsPerNamespace();
        MeshUsage usage = Tenants.usage(service.nodes());
        TreeSet<String> names = new TreeSet<>(tenants.policies().namespaces());
        names.addAll(models.keySet());
        names.addAll(usage.byNamespace().keySet());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("namespaces", names.stream().filter(access::sees).map(ns -> tenants.status(ns, models.getOrDefault(ns, 0L), usage)).toList());
        body.put("defaults", TenantDocument.view(tenants.policies().defaults()));
        body.put("meshBytes", usage.slotBytes());
        body.put("routers", tenants.routers());
        if (directory != null) {
            body.put("directory", Map.of("path", directory.dir().toString(), "errors", directory.errors()));
        }
        return body;
    }

    private NamespaceStatus status(String ns) {
        return tenants.status(ns, modelsPerNamespace().getOrDefault(ns, 0L), Tenants.usage(service.nodes()));
    }

    /** The registrations of each namespace: one pass over the registry. */
    private Map<String, Long> modelsPerNamespace() {
        Map<String, Long> models = new TreeMap<>();
        service.list().forEach(s -> models.merge(s.namespace(), 1L, Long::sum));
        return models;
    }
}
