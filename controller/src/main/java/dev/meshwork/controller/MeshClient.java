package dev.meshwork.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.client.MeshApi;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The mesh's REST management API as the controller uses it: vmodels in a namespace, listed, set,
 * read and deleted, each call with the controller's token (over {@link MeshApi}, which the
 * command-line client shares). Thread-safe; called from the controller's one worker thread.
 */
final class MeshClient {
    static final ObjectMapper JSON = MeshApi.JSON;
    private final MeshApi api;

    MeshClient(ControllerConfig.Mesh config) {
        this.api = new MeshApi(config.url(), MeshApi.readToken("mesh.tokenFile", config.tokenFile()),
                config.caFile().isEmpty() ? null : dev.meshwork.security.tls.ClientTls.trusting("mesh.caFile", config.caFile(), 10_000),
                Duration.ofSeconds(30));
    }

    MeshApi.Answer setVModel(String namespace, String name, JsonNode body) throws IOException, InterruptedException {
        return api.put(namespace, "/v1/mesh/vmodels/" + MeshApi.enc(name), body.toString(), "application/json");
    }

    /** The vmodel's status, empty when it does not exist (for this owner, when one is named). */
    Optional<JsonNode> vmodel(String namespace, String name, String owner) throws IOException, InterruptedException {
        MeshApi.Answer a = api.get(namespace, "/v1/mesh/vmodels/" + MeshApi.enc(name) + owner(owner));
        if (a.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(require(a, "reading vmodel " + namespace + "/" + name).body());
    }

    MeshApi.Answer deleteVModel(String namespace, String name, String owner) throws IOException, InterruptedException {
        return api.delete(namespace, "/v1/mesh/vmodels/" + MeshApi.enc(name) + owner(owner));
    }

    /** Every vmodel the controller's principal may see, in every namespace. */
    JsonNode vmodels() throws IOException, InterruptedException {
        return require(api.get("", "/v1/mesh/vmodels"), "listing vmodels").body().path("vmodels");
    }

    /** The mesh's nodes, each with its {@code removalCost} (needs the admin role over every namespace). */
    JsonNode nodes() throws IOException, InterruptedException {
        return require(api.get("", "/v1/mesh/nodes"), "listing nodes").body().path("nodes");
    }

    private static MeshApi.Answer require(MeshApi.Answer a, String what) throws IOException {
        if (!a.ok()) {
            throw new IOException(what + ": the mesh answered " + a.status() + ": " + a.error());
        }
        return a;
    }

    private static String owner(String owner) {
        return owner.isEmpty() ? "" : "?owner=" + MeshApi.enc(owner);
    }
}
