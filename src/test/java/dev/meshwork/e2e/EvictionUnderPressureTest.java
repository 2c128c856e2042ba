package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.testing.Fixtures;
import dev.meshwork.testing.MeshExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A slot with room for two of the three example models, requests rotating across all three: the
 * least recently used model is the one evicted, the budget holds after every request, and every
 * answer is right.
 */
class EvictionUnderPressureTest {
    /** Each example is predicted at 2 x file size + 1 MiB (about 1.05 MB): two fit, three do not. */
    static final long SLOT_BYTES = 2_200_000;

    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--node.slotMemoryBytes=" + SLOT_BYTES, "--node.evictionPolicy=lru");

    @Test
    void theLeastRecentlyUsedModelMakesRoomAndEveryAnswerIsRight() throws Exception {
        String a = "mlp-classifier";
        String b = "add-vectors";
        String c = "typed-ops";
        String[] sequence = {a, b, a, c, a, b, c, c, a};
        String[][] loadedAfter = {{a}, {a, b}, {a, b}, {a, c}, {a, c}, {a, b}, {b, c}, {b, c}, {a, c}};
        for (int i = 0; i < sequence.length; i++) {
            JsonNode cs = Fixtures.cases(sequence[i]).get(0);
            MeshExtension.Http r = mesh.post("/v2/models/" + sequence[i] + "/infer", Fixtures.v2Body(cs));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            Fixtures.assertOutputs(Fixtures.JSON.readTree(r.body()).get("outputs"), cs.get("outputs"));

            JsonNode slot = Fixtures.JSON.readTree(mesh.get("/v1/mesh/nodes").body()).get("nodes").get(0).get("slots").get(0);
            assertThat(slot.get("capacityBytes").asLong()).isEqualTo(SLOT_BYTES);
            assertThat(slot.get("usedBytes").asLong()).as("used bytes after request %d", i).isLessThanOrEqualTo(SLOT_BYTES);
            assertThat(loaded()).as("loaded after request %d for %s", i, sequence[i]).containsExactlyInAnyOrder(loadedAfter[i]);
        }
        JsonNode slot = Fixtures.JSON.readTree(mesh.get("/v1/mesh/nodes").body()).get("nodes").get(0).get("slots").get(0);
        assertThat(slot.get("evictions").asLong()).isEqualTo(4);
        assertThat(Fixtures.JSON.readTree(mesh.get("/v1/mesh/models/" + b).body()).get("state").asText()).isEqualTo("NOT_LOADED");
    }

    private static List<String> loaded() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode m : Fixtures.JSON.readTree(mesh.get("/v1/mesh/models").body()).get("models")) {
            if (m.get("state").asText().equals("LOADED")) {
                out.add(m.get("name").asText());
            }
        }
        return out;
    }
}
