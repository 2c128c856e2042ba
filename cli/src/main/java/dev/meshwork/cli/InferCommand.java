package dev.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.client.MeshApi;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meshwork infer MODEL}: one Open Inference Protocol request, from a file, standard input or {@code --input} shorthands. */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Sends one inference request (OIP v2 JSON) and prints the outputs.",
                "--input a=1,2,3 is an FP32 tensor of one row; --input a=1,2,3,4:2x2 gives the shape; repeat it for more inputs."})
final class InferCommand extends Verb {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "the request body (OIP v2 JSON), or - for standard input")
    String file;

    @Option(names = {"-i", "--input"}, paramLabel = "NAME=V1,V2[:SHAPE]", description = "an FP32 input (repeatable)")
    List<String> inputs;

    @Override
    public void run() {
        Connection c = connection();
        String body = body();
        JsonNode answer = c.call(api -> api.post(c.namespace(), "/v2/models/" + MeshApi.enc(model) + "/infer", body)).body();
        PrintWriter out = out();
        if (c.printer().raw(out, answer)) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode o : answer.path("outputs")) {
            rows.add(List.of(o.path("name").asText(), o.path("datatype").asText(), o.path("shape").toString(), Printer.cut(o.path("data").toString(), 100)));
        }
        Printer.columns(out, List.of("output", "datatype", "shape", "data"), rows);
    }

    private String body() {
        if ((file == null) == (inputs == null || inputs.isEmpty())) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give the request with -f FILE (or -f -) or with --input, one of the two");
        }
        if (file != null) {
            try {
                return file.equals("-") ? Documents.stdin() : Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new CliFailure(2, "cannot read " + file + ": " + e.getMessage());
            }
        }
        ObjectNode request = MeshApi.JSON.createObjectNode();
        ArrayNode tensors = request.putArray("inputs");
        for (String in : inputs) {
            int eq = in.indexOf('=');
            if (eq <= 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--input wants NAME=V1,V2[:SHAPE], got '" + in + "'");
            }
            String[] valuesAndShape = in.substring(eq + 1).split(":", 2);
            ObjectNode t = tensors.addObject().put("name", in.substring(0, eq)).put("datatype", "FP32");
            ArrayNode data = MeshApi.JSON.createArrayNode();
            try {
                for (String v : valuesAndShape[0].split(",")) {
                    data.add(Double.parseDouble(v.trim()));
                }
                ArrayNode shape = t.putArray("shape");
                if (valuesAndShape.length == 2) {
                    for (String d : valuesAndShape[1].split("x")) {
                        shape.add(Long.parseLong(d.trim()));
                    }
                } else {
                    shape.add(1).add(data.size());
                }
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--input " + in + ": " + e.getMessage());
            }
            t.set("data", data);
        }
        return request.toString();
    }
}
