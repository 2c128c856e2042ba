package dev.meshwork.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The memory plan's arithmetic: what fits, what does not and says why, and a child JVM's heap. */
class MemoryPlanTest {
    static final long GIB = 1L << 30;

    @Test
    void aPlanThatFitsSaysNothing() {
        assertThat(new MemoryPlan(GIB, 4 * GIB, GIB, 8 * GIB).warning()).isEmpty();
        assertThat(new MemoryPlan(GIB, 4 * GIB, GIB, -1).warning()).as("memory unknown").isEmpty();
    }

    @Test
    void aPlanBeyondTheMemorySaysByHowMuchAndWhatToChange() {
        // the defaults in a 4 GiB container: five 2 GiB slots, a 1 GiB heap, two isolated slots
        assertThat(new MemoryPlan(GIB, 10 * GIB, 2 * (512L << 20), 4 * GIB).warning()).hasValueSatisfying(w -> assertThat(w)
                .startsWith("the node's memory plan is 12288 MiB (heap 1024 MiB + slot budgets 10240 MiB + isolated slots' processes 1024 MiB)")
                .contains("may use 4096 MiB").contains("node.slotMemoryBytes"));
    }

    @Test
    void aChildsHeapComesFromItsXmx() {
        assertThat(MemoryPlan.childHeap(List.of("-XX:+UseSerialGC", "-Xmx2g"))).isEqualTo(2 * GIB);
        assertThat(MemoryPlan.childHeap(List.of("-Xmx768m"))).isEqualTo(768L << 20);
        assertThat(MemoryPlan.childHeap(List.of())).isEqualTo(512L << 20);
    }
}
