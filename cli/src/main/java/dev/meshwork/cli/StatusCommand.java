package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.client.MeshApi;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/** {@code meshwork status}: the mesh at a glance, from its nodes, models and vmodels. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "The mesh at a glance: nodes, memory, models by state, vmodels.")
final class StatusCommand extends Verb {
    @Override
    public void run() {
        Connection c = connection();
        JsonNode nodes = c.call(api -> api.get(c.namespace(), "/v1/mesh/nodes")).body().path("nodes");
        JsonNode models = c.call(api -> api.get(c.namespace(), "/v1/mesh/models")).body().path("models");
        JsonNode vmodels = c.call(api -> api.get(c.namespace(), "/v1/mesh/vmodels")).body().path("vmodels");
        long used = 0;
        long capacity = 0;
        int slots = 0;
        for (JsonNode n : nodes) {
            for (JsonNode s : n.path("slots")) {
                used += s.path("usedBytes").asLong();
                capacity += s.path("capacityBytes").asLong();
                slots++;
            }
        }
        Map<String, Integer> states = new TreeMap<>();
        models.forEach(m -> states.merge(m.path("state").asText(), 1, Integer::sum));
        ObjectNode summary = MeshApi.JSON.createObjectNode().put("server", c.server()).put("nodes", nodes.size()).put("slots", slots)
                .put("usedBytes", used).put("capacityBytes", capacity).put("models", models.size()).put("vmodels", vmodels.size());
        states.forEach(summary.putObject("modelStates")::put);
        PrintWriter out = out();
        if (c.printer().raw(out, summary)) {
            return;
        }
        out.println("mesh at " + c.server());
        out.println("nodes:   " + nodes.size() + " (" + slots + " slots)");
        out.println("memory:  " + Printer.bytes(used) + " of " + Printer.bytes(capacity) + " " + ListCommands.Nodes.bar(used, capacity));
        out.println("models:  " + models.size() + (states.isEmpty() ? "" : " " + states.toString().replace('{', '(').replace('}', ')')));
        out.println("vmodels: " + vmodels.size());
        out.flush();
    }
}
