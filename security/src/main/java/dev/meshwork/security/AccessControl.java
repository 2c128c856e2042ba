package dev.meshwork.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The one place that decides whether a request may go on: it resolves the principal through the
 * authenticators (bearer token: the token file, then JWTs; else the client certificate), resolves
 * the namespace the request acts in, and checks the right its action needs there. Every listener
 * calls it once per request (a Vert.x handler, a gRPC interceptor); no endpoint checks rights by
 * itself. Refusals are counted ({@code meshwork_auth_refusals_total{reason}}) and audited.
 * Thread-safe.
 */
public final class AccessControl {
    private final boolean enabled;
    private final boolean protectMetrics;
    private final TokenFile tokens;
    private final List<Authenticator> bearers = new ArrayList<>();
    private final Authenticator certificates;
    private final Predicate<String> validNamespace;
    private final String defaultNamespace;
    private final AuditLog audit;
    private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);

    /**
     * @param validNamespace   which namespace names requests may give (the model registry's rule)
     * @param defaultNamespace the namespace of a request that names none, when its principal has several
     */
    public AccessControl(AuthConfig config, AuditLog audit, MeterRegistry metrics, Predicate<String> validNamespace,
                         String defaultNamespace) {
        this.enabled = config.enabled();
        this.protectMetrics = config.protectMetrics();
        this.tokens = config.tokensFile().isEmpty() ? null : new TokenFile(Path.of(config.tokensFile()), config.reloadMs(), metrics);
        if (config.jwks()) {
            bearers.add(new JwtAuthenticator(config, metrics));
        }
        this.certificates = config.clientsFile().isEmpty() ? null
                : new ClientCertificates(Path.of(config.clientsFile()), config.reloadMs(), metrics);
        this.validNamespace = validNamespace;
        this.defaultNamespace = defaultNamespace;
        this.audit = audit;
        for (Refusal r : Refusal.values()) {
            refusals.put(r, Counter.builder("meshwork_auth_refusals").tag("reason", r.tag())
                    .description("requests refused before they reached a model or the registry").register(metrics));
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public AuditLog audit() {
        return audit;
    }

    /**
     * Checks one request.
     *
     * @param namespaceHeader the request's {@code meshwork-namespace}, or null
     * @param listing         whether the request lists (then no namespace means every namespace it may view)
     * @param target          what it acts on, for the audit ({@code fraud-v3}, {@code /v1/mesh/nodes})
     * @param protocol        {@code rest} or {@code grpc}, for the audit
     * @return the principal and namespace; null for an action that needs no check (health)
     * @throws dev.meshwork.protocol.error.MeshError 401/UNAUTHENTICATED, 403/PERMISSION_DENIED or 400/INVALID_ARGUMENT
     */
    public Access check(Credentials credentials, String namespaceHeader, Action action, boolean listing, String target, String protocol) {
        Principal p = enabled && !(action == Action.METRICS && !protectMetrics) ? authenticate(credentials, action, target, protocol)
                : Principal.ANONYMOUS;
        // the mesh as a whole (nodes, the runtime catalog) belongs to no tenant: it needs admin over every namespace
        String ns = action == Action.ADMIN ? Principal.ALL_NAMESPACES : namespace(p, namespaceHeader, listing);
        if (!ns.equals(Principal.ALL_NAMESPACES) && !validNamespace.test(ns)) {
            throw refuse(Refusal.BAD_NAMESPACE, p.name(), "?", action, target, protocol, "'" + shorten(ns)
                    + "' is not a valid namespace (meshwork-namespace): lower-case letters, digits and '-', at most 63");
        }
        boolean allowed = action == Action.ADMIN ? p.may(action, Principal.ALL_NAMESPACES)
                : ns.equals(Principal.ALL_NAMESPACES) ? p.roles().stream().anyMatch(r -> r.grants(action)) : p.may(action, ns);
        if (!allowed) {
            throw refuse(Refusal.NO_RIGHT, p.name(), ns, action, target, protocol, "principal '" + p.name() + "' lacks the "
                    + action.neededRole() + " role" + (action == Action.ADMIN ? " over all namespaces (*)"
                    : ns.equals(Principal.ALL_NAMESPACES) ? "" : " in namespace '" + ns + "'")
                    + " that " + action.name().toLowerCase(java.util.Locale.ROOT) + " requests need");
        }
        return new Access(p, ns);
    }

    private Principal authenticate(Credentials c, Action action, String target, String protocol) {
        try {
            Principal p = null;
            if (c.bearer() != null) {
                if (tokens != null) {
                    p = tokens.lookup(c.bearer()); // hashed once; a miss goes on to the JWT check, if there is one
                    if (p == null && bearers.isEmpty()) {
                        throw new AuthenticationException("the bearer token is not a known API token");
                    }
                }
                for (int i = 0; p == null && i < bearers.size(); i++) {
                    p = bearers.get(i).authenticate(c);
                }
                if (p == null) {
                    throw new AuthenticationException("the bearer token is neither a known API token nor a JWT");
                }
            } else if (certificates != null) {
                p = certificates.authenticate(c);
            }
            if (p == null) {
                throw refuse(Refusal.NO_CREDENTIALS, "", "", action, target, protocol,
                        "this mesh needs credentials: send Authorization: Bearer <token>" + (certificates != null ? " or a client certificate" : ""));
            }
            return p;
        } catch (AuthenticationException e) {
            throw refuse(Refusal.BAD_CREDENTIALS, "", "", action, target, protocol, e.getMessage());
        }
    }

    private String namespace(Principal p, String header, boolean listing) {
        if (header != null && !header.isBlank()) {
            String ns = header.trim();
            return ns;
        }
        if (listing) {
            return p.onlyNamespace() != null ? p.onlyNamespace() : Principal.ALL_NAMESPACES;
        }
        return p.onlyNamespace() != null ? p.onlyNamespace() : defaultNamespace;
    }

    private RuntimeException refuse(Refusal why, String principal, String ns, Action action, String target, String protocol, String message) {
        refusals.get(why).increment();
        audit.record(principal, ns, action.name().toLowerCase(java.util.Locale.ROOT), shorten(target), "refused:" + why.tag(), protocol, message);
        return why.error(message);
    }

    /** Records the outcome of a request that changes the mesh (register, unregister, load, vmodels, admin). */
    public void audited(Access access, Action action, String target, String outcome, String protocol) {
        if (action.changes()) {
            audit.record(access.principal().name(), access.namespace(), action.name().toLowerCase(java.util.Locale.ROOT), shorten(target),
                    outcome, protocol, "");
        }
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() <= 256 ? s : s.substring(0, 256) + "...";
    }
}
