package dev.meshwork.testing.chaos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a chaos run saw: each fault with its timings and the errors clients saw during it, the
 * invariants' findings, and the traffic per second. Immutable.
 *
 * @param errorsOutsideFaults errors of requests sent while no fault was under way or recovering
 * @param dropped             requests the client did not send because too many answers were outstanding
 */
public record ChaosResult(List<FaultRecord> faults, long requests, long ok, long errors, long wrong, List<String> wrongSamples,
                          long errorsOutsideFaults, List<String> outsideSamples, long lost, List<String> lostSamples, long overBudget,
                          List<String> overBudgetSamples, long dropped, long durationMs, List<Second> timeline) {
    /**
     * One fault. Times are milliseconds after it was injected; -1 when it did not happen.
     *
     * @param detectedMs        the routers' table stopped listing the node; for a router, a surviving router
     *                          counted one router less
     * @param servableMs        every model and vmodel answered again through a router
     * @param wholeMs           every process was back: the killed or restarted one started again (after the
     *                          plan's pause), a hung one woken and merged back
     * @param downMs            how long the process was hung or down by the injector's hand
     * @param spanMs            until the injector was done with it (whole again, or its bound passed)
     * @param requests          requests sent from injection until {@code spanMs} plus a tail of a few seconds
     * @param errorsSingleCopy  client errors for models with fewer than two LOADED copies when sent
     * @param errorsMultiCopy   client errors for models with two or more
     * @param multiCopyWindowMs when the last request to a multi-copy model that failed was sent (0: none failed)
     */
    public record FaultRecord(int index, Fault kind, String target, long atMs, long detectedMs, long servableMs, long wholeMs, long downMs,
                              long spanMs, int requests, int errorsSingleCopy, int errorsMultiCopy, long multiCopyWindowMs, List<String> errorSamples) {
    }

    /** The traffic of one second of the run. */
    public record Second(int second, int ok, int errors, int wrong, double p50Ms, double p99Ms) {
    }

    /** The per-kind table (medians and worst cases) and the invariants, as text. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%d requests in %.0f s: %d answered right, %d errors, %d wrong answers; %d not sent (client bound)%n",
                requests, durationMs / 1000.0, ok, errors, wrong, dropped));
        s.append(String.format(Locale.ROOT, "invariants: %d wrong answers, %d registrations or vmodels found missing, %d slot reports over budget, "
                + "%d errors outside fault windows%n", wrong, lost, overBudget, errorsOutsideFaults));
        s.append("| fault | times | detection ms (median / max) | all servable ms (median / max) | whole again ms (median / max) "
                + "| errors, single-copy models | errors, multi-copy models | multi-copy error window ms (max) |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Fault kind : Fault.values()) {
            List<FaultRecord> of = faults.stream().filter(f -> f.kind() == kind).toList();
            if (of.isEmpty()) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %d | %d | %d |%n", kind.description(), of.size(),
                    medianMax(of.stream().mapToLong(FaultRecord::detectedMs).toArray()),
                    medianMax(of.stream().mapToLong(FaultRecord::servableMs).toArray()),
                    medianMax(of.stream().mapToLong(FaultRecord::wholeMs).toArray()),
                    of.stream().mapToInt(FaultRecord::errorsSingleCopy).sum(), of.stream().mapToInt(FaultRecord::errorsMultiCopy).sum(),
                    of.stream().mapToLong(FaultRecord::multiCopyWindowMs).max().orElse(0)));
        }
        s.append("\nEach fault (ms after injection; -1: not measured):\n\n");
        s.append("| # | fault | target | at s | detected | servable | whole | requests | errors (single / multi-copy) | first error |\n");
        s.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (FaultRecord f : faults) {
            s.append(String.format(Locale.ROOT, "| %d | %s | %s | %.1f | %d | %d | %d | %d | %d / %d | %s |%n", f.index(), f.kind(), f.target(),
                    f.atMs() / 1000.0, f.detectedMs(), f.servableMs(), f.wholeMs(), f.requests(), f.errorsSingleCopy(), f.errorsMultiCopy(),
                    f.errorSamples().isEmpty() ? "" : f.errorSamples().get(0).replace('|', '/')));
        }
        return s.toString();
    }

    private static String medianMax(long[] values) {
        long[] known = Arrays.stream(values).filter(v -> v >= 0).sorted().toArray();
        if (known.length == 0) {
            return "-";
        }
        return known[known.length / 2] + " / " + known[known.length - 1];
    }

    /** Every finding that breaks an invariant, one line each; empty when none did. */
    public List<String> violations(long recoveryBoundMs) {
        List<String> out = new ArrayList<>();
        wrongSamples.forEach(w -> out.add("wrong answer: " + w));
        lostSamples.forEach(l -> out.add("lost: " + l));
        overBudgetSamples.forEach(o -> out.add("over budget: " + o));
        outsideSamples.forEach(o -> out.add("error outside a fault: " + o));
        for (FaultRecord f : faults) {
            if (f.servableMs() < 0 || f.servableMs() > recoveryBoundMs) {
                out.add("fault " + f.index() + " (" + f.kind() + " " + f.target() + "): not every model servable within " + recoveryBoundMs + " ms");
            }
            if (f.wholeMs() < 0) {
                out.add("fault " + f.index() + " (" + f.kind() + " " + f.target() + "): the cluster was not whole again within the bound");
            }
        }
        return out;
    }
}
