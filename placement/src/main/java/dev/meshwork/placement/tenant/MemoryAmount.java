package dev.meshwork.placement.tenant;

import dev.meshwork.protocol.error.MeshError;
import java.util.Locale;

/**
 * An amount of the mesh's slot memory: a fraction of it ({@code 0.25}, {@code "25%"}) or a number
 * of bytes ({@code 2147483648}, {@code "2Gi"}, {@code "512Mi"}, {@code "1G"}). Immutable.
 *
 * @param fraction the share of the mesh's slot memory, in [0, 1]; 0 when given in bytes
 * @param bytes    the bytes, when given in bytes; else 0
 */
public record MemoryAmount(double fraction, long bytes) implements java.io.Serializable {
    /** No amount: no guarantee as a share, no ceiling as a limit. */
    public static final MemoryAmount NONE = new MemoryAmount(0, 0);

    public MemoryAmount {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw MeshError.invalid("a memory fraction must lie between 0 and 1, got %s", fraction);
        }
        if (bytes < 0) {
            throw MeshError.invalid("a memory amount cannot be negative, got %d bytes", bytes);
        }
        if (fraction > 0 && bytes > 0) {
            throw MeshError.invalid("a memory amount is a fraction or bytes, not both");
        }
    }

    public boolean isSet() {
        return fraction > 0 || bytes > 0;
    }

    /** The bytes this amount is of a mesh whose slots hold {@code meshBytes} in all. */
    public long of(long meshBytes) {
        return bytes > 0 ? bytes : (long) Math.floor(fraction * Math.max(0, meshBytes));
    }

    /**
     * Reads what a document says: a number from 0 to 1 is a fraction (so {@code 1} is the whole
     * mesh), a larger whole number is bytes, and a string is a percentage or a quantity with a
     * Kubernetes unit (Ki, Mi, Gi, Ti, or k, M, G, T).
     */
    public static MemoryAmount parse(String field, Object value) {
        if (value == null) {
            return NONE;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (d >= 0 && d <= 1) {
                return new MemoryAmount(d, 0);
            }
            if (d > 1 && d == Math.rint(d) && d < 9.0e18) {
                return new MemoryAmount(0, (long) d);
            }
            throw MeshError.invalid("%s must be a fraction from 0 to 1, a whole number of bytes, \"25%%\" or \"2Gi\", got %s", field, value);
        }
        String s = value.toString().trim();
        try {
            if (s.endsWith("%")) {
                return new MemoryAmount(Double.parseDouble(s.substring(0, s.length() - 1).trim()) / 100.0, 0);
            }
            return new MemoryAmount(0, quantity(s));
        } catch (NumberFormatException | ArithmeticException e) {
            throw MeshError.invalid("%s must be a fraction from 0 to 1, a whole number of bytes, \"25%%\" or \"2Gi\", got '%s'", field, s);
        }
    }

    private static long quantity(String s) {
        String[] units = {"Ki", "Mi", "Gi", "Ti", "k", "M", "G", "T"};
        long[] factors = {1L << 10, 1L << 20, 1L << 30, 1L << 40, 1_000L, 1_000_000L, 1_000_000_000L, 1_000_000_000_000L};
        for (int i = 0; i < units.length; i++) {
            if (s.endsWith(units[i])) {
                return Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - units[i].length()).trim()), factors[i]);
            }
        }
        return Long.parseLong(s);
    }

    /** As a document writes it: {@code "25%"}, a number of bytes, or null for none. */
    public Object toDocument() {
        if (bytes > 0) {
            return bytes;
        }
        if (fraction > 0) {
            return String.format(Locale.ROOT, "%s%%", new java.math.BigDecimal(Double.toString(fraction * 100)).stripTrailingZeros()
                    .toPlainString());
        }
        return null;
    }
}
