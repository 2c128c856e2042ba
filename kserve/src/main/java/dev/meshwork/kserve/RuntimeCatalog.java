package dev.meshwork.kserve;

import dev.meshwork.config.DirectoryPoller;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One consistent set of serving runtimes: Meshwork's built-in ones, overridden and extended by the
 * documents of a directory (a document with the same kind, namespace and name replaces a built-in).
 * Immutable; a reload makes a new one.
 */
public record RuntimeCatalog(List<ServingRuntime> runtimes) {
    /** The built-in documents, beside this class on the classpath. */
    static final List<String> BUILT_IN = List.of("kserve-tritonserver", "kserve-tensorflow-serving", "kserve-torchserve",
            "kserve-xgbserver", "kserve-lgbserver", "kserve-mlserver", "kserve-sklearnserver", "triton-2.x", "mlserver-1.x", "ovms-1.x");

    public RuntimeCatalog {
        runtimes = List.copyOf(runtimes);
    }

    /** The built-in runtimes plus those of {@code dir} (null or empty: built-in only); fails on the first bad document. */
    public static RuntimeCatalog load(Path dir) {
        Map<String, ServingRuntime> byKey = new LinkedHashMap<>();
        for (String name : BUILT_IN) {
            String resource = "builtin/" + name + ".yaml";
            try (InputStream in = RuntimeCatalog.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("built-in runtime " + resource + " is missing from the build");
                }
                ServingRuntimeParser.parse("built-in " + name + ".yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .forEach(r -> byKey.put(r.key(), r));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (dir != null) {
            Map<String, String> fromDir = new LinkedHashMap<>();
            for (Path file : DirectoryPoller.yamlFiles(dir)) {
                String text;
                try {
                    text = Files.readString(file);
                } catch (IOException e) {
                    throw MeshError.invalid("%s: cannot read: %s", file, e.getMessage());
                }
                for (ServingRuntime r : ServingRuntimeParser.parse(file.toString(), text)) {
                    String earlier = fromDir.put(r.key(), r.source());
                    if (earlier != null) {
                        throw MeshError.invalid("%s: %s is defined twice, also in %s", r.source(), r.key(), earlier);
                    }
                    byKey.put(r.key(), r);
                }
            }
        }
        return new RuntimeCatalog(byKey.values().stream().sorted(Comparator.comparing(ServingRuntime::key)).toList());
    }

    public ServingRuntime select(String namespace, String format, String version, String runtime) {
        return RuntimeSelector.select(runtimes, namespace, format, version, runtime);
    }
}
