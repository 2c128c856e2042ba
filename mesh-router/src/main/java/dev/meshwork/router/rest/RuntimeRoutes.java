package dev.meshwork.router.rest;

import dev.meshwork.kserve.CatalogWatcher;
import dev.meshwork.kserve.ServingRuntime;
import dev.meshwork.security.Action;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /v1/mesh/runtimes}: the ServingRuntime catalog in force, and why the newest edit was refused, if it was. */
final class RuntimeRoutes {
    private final CatalogWatcher catalog;
    private final Offloader off;

    RuntimeRoutes(CatalogWatcher catalog, Offloader off) {
        this.catalog = catalog;
        this.off = off;
    }

    void mount(Router r, RestAccess a) {
        a.list(r.get("/v1/mesh/runtimes"), Action.ADMIN, ctx -> off.handle(ctx, () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("directory", catalog.dir() == null ? "" : catalog.dir().toString());
            body.put("reloadError", catalog.reloadError());
            body.put("runtimes", catalog.catalog().runtimes().stream().map(RuntimeRoutes::view).toList());
            return Reply.json(200, body);
        }));
    }

    private static Map<String, Object> view(ServingRuntime r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("kind", r.clusterScoped() ? "ClusterServingRuntime" : "ServingRuntime");
        m.put("namespace", r.namespace());
        m.put("adapter", r.adapter());
        m.put("disabled", r.disabled());
        m.put("multiModel", r.multiModel());
        m.put("protocolVersions", r.protocolVersions());
        m.put("supportedModelFormats", r.formats());
        m.put("nodeSelector", r.nodeSelector());
        m.put("containers", r.containers());
        m.put("source", r.source());
        return m;
    }
}
