package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An InferenceService's status as modelmesh-serving writes it (KServe's v1beta1
 * {@code InferenceServiceStatus}), computed from the state of the vmodel that serves it: model
 * states (Pending, Standby, Loading, Loaded, FailedToLoad), the transition, the last failure,
 * copies, the Ready and PredictorReady conditions and the mesh's addresses. Pure; conditions carry
 * no times here ({@link StatusTimes} adds them).
 */
final class InferenceServiceStatus {
    private InferenceServiceStatus() {
    }

    /**
     * What is known about one InferenceService.
     *
     * @param name      the InferenceService's name (the vmodel's name and the data-plane name)
     * @param vmodel    the vmodel's status from the mesh, or null when there is none
     * @param specError why the predictor spec cannot be served (it does not parse, or the mesh refused it), else empty
     */
    record Input(String name, String restUrl, String grpcUrl, JsonNode vmodel, String specError, String latestModel) {
        Input(String name, String restUrl, String grpcUrl, JsonNode vmodel, String specError) {
            this(name, restUrl, grpcUrl, vmodel, specError, "");
        }
    }

    static ObjectNode of(Input in) {
        ObjectNode status = MeshClient.JSON.createObjectNode();
        status.put("url", in.grpcUrl());
        status.putObject("address").put("url", in.restUrl() + "/v2/models/" + in.name());
        ObjectNode predictor = status.putObject("components").putObject("predictor");
        predictor.put("grpcUrl", in.grpcUrl()).put("restUrl", in.restUrl()).put("url", in.grpcUrl());

        JsonNode v = in.vmodel();
        traffic(predictor, v, in.latestModel());
        JsonNode active = v == null ? null : v.get("active");
        JsonNode target = v == null ? null : v.get("target");
        String vmodelState = v == null ? "" : v.path("state").asText();
        String activeState = v == null ? "Pending" : modelState(active);
        String targetState = switch (vmodelState) {
            case "TRANSITIONING" -> modelState(target);
            case "TRANSITION_FAILED" -> "FailedToLoad";
            default -> "";
        };
        ObjectNode model = status.putObject("modelStatus");
        ObjectNode failure = null;
        String transition;
        if (!in.specError().isEmpty()) {
            transition = "InvalidSpec";
            failure = failure(reason(in.specError()), in.specError(), "", "");
        } else if (vmodelState.equals("TRANSITION_FAILED")) {
            transition = "BlockedByFailedLoad";
            failure = failure("ModelLoadFailed", v.path("error").asText(), failedNode(target), v.path("targetModel").asText());
        } else if (vmodelState.equals("TRANSITIONING")) {
            transition = "InProgress";
        } else if (activeState.equals("FailedToLoad")) {
            transition = "BlockedByFailedLoad";
            failure = failure("ModelLoadFailed", active.path("error").asText(), failedNode(active), v.path("activeModel").asText());
        } else {
            transition = "UpToDate";
        }
        model.put("transitionStatus", transition);
        ObjectNode states = model.putObject("states").put("activeModelState", activeState);
        if (!targetState.isEmpty()) {
            states.put("targetModelState", targetState);
        }
        if (failure != null) {
            model.set("lastFailureInfo", failure);
        }
        model.putObject("copies").put("failedCopies", count(active, "FAILED") + count(target, "FAILED")).put("totalCopies", count(active, "LOADED"));

        boolean ready = activeState.equals("Loaded") || activeState.equals("Standby");
        String why = ready ? "" : switch (activeState) {
            case "Loading" -> "the model is loading";
            case "FailedToLoad" -> "the model failed to load: " + active.path("error").asText();
            default -> in.specError().isEmpty() ? "the model is not registered with the mesh yet" : in.specError();
        };
        ArrayNode conditions = status.putArray("conditions");
        for (String type : new String[] {"PredictorReady", "Ready"}) {
            ObjectNode c = conditions.addObject().put("type", type).put("status", ready ? "True" : "False");
            if (!ready) {
                c.put("reason", activeState.equals("FailedToLoad") ? "ModelLoadFailed" : activeState.equals("Loading") ? "ModelLoading"
                        : in.specError().isEmpty() ? "ModelPending" : "InvalidSpec").put("message", why);
            }
        }
        return status;
    }

    /**
     * KServe's {@code components.predictor.traffic} while a canary splits the traffic: each model's
     * percentage, the latest spec's model marked {@code latestRevision}; nothing without a split.
     */
    private static void traffic(ObjectNode predictor, JsonNode vmodel, String latest) {
        JsonNode shares = vmodel == null ? null : vmodel.path("traffic").path("shares");
        if (shares == null || shares.isEmpty()) {
            return;
        }
        long total = 0;
        for (JsonNode s : shares) {
            total += s.path("weight").asLong();
        }
        ArrayNode traffic = predictor.putArray("traffic");
        for (JsonNode s : shares) {
            traffic.addObject().put("revisionName", s.path("model").asText())
                    .put("percent", total == 0 ? 0 : Math.round(100.0 * s.path("weight").asLong() / total))
                    .put("latestRevision", s.path("model").asText().equals(latest));
        }
    }

    /** KServe's model state for one of the mesh's model statuses (null: the model is gone). */
    static String modelState(JsonNode model) {
        if (model == null || model.isNull()) {
            return "Pending";
        }
        return switch (model.path("state").asText()) {
            case "LOADED" -> "Loaded";
            case "LOADING" -> "Loading";
            case "FAILED" -> "FailedToLoad";
            default -> "Standby"; // registered, not loaded now: the mesh loads it on the next request
        };
    }

    private static String reason(String error) {
        return error.contains("no runtime") ? "NoSupportingRuntime" : "InvalidPredictorSpec";
    }

    private static ObjectNode failure(String reason, String message, String location, String modelId) {
        ObjectNode f = MeshClient.JSON.createObjectNode().put("reason", reason).put("message", message);
        if (!location.isEmpty()) {
            f.put("location", location);
        }
        if (!modelId.isEmpty()) {
            f.put("modelId", modelId);
        }
        return f;
    }

    private static String failedNode(JsonNode model) {
        if (model != null) {
            for (JsonNode c : model.path("copies")) {
                if (c.path("state").asText().equals("FAILED")) {
                    return c.path("node").asText();
                }
            }
        }
        return "";
    }

    private static int count(JsonNode model, String state) {
        int n = 0;
        if (model != null) {
            for (JsonNode c : model.path("copies")) {
                n += c.path("state").asText().equals(state) ? 1 : 0;
            }
        }
        return n;
    }
}
