package dev.meshwork.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.nodeapi.NodeFence;
import dev.meshwork.placement.table.NodeRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which router calls a node process answers, by the fencing token they carry and the copy that would answer. */
class NodeStandingTest {
    private static NodeRecord record(long incarnation) {
        return new NodeRecord("n1", "127.0.0.1:1", "m", List.of(), 0, false, 0, Map.of(), incarnation);
    }

    @Test
    void aCallIsAnsweredOnlyWhenMeantForThisIncarnationAndTheCopysRegistration() {
        NodeStanding s = new NodeStanding("n1", 100);
        assertThat(s.refusal(NodeFence.Expected.NONE, "m", "abc")).as("an unfenced call (an older router)").isEmpty();
        assertThat(s.refusal(new NodeFence.Expected(100, "abc"), "m", "abc")).isEmpty();
        assertThat(s.refusal(new NodeFence.Expected(100, "abc"), "m", null)).as("no copy yet: the load decides").isEmpty();
        assertThat(s.refusal(new NodeFence.Expected(100, "abc"), "m", "")).as("a copy that does not say").isEmpty();
        assertThat(s.refusal(new NodeFence.Expected(99, ""), "m", "abc")).contains("meant for incarnation 99");
        assertThat(s.refusal(new NodeFence.Expected(-1, ""), "m", "abc")).as("an unreadable token").contains("meant for incarnation -1");
        assertThat(s.refusal(new NodeFence.Expected(100, "def"), "m", "abc")).contains("another version of its registration");
        assertThat(s.serving()).isTrue();
    }

    @Test
    void aCallNamingANewerIncarnationIsRefusedButOnlyTheTableMakesThisProcessStandDown() {
        NodeStanding s = new NodeStanding("n1", 100);
        assertThat(s.refusal(new NodeFence.Expected(101, ""), "m", "abc")).contains("meant for incarnation 101");
        assertThat(s.superseded()).as("a call is not proof: the signed record is").isFalse();
        assertThat(s.refusal(new NodeFence.Expected(100, ""), "m", "abc")).isEmpty();
    }

    @Test
    void theTablesRecordDecidesWhetherThisProcessMayWrite() {
        NodeStanding s = new NodeStanding("n1", 100);
        assertThat(s.mayWrite(null)).isTrue();
        assertThat(s.mayWrite(record(0))).as("a record without a token").isTrue();
        assertThat(s.mayWrite(record(50))).as("an earlier process's").isTrue();
        assertThat(s.mayWrite(record(100))).as("its own").isTrue();
        assertThat(s.superseded()).isFalse();
        assertThat(s.mayWrite(record(150))).as("a later process's").isFalse();
        assertThat(s.superseded()).isTrue();
        assertThat(s.mayWrite(null)).as("for good").isFalse();
        assertThat(s.reason()).contains("incarnation 150");
    }
}
