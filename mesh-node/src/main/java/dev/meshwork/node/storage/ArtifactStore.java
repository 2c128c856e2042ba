package dev.meshwork.node.storage;

import dev.meshwork.node.NodeConfig;
import dev.meshwork.placement.registry.DigestPin;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

/**
 * Turns a storageUri into a local artifact a runtime may read. {@code file://} and plain paths
 * must lie under the configured roots (after resolving symbolic links); {@code http(s)://} and
 * {@code s3://} artifacts are downloaded once into the bounded disk cache. Everything is held to
 * the size limit. Thread-safe; called from load threads, which may block on downloads.
 */
public final class ArtifactStore implements AutoCloseable {
    private static final Set<String> INTERNET_ONLY = Set.of("gs", "hf", "azure", "wasbs", "abfs", "oci", "pvc");
    /** The roots with symbolic links resolved: what a real path must lie under. */
    private final List<Path> roots;
    /** The roots as configured (absolute, normalised) and resolved: what a path as given may lie under. */
    private final List<Path> givenRoots;
    private final long maxBytes;
    private final DiskCache cache;
    private final HttpFetcher http;
    private final S3Fetcher s3;
    private final StorageKeys keys;
    /** One S3 client per storage a storage key describes (an edited entry is another storage). */
    private final ConcurrentMap<NodeConfig.S3, S3Fetcher> keyed = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final DownloadWatch watch;
    private final List<String> allowedHosts;
    private final ConcurrentMap<String, Object> downloadLocks = new ConcurrentHashMap<>();
    /** The downloads running now, by location (the storageUri without its digest pin). */
    private final ConcurrentMap<String, DownloadProgress> downloading = new ConcurrentHashMap<>();
    private final DownloadQueue downloads;
    /** A local file's digest, kept while the file is unchanged: a model loaded again is not read twice. */
    private final DigestCache digests = new DigestCache(16_384);

    public ArtifactStore(NodeConfig.Storage config) {
        this.roots = config.roots().stream().map(ArtifactStore::realRoot).toList();
        this.givenRoots = java.util.stream.Stream.concat(roots.stream(),
                config.roots().stream().map(r -> Path.of(r).toAbsolutePath().normalize())).distinct().toList();
        this.maxBytes = config.maxArtifactBytes();
        this.allowedHosts = config.allowedHosts();
        this.cache = new DiskCache(config.cachePath(), config.cacheMaxBytes());
        this.watch = new DownloadWatch(config.downloads().idleTimeoutMs(), config.downloads().deadlineMs());
        this.timeout = Duration.ofMillis(config.httpTimeoutMs());
        this.http = new HttpFetcher(timeout, watch);
        this.s3 = new S3Fetcher(config.s3(), timeout, watch);
        this.keys = new StorageKeys(config.keysDir());
        this.downloads = new DownloadQueue(config.downloads().threads(), config.downloads().perHost());
    }

