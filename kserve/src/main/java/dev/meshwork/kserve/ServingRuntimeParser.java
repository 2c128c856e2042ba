package dev.meshwork.kserve;

import dev.meshwork.protocol.error.MeshError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads KServe ServingRuntime and ClusterServingRuntime documents ({@code serving.kserve.io/v1alpha1})
 * from YAML, several per file separated by {@code ---}. Unknown fields are tolerated; wrong types
 * and missing required fields fail with the file, the path and what was expected. Stateless.
 */
public final class ServingRuntimeParser {
    static final String API_VERSION = "serving.kserve.io/v1alpha1";
    private static final Set<String> PROTOCOLS = Set.of("v1", "v2", "grpc-v1", "grpc-v2");
    private static final Set<String> ADAPTERS = Set.of("onnx", "xgboost", "lightgbm", "tensorflow", "pytorch", "auto", "external");

    private ServingRuntimeParser() {
    }

    public static List<ServingRuntime> parse(String source, String yaml) {
        return YamlPath.documents(source, yaml).stream().map(ServingRuntimeParser::runtime).toList();
    }

    private static ServingRuntime runtime(YamlPath doc) {
        doc.requireMapping();
        String api = doc.at("apiVersion").requiredText();
        if (!api.equals(API_VERSION)) {
            throw doc.at("apiVersion").wrong(API_VERSION);
        }
        String kind = doc.at("kind").requiredText();
        if (!kind.equals("ServingRuntime") && !kind.equals("ClusterServingRuntime")) {
            throw doc.at("kind").wrong("ServingRuntime or ClusterServingRuntime");
        }
        YamlPath meta = doc.at("metadata").requireMapping();
        String name = meta.at("name").requiredText();
        String namespace = kind.equals("ClusterServingRuntime") ? "" : meta.at("namespace").text("default");
        String adapter = meta.at("annotations").at(ServingRuntime.ADAPTER_ANNOTATION).text("");
        if (!adapter.isEmpty() && !ADAPTERS.contains(adapter)) {
            throw meta.at("annotations").at(ServingRuntime.ADAPTER_ANNOTATION).wrong("one of " + ADAPTERS);
        }
        YamlPath spec = doc.at("spec").requireMapping();
        List<ServingRuntime.Format> formats = new ArrayList<>();
        for (YamlPath f : spec.at("supportedModelFormats").list()) {
            f.requireMapping();
            int priority = f.at("priority").integer(0);
            if (f.at("priority").present() && priority < 1) {
                throw f.at("priority").wrong("an integer of at least 1");
            }
            formats.add(new ServingRuntime.Format(f.at("name").requiredText(), version(f.at("version")), f.at("autoSelect").bool(false), priority));
        }
        List<String> protocols = spec.at("protocolVersions").texts();
        for (int i = 0; i < protocols.size(); i++) {
            if (!PROTOCOLS.contains(protocols.get(i))) {
                throw spec.at("protocolVersions").list().get(i).wrong("one of " + PROTOCOLS);
            }
        }
        List<ServingRuntime.Container> containers = new ArrayList<>();
        for (YamlPath c : spec.at("containers").list()) {
            c.requireMapping();
            Map<String, String> env = new LinkedHashMap<>();
            for (YamlPath e : c.at("env").list()) {
                env.put(e.requireMapping().at("name").requiredText(), e.at("value").text(""));
            }
            List<Integer> ports = new ArrayList<>();
            for (YamlPath p : c.at("ports").list()) {
                ports.add(p.requireMapping().at("containerPort").integer(0));
            }
            YamlPath memory = c.at("resources").at("limits").at("memory");
            long memoryLimit = 0;
            if (!memory.text("").isEmpty()) {
                try {
                    memoryLimit = Quantities.bytes(memory.text(""), "memory");
                } catch (RuntimeException e) {
                    throw memory.wrong("a Kubernetes quantity of bytes (512Mi, 2Gi, 1G)");
                }
            }
            containers.add(new ServingRuntime.Container(c.at("name").requiredText(), c.at("image").text(""),
                    c.at("command").texts(), c.at("args").texts(), env, c.at("resources").mapping(), ports, memoryLimit));
        }
        // the pods' nodeSelector of a KServe runtime: in a mesh, the labels a node must carry to load its models
        java.util.Map<String, String> nodeSelector = new java.util.LinkedHashMap<>();
        spec.at("nodeSelector").mapping().forEach((k, v) -> nodeSelector.put(k, String.valueOf(v)));
        return new ServingRuntime(name, namespace, formats, spec.at("multiModel").bool(false), spec.at("disabled").bool(false),
                protocols, containers, adapter, doc.source(), nodeSelector);
    }

    /** KServe's versions are strings: a bare YAML number ({@code version: 1}) is refused with the fix, as the API server would refuse it. */
    private static String version(YamlPath v) {
        if (v.present() && v.node().isNumber()) {
            throw v.wrong("a string (quote it: version: \"" + v.node().asText() + "\")");
        }
        return v.text("");
    }
}
