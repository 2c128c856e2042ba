package dev.meshwork.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A runtime named after the one format it serves, whose size prediction is a multiple of its
 * model file's (or folder's) size plus a fixed overhead: what every in-process runtime does, since
 * none of them reports a loaded model's memory. Each instance serves one device.
 */
public abstract class ArtifactSizedAdapter implements RuntimeAdapter {
    private final String name;
    private final long sizeFactor;
    private final long overheadBytes;
    private final Device device;

    protected ArtifactSizedAdapter(String name, long sizeFactor, long overheadBytes, Device device) {
        this.name = name;
        this.sizeFactor = sizeFactor;
        this.overheadBytes = overheadBytes;
        this.device = device;
    }

    @Override
    public final String device() {
        return device.toString();
    }

    /** The device this adapter's models compute on. */
    protected final Device onDevice() {
        return device;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Set<String> formats() {
        return Set.of(name);
    }

    @Override
    public final long predictSize(Path artifact) {
        return sizeFactor * bytes(modelPath(artifact)) + overheadBytes;
    }

    /** The file (or folder) the runtime loads from the artifact. */
    protected abstract Path modelPath(Path artifact);

    private static long bytes(Path path) {
        try {
            if (!Files.isDirectory(path)) {
                return Files.size(path);
            }
            try (Stream<Path> files = Files.walk(path)) {
                return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
