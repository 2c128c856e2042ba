package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** The read-only listings: runtimes, nodes, namespaces. */
final class ListCommands {
    private ListCommands() {
    }

    /** {@code meshwork runtimes list}. */
    @Command(name = "runtimes", description = "The ServingRuntime catalog in force.", mixinStandardHelpOptions = true,
            subcommands = Runtimes.ListRuntimes.class)
    static final class Runtimes {
        @Command(name = "list", description = "Every runtime: how Meshwork runs it and the formats it serves.")
        static final class ListRuntimes extends Verb {
            @Override
            public void run() {
                JsonNode answer = show("/v1/mesh/runtimes");
                if (answer == null) {
                    return;
                }
                PrintWriter out = out();
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode r : answer.path("runtimes")) {
                    List<String> formats = new ArrayList<>();
                    r.path("supportedModelFormats").forEach(f -> formats.add(f.path("name").asText() + ":" + f.path("version").asText()
                            + (f.path("autoSelect").asBoolean() ? "" : "(by name)")));
                    rows.add(List.of(r.path("name").asText(), r.path("kind").asText(), r.path("adapter").asText(),
                            r.path("disabled").asBoolean() ? "yes" : "no", String.join(",", formats)));
                }
                Printer.columns(out, List.of("name", "kind", "adapter", "disabled", "formats"), rows);
                if (!answer.path("reloadError").asText().isEmpty()) {
                    out.println("the newest edit of the runtimes directory was refused: " + answer.path("reloadError").asText());
                    out.flush();
                }
            }
        }
    }

    /** {@code meshwork nodes list}. */
    @Command(name = "nodes", description = "The nodes of the mesh and their slots: list, drain.", mixinStandardHelpOptions = true,
            subcommands = {Nodes.ListNodes.class, Nodes.Drain.class})
    static final class Nodes {
        @Command(name = "drain", description = {"Drains a node of a cluster as SIGTERM would, but it stays up: it takes no more loads,",
                "its recently used models are loaded on other nodes, its copies leave the table. Stop it after."})
        static final class Drain extends Verb {
            @picocli.CommandLine.Parameters(paramLabel = "NODE")
            String node;

            @Override
            public void run() {
                Connection c = connection();
                JsonNode a = c.call(api -> api.post(c.namespace(), "/v1/mesh/nodes/" + dev.meshwork.client.MeshApi.enc(node) + "/drain", "")).body();
                if (!c.printer().raw(out(), a)) {
                    say("node " + node + (a.path("started").asBoolean() ? " is draining: its recently used models move to other nodes"
                            : " was draining already"));
                }
            }
        }

        @Command(name = "list", description = "Every slot of every node: memory used and budget, models loaded.")
        static final class ListNodes extends Verb {
            @Override
            public void run() {
                JsonNode answer = show("/v1/mesh/nodes");
                if (answer == null) {
                    return;
                }
                PrintWriter out = out();
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode n : answer.path("nodes")) {
                    for (JsonNode s : n.path("slots")) {
                        long used = s.path("usedBytes").asLong();
                        long capacity = s.path("capacityBytes").asLong();
                        rows.add(List.of(n.path("node").asText(), s.path("name").asText(), device(s.path("device").asText()),
                                Printer.bytes(used) + " / " + Printer.bytes(capacity), bar(used, capacity),
                                Integer.toString(s.path("models").size()), n.path("draining").asBoolean() ? "draining" : "serving"));
                    }
                }
                Printer.columns(out, List.of("node", "slot", "device", "memory", "used", "models", "state"), rows);
            }
        }

        /** A slot's device in a few characters: an external runtime on a socket the node chose has no address worth a column. */
        static String device(String d) {
            return d.startsWith("external:unix:") ? "external (socket)" : Printer.cut(d, 32);
        }

        /** A ten-cell bar of used against capacity. */
        static String bar(long used, long capacity) {
            int filled = capacity <= 0 ? 0 : (int) Math.min(10, Math.round(10.0 * used / capacity));
            return "[" + "#".repeat(filled) + ".".repeat(10 - filled) + "]";
        }
    }

    /** {@code meshwork namespaces list}. */
    @Command(name = "namespaces", description = "Tenants' namespaces: limits and use.", mixinStandardHelpOptions = true,
            subcommands = Namespaces.ListNamespaces.class)
    static final class Namespaces {
        @Command(name = "list", description = "Every namespace the principal may see, with its models and memory.")
        static final class ListNamespaces extends Verb {
            @Override
            public void run() {
                JsonNode answer = show("/v1/mesh/namespaces");
                if (answer == null) {
                    return;
                }
                PrintWriter out = out();
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode n : answer.path("namespaces")) {
                    rows.add(List.of(n.path("namespace").asText(), n.path("models").asText("0"), Printer.bytes(n.path("loadedBytes").asLong()),
                            Printer.bytes(n.path("shareBytes").asLong()), String.format(java.util.Locale.ROOT, "%.1f", n.path("requestsPerSecond").asDouble()),
                            n.path("inFlight").asText("0"), n.path("ownPolicy").asBoolean() ? "own" : "defaults"));
                }
                Printer.columns(out, List.of("namespace", "models", "loaded", "share", "req/s", "in flight", "policy"), rows);
            }
        }
    }
}
