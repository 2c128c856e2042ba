package dev.meshwork.nodeapi;

import java.util.concurrent.Callable;

/**
 * Marks work that runs on a thread which must not wait (an event loop or a transport thread that took
 * a quick request itself): while it runs, the node takes only a copy that is loaded now and never
 * starts or awaits a load. Each thread sees only its own mark.
 */
public final class InlineRun {
    private static final ThreadLocal<boolean[]> ACTIVE = ThreadLocal.withInitial(() -> new boolean[1]);

    private InlineRun() {
    }

    /** Runs {@code work} marked. */
    public static <T> T run(Callable<T> work) throws Exception {
        boolean[] mark = ACTIVE.get();
        boolean outer = mark[0];
        mark[0] = true;
        try {
            return work.call();
        } finally {
            mark[0] = outer;
        }
    }

    /** Runs {@code work} marked, here: an executor for work that {@code NodeAgent.runsInline} let through. */
    public static void execute(Runnable work) {
        boolean[] mark = ACTIVE.get();
        boolean outer = mark[0];
        mark[0] = true;
        try {
            work.run();
        } finally {
            mark[0] = outer;
        }
    }

    /** Whether this thread runs marked work now. */
    public static boolean active() {
        return ACTIVE.get()[0];
    }
}
