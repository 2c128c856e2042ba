package dev.meshwork.router.rest;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

/**
 * Keeps web pages from driving the mesh through a user's browser. A listener on a loopback
 * address answers only requests whose {@code Host} names loopback (or {@code http.allowedHosts}),
 * which defeats DNS rebinding; and a request that changes or runs something (anything but GET
 * and HEAD) carrying an {@code Origin} header is refused unless that origin is this router's own
 * (the console's pages, served from the same scheme, host and port that the Host check passed) or in
 * {@code http.allowedOrigins}. Clients that are not browsers send no Origin and are not affected.
 * Runs first on the event loop; immutable, so any event loop may call it.
 */
final class CrossSiteGuard implements Handler<RoutingContext> {
    /** Compiled once: every REST request on a loopback listener asks it (String.matches compiled it per request). */
    private static final java.util.regex.Pattern IPV4_LOOPBACK = java.util.regex.Pattern.compile("127(\\.\\d{1,3}){3}");
    private final boolean loopbackOnly;
    private final List<String> allowedHosts;
    private final List<String> allowedOrigins;

    CrossSiteGuard(String bindHost, List<String> allowedHosts, List<String> allowedOrigins) {
        this.loopbackOnly = isLoopback(bindHost);
        this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.allowedOrigins = allowedOrigins;
    }

    @Override
    public void handle(RoutingContext ctx) {
        // HTTP/1.1's Host or HTTP/2's :authority, whichever the client sent
        HostAndPort authority = ctx.request().authority();
        String name = authority == null ? "" : hostName(authority.host());
        if (!allowedHosts.contains(name) && (loopbackOnly ? !isLoopbackName(name) : !allowedHosts.isEmpty())) {
            Offloader.send(ctx, RestErrors.reply(403, "Host '" + name + "' is not served here: this mesh answers "
                    + (loopbackOnly ? "loopback names" : "the names of http.allowedHosts") + " (add it to http.allowedHosts)"));
            return;
        }
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        HttpMethod method = ctx.request().method();
        if (origin != null && method != HttpMethod.GET && method != HttpMethod.HEAD && !allowedOrigins.contains(origin)
                && !sameOrigin(origin, ctx)) {
            Offloader.send(ctx, RestErrors.reply(403, "requests from web pages of origin " + origin
                    + " may only read; add the origin to http.allowedOrigins to let its pages change or run models"));
            return;
        }
        ctx.next();
    }

    /** Whether {@code origin} is the origin this request was sent to: a page this router served (the console). */
    static boolean sameOrigin(String origin, RoutingContext ctx) {
        String host = ctx.request().getHeader(HttpHeaders.HOST);
        if (host == null && ctx.request().authority() != null) {
            host = ctx.request().authority().toString();
        }
        return host != null && origin.equalsIgnoreCase(ctx.request().scheme() + "://" + host.trim());
    }

    /** The name part of a Host header: {@code [::1]:8080 -> ::1}, {@code localhost:8080 -> localhost}. */
    static String hostName(String header) {
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.lastIndexOf(':');
        return colon >= 0 && h.indexOf(':') == colon ? h.substring(0, colon) : h;
    }

    static boolean isLoopbackName(String name) {
        return name.equals("localhost") || name.endsWith(".localhost") || name.equals("::1") || IPV4_LOOPBACK.matcher(name).matches();
    }

    private static boolean isLoopback(String bindHost) {
        if (isLoopbackName(bindHost.toLowerCase(Locale.ROOT))) {
            return true;
        }
        try {
            return !bindHost.equals("0.0.0.0") && !bindHost.equals("::") && InetAddress.getByName(bindHost).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
