package dev.meshwork.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.client.MeshApi;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** What a command prints: aligned columns for people, the mesh's own JSON (or YAML) for scripts. Not thread-safe; one per command. */
final class Printer {
    enum Format { table, json, yaml }

    private final Format format;

    Printer(Format format) {
        this.format = format;
    }

    boolean table() {
        return format == Format.table;
    }

    /** Prints {@code answer} as JSON or YAML when asked for them; returns whether it did (else the caller prints a table). */
    boolean raw(PrintWriter out, JsonNode answer) {
        try {
            switch (format) {
                case json -> out.println(MeshApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
                case yaml -> out.print(Connection.YAML.writeValueAsString(answer));
                default -> {
                    return false;
                }
            }
        } catch (JsonProcessingException e) {
            throw new CliFailure(CliFailure.MESH_SAID_NO, "cannot print the answer: " + e.getMessage());
        }
        out.flush();
        return true;
    }

    /** Rows under upper-case headers, each column as wide as its widest cell, two spaces apart (as kubectl prints). */
    static void columns(PrintWriter out, List<String> headers, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(headers.stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList());
        all.addAll(rows);
        int[] width = new int[headers.size()];
        for (List<String> r : all) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + width[i] + "s  ", r.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** {@code n} bytes as people read them (KiB, MiB, GiB). */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    /** Seconds as people read them: milliseconds below one second. */
    static String duration(double seconds) {
        return seconds < 1 ? String.format(java.util.Locale.ROOT, "%d ms", Math.round(seconds * 1000))
                : String.format(java.util.Locale.ROOT, "%.1f s", seconds);
    }

    /** A text cut to {@code max} characters, with an ellipsis when it was longer. */
    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
