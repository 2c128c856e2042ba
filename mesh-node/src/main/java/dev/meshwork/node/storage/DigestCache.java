package dev.meshwork.node.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The digests of local artifact files, kept while the file provably has not changed, so a model
 * loaded again after an eviction is not read twice (once to digest, once to load). A file's hash
 * is reused only when its inode, size, modification time and change time are all the ones it had
 * when it was read. The change time cannot be set back by a file's owner, so a rewrite in place,
 * even one that restores the modification time, is read again. A file changed in the last two
 * seconds is never kept: file times may tick coarser than writes come. Bounded; thread-safe
 * (load threads share it).
 */
final class DigestCache implements ArtifactDigest.FileHash {
    /** Younger than this, a file's times may not yet show a write in the same tick. */
    static final long SETTLED_MILLIS = 2_000;
    private final int maxFiles;
    private final long settledMillis;
    private final ArtifactDigest.FileHash reader;
    private final Map<Path, Hashed> files;

    /** What a file looked like when it was read, and its hash. */
    private record Hashed(Stamp stamp, String hex) {
    }

    /** The file attributes that change whenever its bytes do. */
    record Stamp(Object inode, long size, FileTime modified, FileTime changed) {
        /** The stamp of {@code file}, or null where the file system does not tell a change time (nothing is kept then). */
        static Stamp of(Path file) throws IOException {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(file, "unix:ino,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                return null;
            }
            return new Stamp(a.get("ino"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"));
        }

        boolean settled(long nowMillis, long settledMillis) {
            return nowMillis - Math.max(modified.toMillis(), changed.toMillis()) >= settledMillis;
        }
    }

    DigestCache(int maxFiles) {
        this(maxFiles, SETTLED_MILLIS, ArtifactDigest::hexOf);
    }

    /** {@code reader} hashes a file's bytes when the cache cannot answer. */
    DigestCache(int maxFiles, long settledMillis, ArtifactDigest.FileHash reader) {
        this.maxFiles = maxFiles;
        this.settledMillis = settledMillis;
        this.reader = reader;
        this.files = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, Hashed> eldest) {
                return size() > DigestCache.this.maxFiles;
            }
        };
    }

    /** The digest of the file or directory at {@code path}, as {@link ArtifactDigest#of(Path)} answers it. */
    String of(Path path) {
        return ArtifactDigest.of(path, this);
    }

    @Override
    public String hex(Path file) throws IOException {
        Stamp before = Stamp.of(file);
        if (before != null) {
            Hashed known;
            synchronized (files) {
                known = files.get(file);
            }
            if (known != null && known.stamp.equals(before)) {
                return known.hex;
            }
        }
        String hex = reader.hex(file);
        // kept only when nothing moved while it was read, and the file has been still for a while
        if (before != null && before.settled(System.currentTimeMillis(), settledMillis) && before.equals(Stamp.of(file))) {
            synchronized (files) {
                files.put(file, new Hashed(before, hex));
            }
        }
        return hex;
    }

    int size() {
        synchronized (files) {
            return files.size();
        }
    }
}
