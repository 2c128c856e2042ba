package dev.meshwork.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator's {@code monitoring.coreos.com/v1} objects the manifests use, as strict
 * records: fabric8 8 ships no model for them, so these follow the operator's API reference
 * (ServiceMonitor, PrometheusRule) for the fields Meshwork sets, and any other field is an error.
 */
final class MonitoringModel {
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    record Meta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
    }

    record ServiceMonitor(String apiVersion, String kind, Meta metadata, MonitorSpec spec) {
    }

    record MonitorSpec(Selector selector, List<Endpoint> endpoints, String jobLabel) {
    }

    record Selector(Map<String, String> matchLabels) {
    }

    record Endpoint(String port, String path, String interval, String scrapeTimeout, String scheme, TlsConfig tlsConfig) {
    }

    record TlsConfig(String serverName, Boolean insecureSkipVerify, SecretOrConfigMap ca) {
    }

    record SecretOrConfigMap(KeyRef secret, KeyRef configMap) {
    }

    record KeyRef(String name, String key) {
    }

    record PrometheusRule(String apiVersion, String kind, Meta metadata, RuleSpec spec) {
    }

    record RuleSpec(List<RuleGroup> groups) {
    }

    record RuleGroup(String name, String interval, List<Rule> rules) {
    }

    record Rule(String alert, String record, String expr, @JsonProperty("for") String forDuration, Map<String, String> labels,
                Map<String, String> annotations) {
    }

    private MonitoringModel() {
    }

    /** The object as its record; an unknown field is an AssertionError. */
    static Record read(JsonNode object) {
        Class<? extends Record> type = switch (object.path("kind").asText()) {
            case "ServiceMonitor" -> ServiceMonitor.class;
            case "PrometheusRule" -> PrometheusRule.class;
            default -> throw new AssertionError("not a monitoring object: " + object.path("kind").asText());
        };
        try {
            return STRICT.treeToValue(object, type);
        } catch (Exception e) {
            throw new AssertionError(object.path("kind").asText() + " " + object.path("metadata").path("name").asText() + ": " + e.getMessage(), e);
        }
    }
}
