package dev.meshwork.router.console;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The web console's files, served at {@code /ui/} from the jar: a fixed list read into memory once,
 * so no request names a file (nothing to traverse) and nothing is unpacked to disk. The files hold
 * no data: the page reads the mesh through the REST API with the user's token, behind the same
 * checks as every client, so the files themselves are open like a login page. Immutable; any
 * event loop serves them.
 */
public final class ConsoleAssets implements Handler<RoutingContext> {
    /** The page may load only its own files and talk only to this router; no frame may embed it. */
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
            + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> FILES = Map.of(
            "", "index.html", "index.html", "index.html", "console.js", "console.js", "console.css", "console.css");
    private final Map<String, Asset> assets;

    private record Asset(Buffer body, String type, String etag) {
    }

    public ConsoleAssets() {
        this.assets = Map.of("index.html", read("index.html", "text/html; charset=utf-8"),
                "console.js", read("console.js", "text/javascript; charset=utf-8"),
                "console.css", read("console.css", "text/css; charset=utf-8"));
    }

    /** Mounts the console on {@code router}: {@code /ui} redirects to {@code /ui/}, which is the page. */
    public void mount(Router router) {
        router.get("/ui").handler(ctx -> {
            if (ctx.request().path().equals("/ui")) { // Vert.x matches "/ui/" here too
                ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, "/ui/").end();
            } else {
                ctx.next();
            }
        });
        router.get("/ui/*").handler(this);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String file = FILES.get(ctx.request().path().substring("/ui/".length()));
        if (file == null) {
            ctx.next(); // the router's 404, in JSON like every other
            return;
        }
        Asset a = assets.get(file);
        var response = ctx.response()
                .putHeader("content-security-policy", POLICY)
                .putHeader("x-content-type-options", "nosniff")
                .putHeader("x-frame-options", "DENY")
                .putHeader("referrer-policy", "no-referrer")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader(HttpHeaders.ETAG, a.etag());
        if (a.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
            response.setStatusCode(304).end();
            return;
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, a.type()).end(a.body());
    }

    private static Asset read(String name, String type) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the console's " + name + " is missing from the jar");
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
            return new Asset(Buffer.buffer(bytes), type, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
