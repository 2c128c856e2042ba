package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Adds the times to a freshly computed status: a condition keeps its {@code lastTransitionTime}
 * while its status stays the same, and a failure keeps its {@code time} while it is the same
 * failure; anything new gets {@code now}. So an unchanged status compares equal to the one already
 * written, and is not written again. Pure.
 */
final class StatusTimes {
    private StatusTimes() {
    }

    static ObjectNode stamp(ObjectNode fresh, JsonNode old, Instant now) {
        String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
        for (JsonNode c : fresh.path("conditions")) {
            JsonNode before = condition(old, c.path("type").asText());
            boolean same = before != null && before.path("status").asText().equals(c.path("status").asText());
            ((ObjectNode) c).put("lastTransitionTime", same && before.hasNonNull("lastTransitionTime") ? before.get("lastTransitionTime").asText() : time);
        }
        JsonNode failure = fresh.path("modelStatus").get("lastFailureInfo");
        if (failure instanceof ObjectNode f) {
            JsonNode before = old == null ? null : old.path("modelStatus").get("lastFailureInfo");
            boolean same = before != null && before.path("message").asText().equals(f.path("message").asText())
                    && before.path("modelId").asText().equals(f.path("modelId").asText());
            f.put("time", same && before.hasNonNull("time") ? before.get("time").asText() : time);
        }
        return fresh;
    }

    private static JsonNode condition(JsonNode status, String type) {
        if (status == null) {
            return null;
        }
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        return null;
    }
}
