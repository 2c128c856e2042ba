package dev.meshwork.placement.policy;

import dev.meshwork.placement.table.CopyRecord;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Copy scaling's two decisions as pure functions, so the router and the placement simulator run
 * the same rules: when a model gets another copy, and which extra copies are idle enough to go.
 */
public final class ScalingPolicy {
    private ScalingPolicy() {
    }

    /**
     * The thresholds.
     *
     * @param requestsPerCopy requests per second per LOADED copy above which another copy is added
     * @param inFlightPerCopy requests in flight per LOADED copy (queueing) above which another copy is added
     * @param maxCopies       the most copies of one model
     * @param idleMs          an extra copy with no request for this long is released
     */
    public record Thresholds(double requestsPerCopy, int inFlightPerCopy, int maxCopies, long idleMs) {
        /** These thresholds with at most {@code copies} copies (a namespace's own cap); 0 leaves them as they are. */
        public Thresholds cappedAt(int copies) {
            return copies <= 0 || copies >= maxCopies ? this : new Thresholds(requestsPerCopy, inFlightPerCopy, copies, idleMs);
        }
    }

    /** Whether a model that saw {@code ratePerSecond} and at most {@code peakInFlight} requests at once wants one more copy. */
    public static boolean wantsCopy(double ratePerSecond, int peakInFlight, long loadedCopies, Thresholds t) {
        if (loadedCopies == 0 || loadedCopies >= t.maxCopies()) {
            return false;
        }
        return ratePerSecond / loadedCopies > t.requestsPerCopy() || peakInFlight / (double) loadedCopies > t.inFlightPerCopy();
    }

    /**
     * The LOADED copies that may be released at {@code nowMillis}: every one but the most recently
     * used, that has been idle longer than {@code idleMs}, least recently used first.
     */
    public static List<CopyRecord> idleExtras(List<CopyRecord> copies, ToLongFunction<CopyRecord> lastUseMillis, long nowMillis, Thresholds t) {
        List<CopyRecord> loaded = copies.stream().filter(CopyRecord::loaded).sorted(Comparator.comparingLong(lastUseMillis).reversed()).toList();
        return loaded.subList(Math.min(1, loaded.size()), loaded.size()).stream()
                .filter(c -> nowMillis - lastUseMillis.applyAsLong(c) > t.idleMs())
                .sorted(Comparator.comparingLong(lastUseMillis))
                .toList();
    }
}
