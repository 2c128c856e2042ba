package dev.meshwork.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.meshwork.config.ConfigLoader;
import dev.meshwork.kserve.InferenceServiceParser;
import dev.meshwork.kserve.ServingRuntimeParser;
import dev.meshwork.node.cluster.NodeProcessConfig;
import dev.meshwork.node.runtimeserver.RuntimeServerConfig;
import dev.meshwork.protocol.mmesh.ModelMeshGrpc;
import dev.meshwork.protocol.oip.GRPCInferenceServiceGrpc;
import dev.meshwork.router.RouterConfig;
import dev.meshwork.router.tenant.TenantDocument;
import dev.meshwork.security.ClientCertificates;
import dev.meshwork.security.TokenFile;
import dev.meshwork.testing.MeshProcess;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every command of the README and docs/ in order against a mesh started with the README's
 * own {@code ./meshwork up}, as a reader would: {@code curl} and {@code cp} through bash (addresses pointed at the test's mesh,
 * {@code /tmp} at a temporary directory), {@code grpcurl} as the same call through the generated
 * stubs and protobuf's JSON mapping, {@code ./meshwork} lines by parsing their flags as the
 * process would (and bench scenarios against {@code ./meshwork help}), and YAML blocks through
 * the parser that reads them. Where a page shows what a command prints ({@code # ...} after it,
 * or a json block), the output must match, {@code ...} standing for any text.
 */
class DocsCommandsTest {
    static final List<String> PAGES = List.of("README.md", "docs/api.md", "docs/vmodels.md", "docs/runtimes.md", "docs/storage.md",
            "docs/cluster.md", "docs/security.md", "docs/tenants.md", "docs/configuration.md", "docs/architecture.md", "perf/README.md", "deploy/README.md");
    static final Pattern GRPCURL = Pattern.compile("grpcurl\\s+-plaintext\\s+-d\\s+'(.*)'\\s*\\\\?\\s*(\\S+)\\s+(\\S+)/(\\w+)$", Pattern.DOTALL);
    static final Path ROOT = MeshProcess.repoRoot();

    @TempDir
    static Path dir;
    static MeshProcess mesh;
    static ManagedChannel channel;
    static String help;
    final List<String> failures = new ArrayList<>();
    String lastOutput = "";
    /** What the last client verb printed (null after other ./meshwork lines). */
    static String clientOutput;

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        // the README's first command, as a reader runs it (on ports of its own)
        mesh = MeshProcess.launcher(dir.resolve("mesh"), "up", "--http.port=0", "--grpc.port=0", "--registry.jdbcUrl=",
                "--node.storage.roots=" + ROOT + "," + tmp.toRealPath(), "--node.storage.cacheDir=" + dir.resolve("artifact-cache"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", mesh.grpcPort()).usePlaintext().build();
        help = bash("./meshwork help").output();
    }

    @AfterAll
    static void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void everyCommandOfEveryPageRunsAsWritten() throws Exception {
        int commands = 0;
        for (String page : PAGES) {
            for (DocBlocks.Block block : DocBlocks.blocks(ROOT.resolve(page), ROOT)) {
                switch (block.language()) {
                    case "bash", "sh" -> {
                        for (DocBlocks.Command c : DocBlocks.commands(block)) {
                            commands++;
                            check(c.where() + " `" + firstLine(c.text()) + "`", () -> run(c));
                        }
                    }
                    case "yaml" -> {
                        if (!page.startsWith("perf/")) { // perf's scenario example is loaded by perf's own ScenarioTest
                            check(block.where() + " yaml", () -> yaml(block));
                        }
                    }
                    case "json" -> check(block.where() + " json", () -> expect(lastOutput, block.text()));
                    default -> {
                    }
                }
            }
        }
        assertThat(commands).as("commands found in the docs").isGreaterThan(20);
        assertThat(failures).as("doc commands that do not work as written").isEmpty();
    }

    interface Check {
        void run() throws Exception;
    }

    private void check(String where, Check check) {
        try {
            check.run();
        } catch (Exception | AssertionError e) {
            failures.add(where + ": " + e.getMessage());
        }
    }

    private void run(DocBlocks.Command c) throws Exception {
        String text = c.text();
        if (text.startsWith("./meshwork ")) {
            clientOutput = null;
            launcher(text);
            if (clientOutput != null) { // a client verb: what it printed, as for curl
                lastOutput = clientOutput;
                expect(lastOutput, local(c.expected()));
            }
        } else if (text.startsWith("./mvnw") || text.startsWith("bin/test-deps")) {
            // what CI runs, and so what runs this test
            assertThat(text).isEqualTo("bin/test-deps && ./mvnw verify");
            assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("\n" + text + "\n");
        } else if (text.startsWith("cp ")) {
            Shell r = bash(local(text));
            assertThat(r.exit()).as(r.output()).isZero();
        } else if (text.startsWith("curl ")) {
            Shell r = bash(local(text) + " -w '\\n%{http_code}'");
            String out = r.output();
            int cut = out.lastIndexOf('\n');
            int status = Integer.parseInt(out.substring(cut + 1).trim());
            lastOutput = out.substring(0, Math.max(cut, 0));
            assertThat(status).as("HTTP status of %s", lastOutput).isBetween(200, 299);
            expect(lastOutput, local(c.expected()));
        } else if (text.startsWith("grpcurl ")) {
            lastOutput = grpcurl(text);
            expect(lastOutput, local(c.expected()));
        } else {
            throw new AssertionError("a command this test does not know how to run; teach DocsCommandsTest or change the page");
        }
    }

    /** The command with the docs' addresses pointed at the test's mesh and /tmp at the test's directory. */
    private static String local(String command) {
        return command.replace("http://127.0.0.1:8080", mesh.http()).replace("127.0.0.1:8080", mesh.http().substring("http://".length()))
                .replace("/tmp/", dir.resolve("tmp") + "/");
    }

    private static void launcher(String command) {
        List<String> words = new ArrayList<>(Arrays.asList(command.trim().split("\\s+")));
        String mode = words.get(1);
        List<String> flags = new ArrayList<>(words.subList(2, words.size()));
        int nodes = flags.indexOf("--nodes");
        if (nodes >= 0) {
            assertThat(flags.get(nodes + 1)).matches("\\d+");
            flags.subList(nodes, nodes + 2).clear();
        }
        flags.removeIf(f -> f.startsWith("--config="));
        switch (mode) {
            case "up", "router" -> ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "X_", Map.of(), flags);
            case "node" -> ConfigLoader.load(NodeProcessConfig.class, NodeProcessConfig.defaults(), "X_", Map.of(), flags);
            case "runtime-server" -> ConfigLoader.load(RuntimeServerConfig.class, RuntimeServerConfig.defaults(), "X_", Map.of(), flags);
            case "bench" -> assertThat(help).as("./meshwork help names bench scenario %s", flags.get(0)).contains(flags.get(0));
            case "help", "build" -> {
            }
            case "models", "vmodels", "runtimes", "nodes", "namespaces", "infer", "status", "top", "completion" -> client(command, words);
            default -> throw new AssertionError("./meshwork has no mode " + mode);
        }
    }

    /** A client verb, run in this JVM against the test's mesh; what it prints is the command's output. */
    private static void client(String command, List<String> words) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        List<String> args = new ArrayList<>(words.subList(1, words.size()));
        args.replaceAll(a -> a.replace("/tmp/", dir.resolve("tmp") + "/"));
        for (int i = 0; i + 1 < args.size(); i++) { // files are named from the repository's root, as a reader runs them
            if ((args.get(i).equals("-f") || args.get(i).equals("--filename")) && !args.get(i + 1).equals("-") && !Path.of(args.get(i + 1)).isAbsolute()) {
                args.set(i + 1, ROOT.resolve(args.get(i + 1)).toString());
            }
        }
        args.add("--server=" + mesh.http());
        int exit = dev.meshwork.cli.Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), args.toArray(String[]::new));
        assertThat(exit).as("%s: %s", command, err).isZero();
        clientOutput = out.toString().stripTrailing();
    }

    private static String grpcurl(String command) throws Exception {
        Matcher m = GRPCURL.matcher(command.trim());
        assertThat(m.matches()).as("a grpcurl call this test can read: grpcurl -plaintext -d '<json>' host:port service/method").isTrue();
        assertThat(m.group(2)).isEqualTo("127.0.0.1:8081");
        ServiceDescriptor service = switch (m.group(3)) {
            case "inference.GRPCInferenceService" -> GRPCInferenceServiceGrpc.getServiceDescriptor();
            case "mmesh.ModelMesh" -> ModelMeshGrpc.getServiceDescriptor();
            default -> throw new AssertionError("no service " + m.group(3));
        };
        @SuppressWarnings("unchecked")
        MethodDescriptor<Message, Message> method = (MethodDescriptor<Message, Message>) service.getMethods().stream()
                .filter(d -> d.getFullMethodName().equals(m.group(3) + "/" + m.group(4))).findFirst()
                .orElseThrow(() -> new AssertionError("no method " + m.group(4)));
        Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller()).getMessagePrototype();
        Message.Builder request = prototype.newBuilderForType();
        JsonFormat.parser().merge(local(m.group(1)), request);
        Message response = ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
                request.build());
        return JsonFormat.printer().omittingInsignificantWhitespace().print(response);
    }

    private static void yaml(DocBlocks.Block block) throws Exception {
        String text = block.text();
        Path file = Files.writeString(dir.resolve("block.yaml"), text);
        if (text.contains("kind: ServingRuntime")) {
            assertThat(ServingRuntimeParser.parse(block.where(), text)).isNotEmpty();
        } else if (text.contains("kind: InferenceService")) {
            assertThat(InferenceServiceParser.parseAll(block.where(), text, "docs")).isNotEmpty();
        } else if (text.startsWith("tokens:")) {
            new TokenFile(file, 1000, new SimpleMeterRegistry()); // refuses what auth.tokensFile would refuse
        } else if (text.startsWith("clients:")) {
            new ClientCertificates(file, 1000, new SimpleMeterRegistry());
        } else if (text.startsWith("namespace:")) {
            assertThat(TenantDocument.parseAll(text, "docs")).isNotEmpty(); // what tenants.dir reads
        } else {
            // a process configuration: it must load as the router's (which holds the node's sections)
            ConfigLoader.load(RouterConfig.class, RouterConfig.defaults(), "X_", Map.of(), List.of("--config=" + file));
        }
    }

    /** The page's expected output, {@code ...} standing for any text and whitespace not counting, is what came out. */
    static void expect(String actual, String expected) {
        if (expected.isBlank()) {
            return;
        }
        String got = actual.replaceAll("\\s+", "");
        int at = 0;
        for (String part : expected.replaceAll("\\s+", "").split("\\.\\.\\.", -1)) {
            int found = got.indexOf(part, at);
            assertThat(found).as("output %s holds %s (after position %d) as the page says", actual, part, at).isNotNegative();
            at = found + part.length();
        }
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }

    record Shell(int exit, String output) {
    }

    private static Shell bash(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finishes", command).isTrue();
        return new Shell(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
