package dev.meshwork.testing.chaos;

import java.util.ArrayList;
import java.util.List;

/** Puts a chaos run's outcomes together: each request counted against the fault under way when it was sent, and per second. */
final class ChaosReport {
    private ChaosReport() {
    }

    static ChaosResult assemble(List<ChaosResult.FaultRecord> faults, List<ChaosTraffic.Outcome> outcomes, MeshWatch watch, long dropped,
                                long durationMs, long tailMs) {
        int n = faults.size();
        int[] requests = new int[n];
        int[] single = new int[n];
        int[] multi = new int[n];
        long[] window = new long[n];
        List<List<String>> samples = new ArrayList<>();
        faults.forEach(f -> samples.add(new ArrayList<>()));
        long ok = 0;
        long errors = 0;
        long wrong = 0;
        long outside = 0;
        List<String> wrongSamples = new ArrayList<>();
        List<String> outsideSamples = new ArrayList<>();
        for (ChaosTraffic.Outcome o : outcomes) {
            int f = faultOf(faults, o.sentMs(), tailMs);
            if (f >= 0) {
                requests[f]++;
            }
            switch (o.kind()) {
                case OK -> ok++;
                case WRONG -> {
                    wrong++;
                    if (wrongSamples.size() < 20) {
                        wrongSamples.add(describe(o));
                    }
                }
                case ERROR -> {
                    errors++;
                    if (f < 0) {
                        outside++;
                        if (outsideSamples.size() < 20) {
                            outsideSamples.add(describe(o));
                        }
                    } else if (o.copies() >= 2) {
                        multi[f]++;
                        window[f] = Math.max(window[f], o.sentMs() - faults.get(f).atMs());
                    } else {
                        single[f]++;
                    }
                    if (f >= 0 && samples.get(f).size() < 3) {
                        samples.get(f).add(describe(o));
                    }
                }
                default -> throw new IllegalStateException(o.kind().name());
            }
        }
        List<ChaosResult.FaultRecord> counted = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ChaosResult.FaultRecord f = faults.get(i);
            counted.add(new ChaosResult.FaultRecord(f.index(), f.kind(), f.target(), f.atMs(), f.detectedMs(), f.servableMs(), f.wholeMs(),
                    f.downMs(), f.spanMs(), requests[i], single[i], multi[i], window[i], List.copyOf(samples.get(i))));
        }
        return new ChaosResult(counted, outcomes.size(), ok, errors, wrong, wrongSamples, outside, outsideSamples, watch.lost().count(),
                watch.lost().samples(), watch.overBudget().count(), watch.overBudget().samples(), dropped, durationMs,
                timeline(outcomes, durationMs));
    }

    /** The fault under way when a request was sent (from its injection until it was done plus the tail), or -1. */
    static int faultOf(List<ChaosResult.FaultRecord> faults, long sentMs, long tailMs) {
        for (int i = faults.size() - 1; i >= 0; i--) {
            ChaosResult.FaultRecord f = faults.get(i);
            if (sentMs >= f.atMs()) {
                return sentMs <= f.atMs() + f.spanMs() + tailMs ? i : -1;
            }
        }
        return -1;
    }

    private static String describe(ChaosTraffic.Outcome o) {
        String detail = o.detail().length() > 300 ? o.detail().substring(0, 300) + "..." : o.detail();
        return "at " + o.sentMs() + " ms, " + o.protocol() + " " + o.model() + " (" + o.copies() + " copies): " + detail;
    }

    private static List<ChaosResult.Second> timeline(List<ChaosTraffic.Outcome> outcomes, long durationMs) {
        int seconds = (int) (durationMs / 1000) + 1;
        int[] ok = new int[seconds];
        int[] errors = new int[seconds];
        int[] wrong = new int[seconds];
        List<List<Long>> latencies = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            latencies.add(new ArrayList<>());
        }
        for (ChaosTraffic.Outcome o : outcomes) {
            int s = (int) Math.min(seconds - 1, o.sentMs() / 1000);
            switch (o.kind()) {
                case OK -> {
                    ok[s]++;
                    latencies.get(s).add(o.latencyMicros());
                }
                case ERROR -> errors[s]++;
                case WRONG -> wrong[s]++;
                default -> throw new IllegalStateException(o.kind().name());
            }
        }
        List<ChaosResult.Second> out = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            long[] l = latencies.get(i).stream().mapToLong(Long::longValue).sorted().toArray();
            out.add(new ChaosResult.Second(i, ok[i], errors[i], wrong[i], quantile(l, 0.5), quantile(l, 0.99)));
        }
        return out;
    }

    private static double quantile(long[] sortedMicros, double q) {
        if (sortedMicros.length == 0) {
            return Double.NaN;
        }
        return sortedMicros[Math.min(sortedMicros.length - 1, (int) Math.ceil(q * sortedMicros.length) - 1)] / 1000.0;
    }
}
