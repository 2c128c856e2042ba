package dev.meshwork.router;

import dev.meshwork.kserve.RuntimeCatalog;
import dev.meshwork.kserve.ServingRuntime;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.router.mesh.ModelRegistration;
import dev.meshwork.router.mesh.ModelService;
import dev.meshwork.runtime.RuntimeCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the models described by {@code *.model.json} documents under the configured example
 * directories. A relative storageUri in a document is resolved against the document's folder,
 * so examples work from any working directory. An example whose runtime is a program Meshwork
 * ships that cannot run on this machine (the Python runtime without Python's packages) is skipped
 * with one line saying why, instead of failing at its first request.
 */
final class ExampleRegistrar {
    private static final Logger LOG = LoggerFactory.getLogger(ExampleRegistrar.class);

    private ExampleRegistrar() {
    }

    static List<Path> documents(List<String> dirs) {
        List<Path> docs = new ArrayList<>();
        for (String dir : dirs) {
            Path root = Path.of(dir);
            if (!Files.isDirectory(root)) {
                LOG.warn("examples directory {} does not exist; skipped", root.toAbsolutePath());
                continue;
            }
            try (Stream<Path> files = Files.walk(root, 4)) {
                files.filter(p -> p.getFileName().toString().endsWith(".model.json")).sorted().forEach(docs::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return docs;
    }

    static List<String> registerAll(ModelService service, List<Path> documents, Supplier<RuntimeCatalog> catalog) {
        List<String> names = new ArrayList<>();
        for (Path doc : documents) {
            try {
                ModelSpec parsed = ModelRegistration.parse(ModelSpec.DEFAULT_NAMESPACE, null, Files.readAllBytes(doc));
                String uri = parsed.storageUri();
                if (!uri.contains("://") && !Path.of(uri).isAbsolute()) {
                    uri = doc.toAbsolutePath().getParent().resolve(uri).normalize().toUri().toString();
                }
                ModelSpec spec = new ModelSpec(parsed.id(), parsed.format(), uri, parsed.runtime(), parsed.sizeHint());
                Optional<String> cannot = cannotRun(catalog.get(), spec);
                if (cannot.isPresent()) {
                    LOG.warn("example {} skipped: {}", spec.id(), cannot.get());
                    continue;
                }
                service.register(spec);
                names.add(spec.id());
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not register example {}: {}", doc, e.getMessage());
            }
        }
        return names;
    }

    /** Why the runtime the catalog picks for {@code spec} cannot run here, when it is a program Meshwork ships that says so. */
    static Optional<String> cannotRun(RuntimeCatalog catalog, ModelSpec spec) {
        ServingRuntime runtime;
        try {
            runtime = catalog.select(spec.namespace(), spec.format().name(), spec.format().version() == null ? "" : spec.format().version(),
                    spec.runtime());
        } catch (RuntimeException notInTheCatalog) {
            return Optional.empty(); // a node's own runtime name, or a refusal that registering reports in its own words
        }
        if (!"external".equals(runtime.adapter()) || runtime.containers().isEmpty() || runtime.containers().get(0).command().isEmpty()) {
            return Optional.empty();
        }
        return RuntimeCommand.named(runtime.containers().get(0).command().get(0)).flatMap(RuntimeCommand::unavailable);
    }
}
