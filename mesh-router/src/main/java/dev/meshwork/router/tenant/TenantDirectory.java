package dev.meshwork.router.tenant;

import dev.meshwork.config.OwnedDirectory;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.security.AuditLog;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The documents of a directory of tenant documents ({@code tenants.dir}, GitOps like the model
 * directory): each document in its YAML files is stored, a changed one replaces its namespace's, and
 * a removed one (or file) deletes it; {@link OwnedDirectory} has the rules. Called on the
 * directory's sync thread.
 */
public final class TenantDirectory implements OwnedDirectory.Documents<TenantPolicy> {
    private final Tenants tenants;
    private final AuditLog audit;
    private final String dir;

    private TenantDirectory(Path dir, Tenants tenants, AuditLog audit) {
        this.dir = dir.toAbsolutePath().normalize().toString();
        this.tenants = tenants;
        this.audit = audit;
    }

    /** Watches {@code dir}, syncing once now. */
    public static OwnedDirectory<TenantPolicy> open(Path dir, long pollMs, Tenants tenants, AuditLog audit) {
        return new OwnedDirectory<>(dir, pollMs, "namespace", new TenantDirectory(dir, tenants, audit));
    }

    @Override
    public List<TenantPolicy> parse(Path file, String text, String source) {
        return TenantDocument.parseAll(text, source);
    }

    @Override
    public String key(TenantPolicy doc) {
        return doc.namespace();
    }

    @Override
    public String source(TenantPolicy doc) {
        return doc.source();
    }

    @Override
    public Optional<TenantPolicy> current(String key) {
        return tenants.document(key);
    }

    @Override
    public void apply(TenantPolicy p, boolean existed) {
        tenants.put(p);
        audit.record("system", "*", "admin", "tenant " + p.namespace(), "ok", "file", p.source().substring(5));
    }

    @Override
    public void remove(String namespace) {
        tenants.remove(namespace);
        audit.record("system", "*", "admin", "tenant-delete " + namespace, "ok", "file", dir);
    }

    @Override
    public Collection<TenantPolicy> all() {
        return tenants.documents();
    }
}
