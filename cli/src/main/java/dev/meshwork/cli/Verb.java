package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every verb does the same way: its connection, its output, a line said, a GET shown as the mesh's JSON when asked. */
abstract class Verb implements Runnable {
    @Spec
    CommandSpec spec;

    Connection connection() {
        return MeshworkCommand.connection(spec);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void say(String line) {
        out().println(line);
        out().flush();
    }

    /** GETs {@code path}; prints the answer itself and returns null under {@code -o json|yaml}, else returns it for a table. */
    JsonNode show(String path) {
        Connection c = connection();
        JsonNode answer = c.call(api -> api.get(c.namespace(), path)).body();
        return c.printer().raw(out(), answer) ? null : answer;
    }
}
