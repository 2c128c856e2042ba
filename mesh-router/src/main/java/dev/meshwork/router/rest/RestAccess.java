package dev.meshwork.router.rest;

import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.security.Access;
import dev.meshwork.security.AccessControl;
import dev.meshwork.security.Action;
import dev.meshwork.security.Credentials;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The REST side of access control: every route is mounted through {@link #route}, which puts the
 * one check ({@link AccessControl}) in front of it, before its body is read, so an unauthenticated
 * caller cannot make the router buffer a body. The check runs on the event loop (it reads headers,
 * hashes a token or checks a JWT signature against keys in memory; it never waits). The outcome of
 * every request that changes the mesh is audited when its answer is sent.
 */
final class RestAccess {
    static final String NAMESPACE_HEADER = "meshwork-namespace";
    private static final String KEY = "meshwork.access";
    private final AccessControl control;
    private final BodyHandler body;

    RestAccess(AccessControl control, long maxRequestBytes) {
        this.control = control;
        this.body = BodyHandler.create(false).setBodyLimit(maxRequestBytes);
    }

    /** Mounts {@code handler} on {@code route} behind the check that {@code action} needs. */
    void route(Route route, Action action, Handler<RoutingContext> handler) {
        route.handler(gate(action, false)).handler(body).handler(handler);
    }

    /** Mounts a list: without a namespace header it shows every namespace the principal may view. */
    void list(Route route, Action action, Handler<RoutingContext> handler) {
        route.handler(gate(action, true)).handler(body).handler(handler);
    }

    /**
     * Mounts a route about one namespace, which its path names in {@code param} (the tenant
     * routes): the check acts in that namespace, as it acts in the header's elsewhere; {@code *}
     * (the defaults) is a list over what the principal may view.
     */
    void namespaced(Route route, Action action, String param, Handler<RoutingContext> handler) {
        route.handler((SecurityPolicyHandler) ctx -> {
            String ns = ctx.pathParam(param);
            boolean all = ns == null || ns.equals(dev.meshwork.security.Principal.ALL_NAMESPACES);
            check(ctx, action, all, all ? null : ns);
        }).handler(body).handler(handler);
    }

    /** Vert.x orders a route's handlers by kind; a security policy runs before the body is read, as the check must. */
    private SecurityPolicyHandler gate(Action action, boolean listing) {
        return ctx -> check(ctx, action, listing, ctx.request().getHeader(NAMESPACE_HEADER));
    }

    private void check(RoutingContext ctx, Action action, boolean listing, String namespace) {
        String name = ctx.pathParam("name");
        String target = name != null ? name : ctx.request().path();
        Access access;
        try {
            access = control.check(new Credentials(Credentials.bearerOf(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)),
                    clientCertificates(ctx)), namespace, action, listing, target, "rest");
        } catch (RuntimeException e) {
            Reply r = RestErrors.reply(e);
            if (r.status() == 401) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"meshwork\"");
            }
            Offloader.send(ctx, r);
            return;
        }
        ctx.put(KEY, access);
        if (action.changes()) {
            ctx.addEndHandler(v -> {
                int status = ctx.response().getStatusCode();
                control.audited(access, action, ctx.request().method() + " " + target, status < 400 ? "ok" : "failed:" + status, "rest");
            });
        }
        ctx.next();
    }

    private static List<X509Certificate> clientCertificates(RoutingContext ctx) {
        if (!ctx.request().isSSL()) {
            return List.of();
        }
        try {
            List<Certificate> certs = ctx.request().connection().peerCertificates();
            return certs == null ? List.of() : certs.stream().filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** The checked access of a request that went through {@link #route}. */
    static Access of(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    /** The registry id of model {@code name} in the request's namespace. */
    static String id(RoutingContext ctx, String name) {
        return ModelSpec.qualify(of(ctx).namespace(), name);
    }
}
