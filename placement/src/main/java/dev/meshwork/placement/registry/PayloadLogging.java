package dev.meshwork.placement.registry;

import dev.meshwork.protocol.error.MeshError;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a model's requests and answers are copied to (KServe's {@code logger}): each one is POSTed
 * to {@code url} as a CloudEvent, as {@code mode} asks. Immutable; {@link #NONE} logs nothing.
 *
 * @param mode which of the two are sent
 * @param url  the sink, an {@code http} or {@code https} URL; empty for none
 */
public record PayloadLogging(Mode mode, String url) implements java.io.Serializable {
    /** No logging. */
    public static final PayloadLogging NONE = new PayloadLogging(Mode.ALL, "");
    /** A URL longer than this is a mistake (or an attempt to smuggle data into one). */
    public static final int MAX_URL = 2_048;

    /** KServe's logger modes. */
    public enum Mode {
        ALL, REQUEST, RESPONSE;

        /** From KServe's spelling ({@code all}, {@code request}, {@code response}). */
        public static Mode of(String text) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(text)) {
                    return m;
                }
            }
            throw MeshError.invalid("logger mode must be all, request or response, got '%s'", text);
        }

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PayloadLogging {
        mode = mode == null ? Mode.ALL : mode;
        url = url == null ? "" : url.trim();
        if (!url.isEmpty()) {
            checkUrl(url);
        }
    }

    public boolean enabled() {
        return !url.isEmpty();
    }

    public boolean requests() {
        return enabled() && mode != Mode.RESPONSE;
    }

    public boolean responses() {
        return enabled() && mode != Mode.REQUEST;
    }

    private static void checkUrl(String url) {
        if (url.length() > MAX_URL) {
            throw MeshError.invalid("the logger url is %d characters, more than %d", url.length(), MAX_URL);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw MeshError.invalid("the logger url '%s' is not a URL: %s", url, e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw MeshError.invalid("the logger url must be http:// or https:// with a host, got '%s'", url);
        }
        if (uri.getUserInfo() != null) {
            throw MeshError.invalid("the logger url must not carry credentials (user:password@); got '%s'", ModelSpec.redactUri(url));
        }
    }
}
