package dev.meshwork.placement.eviction;

import dev.meshwork.protocol.error.MeshError;

/** The half-life of the decaying policies: its parameter after their name ({@code gdsf:16}, {@code lfu:Infinity}) and the decay itself. Stateless. */
final class HalfLife {
    private HalfLife() {
    }

    /** The half-life in slot turnovers: a number at least 1, or {@code Infinity} for no decay. */
    static double parse(String policy, String parameter) {
        double halfLife;
        try {
            halfLife = Double.parseDouble(parameter);
        } catch (NumberFormatException e) {
            halfLife = Double.NaN;
        }
        if (!(halfLife >= 1)) {
            throw MeshError.invalid("node.evictionPolicy '%s:%s': the half-life after the colon must be a number"
                    + " of slot turnovers, at least 1 (or Infinity, for no decay)", policy, parameter);
        }
        return halfLife;
    }

    /** {@code value} after {@code elapsed} evictions, halving every {@code halfLife} of them. */
    static double decay(double value, long elapsed, double halfLife) {
        return value * Math.pow(0.5, elapsed / halfLife);
    }
}
