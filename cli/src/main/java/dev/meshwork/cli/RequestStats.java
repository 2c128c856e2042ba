package dev.meshwork.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The router's request histogram ({@code meshwork_request_seconds}) read from its Prometheus text,
 * per model: requests so far and the cumulative count under each bucket bound. Two readings give
 * the rate and the p99 of the time between them. Immutable.
 */
record RequestStats(Map<String, Double> counts, Map<String, TreeMap<Double, Double>> buckets) {
    private static final Pattern LINE = Pattern.compile("^meshwork_request_seconds_(count|bucket)\\{([^}]*)}\\s+([0-9.eE+-]+|\\+Inf|NaN)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static final RequestStats NONE = new RequestStats(Map.of(), Map.of());

    static RequestStats parse(String prometheusText) {
        Map<String, Double> counts = new HashMap<>();
        Map<String, TreeMap<Double, Double>> buckets = new HashMap<>();
        for (String line : prometheusText.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            String model = labels.getOrDefault("model", "");
            double value = Double.parseDouble(m.group(3).replace("+Inf", "Infinity"));
            if (m.group(1).equals("count")) {
                counts.merge(model, value, Double::sum);
            } else {
                double le = Double.parseDouble(labels.getOrDefault("le", "+Inf").replace("+Inf", "Infinity"));
                buckets.computeIfAbsent(model, k -> new TreeMap<>()).merge(le, value, Double::sum);
            }
        }
        return new RequestStats(counts, buckets);
    }

    /** Requests per second of {@code model} between {@code before} and this reading, {@code seconds} apart. */
    double rate(RequestStats before, String model, double seconds) {
        return seconds <= 0 ? 0 : Math.max(0, counts.getOrDefault(model, 0.0) - before.counts.getOrDefault(model, 0.0)) / seconds;
    }

    /** The bucket bound (seconds) under which 99% of {@code model}'s requests since {@code before} finished; NaN without requests. */
    double p99(RequestStats before, String model) {
        TreeMap<Double, Double> now = buckets.getOrDefault(model, new TreeMap<>());
        TreeMap<Double, Double> then = before.buckets.getOrDefault(model, new TreeMap<>());
        double total = counts.getOrDefault(model, 0.0) - before.counts.getOrDefault(model, 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> b : now.entrySet()) {
            if (b.getValue() - then.getOrDefault(b.getKey(), 0.0) >= 0.99 * total) {
                return b.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
