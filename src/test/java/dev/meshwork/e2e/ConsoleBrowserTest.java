package dev.meshwork.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.security.TokenFile;
import dev.meshwork.testing.Chromium;
import dev.meshwork.testing.MeshExtension;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web console in a real browser (headless Chromium over the DevTools protocol) against a mesh
 * process with authentication on: the token prompt, registering a model through the form and
 * watching it go LOADED live, a test inference from the model's page, the node's memory bar
 * growing, and a tenant's token that sees only its namespace and no nodes. Screenshots land in
 * {@code e2e/target/console/} (the README's come from there).
 */
class ConsoleBrowserTest {
    static final String ADMIN = "console-admin-token";
    static final String TEAM = "console-team-a-token";
    static final Path TOKENS = tokens();
    static final Path SHOTS = Path.of("target", "console");
    static final Duration WAIT = Duration.ofSeconds(30);
    /** The slot memory the glance page's bars show, summed over every slot of every node. */
    static final String SLOT_BYTES = "[...document.querySelectorAll('.node .slot .bar')].reduce((a, b) => a + Number(b.getAttribute('aria-valuenow')), 0)";

    @RegisterExtension
    static final MeshExtension mesh = new MeshExtension("--auth.tokensFile=" + TOKENS);
    static Chromium browser;

    private static Path tokens() {
        try {
            Path file = Files.createTempFile("meshwork-console-tokens-", ".yaml");
            Files.writeString(file, "tokens:\n"
                    + "  - {sha256: " + TokenFile.sha256(ADMIN) + ", principal: ops, namespaces: ['*'], roles: [admin]}\n"
                    + "  - {sha256: " + TokenFile.sha256(TEAM) + ", principal: team-a-dev, namespaces: [team-a], roles: [deployer, invoker]}\n");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void openBrowser() throws Exception {
        browser = Chromium.start(1280, 860);
    }

    @AfterAll
    static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    /** Opens the console at {@code page} in a fresh state (no token kept from another test) and signs in with {@code token}. */
    private static void openSignedIn(String page, String token) throws Exception {
        browser.open(mesh.url("/ui/"));
        browser.eval("sessionStorage.clear(); true");
        browser.open(mesh.url("/ui/?as=" + token.hashCode() + page));
        // the mesh needs a token: the console asks for one before it shows anything
        browser.waitFor("document.getElementById('token-dialog').open", WAIT);
        browser.type("#token-input", token);
        browser.click("#token-save");
        browser.waitFor("!document.getElementById('token-dialog').open && document.getElementById('live').textContent === 'live'", WAIT);
    }

    @Test
    void anOperatorRegistersLoadsAndCallsAModelFromTheConsole() throws Exception {
        openSignedIn("#/", ADMIN);
        browser.waitFor("document.querySelector('.node .slot .bar')", WAIT);
        long usedBefore = browser.eval(SLOT_BYTES).asLong();

        browser.open(mesh.url("/ui/?as=" + ADMIN.hashCode() + "#/models"));
        browser.waitFor("document.querySelector('tr[data-model=\"mlp-classifier\"]')", WAIT);
        browser.type("#register-form input[name=name]", "console-adder");
        browser.type("#register-form input[name=format]", "onnx");
        browser.type("#register-form input[name=storageUri]",
                "file://" + MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx"));
        browser.click("#register-form button[type=submit]");
        // the row arrives through the event stream, and goes LOADED without a reload
        browser.waitFor("document.querySelector('tr[data-model=\"console-adder\"] .state.LOADED')", WAIT);
        browser.screenshot(SHOTS.resolve("models.png"));

        browser.click("tr[data-model=\"console-adder\"] a");
        browser.waitFor("document.getElementById('infer-request').value.includes('\"a\"')", WAIT);
        browser.type("#infer-request", """
                {"inputs": [{"name": "a", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]},
                            {"name": "b", "shape": [1, 2], "datatype": "FP32", "data": [10, 20]}]}""");
        browser.click("#infer-send");
        browser.waitFor("document.getElementById('infer-answer').textContent.includes('outputs')", WAIT);
        assertThat(browser.eval("document.getElementById('infer-answer').textContent").asText()).contains("11", "22")
                .doesNotContain("Error");
        assertThat(browser.eval("document.querySelectorAll('#copies-table tbody tr').length").asInt()).isEqualTo(1);
        // the charts fill from the router's request history, sampled every 5 s: some traffic for two samples
        HttpClient client = HttpClient.newHttpClient();
        long until = System.nanoTime() + Duration.ofSeconds(11).toNanos();
        for (int i = 0; System.nanoTime() < until && i < 2_000; i++) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(mesh.url("/v2/models/console-adder/infer")))
                    .header("Authorization", "Bearer " + ADMIN).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\": [{\"name\": \"a\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [1, 2]},"
                            + " {\"name\": \"b\", \"shape\": [1, 2], \"datatype\": \"FP32\", \"data\": [3, 4]}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Thread.sleep(20 + (i % 7) * 5);
        }
        browser.waitFor("[...document.querySelectorAll('.chart polyline')].length >= 2"
                + " && document.querySelectorAll('.chart circle').length >= 4", WAIT);
        browser.eval("window.scrollTo(0, 0); document.activeElement.blur(); true");
        browser.screenshot(SHOTS.resolve("model.png"));

        browser.open(mesh.url("/ui/?as=" + ADMIN.hashCode() + "#/"));
        browser.waitFor(SLOT_BYTES + " > " + usedBefore, WAIT);
        assertThat(browser.eval("[...document.querySelectorAll('.node .chip')].map(c => c.textContent)").toString()).contains("console-adder");
        browser.screenshot(SHOTS.resolve("glance.png"));
        assertThat(browser.console()).as("errors the page logged").isEmpty();
    }

    @Test
    void aTenantsTokenSeesOnlyItsNamespaceAndNoNodes() throws Exception {
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(mesh.url("/v1/mesh/models/team-model")))
                .header("Authorization", "Bearer " + ADMIN).header("meshwork-namespace", "team-a")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"modelFormat\": {\"name\": \"onnx\"}, \"storageUri\": \"file://"
                        + MeshProcess.repoRoot().resolve("examples/onnx/add-vectors/model.onnx") + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        openSignedIn("#/models", TEAM);
        browser.waitFor("document.querySelector('tr[data-model=\"team-a/team-model\"]')", WAIT);
        assertThat(browser.eval("document.querySelectorAll('#models-table tbody tr').length").asInt())
                .as("only team-a's model, none of the examples in default").isEqualTo(1);
        browser.open(mesh.url("/ui/?as=" + TEAM.hashCode() + "#/"));
        browser.waitFor("document.body.innerText.includes('shown to principals with the admin role')", WAIT);
        browser.open(mesh.url("/ui/?as=" + TEAM.hashCode() + "#/runtimes"));
        browser.waitFor("document.body.innerText.includes('lacks the admin role')", WAIT);
    }
}
