package dev.meshwork.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading the pod side of rendered Deployments: labels, containers, ports, environment, mounted config. Stateless. */
final class Pods {
    private Pods() {
    }

    static JsonNode podSpec(ObjectNode deployment) {
        return deployment.path("spec").path("template").path("spec");
    }

    static Map<String, String> podLabels(ObjectNode deployment) {
        return strings(deployment.path("spec").path("template").path("metadata").path("labels"));
    }

    /** The deployment's one container named {@code name}. */
    static JsonNode container(ObjectNode deployment, String name) {
        for (JsonNode c : podSpec(deployment).path("containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError(deployment.path("metadata").path("name").asText() + " has no container " + name);
    }

    /** The container port with this name. */
    static Optional<Integer> port(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return Optional.of(p.path("containerPort").asInt());
            }
        }
        return Optional.empty();
    }

    /** The environment variables set to literal values. */
    static Map<String, String> literalEnv(JsonNode container) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            if (e.has("value")) {
                out.put(e.path("name").asText(), e.path("value").asText());
            }
        }
        return out;
    }

    /** Every environment variable's name (literal or from a field, Secret or ConfigMap). */
    static List<String> envNames(JsonNode container) {
        List<String> out = new ArrayList<>();
        container.path("env").forEach(e -> out.add(e.path("name").asText()));
        return out;
    }

    /** Whether a selector's labels are all among {@code labels}. */
    static boolean selects(JsonNode matchLabels, Map<String, String> labels) {
        Map<String, String> wanted = strings(matchLabels);
        return !wanted.isEmpty() && wanted.entrySet().stream().allMatch(w -> w.getValue().equals(labels.get(w.getKey())));
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** The value of the {@code --config=} argument of a container. */
    static String configArg(JsonNode container) {
        for (JsonNode a : container.path("args")) {
            if (a.asText().startsWith("--config=")) {
                return a.asText().substring("--config=".length());
            }
        }
        throw new AssertionError("container " + container.path("name").asText() + " has no --config= argument");
    }

    /** The bytes behind a file path in the container: the ConfigMap key a volume mount (with subPath) puts there. */
    static String mountedConfigFile(Rendered r, ObjectNode deployment, JsonNode container, String file) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(file) && m.has("subPath")) {
                String volume = m.path("name").asText();
                for (JsonNode v : podSpec(deployment).path("volumes")) {
                    if (v.path("name").asText().equals(volume) && v.has("configMap")) {
                        ObjectNode cm = r.named("ConfigMap", v.path("configMap").path("name").asText());
                        JsonNode data = cm.path("data").path(m.path("subPath").asText());
                        if (data.isMissingNode()) {
                            throw new AssertionError("ConfigMap " + cm.path("metadata").path("name").asText() + " has no key " + m.path("subPath").asText());
                        }
                        return data.asText();
                    }
                }
            }
        }
        throw new AssertionError(file + " is not mounted from a ConfigMap in " + deployment.path("metadata").path("name").asText());
    }

    /** Memory in bytes from a Kubernetes quantity (Ki, Mi, Gi or plain bytes). */
    static long bytes(String quantity) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(quantity)).longValueExact();
    }
}
