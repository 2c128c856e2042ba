package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshwork.kserve.InferenceServiceParser;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Brings the mesh in line with one InferenceService, as modelmesh-serving does with ModelMesh: the
 * InferenceService is a vmodel of its own name, owned by the controller, whose target is a concrete
 * model named after a digest of the predictor spec ({@code <name>__isvc-<digest>}). A new spec is
 * a new target: the vmodel loads it while the old model keeps serving and moves only once it has
 * loaded; a spec that fails to load leaves the old model serving. The status is computed from the
 * vmodel and returned for the caller to write. Used by the controller's one worker thread.
 */
final class Reconciler {
    static final String MODEL_MESH_ANNOTATION = "serving.kserve.io/deploymentMode";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Reconciler.class);
    private final MeshClient mesh;
    private final ControllerConfig config;

    Reconciler(MeshClient mesh, ControllerConfig config) {
        this.mesh = mesh;
        this.config = config;
    }

    /** Whether an InferenceService (as JSON) asks to be served by a model mesh. */
    static boolean isModelMesh(JsonNode isvc) {
        return "ModelMesh".equals(isvc.path("metadata").path("annotations").path(MODEL_MESH_ANNOTATION).asText());
    }

    /** The concrete model of a spec: the name and a digest of what is loaded, so a changed spec is a new model. */
    static String concreteName(String name, ModelSpec spec) {
        try {
            String served = String.join("\n", spec.format().name(), spec.format().version(), spec.storageUri(), spec.runtime());
            if (spec.batching().enabled()) { // only then, so models made before batching keep their names
                served += "\nbatching " + spec.batching().maxBatchSize() + " " + spec.batching().maxLatencyMicros();
            }
            if (spec.logging().enabled()) { // a new logger is a new model, as it is a new revision in KServe
                served += "\nlogger " + spec.logging().mode() + " " + spec.logging().url();
            }
            if (!spec.defaultOutputs().isEmpty()) { // PREDICT_PROBA changes what the model answers: a new revision too
                served += "\noutputs " + String.join(",", spec.defaultOutputs());
            }
            byte[] d = MessageDigest.getInstance("SHA-256").digest(served.getBytes(StandardCharsets.UTF_8));
            return name + "__isvc-" + HexFormat.of().formatHex(d).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers or moves the InferenceService's vmodel when its spec asks for another model, and
     * answers the status it should show (with times carried over from {@code oldStatus}).
     */
    ObjectNode reconcile(JsonNode isvc, JsonNode oldStatus) throws IOException, InterruptedException {
        String namespace = isvc.path("metadata").path("namespace").asText(ModelSpec.DEFAULT_NAMESPACE);
        String name = isvc.path("metadata").path("name").asText();
        String specError = "";
        JsonNode vmodel = null;
        ModelSpec spec = null;
        OptionalInt canary = OptionalInt.empty();
        try {
            String what = "InferenceService " + namespace + "/" + name;
            spec = InferenceServiceParser.parse(what, isvc, "kubernetes");
            canary = InferenceServiceParser.canaryTrafficPercent(what, isvc);
        } catch (MeshError e) {
            specError = e.getMessage();
        }
        Optional<JsonNode> existing = mesh.vmodel(namespace, name, "");
        if (existing.isPresent() && !existing.get().path("owner").asText().equals(config.owner())) {
            specError = "a vmodel named '" + name + "' exists in namespace '" + namespace + "' and is not the controller's (owner '"
                    + existing.get().path("owner").asText() + "'): it is left alone";
            existing = Optional.empty();
        } else if (spec != null) {
            String concrete = concreteName(name, spec);
            ObjectNode body = vmodelBody(spec, concrete);
            String previous = existing.map(v -> previousModel(v, concrete)).orElse("");
            if (canary.isPresent() && canary.getAsInt() < 100 && !previous.isEmpty()) {
                ArrayNode traffic = body.putArray("traffic");
                traffic.addObject().put("model", previous).put("weight", 100 - canary.getAsInt());
                traffic.addObject().put("model", concrete).put("weight", canary.getAsInt());
            }
            if (existing.isEmpty() || !asked(existing.get(), body)) {
                dev.meshwork.client.MeshApi.Answer a = mesh.setVModel(namespace, name, body);
                if (!a.ok()) {
                    specError = "the mesh refused " + concrete + ": " + a.error();
                } else {
                    LOG.info("InferenceService {}/{} -> {}", namespace, name, concrete);
                }
            }
        }
        if (specError.isEmpty() || existing.isPresent()) {
            vmodel = mesh.vmodel(namespace, name, config.owner()).orElse(null);
        }
        ObjectNode status = InferenceServiceStatus.of(new InferenceServiceStatus.Input(name, config.restUrl(), config.grpcUrl(), vmodel, specError,
                spec == null ? "" : concreteName(name, spec)));
        return StatusTimes.stamp(status, oldStatus, Instant.now());
    }

    /** Removes the controller's vmodel of an InferenceService that is gone (its models go with it); another owner's stays. */
    void forget(String namespace, String name) throws IOException, InterruptedException {
        if (mesh.vmodel(namespace, name, config.owner()).isEmpty()) {
            return; // never served, or another owner's
        }
        dev.meshwork.client.MeshApi.Answer a = mesh.deleteVModel(namespace, name, config.owner());
        if (a.ok()) {
            LOG.info("InferenceService {}/{} is gone: its vmodel and models are unregistered", namespace, name);
        } else if (a.status() != 404 && a.status() != 409) {
            throw new IOException("deleting vmodel " + namespace + "/" + name + ": the mesh answered " + a.status() + ": " + a.error());
        }
    }

    /**
     * The model a canary shares traffic with: the one serving the most that is not the latest spec's
     * (KServe's previous rolled-out revision); empty when the latest is all that serves.
     */
    static String previousModel(JsonNode vmodel, String concrete) {
        JsonNode shares = vmodel.path("traffic").path("shares");
        String best = "";
        int weight = -1;
        for (JsonNode s : shares) {
            if (!s.path("model").asText().equals(concrete) && s.path("weight").asInt() > weight) {
                best = s.path("model").asText();
                weight = s.path("weight").asInt();
            }
        }
        if (shares.isEmpty()) {
            String active = vmodel.path("activeModel").asText();
            return active.equals(concrete) ? "" : active;
        }
        return best;
    }

    /** Whether the vmodel already serves, or is moving to, what {@code body} asks for. */
    static boolean asked(JsonNode vmodel, ObjectNode body) {
        JsonNode heading = vmodel.has("targetTraffic") ? vmodel.path("targetTraffic") : vmodel.path("traffic");
        if (body.has("traffic")) {
            return heading.path("shares").equals(body.get("traffic"));
        }
        return heading.isMissingNode() && vmodel.path("targetModel").asText().equals(body.path("targetModel").asText());
    }

    private ObjectNode vmodelBody(ModelSpec spec, String concrete) {
        ObjectNode body = MeshClient.JSON.createObjectNode().put("targetModel", concrete).put("owner", config.owner())
                .put("autoDeleteTargetModel", true).put("loadNow", true);
        ObjectNode model = body.putObject("model");
        model.putObject("modelFormat").put("name", spec.format().name()).put("version", spec.format().version());
        model.put("storageUri", spec.storageUri()).put("runtime", spec.runtime());
        if (spec.batching().enabled()) {
            model.putObject("batching").put("maxBatchSize", spec.batching().maxBatchSize())
                    .put("maxLatency", spec.batching().maxLatencyMicros() / 1000.0);
        }
        if (spec.logging().enabled()) {
            model.putObject("logger").put("mode", spec.logging().mode().text()).put("url", spec.logging().url());
        }
        if (!spec.defaultOutputs().isEmpty()) {
            spec.defaultOutputs().forEach(model.putArray("defaultOutputs")::add);
        }
        return body;
    }
}