    /**
     * Makes sure the artifact of {@code storageUri} is at hand before a load thread opens it: a
     * remote one not yet in the cache is downloaded on a download thread ({@link DownloadQueue});
     * local and cached artifacts are ready at once. The future fails with the download's error.
     */
    public CompletableFuture<Void> prefetch(String pinnedUri) {
        String storageUri = DigestPin.location(pinnedUri);
        String scheme = scheme(storageUri);
        boolean remote = scheme.equals("http") || scheme.equals("https") || scheme.equals("s3") || scheme.equals(StorageKeys.SCHEME);
        if (!remote || cache.lookup(DiskCache.key(storageUri)) != null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        downloads.submit(hostOf(storageUri), () -> {
            try (Artifact ignored = open(pinnedUri)) {
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    /** The host a download counts against: the URL's host, or the S3 endpoint for s3:// (one service). */
    private String hostOf(String storageUri) {
        try {
            String scheme = scheme(storageUri);
            String host = scheme.equals("s3") ? "s3" : scheme.equals(StorageKeys.SCHEME) ? "storage:" + URI.create(storageUri).getAuthority()
                    : URI.create(storageUri).getHost();
            return host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }


    /**
     * Opens the artifact of {@code pinnedUri}: a checked local path, pinned against cache eviction
     * until the handle is closed. When the URI pins a digest ({@link DigestPin}), bytes with
     * another digest are refused here, before any runtime parses them.
     */
    public Artifact open(String pinnedUri) {
        String pin = DigestPin.of(pinnedUri);
        Artifact a = openLocation(DigestPin.location(pinnedUri));
        if (!pin.isEmpty() && !pin.equals(a.digest())) {
            String found = a.digest();
            a.close();
            String location = DigestPin.location(pinnedUri);
            if (!scheme(location).isEmpty() && !scheme(location).equals("file")) {
                cache.discard(DiskCache.key(location)); // a corrected server is fetched again at the next try
            }
            throw new MeshError(ErrorCode.PRECONDITION_FAILED, MeshError.format(
                    "the artifact at %s has digest %s, not the %s its storageUri pins; it was not loaded",
                    ModelSpec.redactUri(location), found, pin));
        }
        return a;
    }

    private Artifact openLocation(String storageUri) {
        String scheme = scheme(storageUri);
        if (scheme.equals("http") || scheme.equals("https")) {
            checkHost(storageUri);
            return download(storageUri, http::fetch);
        }
        if (scheme.equals("s3")) {
            S3Fetcher.Location.parse(storageUri); // a bad bucket name fails before the cache is touched
            return download(storageUri, s3::fetch);
        }
        if (scheme.equals(StorageKeys.SCHEME)) {
            StorageKeys.Resolved at = keys.resolve(storageUri);
            S3Fetcher.Location.parse(at.s3Uri());
            S3Fetcher fetcher = keyed.computeIfAbsent(at.s3(), c -> new S3Fetcher(c, timeout, watch));
            return download(storageUri, (uri, target, max, progress) -> fetcher.fetch(at.s3Uri(), target, max, progress));
        }
        return new Artifact(resolve(storageUri), () -> { }, null, digests::of);
    }

    /** With {@code node.storage.allowedHosts} set, an http(s) artifact must come from one of them. */
    private void checkHost(String storageUri) {
        if (allowedHosts.isEmpty()) {
            return;
        }
        String host;
        try {
            host = java.net.URI.create(storageUri).getHost();
        } catch (IllegalArgumentException e) {
            throw MeshError.invalid("storageUri %s is not a valid URL: %s", ModelSpec.redactUri(storageUri), e.getMessage());
        }
        if (host == null || allowedHosts.stream().noneMatch(h -> h.equalsIgnoreCase(host))) {
            throw new MeshError(ErrorCode.PERMISSION_DENIED, MeshError.format("storageUri %s names host '%s', which is not in node.storage.allowedHosts %s",
                    ModelSpec.redactUri(storageUri), host, allowedHosts));
        }
    }

    /** A puller: writes the whole artifact at {@code target}, or nothing. */
    private interface Fetcher {
        void fetch(String uri, Path target, long maxBytes, DownloadProgress progress);
    }

    /** How far the download of {@code pinnedUri}'s artifact has come, while one runs on this node. */
    public java.util.Optional<DownloadProgress> downloading(String pinnedUri) {
        return java.util.Optional.ofNullable(downloading.get(DigestPin.location(pinnedUri)));
    }

    private Artifact download(String uri, Fetcher fetcher) {
        String key = DiskCache.key(uri);
        cache.pin(key);
        try {
            Path file = cache.lookup(key);
            if (file == null) {
                synchronized (downloadLocks.computeIfAbsent(key, k -> new Object())) {
                    file = cache.lookup(key);
                    if (file == null) {
                        file = cache.entryDir(key).resolve(fileName(uri));
                        DownloadProgress progress = new DownloadProgress();
                        downloading.put(uri, progress);
                        try {
                            fetcher.fetch(uri, file, maxBytes, progress);
                        } finally {
                            downloading.remove(uri, progress);
                        }
                        cache.seal(key, file);
                        cache.makeRoom(0);
                    }
                }
            }
            return new Artifact(file, () -> cache.unpin(key), cache.sealedDigest(key), digests::of);
        } catch (RuntimeException e) {
            cache.unpin(key);
            throw e;
        }
    }

    /** The URI's last path segment when it is a safe file name (runtimes may look at the extension). */
    static String fileName(String uri) {
        String path = URI.create(uri).getPath();
        String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return last.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,200}") ? last : "artifact";
    }

    private static String scheme(String storageUri) {
        int colon = storageUri.indexOf("://");
        return colon < 0 ? "" : storageUri.substring(0, colon).toLowerCase(Locale.ROOT);
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

    /** Resolves and checks a local (file:// or plain path) artifact. */
    Path resolve(String storageUri) {
        Path path = toPath(storageUri);
        // Checked before the file system is touched, so a caller learns nothing about paths outside the roots.
        checkConfined(storageUri, path, givenRoots);
        Path real;
        try {
            real = path.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new MeshError(ErrorCode.NOT_FOUND, "storageUri " + storageUri + ": no such file or directory (" + path + ")");
        } catch (IOException e) {
            throw new MeshError(ErrorCode.NOT_FOUND, "storageUri " + storageUri + ": cannot read " + path + ": " + e.getMessage());
        }
        checkConfined(storageUri, real, roots); // symbolic links may point elsewhere
        long size = sizeOf(real);
        if (size > maxBytes) {
            throw new MeshError(ErrorCode.INVALID_ARGUMENT, "artifact " + real + " is " + size
                    + " bytes, more than the node.storage.maxArtifactBytes limit of " + maxBytes);
        }
        return real;
    }

    private void checkConfined(String storageUri, Path path, List<Path> allowed) {
        if (allowed.stream().noneMatch(path::startsWith)) {
            throw new MeshError(ErrorCode.PERMISSION_DENIED, "storageUri " + storageUri + " resolves to " + path
                    + ", outside the storage roots " + roots + "; move the artifact under a root or add one with node.storage.roots");
        }
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
            default -> {
                if (INTERNET_ONLY.contains(scheme)) {
                    throw new MeshError(ErrorCode.UNIMPLEMENTED, "storageUri scheme '" + scheme
                            + "' needs a cloud service this deployment cannot reach; not supported here. Use file://, a plain path, http(s)://, s3:// or storage://<key>/<path>");
                }
                throw MeshError.invalid("storageUri %s has unknown scheme '%s'; use file://, a plain path, http(s)://, s3:// or storage://<key>/<path>", storageUri, scheme);
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

    /** Stops the download threads and the S3 client (a node shutting down). */
    @Override
    public void close() {
        downloads.shutdown();
        s3.close();
        keyed.values().forEach(S3Fetcher::close);
    }
}
