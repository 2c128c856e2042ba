package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.client.MeshApi;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A load and its progress: the load is asked for on one thread while this one reads the model's
 * status every 200 ms and says where it is (registered, downloading on which node and how far,
 * LOADING, LOADED, or why it failed) with the time so far. On a terminal the line updates in place
 * with the bytes; elsewhere each change is a line of its own, the download's in quarters. Ctrl-C stops the waiting: the mesh has the request already and finishes the load.
 */
final class LoadProgress {
    private static final long POLL_MS = 200;

    private LoadProgress() {
    }

    static void load(Connection c, String name, PrintWriter out) {
        boolean terminal = System.console() != null && System.getenv("MESHWORK_PLAIN") == null;
        long started = System.nanoTime();
        CompletableFuture<MeshApi.Answer> load = CompletableFuture.supplyAsync(
                () -> c.call(api -> api.post(c.namespace(), "/v2/repository/models/" + MeshApi.enc(name) + "/load", "")));
        String last = "";
        while (true) {
            try {
                load.get(POLL_MS, TimeUnit.MILLISECONDS);
                break;
            } catch (java.util.concurrent.TimeoutException stillLoading) {
                String now = describe(c, name, terminal);
                if (terminal) {
                    out.print("\r" + now + " (" + Printer.duration(seconds(started)) + ")   ");
                    out.flush();
                } else if (!now.equals(last)) {
                    out.println(now + " (" + Printer.duration(seconds(started)) + ")");
                    out.flush();
                }
                last = now;
            } catch (java.util.concurrent.ExecutionException e) {
                if (terminal) {
                    out.println();
                }
                throw e.getCause() instanceof CliFailure f ? f : new CliFailure(CliFailure.MESH_SAID_NO, e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailure(CliFailure.MESH_SAID_NO, "stopped waiting; the mesh goes on loading " + name);
            }
        }
        JsonNode m = c.call(api -> api.get(c.namespace(), ModelsCommand.path(name))).body();
        JsonNode copy = m.path("copies").path(0);
        out.println((terminal ? "\r" : "") + String.format(Locale.ROOT, "model %s LOADED in %s on %s/%s (%s)", name, Printer.duration(seconds(started)),
                copy.path("node").asText("?"), copy.path("slot").asText("?"), Printer.bytes(copy.path("sizeBytes").asLong())));
        out.flush();
    }

    /** Where the model is now, in a few words. */
    private static String describe(Connection c, String name, boolean terminal) {
        JsonNode m;
        try {
            m = c.call(api -> api.get(c.namespace(), ModelsCommand.path(name))).body();
        } catch (CliFailure notYet) {
            return "model " + name + ": " + notYet.getMessage();
        }
        for (JsonNode copy : m.path("copies")) {
            if (copy.path("state").asText().equals("LOADING")) {
                String where = copy.path("node").asText() + "/" + copy.path("slot").asText();
                long got = copy.path("downloadedBytes").asLong();
                if (got > 0) {
                    return "model " + name + " downloading on " + where + ": " + download(got, copy.path("downloadBytes").asLong(), terminal);
                }
                return "model " + name + " LOADING on " + where;
            }
        }
        return "model " + name + " " + m.path("state").asText();
    }

    /** How far a download is: bytes and percent on a terminal; in quarters elsewhere, so plain output gets a few lines, not one per poll. */
    static String download(long got, long total, boolean terminal) {
        if (total <= 0) {
            return terminal ? Printer.bytes(got) : "under way";
        }
        int percent = (int) Math.min(100, got * 100 / total);
        return terminal ? Printer.bytes(got) + " of " + Printer.bytes(total) + " (" + percent + "%)"
                : (percent / 25 * 25) + "% of " + Printer.bytes(total);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
