package dev.meshwork.node.storage;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a storageUri into a local artifact path that a runtime may read: confined to the
 * configured roots (after resolving symbolic links) and within the size limit. Thread-safe
 * (immutable); called from load threads.
 */
public final class ArtifactStore {
    private static final Set<String> INTERNET_ONLY = Set.of("gs", "hf", "azure", "wasbs", "abfs", "oci", "pvc");
    private final List<Path> roots;
    private final long maxBytes;

    public ArtifactStore(NodeConfig.Storage config) {
        this.roots = config.roots().stream().map(ArtifactStore::realRoot).toList();
        this.maxBytes = config.maxArtifactBytes();
    }

    private static Path realRoot(String root) {
        Path p = Path.of(root).toAbsolutePath().normalize();
        try {
            return Files.exists(p) ? p.toRealPath() : p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The roots that paths must lie under. */
    public List<Path> roots() {
        return roots;
    }

    /** Resolves and checks the artifact of {@code storageUri}. */
    public Path resolve(String storageUri) {
        Path path = toPath(storageUri);
        Path real;
        try {
            real = path.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new MeshError(ErrorCode.NOT_FOUND, "storageUri " + storageUri + ": no such file or directory (" + path + ")");
        } catch (IOException e) {
            throw new MeshError(ErrorCode.NOT_FOUND, "storageUri " + storageUri + ": cannot read " + path + ": " + e.getMessage());
        }
        if (roots.stream().noneMatch(real::startsWith)) {
            throw new MeshError(ErrorCode.PERMISSION_DENIED, "storageUri " + storageUri + " resolves to " + real
                    + ", outside the storage roots " + roots + "; move the artifact under a root or add one with node.storage.roots");
        }
        long size = sizeOf(real);
        if (size > maxBytes) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "artifact " + real + " is " + size
                    + " bytes, more than the node.storage.maxArtifactBytes limit of " + maxBytes);
        }
        return real;
    }

    private static Path toPath(String storageUri) {
        int colon = storageUri.indexOf("://");
        if (colon < 0) {
            return Path.of(storageUri).toAbsolutePath().normalize();
        }
        String scheme = storageUri.substring(0, colon).toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file" -> {
                try {
                    URI uri = new URI(storageUri);
                    // file://relative/path is common in hand-written documents: treat the authority as a path segment
                    String p = uri.getAuthority() == null ? uri.getPath() : uri.getAuthority() + uri.getPath();
                    return Path.of(p).toAbsolutePath().normalize();
                } catch (URISyntaxException e) {
                    return Path.of(storageUri.substring(colon + 3)).toAbsolutePath().normalize();
                }
            }
            case "http", "https", "s3" -> throw new MeshError(ErrorCode.UNIMPLEMENTED,
                    "storageUri scheme '" + scheme + "' is not available in this build yet; use file:// or a plain path");
            default -> {
                if (INTERNET_ONLY.contains(scheme)) {
                    throw new MeshError(ErrorCode.UNIMPLEMENTED, "storageUri scheme '" + scheme
                            + "' needs a cloud service this deployment cannot reach; not supported here. Use file://, a plain path, http(s):// or s3://");
                }
                throw MeshError.invalid("storageUri %s has unknown scheme '%s'; use file://, a plain path, http(s):// or s3://", storageUri, scheme);
            }
        }
    }

    private static long sizeOf(Path real) {
        try {
            if (!Files.isDirectory(real)) {
                return Files.size(real);
            }
            try (Stream<Path> files = Files.walk(real)) {
                return files.filter(Files::isRegularFile).mapToLong(f -> {
                    try {
                        return Files.size(f);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).sum();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
