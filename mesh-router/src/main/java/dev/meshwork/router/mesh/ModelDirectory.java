package dev.meshwork.router.mesh;

import dev.meshwork.config.DirectoryPoller;
import dev.meshwork.kserve.InferenceServiceParser;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import dev.meshwork.security.AuditLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GitOps-style model directory: every InferenceService in its YAML files is registered, a
 * changed document updates its model, and a removed one (or file) unregisters it. The directory
 * owns the models it registered (their {@code source} is {@code file:<path>}) and never touches
 * others. A file that does not parse leaves its models as they were; a model that cannot be
 * registered is skipped; both are reported by {@link #errors()}. Syncs once at start on the
 * caller's thread, then on the poller's thread; {@link #errors()} may be read from any thread.
 */
public final class ModelDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelDirectory.class);
    private final Path dir;
    private final ModelService models;
    private final DirectoryPoller poller;
    private final AuditLog audit;
    private volatile Map<String, String> errors = Map.of();

    public ModelDirectory(Path dir, long pollMs, ModelService models, AuditLog audit) {
        this.audit = audit;
        this.dir = dir.toAbsolutePath().normalize();
        this.models = models;
        sync();
        this.poller = new DirectoryPoller(this.dir, pollMs, "meshwork-model-directory", this::sync);
    }

    public Path dir() {
        return dir;
    }

    /** What went wrong at the last sync, by file or model; empty when all is well. */
    public Map<String, String> errors() {
        return errors;
    }

    private static String tag(Path file) {
        return "file:" + file;
    }

    synchronized void sync() {
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, ModelSpec> desired = new LinkedHashMap<>();
        Set<String> unreadable = new java.util.HashSet<>();
        List<Path> files;
        try {
            files = DirectoryPoller.yamlFiles(dir);
        } catch (MeshError e) {
            errors = Map.of(dir.toString(), e.getMessage());
            return; // a vanished directory is not an instruction to unregister everything
        }
        for (Path file : files) {
            try {
                for (ModelSpec spec : InferenceServiceParser.parseAll(file.toString(), Files.readString(file), tag(file))) {
                    ModelSpec earlier = desired.putIfAbsent(spec.id(), spec);
                    if (earlier != null) {
                        problems.put(spec.id(), file + ": model '" + spec.id() + "' is also defined in " + earlier.source().substring(5));
                    }
                }
            } catch (IOException | RuntimeException e) {
                unreadable.add(tag(file));
                problems.put(file.toString(), e.getMessage());
            }
        }
        for (ModelSpec spec : desired.values()) {
            Optional<ModelSpec> current = models.registered(spec.id());
            if (current.isPresent() && current.get().equals(spec)) {
                continue;
            }
            if (current.isPresent() && !current.get().source().startsWith("file:" + dir + "/")) {
                problems.put(spec.id(), spec.source().substring(5) + ": model '" + spec.id() + "' is already registered through the API; "
                        + "delete it there first");
                continue;
            }
            try {
                models.register(spec);
                LOG.info("model {} {} from {}", spec.id(), current.isPresent() ? "updated" : "registered", spec.source().substring(5));
                audit.record("system", spec.namespace(), "deploy", (current.isPresent() ? "update " : "register ") + spec.name(), "ok", "file",
                        spec.source().substring(5));
            } catch (MeshError e) {
                problems.put(spec.id(), spec.source().substring(5) + ": " + e.getMessage());
            }
        }
        List<String> gone = new ArrayList<>();
        for (ModelSpec spec : models.list()) {
            boolean ours = spec.source().startsWith("file:" + dir + "/");
            if (ours && !desired.containsKey(spec.id()) && !unreadable.contains(spec.source())) {
                gone.add(spec.id());
            }
        }
        for (String id : gone) {
            try {
                models.unregister(id);
                LOG.info("model {} unregistered: its document left {}", id, dir);
                audit.record("system", ModelSpec.namespaceOf(id), "deploy", "unregister " + ModelSpec.nameOf(id), "ok", "file", dir.toString());
            } catch (MeshError e) {
                problems.put(id, e.getMessage());
            }
        }
        errors = Map.copyOf(problems);
        if (!problems.isEmpty()) {
            LOG.warn("model directory {}: {}", dir, problems.values().stream().collect(Collectors.joining("; ")));
        }
    }

    @Override
    public void close() {
        poller.close();
    }
}
