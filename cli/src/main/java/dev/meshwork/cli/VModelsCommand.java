package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.client.MeshApi;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwork vmodels list|set|delete}: stable names over changing models. */
@Command(name = "vmodels", description = "Virtual models: list, set, delete.", mixinStandardHelpOptions = true,
        subcommands = {VModelsCommand.ListVModels.class, VModelsCommand.Set.class, VModelsCommand.Delete.class})
final class VModelsCommand {
    @Command(name = "list", description = "Every vmodel the principal may see, with its active and target models.")
    static final class ListVModels extends Verb {
        @Override
        public void run() {
            JsonNode answer = show("/v1/mesh/vmodels");
            if (answer == null) {
                return;
            }
            PrintWriter out = out();
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode v : answer.path("vmodels")) {
                List<String> split = new ArrayList<>();
                v.path("traffic").path("shares").forEach(s -> split.add(s.path("model").asText() + "=" + s.path("weight").asText()));
                rows.add(List.of(v.path("name").asText(), v.path("namespace").asText(), v.path("state").asText(), v.path("activeModel").asText(),
                        v.path("targetModel").asText(), split.isEmpty() ? "-" : String.join(",", split), v.path("owner").asText("")));
            }
            Printer.columns(out, List.of("name", "namespace", "state", "active", "target", "traffic", "owner"), rows);
        }
    }

    @Command(name = "set", description = "Points a vmodel at a model (it moves once that model is loaded).")
    static final class Set extends Verb {
        @Parameters(paramLabel = "VMODEL")
        String name;

        @Option(names = "--target", required = true, paramLabel = "MODEL", description = "the model the vmodel should serve")
        String target;

        @Option(names = "--owner", description = "who owns the vmodel (others may not change it)")
        String owner;

        @Override
        public void run() {
            Connection c = connection();
            ObjectNode body = MeshApi.JSON.createObjectNode().put("targetModel", target);
            if (owner != null) {
                body.put("owner", owner);
            }
            JsonNode v = c.call(api -> api.put(c.namespace(), "/v1/mesh/vmodels/" + MeshApi.enc(name), body.toString(), "application/json")).body();
            PrintWriter out = out();
            if (!c.printer().raw(out, v)) {
                out.println("vmodel " + name + ": active " + v.path("activeModel").asText() + ", target " + v.path("targetModel").asText()
                        + " (" + v.path("state").asText() + ")");
                out.flush();
            }
        }
    }

    @Command(name = "delete", description = "Deletes a vmodel (its models stay registered).")
    static final class Delete extends Verb {
        @Parameters(paramLabel = "VMODEL")
        String name;

        @Option(names = "--owner", description = "the vmodel's owner, when it has one")
        String owner;

        @Override
        public void run() {
            Connection c = connection();
            c.call(api -> api.delete(c.namespace(), "/v1/mesh/vmodels/" + MeshApi.enc(name) + (owner == null ? "" : "?owner=" + MeshApi.enc(owner))));
            say("vmodel " + name + " deleted");
        }
    }
}
