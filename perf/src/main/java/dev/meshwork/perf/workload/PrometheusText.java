package dev.meshwork.perf.workload;

import java.util.Map;

/** Reads sums out of Prometheus text exposition (what {@code GET /metrics} answers). Stateless. */
final class PrometheusText {
    private PrometheusText() {
    }

    static boolean has(String text, String name) {
        for (String line : text.split("\n")) {
            if (!line.startsWith("#") && (line.startsWith(name + "{") || line.startsWith(name + " "))) {
                return true;
            }
        }
        return false;
    }

    /** The sum of every sample of {@code name} whose label {@code label} is {@code value}. */
    static double sum(String text, String name, String label, String value) {
        String wanted = label + "=\"" + value + "\"";
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String labels = close < 0 ? "" : line.substring(name.length(), close + 1);
            if (labels.contains("{" + wanted) || labels.contains("," + wanted)) {
                String[] parts = line.substring(close + 1).trim().split("\\s+");
                sum += Double.parseDouble(parts[0]);
            }
        }
        return sum;
    }

    /** A histogram's cumulative bucket counts by upper bound ({@code le}, +Inf as infinity), summed over its label sets. */
    static java.util.TreeMap<Double, Double> buckets(String text, String name) {
        java.util.TreeMap<Double, Double> out = new java.util.TreeMap<>();
        String prefix = name + "_bucket{";
        for (String line : text.split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            int le = line.indexOf("le=\"");
            int close = line.lastIndexOf('}');
            if (le < 0 || close < 0) {
                continue;
            }
            String bound = line.substring(le + 4, line.indexOf('"', le + 4));
            double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            out.merge(upper, Double.parseDouble(line.substring(close + 1).trim().split("\\s+")[0]), Double::sum);
        }
        return out;
    }

    /**
     * The {@code q} quantile of what was counted between two readings of one histogram's cumulative
     * buckets, interpolated linearly inside its bucket; NaN when nothing was counted.
     */
    static double quantile(java.util.TreeMap<Double, Double> before, java.util.TreeMap<Double, Double> after, double q) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        double target = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> e : after.entrySet()) {
            double count = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (count >= target) {
                if (e.getKey().isInfinite()) {
                    return lowerBound; // past the last bound: the bound is all it can say
                }
                double inBucket = count - lowerCount;
                return inBucket <= 0 ? e.getKey() : lowerBound + (e.getKey() - lowerBound) * (target - lowerCount) / inBucket;
            }
            lowerBound = e.getKey();
            lowerCount = count;
        }
        return lowerBound;
    }
}
