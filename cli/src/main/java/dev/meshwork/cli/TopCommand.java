package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshwork top}: a refreshing view of the mesh from the router's own APIs and metrics: nodes
 * (slots, memory used against budget, requests in flight), the busiest models (requests per second
 * and p99 between two frames, copies, state) and what changed lately (loads, unloads and
 * evictions, seen as copies coming and going between frames). On a terminal it redraws every
 * {@code --interval} seconds until Ctrl-C; elsewhere it prints {@code --frames} frames (1 by default).
 */
@Command(name = "top", mixinStandardHelpOptions = true, description = "A refreshing view: nodes, the busiest models, recent loads and evictions.")
final class TopCommand extends Verb {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = "--interval", description = "seconds between frames (default 2)")
    double interval = 2;

    @Option(names = "--frames", description = "frames to print (default: until Ctrl-C on a terminal, 1 elsewhere)")
    Integer frames;

    @Option(names = "--models", description = "how many of the busiest models to show (default 10)")
    int top = 10;

    private final Deque<String> events = new ArrayDeque<>();
    private Map<String, Set<String>> copiesBefore;

    @Override
    public void run() {
        if (interval < 0.2 || interval > 3600) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--interval must be from 0.2 to 3600 seconds");
        }
        boolean terminal = System.console() != null && System.getenv("MESHWORK_PLAIN") == null;
        int left = frames != null ? frames : terminal ? Integer.MAX_VALUE : 1;
        Connection c = connection();
        RequestStats before = metrics(c);
        long beforeAt = System.nanoTime();
        for (int frame = 0; frame < left; frame++) {
            if (frame > 0 || left > 1) {
                sleep();
            }
            RequestStats now = metrics(c);
            long at = System.nanoTime();
            JsonNode nodes = c.call(api -> api.get(c.namespace(), "/v1/mesh/nodes")).body().path("nodes");
            JsonNode models = c.call(api -> api.get(c.namespace(), "/v1/mesh/models")).body().path("models");
            PrintWriter out = out();
            if (terminal) {
                out.print("\033[H\033[2J");
            } else if (frame > 0) {
                out.println();
            }
            draw(out, c, nodes, models, now, before, (at - beforeAt) / 1e9);
            before = now;
            beforeAt = at;
        }
    }

    private void draw(PrintWriter out, Connection c, JsonNode nodes, JsonNode models, RequestStats now, RequestStats before, double seconds) {
        out.println("meshwork top  " + c.server() + "  " + LocalTime.now().format(CLOCK) + String.format(Locale.ROOT, "  (rates over %.1f s)", seconds));
        out.println();
        List<List<String>> nodeRows = new ArrayList<>();
        for (JsonNode n : nodes) {
            long used = 0;
            long capacity = 0;
            for (JsonNode s : n.path("slots")) {
                used += s.path("usedBytes").asLong();
                capacity += s.path("capacityBytes").asLong();
            }
            nodeRows.add(List.of(n.path("node").asText(), Integer.toString(n.path("slots").size()), ListCommands.Nodes.bar(used, capacity),
                    Printer.bytes(used) + " / " + Printer.bytes(capacity), n.path("inFlight").asText("0"),
                    n.path("draining").asBoolean() ? "draining" : "serving"));
        }
        Printer.columns(out, List.of("node", "slots", "memory", "used / budget", "in flight", "state"), nodeRows);
        out.println();
        record Busy(JsonNode model, double rate, double p99) {
        }
        List<Busy> busy = new ArrayList<>();
        for (JsonNode m : models) {
            String key = m.path("namespace").asText().equals("default") ? m.path("name").asText()
                    : m.path("namespace").asText() + "/" + m.path("name").asText();
            busy.add(new Busy(m, now.rate(before, key, seconds), now.p99(before, key)));
        }
        busy.sort(Comparator.comparingDouble(Busy::rate).reversed().thenComparing(b -> b.model().path("name").asText()));
        List<List<String>> modelRows = new ArrayList<>();
        for (Busy b : busy.subList(0, Math.min(top, busy.size()))) {
            modelRows.add(List.of(b.model().path("name").asText(), String.format(Locale.ROOT, "%.1f", b.rate()),
                    Double.isNaN(b.p99()) ? "-" : Double.isInfinite(b.p99()) ? "> max" : String.format(Locale.ROOT, "%.1f", b.p99() * 1000),
                    Integer.toString(b.model().path("copies").size()), b.model().path("state").asText()));
        }
        Printer.columns(out, List.of("model", "req/s", "p99 ms", "copies", "state"), modelRows);
        note(models);
        out.println();
        out.println("recent:");
        if (events.isEmpty()) {
            out.println("  (no loads or unloads since top started)");
        }
        events.forEach(e -> out.println("  " + e));
        out.flush();
    }

    /** Copies that came or went since the last frame, as events (the newest ten are kept). */
    private void note(JsonNode models) {
        Map<String, Set<String>> copies = new HashMap<>();
        for (JsonNode m : models) {
            Set<String> where = new HashSet<>();
            m.path("copies").forEach(cp -> {
                if (cp.path("state").asText().equals("LOADED")) {
                    where.add(cp.path("node").asText() + "/" + cp.path("slot").asText());
                }
            });
            copies.put(m.path("name").asText(), where);
        }
        if (copiesBefore != null) {
            String t = LocalTime.now().format(CLOCK);
            copies.forEach((model, where) -> where.stream().filter(w -> !copiesBefore.getOrDefault(model, Set.of()).contains(w)).sorted()
                    .forEach(w -> event(t + " loaded   " + model + " on " + w)));
            copiesBefore.forEach((model, where) -> where.stream().filter(w -> !copies.getOrDefault(model, Set.of()).contains(w)).sorted()
                    .forEach(w -> event(t + " unloaded " + model + " from " + w + (copies.containsKey(model) ? "" : " (deleted)"))));
        }
        copiesBefore = copies;
    }

    private void event(String e) {
        events.addLast(e);
        while (events.size() > 10) {
            events.removeFirst();
        }
    }

    private RequestStats metrics(Connection c) {
        try {
            return RequestStats.parse(c.call(api -> api.getText(c.namespace(), "/metrics")).body().path("text").asText());
        } catch (CliFailure noMetrics) {
            if (noMetrics.exitCode() == CliFailure.UNREACHABLE) {
                throw noMetrics;
            }
            return RequestStats.NONE; // a principal without the metrics: rates stay empty
        }
    }

    private void sleep() {
        try {
            Thread.sleep((long) (interval * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(0, "stopped");
        }
    }
}
