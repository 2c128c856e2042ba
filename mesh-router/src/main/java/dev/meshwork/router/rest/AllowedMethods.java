package dev.meshwork.router.rest;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The methods the REST router serves on a path, for a 405's {@code Allow} header. Read once from
 * the router after every route is mounted; immutable after, so event loops read it freely.
 */
final class AllowedMethods {
    private static final Pattern PARAM = Pattern.compile(":\\w+");
    private final List<Entry> entries = new ArrayList<>();

    private record Entry(Pattern path, Set<HttpMethod> methods) {
    }

    AllowedMethods(Router router) {
        for (Route route : router.getRoutes()) {
            if (route.methods() != null && !route.methods().isEmpty() && route.getName() != null) {
                entries.add(new Entry(route.getPath() != null ? fromPath(route.getPath()) : Pattern.compile(route.getName()), route.methods()));
            }
        }
    }

    /** A path with {@code :params} as a pattern: each parameter one segment, everything else literal. */
    private static Pattern fromPath(String path) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PARAM.matcher(path);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(path.substring(at, m.start()))).append("[^/]+");
            at = m.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(path.substring(at))).toString());
    }

    /** The methods served on {@code path}, comma-separated in name order ({@code "GET, POST"}). */
    String on(String path) {
        Set<String> names = new TreeSet<>();
        for (Entry e : entries) {
            if (e.path().matcher(path).matches()) {
                e.methods().forEach(method -> names.add(method.name()));
            }
        }
        return String.join(", ", names);
    }
}
