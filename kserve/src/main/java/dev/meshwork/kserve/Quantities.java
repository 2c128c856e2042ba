package dev.meshwork.kserve;

import dev.meshwork.protocol.error.MeshError;
import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities ({@code 512Mi}, {@code 2G}, {@code 1.5Gi}, {@code 1e9}) as bytes. Stateless. */
public final class Quantities {
    private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(?:(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E)|[eE]([0-9]+))?");
    private static final Map<String, BigDecimal> UNITS = Map.ofEntries(
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)),
            Map.entry("k", BigDecimal.valueOf(1_000L)), Map.entry("K", BigDecimal.valueOf(1_000L)),
            Map.entry("M", BigDecimal.valueOf(1_000_000L)), Map.entry("G", BigDecimal.valueOf(1_000_000_000L)),
            Map.entry("T", BigDecimal.valueOf(1_000_000_000_000L)), Map.entry("P", BigDecimal.valueOf(1_000_000_000_000_000L)),
            Map.entry("E", BigDecimal.valueOf(1_000_000_000_000_000_000L)));

    private Quantities() {
    }

    /** The bytes {@code quantity} stands for, rounded up; {@code what} names it in the error. */
    public static long bytes(String quantity, String what) {
        Matcher m = QUANTITY.matcher(quantity == null ? "" : quantity.trim());
        if (!m.matches()) {
            throw MeshError.invalid("%s: '%s' is not a Kubernetes quantity of bytes (512Mi, 2Gi, 1G, 1e9)", what, quantity);
        }
        BigDecimal value = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            value = value.multiply(UNITS.get(m.group(2)));
        } else if (m.group(3) != null) {
            int exponent = Integer.parseInt(m.group(3));
            if (exponent > 18) {
                throw MeshError.invalid("%s: '%s' is more bytes than Meshwork counts", what, quantity);
            }
            value = value.scaleByPowerOfTen(exponent);
        }
        try {
            return value.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException tooLarge) {
            throw MeshError.invalid("%s: '%s' is more bytes than Meshwork counts", what, quantity);
        }
    }
}
