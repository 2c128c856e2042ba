package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
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
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join("\n", spec.format().name(), spec.format().version(),
                    spec.storageUri(), spec.runtime()).getBytes(StandardCharsets.UTF_8));
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
        try {
            spec = InferenceServiceParser.parse("InferenceService " + namespace + "/" + name, isvc, "kubernetes");
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
            if (existing.isEmpty() || !existing.get().path("targetModel").asText().equals(concrete)) {
                MeshClient.Answer a = mesh.setVModel(namespace, name, vmodelBody(spec, concrete));
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
        ObjectNode status = InferenceServiceStatus.of(new InferenceServiceStatus.Input(name, config.restUrl(), config.grpcUrl(), vmodel, specError));
        return StatusTimes.stamp(status, oldStatus, Instant.now());
    }

    /** Removes the controller's vmodel of an InferenceService that is gone (its models go with it); another owner's stays. */
    void forget(String namespace, String name) throws IOException, InterruptedException {
        if (mesh.vmodel(namespace, name, config.owner()).isEmpty()) {
            return; // never served, or another owner's
        }
        MeshClient.Answer a = mesh.deleteVModel(namespace, name, config.owner());
        if (a.ok()) {
            LOG.info("InferenceService {}/{} is gone: its vmodel and models are unregistered", namespace, name);
        } else if (a.status() != 404 && a.status() != 409) {
            throw new IOException("deleting vmodel " + namespace + "/" + name + ": the mesh answered " + a.status() + ": " + a.error());
        }
    }

    private ObjectNode vmodelBody(ModelSpec spec, String concrete) {
        ObjectNode body = MeshClient.JSON.createObjectNode().put("targetModel", concrete).put("owner", config.owner())
                .put("autoDeleteTargetModel", true).put("loadNow", true);
        ObjectNode model = body.putObject("model");
        model.putObject("modelFormat").put("name", spec.format().name()).put("version", spec.format().version());
        model.put("storageUri", spec.storageUri()).put("runtime", spec.runtime());
        return body;
    }
}
