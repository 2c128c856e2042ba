package dev.meshwork.placement.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingPolicyTest {
    static final ScalingPolicy.Thresholds T = new ScalingPolicy.Thresholds(200, 16, 3, 60_000);

    static CopyRecord copy(String node, CopyState state, long lastUsed) {
        return new CopyRecord(node, "onnx-0", state, 100, lastUsed, "");
    }

    @Test
    void aCopyIsAddedWhenRateOrQueuePerCopyPassesItsThresholdUpToTheMaximum() {
        assertThat(ScalingPolicy.wantsCopy(150, 0, 1, T)).isFalse();
        assertThat(ScalingPolicy.wantsCopy(250, 0, 1, T)).isTrue();
        assertThat(ScalingPolicy.wantsCopy(250, 0, 2, T)).as("125 per copy").isFalse();
        assertThat(ScalingPolicy.wantsCopy(10, 17, 1, T)).as("queueing").isTrue();
        assertThat(ScalingPolicy.wantsCopy(10, 17, 2, T)).isFalse();
        assertThat(ScalingPolicy.wantsCopy(10_000, 100, 3, T)).as("at the maximum").isFalse();
        assertThat(ScalingPolicy.wantsCopy(10_000, 100, 0, T)).as("nothing loaded: that is load on miss").isFalse();
    }

    @Test
    void idleExtrasAreEveryLoadedCopyButTheMostRecentIdleLongerThanTheLimit() {
        long now = 1_000_000;
        List<CopyRecord> copies = List.of(copy("a", CopyState.LOADED, now - 70_000), copy("b", CopyState.LOADED, now - 90_000),
                copy("c", CopyState.LOADED, now - 1_000), copy("d", CopyState.LOADING, now - 100_000), copy("e", CopyState.LOADED, now - 65_000));
        assertThat(ScalingPolicy.idleExtras(copies, CopyRecord::lastUsedMillis, now, T)).extracting(CopyRecord::nodeId).containsExactly("b", "a", "e");
        // all idle: the most recently used one stays
        assertThat(ScalingPolicy.idleExtras(copies, CopyRecord::lastUsedMillis, now + 200_000, T)).extracting(CopyRecord::nodeId)
                .containsExactly("b", "a", "e");
        assertThat(ScalingPolicy.idleExtras(List.of(copy("only", CopyState.LOADED, 0)), CopyRecord::lastUsedMillis, now, T)).isEmpty();
    }
}
