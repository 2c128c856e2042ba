package dev.meshwork.node.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SHA-256 digest of an artifact, as {@code sha256:<hex>}, defined so that a shell reproduces it:
 * a file's digest is that of its bytes ({@code sha256sum model.onnx}); a directory's is that of
 * the lines {@code sha256sum} prints for its regular files, by relative path in byte order
 * ({@code (cd DIR && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum}).
 * Stateless; runs on load threads.
 */
public final class ArtifactDigest {
    private ArtifactDigest() {
    }

    /** The digest of the file or directory at {@code path}, every byte read. */
    public static String of(Path path) {
        return of(path, ArtifactDigest::hexOf);
    }

    /** The hex SHA-256 of one regular file's bytes. */
    @FunctionalInterface
    interface FileHash {
        String hex(Path file) throws IOException;
    }

    /** The digest of the file or directory at {@code path}, each regular file's hash taken from {@code hash}. */
    static String of(Path path, FileHash hash) {
        try {
            if (!Files.isDirectory(path)) {
                return "sha256:" + hash.hex(path);
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(path)) {
                files = walk.filter(Files::isRegularFile).sorted((a, b) -> compareBytes(rel(path, a), rel(path, b))).toList();
            }
            MessageDigest listing = sha256();
            for (Path f : files) {
                listing.update((hash.hex(f) + "  " + rel(path, f) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "sha256:" + HexFormat.of().formatHex(listing.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + path + " to digest it: " + e.getMessage(), e);
        }
    }

    private static String rel(Path root, Path file) {
        return root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /** LC_ALL=C order: unsigned bytes of the UTF-8 names. */
    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static String hexOf(Path file) throws IOException {
        MessageDigest d = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
