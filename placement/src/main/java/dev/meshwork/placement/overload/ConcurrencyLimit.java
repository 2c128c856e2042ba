package dev.meshwork.placement.overload;

/**
 * How many requests a router or node runs at once, found as it goes: a request past the limit is
 * refused at once (the caller answers 503 with Retry-After) instead of queueing behind the others.
 * The limit seeks the fewest requests at once that still answer nearly as many per second as the
 * most it has recently seen: past that knee, more requests at once only add waiting. It holds at a
 * settled limit, measuring the answers per second in windows during which the limit was reached
 * (a window in which demand stayed below it says nothing of capacity), and every few windows
 * probes, alternately twice as high (kept when it answers {@code minGain} more per second, two
 * windows running) and a fifth lower (kept while it still answers {@code 1 - 2 minGain} of the
 * best recent rate). The best recent rate is the highest window's, fading by 0.2% a window, and
 * forgotten when twice running neither a step up nor a step down reaches it (the node got
 * slower), so that the limit follows. Comparing a step down with the best rate, not with the step
 * before, keeps small losses from adding up into a limit that halves throughput; probing up by
 * doubling finds throughput that grows slowly with concurrency, which a smaller step takes for a
 * plateau. Latency targets (AIMD on inflation over unloaded latency) were tried first and fail on
 * CPU-bound serving: latency grows with every request at once even while throughput still does,
 * so they cut the limit to its floor. Pure: time comes in with each call. Thread-safe: transport
 * and request threads call it, each call a few field updates under the monitor.
 */
public final class ConcurrencyLimit {
    /** The fewest answers a window needs before it is judged, however long it lasts. */
    static final int MIN_WINDOW_ANSWERS = 20;
    /** Windows spent at the settled limit between two probes. */
    static final int HOLD_WINDOWS = 4;
    /** How the best recent rate fades each window. */
    static final double BEST_FADE = 0.998;

    private enum Phase { HOLD, UP, DOWN }

    private final Settings settings;
    private int limit;
    private int settled;
    private double settledRate = Double.NaN;
    private double bestRate;
    /** Probes up and down that both failed while the settled limit fell short of the best rate: that rate is stale. */
    private boolean upFailedShort;
    private boolean downFailedShort;
    private int staleRounds;
    /** The step up being probed has passed one window: it needs a second (noise passes one window in eight). */
    private boolean upPassedOnce;
    private Phase phase = Phase.HOLD;
    private int holdLeft = 1;
    private boolean nextProbeUp = true;
    private int inFlight;
    private long windowStart = Long.MIN_VALUE;
    private int answers;
    private boolean reached;

    /**
     * @param minGain      the share of answers per second a step up must add to be kept; a step down is kept while it
     *                     answers {@code 1 - 2 minGain} of the best recent rate
     * @param minLimit     the limit never goes below this
     * @param maxLimit     nor above this
     * @param initialLimit where it starts
     * @param windowNanos  how long each measurement lasts at least
     */
    public record Settings(double minGain, int minLimit, int maxLimit, int initialLimit, long windowNanos) {
        public Settings {
            if (!(minGain > 0 && minGain < 1) || minLimit < 1 || maxLimit < minLimit || initialLimit < minLimit || initialLimit > maxLimit
                    || windowNanos < 1) {
                throw new IllegalArgumentException("overload settings need 0 < minGain < 1, 1 <= minLimit <= initialLimit <= maxLimit and"
                        + " windowNanos >= 1, got " + minGain + ", " + minLimit + ", " + initialLimit + ", " + maxLimit + ", " + windowNanos);
            }
        }
    }

    public ConcurrencyLimit(Settings settings) {
        this.settings = settings;
        this.limit = settings.initialLimit();
        this.settled = limit;
    }

    /** Takes a place for one request: true, or false when the limit is already running (refuse it). */
    public synchronized boolean tryAcquire() {
        if (inFlight >= limit) {
            reached = true;
            return false;
        }
        if (++inFlight >= limit) {
            reached = true;
        }
        return true;
    }

    /** Gives back a place whose request was answered at {@code nowNanos} (System.nanoTime): it counts in the answers per second. */
    public synchronized void release(long nowNanos) {
        inFlight--;
        if (windowStart == Long.MIN_VALUE) {
            windowStart = nowNanos;
        }
        answers++;
        long elapsed = nowNanos - windowStart;
        if (answers >= MIN_WINDOW_ANSWERS && elapsed >= settings.windowNanos()) {
            judge(answers * 1e9 / elapsed, reached);
            windowStart = nowNanos;
            answers = 0;
            reached = inFlight >= limit;
        }
    }

    /** Gives back a place whose request failed, or whose time says nothing of load (it waited for a load): not counted. */
    public synchronized void abandon() {
        inFlight--;
    }

    private void judge(double rate, boolean saturated) {
        if (!saturated) { // demand stayed below the limit: nothing learned about capacity
            limit = settled;
            phase = Phase.HOLD;
            upPassedOnce = false;
            return;
        }
        bestRate = Math.max(bestRate * BEST_FADE, rate);
        double enough = bestRate * (1 - 2 * settings.minGain());
        switch (phase) {
            case HOLD -> {
                settledRate = rate;
                if (--holdLeft <= 0) {
                    probe();
                }
            }
            case UP -> {
                if (rate >= settledRate * (1 + settings.minGain()) && !upPassedOnce) {
                    upPassedOnce = true; // measure it once more before keeping it
                } else if (rate >= settledRate * (1 + settings.minGain())) {
                    upPassedOnce = false;
                    settle(rate);
                    nextProbeUp = true;
                    probe(); // still climbing: try the next step at once
                } else {
                    upPassedOnce = false;
                    upFailedShort = settledRate < enough;
                    hold(false);
                }
            }
            case DOWN -> {
                if (rate >= enough) {
                    settle(rate);
                    hold(false); // nearly as fast with fewer: keep it, and try lower again after a while
                } else {
                    downFailedShort = settledRate < enough;
                    hold(true);
                }
            }
        }
        if (upFailedShort && downFailedShort) {
            upFailedShort = false;
            downFailedShort = false;
            if (++staleRounds >= 2) {
                // twice neither more nor fewer requests reached the best rate: the node got slower, and that rate is history
                bestRate = settledRate;
                staleRounds = 0;
            }
        }
    }

    private void settle(double rate) {
        settled = limit;
        settledRate = rate;
        upFailedShort = false;
        downFailedShort = false;
        staleRounds = 0;
    }

    private void hold(boolean upNext) {
        limit = settled;
        phase = Phase.HOLD;
        holdLeft = HOLD_WINDOWS;
        nextProbeUp = upNext;
    }

    private void probe() {
        int up = Math.min(settings.maxLimit(), settled * 2);
        int down = Math.max(settings.minLimit(), (int) Math.floor(settled * 0.8));
        boolean goUp = nextProbeUp ? up > settled : down == settled; // at the ceiling go down, at the floor up
        if (goUp ? up == settled : down == settled) {
            hold(nextProbeUp);
            return;
        }
        limit = goUp ? up : down;
        phase = goUp ? Phase.UP : Phase.DOWN;
    }

    /** The limit now (requests at once). */
    public synchronized int limit() {
        return limit;
    }

    /** The limit it holds between probes. */
    synchronized int settled() {
        return settled;
    }

    /** Requests running now. */
    public synchronized int inFlight() {
        return inFlight;
    }
}
