package dev.meshwork.runtime;

import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Finds a runtime's model file in an artifact: the artifact itself, a preferred name in a folder, or the folder's only match. */
public final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * @param artifact  a file, or a folder
     * @param preferred names tried in order inside a folder
     * @param matches   which other file names in a folder count as model files
     * @param what      how to name the expected file in an error ("a model.onnx")
     */
    public static Path find(Path artifact, List<String> preferred, Predicate<String> matches, String what) {
        if (!Files.isDirectory(artifact)) {
            return artifact;
        }
        for (String name : preferred) {
            if (Files.isRegularFile(artifact.resolve(name))) {
                return artifact.resolve(name);
            }
        }
        try (Stream<Path> files = Files.list(artifact)) {
            List<Path> found = files.filter(p -> Files.isRegularFile(p) && matches.test(p.getFileName().toString())).toList();
            if (found.size() != 1) {
                throw MeshError.invalid("directory %s holds %d candidate model files; give %s", artifact, found.size(), what);
            }
            return found.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
