package dev.meshwork.perf.workload;

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
}
