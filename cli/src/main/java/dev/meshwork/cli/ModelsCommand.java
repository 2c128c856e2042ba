package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshwork.client.MeshApi;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwork models list|get|register|load|unload|delete}: registrations and their copies. */
@Command(name = "models", description = "Registered models: list, get, register, load, unload, delete.", mixinStandardHelpOptions = true,
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Get.class, ModelsCommand.Register.class, ModelsCommand.Load.class,
                ModelsCommand.Unload.class, ModelsCommand.Delete.class})
final class ModelsCommand {
    static String path(String name) {
        return "/v1/mesh/models/" + MeshApi.enc(name);
    }

    /** One row of a model: its name, namespace, format, serving runtime, state, copies and error. */
    static List<String> row(JsonNode m) {
        JsonNode f = m.path("modelFormat");
        String format = f.path("name").asText() + (f.path("version").asText().isEmpty() ? "" : ":" + f.path("version").asText());
        List<String> where = new ArrayList<>();
        m.path("copies").forEach(c -> where.add(c.path("node").asText() + "/" + c.path("slot").asText()));
        return List.of(m.path("name").asText(), m.path("namespace").asText(), format, m.path("servingRuntime").asText(),
                m.path("state").asText(), where.isEmpty() ? "-" : String.join(",", where), Printer.cut(m.path("error").asText(), 60));
    }

    static final List<String> HEADERS = List.of("name", "namespace", "format", "runtime", "state", "copies", "error");

    @Command(name = "list", description = "Every model the principal may see.")
    static final class ListModels extends Verb {
        @Override
        public void run() {
            JsonNode answer = show("/v1/mesh/models");
            if (answer != null) {
                List<List<String>> rows = new ArrayList<>();
                answer.path("models").forEach(m -> rows.add(row(m)));
                Printer.columns(out(), HEADERS, rows);
            }
        }
    }

    @Command(name = "get", description = "One model's registration, state and copies.")
    static final class Get extends Verb {
        @Parameters(paramLabel = "MODEL")
        String name;

        @Override
        public void run() {
            JsonNode m = show(path(name));
            if (m == null) {
                return;
            }
            PrintWriter out = out();
            Printer.columns(out, HEADERS, List.of(row(m)));
            out.println("storageUri: " + m.path("storageUri").asText());
            if (m.path("copies").size() > 0) {
                out.println();
                List<List<String>> rows = new ArrayList<>();
                m.path("copies").forEach(cp -> rows.add(List.of(cp.path("node").asText(), cp.path("slot").asText(), cp.path("state").asText(),
                        Printer.bytes(cp.path("sizeBytes").asLong()), cp.path("lastUsed").asText())));
                Printer.columns(out, List.of("node", "slot", "state", "size", "last used"), rows);
            }
            out.flush();
        }
    }

    @Command(name = "register", description = "Registers the models of files: Meshwork's JSON, KServe InferenceService YAML (several with ---), or a directory of them.")
    static final class Register extends Verb {
        @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "a file, a directory, or - for standard input")
        List<String> files;

        @Option(names = {"-R", "--recursive"}, description = "read the directories' folders too")
        boolean recursive;

        @Option(names = "--wait", description = "load each model and show its progress until it is LOADED")
        boolean await;

        @Override
        public void run() {
            Connection c = connection();
            PrintWriter out = out();
            List<Documents.Document> docs = new ArrayList<>();
            for (String f : files) {
                docs.addAll(f.equals("-") ? Documents.read("standard input", Documents.stdin()) : Documents.read(Path.of(f), recursive));
            }
            if (docs.isEmpty()) {
                throw new CliFailure(2, "no model documents in " + files);
            }
            for (Documents.Document d : docs) {
                MeshApi.Answer a = c.call(api -> api.put(c.namespace(), path(d.name()), d.body(), d.contentType()));
                out.println("model " + d.name() + (a.status() == 201 ? " registered" : " updated") + " (" + d.source() + ")");
                out.flush();
                if (await) {
                    LoadProgress.load(c, d.name(), out);
                }
            }
        }
    }

    @Command(name = "load", description = "Loads a model; on a terminal, shows it LOADING until it is LOADED.")
    static final class Load extends Verb {
        @Parameters(paramLabel = "MODEL")
        String name;

        @Option(names = "--wait", description = "show progress until LOADED (the command always waits for the mesh's answer)")
        boolean await;

        @Override
        public void run() {
            LoadProgress.load(connection(), name, out());
        }
    }

    @Command(name = "unload", description = "Unloads a model's copies; its registration stays.")
    static final class Unload extends Verb {
        @Parameters(paramLabel = "MODEL")
        String name;

        @Override
        public void run() {
            Connection c = connection();
            c.call(api -> api.post(c.namespace(), "/v2/repository/models/" + MeshApi.enc(name) + "/unload", ""));
            say("model " + name + " unloaded");
        }
    }

    @Command(name = "delete", description = "Unregisters a model (its copies are unloaded).")
    static final class Delete extends Verb {
        @Parameters(paramLabel = "MODEL")
        String name;

        @Override
        public void run() {
            Connection c = connection();
            c.call(api -> api.delete(c.namespace(), path(name)));
            say("model " + name + " deleted");
        }
    }
}
