package dev.meshwork.placement.registry;

import java.util.regex.Pattern;

/**
 * The digest a storageUri may pin with a {@code #sha256=<64 hex>} suffix (pip's convention for
 * hashed URLs): a node loads the artifact only if its bytes have that digest, and reports the
 * digest of what it loaded with every copy. Works the same through every way of registering
 * (REST, ModelMesh gRPC, KServe documents), since it is part of the storageUri. Stateless.
 */
public final class DigestPin {
    /** What marks the pin in a storageUri. */
    public static final String MARK = "#sha256=";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private DigestPin() {
    }

    /** The pinned digest as nodes report digests ({@code sha256:<hex>}), or empty when the URI pins none. */
    public static String of(String storageUri) {
        int at = storageUri.lastIndexOf(MARK);
        return at < 0 ? "" : "sha256:" + storageUri.substring(at + MARK.length());
    }

    /** The URI without its pin: where the artifact is. */
    public static String location(String storageUri) {
        int at = storageUri.lastIndexOf(MARK);
        return at < 0 ? storageUri : storageUri.substring(0, at);
    }

    /** Null when the URI's pin (if any) is well formed, else what is wrong with it. */
    static String problem(String storageUri) {
        int at = storageUri.lastIndexOf(MARK);
        if (at < 0) {
            return null;
        }
        String hex = storageUri.substring(at + MARK.length());
        return HEX.matcher(hex).matches() ? null
                : "pins '" + MARK + hex + "', which is not a SHA-256 digest (64 lower-case hex digits, as sha256sum prints)";
    }
}
