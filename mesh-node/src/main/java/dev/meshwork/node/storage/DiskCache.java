package dev.meshwork.node.storage;

import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloaded artifacts on local disk, bounded in bytes, least recently used first out. An entry is
 * a folder named by the SHA-256 of its URI holding one complete file or folder: both are written
 * under a temporary name and renamed into place, so a crash never leaves a partial artifact that
 * looks complete (leftover temporaries are deleted at start). Entries in use by a load are pinned.
 * Thread-safe: all bookkeeping holds the cache's monitor; downloads happen outside it.
 */
final class DiskCache {
    private static final Logger LOG = LoggerFactory.getLogger(DiskCache.class);
    static final String PARTIAL = ".partial";
    private final Path dir;
    private final long maxBytes;
    private final Map<String, Integer> pins = new HashMap<>();
    /** Entries whose digest this process has checked, with the size and time it checked them at. */
    private final Map<String, String> verified = new HashMap<>();

    DiskCache(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(dir);
            makePrivate(dir);
            try (Stream<Path> all = Files.walk(dir)) {
                // a partial download may be a folder (an S3 prefix)
                all.filter(p -> p.getFileName().toString().endsWith(PARTIAL)).toList().forEach(DiskCache::deleteTree);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the artifact cache " + dir, e);
        }
    }

    /**
     * The cache holds what nodes load and run, so only this process's user may see or change it: a
     * directory owned by another user is refused (someone could have planted artifacts there), and
     * one of ours that others may read or enter is narrowed to {@code rwx------}.
     */
    static void makePrivate(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            makePrivate(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name")));
        }
    }

    /** {@link #makePrivate(Path)} for the user {@code me}: tests name another user rather than give a directory away. */
    static void makePrivate(Path dir, UserPrincipal me) throws IOException {
        UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
        if (!owner.equals(me) || Files.isSymbolicLink(dir)) {
            throw new MeshError(ErrorCode.PERMISSION_DENIED, "the artifact cache " + dir + " belongs to " + owner.getName() + ", not to "
                    + me.getName() + " (or is a symbolic link): someone else could have put artifacts there; remove it or set "
                    + "node.storage.cacheDir to a directory of this user's");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    static String key(String uri) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(uri.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Path entryDir(String key) {
        return dir.resolve(key);
    }

    /**
     * The complete file of an entry, or null; a hit refreshes the entry's last use. An entry whose
     * bytes no longer match the digest taken when it was downloaded (or that has none: planted, or
     * left by an older release) is deleted and reported missing, so it is downloaded again. The
     * digest is checked once per process, and again whenever the entry's size or time changes.
     */
    synchronized Path lookup(String key) {
        Path entry = dir.resolve(key);
        if (!Files.isDirectory(entry)) {
            return null;
        }
        try (Stream<Path> files = Files.list(entry)) {
            Path file = files.filter(p -> !p.getFileName().toString().endsWith(PARTIAL)).findFirst().orElse(null);
            if (file == null) {
                return null;
            }
            String stamp = size(file) + "@" + newest(file);
            if (!stamp.equals(verified.get(key))) {
                Path sidecar = digestFile(key);
                if (!Files.isRegularFile(sidecar) || !Files.readString(sidecar).trim().equals(ArtifactDigest.of(file))) {
                    LOG.warn("artifact cache entry {} does not match the digest taken at its download; downloading it again", entry);
                    deleteTree(entry);
                    deleteQuietly(sidecar);
                    verified.remove(key);
                    return null;
                }
                verified.put(key, stamp);
            }
            Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the digest of a download that has just been renamed into place. */
    synchronized void seal(String key, Path file) {
        try {
            Files.writeString(digestFile(key), ArtifactDigest.of(file));
            verified.put(key, size(file) + "@" + newest(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path digestFile(String key) {
        return dir.resolve(key + ".sha256");
    }

    /** The digest recorded when the entry was downloaded; valid after {@link #lookup} returned its file. */
    synchronized String sealedDigest(String key) {
        try {
            return Files.readString(digestFile(key)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes an entry whose bytes were refused (not the pinned digest), unless a load still reads it. */
    synchronized void discard(String key) {
        if (!pins.containsKey(key)) {
            deleteTree(dir.resolve(key));
            deleteQuietly(digestFile(key));
            verified.remove(key);
        }
    }

    private static long newest(Path artifact) throws IOException {
        try (Stream<Path> all = Files.walk(artifact)) {
            return all.mapToLong(p -> lastModified(p).toMillis()).max().orElse(0);
        }
    }

    synchronized void pin(String key) {
        pins.merge(key, 1, Integer::sum);
    }

    synchronized void unpin(String key) {
        pins.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }

    /** Deletes least recently used entries that nothing pins until {@code incoming} more bytes fit. */
    synchronized void makeRoom(long incoming) {
        try (Stream<Path> entries = Files.list(dir)) {
            var list = entries.filter(Files::isDirectory)
                    .sorted(Comparator.comparing(DiskCache::lastModified)).toList();
            long total = list.stream().mapToLong(DiskCache::size).sum();
            for (Path e : list) {
                if (total + incoming <= maxBytes) {
                    return;
                }
                String key = e.getFileName().toString();
                if (!pins.containsKey(key)) {
                    total -= size(e);
                    deleteTree(e);
                    deleteQuietly(digestFile(key));
                    verified.remove(key);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long maxBytes() {
        return maxBytes;
    }

    private static FileTime lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long size(Path entry) {
        try (Stream<Path> files = Files.walk(entry)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    static void deleteTree(Path p) {
        try (Stream<Path> files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).forEach(DiskCache::deleteQuietly);
        } catch (IOException e) {
            // already gone
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a leftover is cleaned at the next start
        }
    }
}
