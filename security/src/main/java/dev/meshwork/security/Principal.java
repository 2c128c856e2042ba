package dev.meshwork.security;

import java.util.Set;

/**
 * Who a request comes from, resolved once per request: a name, the namespaces it belongs to
 * ({@code *} for all) and its roles in them. Immutable.
 *
 * @param name       who it is (a token's principal, a JWT's subject, a certificate's subject or SAN)
 * @param namespaces the namespaces its roles hold in; {@code *} means every namespace
 * @param roles      its roles
 */
public record Principal(String name, Set<String> namespaces, Set<Role> roles) {
    public static final String ALL_NAMESPACES = "*";
    /** Every request when authentication is off: every right everywhere, as before there was security. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Set.of(ALL_NAMESPACES), Set.of(Role.ADMIN));

    public Principal {
        namespaces = Set.copyOf(namespaces);
        roles = Set.copyOf(roles);
    }

    public boolean inNamespace(String namespace) {
        return namespaces.contains(ALL_NAMESPACES) || namespaces.contains(namespace);
    }

    /** Whether it may do {@code action} in {@code namespace}. */
    public boolean may(Action action, String namespace) {
        return inNamespace(namespace) && roles.stream().anyMatch(r -> r.grants(action));
    }

    /** Its one namespace, when it has exactly one (the namespace a request without a header means). */
    public String onlyNamespace() {
        return namespaces.size() == 1 && !namespaces.contains(ALL_NAMESPACES) ? namespaces.iterator().next() : null;
    }
}
