package dev.meshwork.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.node.cluster.NodeProcessConfig;
import dev.meshwork.node.runtimeserver.RuntimeServerConfig;
import dev.meshwork.router.RouterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile cannot be built here (no container runtime), so what it names is checked against
 * the distribution and the configuration: the archive it unpacks, the launcher it runs, the keys of
 * its environment, the ports it exposes, the writable paths and the health check.
 */
class DockerfileTest {
    private static final Path DOCKERFILE = Rendered.deployDir().resolve("docker/Dockerfile");

    @Test
    void itUnpacksTheDistributionTheBuildMakesAndRunsItsLauncher() throws Exception {
        Map<String, String> args = instructions("ARG");
        String version = System.getProperty("meshwork.version");
        assertThat(args.get("VERSION")).as("ARG VERSION's default").isEqualTo("VERSION=" + version);
        String add = instructions("ADD").get("ADD");
        assertThat(add).isEqualTo("meshwork-${VERSION}.tar.gz /opt/");
        String descriptor = Files.readString(Rendered.deployDir().resolveSibling("dist/src/assembly/distribution.xml"));
        String distPom = Files.readString(Rendered.deployDir().resolveSibling("dist/pom.xml"));
        assertThat(distPom).contains("<finalName>meshwork-${project.version}</finalName>").contains("<appendAssemblyId>false</appendAssemblyId>");
        assertThat(descriptor).contains("<format>tar.gz</format>").contains("<baseDirectory>meshwork-${project.version}</baseDirectory>");
        assertThat(text()).contains("ln -s /opt/meshwork-${VERSION} /opt/meshwork");
        assertThat(instructions("ENTRYPOINT").get("ENTRYPOINT")).isEqualTo("[\"/opt/meshwork/bin/meshwork\"]");
        // the launcher reaches bin/ through the staged release the archive is made from
        String stage = Files.readString(Rendered.deployDir().resolveSibling("dist/src/stage/stage.sh"));
        assertThat(stage).contains("cp \"$SRC/meshwork\" \"$STAGE/bin/meshwork\"");
        assertThat(descriptor).containsPattern("<directory>\\$\\{project.build.directory}/stage/meshwork-\\$\\{project.version}/bin</directory>"
                + "\\s*<outputDirectory>bin</outputDirectory>\\s*<includes>\\s*<include>meshwork</include>");
        // the image makes the ahead-of-time cache again for its own JVM, before anything runs
        assertThat(text()).contains("/opt/meshwork/bin/meshwork aot-train");
        assertThat(instructions("CMD").get("CMD")).isEqualTo("[\"up\"]");
    }

    @Test
    void itsEnvironmentHasOnlyKeysTheProcessesKnowAndWritesOnlyToItsVolumes() throws Exception {
        Map<String, String> env = env();
        Set<String> keys = new TreeSet<>(ConfigLoader.keys(RouterConfig.defaults()).keySet());
        keys.addAll(ConfigLoader.keys(NodeProcessConfig.defaults()).keySet()); // one image: a process reads the keys it has
        for (String name : env.keySet()) {
            if (name.startsWith("MESHWORK_")) {
                String key = name.substring("MESHWORK_".length());
                assertThat(keys).as("%s names a key of a router or a node", name)
                        .anyMatch(k -> k.replace('.', '_').toUpperCase(Locale.ROOT).equals(key));
            }
        }
        List<String> volumes = volumes();
        assertThat(volumes).containsExactlyInAnyOrder("/var/lib/meshwork", "/tmp");
        for (String var : List.of("MESHWORK_NODE_STORAGE_CACHEDIR", "MESHWORK_NODE_ISOLATION_STATEDIR", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR")) {
            assertThat(env.get(var)).as(var).startsWith("/var/lib/meshwork/");
        }
        assertThat(env.get("MESHWORK_REGISTRY_JDBCURL")).startsWith("jdbc:h2:file:/var/lib/meshwork/");
        assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-Djava.io.tmpdir=/tmp").contains("MaxRAMPercentage");
        assertThat(text()).contains("USER 10001:10001").contains("chown 10001:10001 /var/lib/meshwork");
        // the manifests mount the same two volumes and run as the same user
        Rendered dev = Rendered.of("overlays/dev");
        for (var d : dev.ofKind("Deployment")) {
            List<String> mounts = new ArrayList<>();
            Pods.podSpec(d).path("containers").get(0).path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText()));
            assertThat(mounts).contains("/var/lib/meshwork", "/tmp");
            assertThat(Pods.podSpec(d).path("securityContext").path("runAsUser").asInt()).isEqualTo(10001);
        }
    }

    @Test
    void itExposesThePortsTheProcessesListenOnAndChecksARealHealthPath() throws Exception {
        Set<Integer> exposed = new TreeSet<>();
        for (String p : instructions("EXPOSE").get("EXPOSE").split("\\s+")) {
            exposed.add(Integer.parseInt(p));
        }
        RouterConfig router = RouterConfig.defaults();
        NodeProcessConfig node = NodeProcessConfig.defaults();
        Set<Integer> defaults = new TreeSet<>(List.of(router.http().port(), router.grpc().port(), node.grpc().port(), node.http().port(),
                router.cluster().port(), RuntimeServerConfig.defaults().port()));
        assertThat(exposed).isEqualTo(defaults);
        String health = instructions("HEALTHCHECK").get("HEALTHCHECK");
        assertThat(health).contains("/dev/tcp/127.0.0.1/" + router.http().port()).contains("GET /v2/health/live ");
        // the same path the router Deployment's liveness probe uses, which LiveEndpointsTest calls on a real router
        assertThat(Pods.container(Rendered.of("overlays/dev").named("Deployment", "meshwork-router"), "router")
                .path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/v2/health/live");
    }

    private static String text() throws Exception {
        return Files.readString(DOCKERFILE).replace("\\\n", " ");
    }

    /** The instructions of one kind, by their first word (ARG NAME=..., the whole rest otherwise). */
    private static Map<String, String> instructions(String kind) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text().split("\n")) {
            String l = line.strip();
            if (l.startsWith(kind + " ")) {
                String rest = l.substring(kind.length() + 1).strip().replaceAll("\\s+", " ");
                out.put(kind.equals("ARG") ? rest.split("=")[0] : kind, rest);
            }
        }
        assertThat(out).as("%s instructions", kind).isNotEmpty();
        return out;
    }

    private static Map<String, String> env() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)").matcher(instructions("ENV").get("ENV"));
        while (m.find()) {
            out.put(m.group(1), m.group(2).replace("\"", ""));
        }
        return out;
    }

    private static List<String> volumes() throws Exception {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]+)\"").matcher(instructions("VOLUME").get("VOLUME"));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
