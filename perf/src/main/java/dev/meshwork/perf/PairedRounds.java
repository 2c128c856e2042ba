package dev.meshwork.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The summary of a benchmark that measures a baseline and a variant of the same paths back to back
 * in rounds (names {@code <path><baseline>} and {@code <path><variant>}): each path's medians over
 * the rounds, then what the variant adds at p50 and p99 and its throughput ratio.
 */
public final class PairedRounds {
    private PairedRounds() {
    }

    /** One path at one concurrency: the medians of its rounds. */
    private record Median(String name, int users, double reqs, double p50, double p99, long errors) {
        static Median of(List<ClosedLoop.Result> rounds) {
            return new Median(rounds.get(0).name(), rounds.get(0).concurrency(), median(rounds, ClosedLoop.Result::throughput),
                    median(rounds, ClosedLoop.Result::p50us), median(rounds, ClosedLoop.Result::p99us),
                    rounds.stream().mapToLong(ClosedLoop.Result::errors).sum());
        }

        private static double median(List<ClosedLoop.Result> rounds, ToDoubleFunction<ClosedLoop.Result> f) {
            double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    /**
     * Measures {@code baselineName} and {@code variantName} back to back at each of the config's
     * concurrencies, in {@code rounds} rounds that alternate which goes first (JIT warm-up and the
     * machine's drift then favour neither), adding every result to {@code results}.
     */
    public static void alternate(BenchConfig config, ClosedLoop loop, List<ClosedLoop.Result> results, String baselineName,
                                 Supplier<CompletableFuture<?>> baseline, String variantName, Supplier<CompletableFuture<?>> variant)
            throws InterruptedException {
        rotate(config, loop, results, List.of(Map.entry(baselineName, baseline), Map.entry(variantName, variant)));
    }

    /**
     * {@link #alternate} for any number of paths: round {@code r} starts with path {@code r mod n}
     * and goes on in order, so each path goes first equally often over {@code n} rounds.
     */
    public static void rotate(BenchConfig config, ClosedLoop loop, List<ClosedLoop.Result> results,
                              List<Map.Entry<String, Supplier<CompletableFuture<?>>>> paths) throws InterruptedException {
        for (int round = 0; round < config.rounds(); round++) {
            for (String c : config.concurrency()) {
                int n = Integer.parseInt(c.trim());
                int first = round % paths.size();
                System.err.printf(Locale.ROOT, "round %d, concurrency %d (%s first)...%n", round + 1, n, paths.get(first).getKey());
                for (int k = 0; k < paths.size(); k++) {
                    var path = paths.get((first + k) % paths.size());
                    results.add(loop.runAsync(path.getKey(), n, path.getValue()));
                }
            }
        }
    }

    /** Each path's medians over the rounds, then what the variant adds to the baseline. */
    public static String summary(List<ClosedLoop.Result> results, String baseline, String variant, String title) {
        List<Median> medians = medians(results);
        StringBuilder b = new StringBuilder();
        b.append("Medians over the rounds:\n\n| path | users | req/s | p50 µs | p99 µs | errors |\n|---|---:|---:|---:|---:|---:|\n");
        for (Median m : medians) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %d |%n", m.name(), m.users(), m.reqs(), m.p50(), m.p99(), m.errors()));
        }
        return b.append("\n").append(comparison(results, baseline, variant, title)).toString();
    }

    /** What the variant adds to the baseline, path by path, at each concurrency. */
    public static String comparison(List<ClosedLoop.Result> results, String baseline, String variant, String title) {
        List<Median> medians = medians(results);
        StringBuilder b = new StringBuilder(title).append(" (same users, medians of rounds measured back to back):\n\n");
        b.append("| users | path | p50 added µs | p99 added µs | throughput ratio |\n|---:|---|---:|---:|---:|\n");
        for (Median s : medians) {
            if (!s.name().endsWith(variant)) {
                continue;
            }
            String path = s.name().substring(0, s.name().length() - variant.length());
            medians.stream().filter(p -> p.name().equals(path + baseline) && p.users() == s.users()).findFirst()
                    .ifPresent(p -> b.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.3f |%n", s.users(), path,
                            s.p50() - p.p50(), s.p99() - p.p99(), s.reqs() / p.reqs())));
        }
        return b.toString();
    }

    private static List<Median> medians(List<ClosedLoop.Result> results) {
        Map<String, List<ClosedLoop.Result>> byPath = new TreeMap<>();
        for (ClosedLoop.Result r : results) {
            byPath.computeIfAbsent(String.format(Locale.ROOT, "%05d %s", r.concurrency(), r.name()), k -> new ArrayList<>()).add(r);
        }
        return byPath.values().stream().map(Median::of).toList();
    }
}
