package dev.meshwork.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files a runtime unpacks from its jar once per user rather than once per process (native
 * libraries, the Python runtime's program), under {@code ~/.cache/meshwork/}: killed processes
 * leave nothing behind, and racing processes agree on one copy because each file appears by an
 * atomic rename. Stateless and thread-safe.
 */
public final class CachedFiles {
    /** Supplies the bytes of one file (opened only when the copy is missing). */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    private CachedFiles() {
    }

    /** {@code ~/.cache/meshwork/<kind>}, made owner-only if it is new. */
    public static Path root(String kind) throws IOException {
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "meshwork", kind);
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return dir;
    }

    /** {@code dir/name}, copied from {@code source} now unless a complete copy is there already. */
    public static Path copyOnce(Path dir, String name, Source source) throws IOException {
        Path target = dir.resolve(name);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path staging = Files.createTempFile(dir, "." + name + "-", ".partial");
        try (InputStream in = source.open()) {
            if (in == null) {
                throw new IOException("nothing to copy into " + target);
            }
            Files.copy(in, staging, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                // another process put the same copy there first: use it
            }
        } finally {
            Files.deleteIfExists(staging);
        }
        return target;
    }
}
