package dev.meshwork.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits that tests share: for a condition to become true, or to stay true for a while. */
public final class Conditions {
    private Conditions() {
    }

    /**
     * Asserts that {@code condition} holds from now and throughout {@code window}, checked every
     * 10 ms: how a test says that something has not happened yet (a request still waits, a copy
     * is still held) without sleeping and hoping.
     */
    public static void holdsFor(String what, Duration window, Callable<Boolean> condition) {
        await(what).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).during(window)
                .atMost(window.plusSeconds(5)).until(condition);
    }
}
