package dev.meshwork.security;

/**
 * A request that passed the checks: who sent it and the namespace it acts in ({@code *} for a
 * list over every namespace the principal may view).
 */
public record Access(Principal principal, String namespace) {
    /** Whether a list shows an entry of {@code ns}: in the request's namespace and visible to the principal. */
    public boolean sees(String ns) {
        return (namespace.equals(Principal.ALL_NAMESPACES) || namespace.equals(ns)) && principal.may(Action.VIEW, ns);
    }
}
