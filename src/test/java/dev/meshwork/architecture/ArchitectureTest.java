package dev.meshwork.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.meshwork.security.AccessControl;
import dev.meshwork.security.Action;
import dev.meshwork.security.Credentials;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The house's rules, read from the compiled classes of every module: which module may use which
 * (the graph in the README's repository layout), that the policies stay pure, that runtimes are
 * plug-ins the node never names, and that the router reaches nodes only through the node API.
 * Maven's module dependencies already forbid most of this at compile time; these rules also
 * catch what a transitive dependency would let slip through (Jackson reaches placement through
 * proto, every runtime reaches the node's class path).
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.meshwork");

    /** Module (by its package) -> the Meshwork modules it may use; anything of Meshwork not listed is forbidden. */
    static final Map<String, List<String>> GRAPH = graph(
            "protocol", List.of(),
            "placement", List.of("protocol"),
            "config", List.of("protocol"),
            "security", List.of("protocol", "config"),
            "telemetry", List.of("config"),
            "kserve", List.of("protocol", "placement", "config"),
            "state", List.of("protocol", "placement", "config", "security"),
            "nodeapi", List.of("protocol", "placement"),
            "runtime", List.of("protocol", "placement"),
            // a node reads the ServingRuntime catalog for the runtimes whose processes it starts
            "node", List.of("protocol", "placement", "config", "security", "telemetry", "kserve", "state", "nodeapi", "runtime"),
            "router", List.of("protocol", "placement", "config", "security", "telemetry", "kserve", "state", "nodeapi", "runtime", "node"),
            // the release's AOT training run starts every process kind in one JVM; nothing uses it
            "aot", List.of("protocol", "config", "router", "node"),
            // the controller drives the mesh only through its REST management API, never its internals
            "controller", List.of("protocol", "placement", "config", "security", "kserve", "client"),
            // the mesh's REST API as its clients call it; the command-line client is a thin layer over it
            "client", List.of(),
            "cli", List.of("client", "security"),
            "testing", List.of("protocol", "config", "runtime"));

    static final List<String> RUNTIMES = List.of("onnx", "xgboost", "lightgbm", "tensorflow", "pytorch", "python");

    private static Map<String, List<String>> graph(Object... pairs) {
        Map<String, List<String>> g = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> uses = (List<String>) pairs[i + 1];
            g.put((String) pairs[i], uses);
        }
        return g;
    }

    @Test
    void everyModuleIsOnTheMapAndTheClassesWereRead() {
        assertThat(CLASSES.size()).as("classes read").isGreaterThan(200);
        for (String module : GRAPH.keySet()) {
            assertThat(CLASSES.stream().anyMatch(c -> c.getPackageName().startsWith("dev.meshwork." + module)))
                    .as("classes of module %s", module).isTrue();
        }
        assertThat(CLASSES.stream().map(c -> c.getPackageName().split("\\.")[2]).filter(m -> !GRAPH.containsKey(m))
                .collect(Collectors.toSet())).as("modules that the graph does not name").isEmpty();
    }

    @Test
    void rightsAreCheckedOnlyByTheListenersOneHandlerAndOneInterceptor() {
        noClasses().that().resideInAPackage("dev.meshwork.router..").and().doNotHaveSimpleName("RestAccess")
                .and().doNotHaveSimpleName("GrpcAccess")
                .should().callMethod(AccessControl.class, "check", Credentials.class, String.class, Action.class, boolean.class,
                        String.class, String.class)
                .because("no endpoint checks rights by itself: REST routes go through RestAccess, gRPC calls through GrpcAccess")
                .check(CLASSES);
    }

    @Test
    void modulesUseOnlyWhatTheGraphAllows() {
        for (Map.Entry<String, List<String>> m : GRAPH.entrySet()) {
            String[] forbidden = GRAPH.keySet().stream().filter(o -> !o.equals(m.getKey()) && !m.getValue().contains(o))
                    .map(o -> "dev.meshwork." + o + "..").toArray(String[]::new);
            if (forbidden.length > 0) {
                noClasses().that().resideInAPackage("dev.meshwork." + m.getKey() + "..")
                        .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                        .because("the module graph lets " + m.getKey() + " use only " + m.getValue())
                        .check(CLASSES);
            }
        }
    }

    @Test
    void thePoliciesArePlainJava() {
        noClasses().that().resideInAPackage("dev.meshwork.placement..")
                .should().dependOnClassesThat().resideInAnyPackage("com.hazelcast..", "java.sql..", "com.fasterxml..", "io.grpc..",
                        "io.vertx..", "org.slf4j..", "dev.meshwork.protocol.oip..", "dev.meshwork.protocol.mmesh..",
                        "dev.meshwork.protocol.node..", "dev.meshwork.protocol.tensor..")
                .because("placement/ is the pure domain and policy library; only the error model of proto/ reaches it")
                .check(CLASSES);
    }

    @Test
    void runtimesArePlugInsTheNodeNeverNames() {
        for (String runtime : RUNTIMES) {
            noClasses().that().resideOutsideOfPackage("dev.meshwork.runtime." + runtime + "..")
                    .and().resideOutsideOfPackage("dev.meshwork.perf..") // benchmarks call each runtime directly beside the node
                    .should().dependOnClassesThat().resideInAPackage("dev.meshwork.runtime." + runtime + "..")
                    .because("a node finds runtimes through ServiceLoader, so a deployment can leave one out")
                    .check(CLASSES);
        }
        classes().that().resideInAPackage("dev.meshwork.runtime").and().areInterfaces()
                .should().bePublic().check(CLASSES);
    }

    @Test
    void theRouterReachesNodesThroughTheNodeApiOnly() {
        noClasses().that().resideInAnyPackage("dev.meshwork.router.cluster..", "dev.meshwork.router.grpc..", "dev.meshwork.router.rest..")
                .should().dependOnClassesThat().resideInAPackage("dev.meshwork.node..")
                .because("a cluster router talks to nodes over the node API (meshwork.node.v1 and NodeMessages); only standalone mode embeds one")
                .check(CLASSES);
        noClasses().that().resideInAPackage("dev.meshwork.router..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.meshwork.node.cluster..", "dev.meshwork.node.cache..")
                .because("the node's server and cache are the node's own").check(CLASSES);
    }
}
