package dev.meshwork.security;

/**
 * The kinds of request an endpoint declares, each needing one right. Health probes declare none
 * (they are always open); {@code METRICS} is open unless {@code auth.protectMetrics} is set.
 */
public enum Action {
    /** Infer, model metadata and model readiness. */
    INFER("invoker"),
    /** Status and lists of models and vmodels. */
    VIEW("viewer"),
    /** Register, unregister, load, unload, vmodels. */
    DEPLOY("deployer"),
    /** The runtime catalog, nodes, drain: the mesh as a whole. */
    ADMIN("admin"),
    /** The Prometheus scrape. */
    METRICS("viewer");

    private final String role;

    Action(String role) {
        this.role = role;
    }

    /** The role a message names as missing when this action is refused. */
    public String neededRole() {
        return role;
    }

    /** Whether the action changes the mesh, so that its outcome is audited even when it succeeds. */
    public boolean changes() {
        return this == DEPLOY || this == ADMIN;
    }
}
