package dev.meshwork.router.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Retries spend what requests earn (a share each) and what time gives (a few a second), never more than is saved. */
class RetryBudgetTest {
    private final AtomicLong clock = new AtomicLong();

    private int spendAll(RetryBudget b) {
        int n = 0;
        while (b.trySpend() && n < 1_000) {
            n++;
        }
        return n;
    }

    @Test
    void aFullBudgetAllowsItsSavingsThenOnlyWhatRequestsEarn() {
        RetryBudget b = new RetryBudget(0.2, clock::get);
        assertThat(spendAll(b)).as("saved up while quiet").isEqualTo(100);
        for (int i = 0; i < 50; i++) {
            b.earn();
        }
        assertThat(spendAll(b)).as("a fifth of 50 requests").isEqualTo(10);
        for (int i = 0; i < 1_000; i++) {
            b.earn();
            if (i % 5 == 4) {
                assertThat(b.trySpend()).as("one retry per five requests").isTrue();
            }
        }
        assertThat(b.trySpend()).isFalse();
    }

    @Test
    void timeGivesAFewRetriesASecondAndSavingsAreCapped() {
        RetryBudget b = new RetryBudget(0.2, clock::get);
        spendAll(b);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(spendAll(b)).isEqualTo(10);
        clock.addAndGet(TimeUnit.HOURS.toNanos(1));
        for (int i = 0; i < 100_000; i++) {
            b.earn();
        }
        assertThat(spendAll(b)).as("never more than 100 saved").isEqualTo(100);
    }

    @Test
    void aZeroRatioLeavesOnlyTheFewASecond() {
        RetryBudget b = new RetryBudget(0, clock::get);
        spendAll(b);
        for (int i = 0; i < 1_000; i++) {
            b.earn();
        }
        assertThat(b.trySpend()).isFalse();
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(spendAll(b)).isEqualTo(1);
    }
}
