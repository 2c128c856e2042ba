package dev.meshwork.router.mesh;

import dev.meshwork.config.OwnedDirectory;
import dev.meshwork.kserve.InferenceServiceParser;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.security.AuditLog;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The models of a GitOps-style model directory ({@code models.dir}): every InferenceService in its
 * YAML files is registered, a changed document updates its model, and a removed one (or file)
 * unregisters it; {@link OwnedDirectory} has the rules. Called on the directory's sync thread.
 */
public final class ModelDirectory implements OwnedDirectory.Documents<ModelSpec> {
    private final ModelService models;
    private final AuditLog audit;
    private final String dir;

    private ModelDirectory(Path dir, ModelService models, AuditLog audit) {
        this.dir = dir.toAbsolutePath().normalize().toString();
        this.models = models;
        this.audit = audit;
    }

    /** Watches {@code dir}, syncing once now. */
    public static OwnedDirectory<ModelSpec> open(Path dir, long pollMs, ModelService models, AuditLog audit) {
        return new OwnedDirectory<>(dir, pollMs, "model", new ModelDirectory(dir, models, audit));
    }

    @Override
    public List<ModelSpec> parse(Path file, String text, String source) {
        return InferenceServiceParser.parseAll(file.toString(), text, source);
    }

    @Override
    public String key(ModelSpec doc) {
        return doc.id();
    }

    @Override
    public String source(ModelSpec doc) {
        return doc.source();
    }

    @Override
    public Optional<ModelSpec> current(String key) {
        return models.registered(key);
    }

    @Override
    public void apply(ModelSpec spec, boolean existed) {
        models.register(spec);
        audit.record("system", spec.namespace(), "deploy", (existed ? "update " : "register ") + spec.name(), "ok", "file",
                spec.source().substring(5));
    }

    @Override
    public void remove(String id) {
        models.unregister(id);
        audit.record("system", ModelSpec.namespaceOf(id), "deploy", "unregister " + ModelSpec.nameOf(id), "ok", "file", dir);
    }

    @Override
    public Collection<ModelSpec> all() {
        return models.list();
    }
}
