package dev.meshwork.security;

import java.util.Locale;

/**
 * What a principal may do in a namespace. {@code admin} holds every right; {@code deployer} also
 * views (it must see what it registered); {@code invoker} only calls models.
 */
public enum Role {
    INVOKER, DEPLOYER, VIEWER, ADMIN;

    /** Whether holding this role gives the right an action needs. */
    public boolean grants(Action action) {
        return switch (this) {
            case ADMIN -> true;
            case DEPLOYER -> action == Action.DEPLOY || action == Action.VIEW || action == Action.METRICS;
            case VIEWER -> action == Action.VIEW || action == Action.METRICS;
            case INVOKER -> action == Action.INFER;
        };
    }

    /** The role of a lower-case name as files and tokens spell it ({@code invoker}). */
    public static Role parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + name + "'; roles are invoker, deployer, viewer and admin");
        }
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
