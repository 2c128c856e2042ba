package dev.meshwork.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium driven over the DevTools protocol, for tests of the web console in a real
 * browser: one process with a throw-away profile, one page, commands answered in order. It needs
 * Debian's {@code chromium} ({@code bin/test-deps} installs it) or {@code $CHROMIUM}. The test
 * thread sends commands; the WebSocket's listener thread completes them.
 */
public final class Chromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final String session;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> console = new ArrayList<>();

    private Chromium(Process process, Path profile, String endpoint) throws Exception {
        this.process = process;
        this.profile = profile;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(endpoint), new Listener()).get(10, TimeUnit.SECONDS);
        String target = call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
        this.session = call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId").asText();
        call(session, "Page.enable", Map.of());
        call(session, "Runtime.enable", Map.of());
    }

    /** The browser binary: {@code $CHROMIUM}, else the first of chromium, chromium-browser, google-chrome on the PATH. */
    public static Path binary() {
        String configured = System.getenv("CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("no chromium on the PATH (bin/test-deps installs Debian's; or set CHROMIUM to a Chrome binary)");
    }

    /** Starts a headless browser with a window of {@code width} x {@code height}. */
    public static Chromium start(int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("meshwork-chromium-");
        List<String> command = new ArrayList<>(List.of(binary().toString(), "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--password-store=basic", "--use-mock-keychain", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--window-size=" + width + "," + height));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--no-sandbox"); // Chromium's sandbox refuses to run as root (CI containers)
        }
        command.add("about:blank");
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("chromium-stderr").start(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        endpoint.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                endpoint.completeExceptionally(e);
            }
            endpoint.completeExceptionally(new IllegalStateException("chromium exited before it listened (exit " + p.exitValue() + ")"));
        });
        try {
            return new Chromium(p, profile, endpoint.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Loads {@code url} and waits until its document has loaded. */
    public void open(String url) throws Exception {
        call(session, "Page.navigate", Map.of("url", url));
        waitFor("document.readyState === 'complete' && location.href === " + Fixtures.JSON.writeValueAsString(url), Duration.ofSeconds(15));
    }

    /** Runs {@code expression} in the page (promises awaited) and returns its value as JSON. */
    public JsonNode eval(String expression) throws Exception {
        JsonNode r = call(session, "Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("the page threw on " + expression + ": " + r.get("exceptionDetails"));
        }
        JsonNode value = r.path("result").path("value");
        return value.isMissingNode() ? Fixtures.JSON.nullNode() : value;
    }

    /** Waits until {@code expression} is truthy in the page, checking every 100 ms; fails after {@code timeout} with what the page showed. */
    public void waitFor(String expression, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (eval("!!(" + expression + ")").asBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the page did not come to " + expression + " within " + timeout + "; it shows:\n"
                + eval("document.body ? document.body.innerText : ''").asText() + "\nconsole: " + console);
    }

    /** Sets the value of the form field {@code selector} as typing would (input events included). */
    public void type(String selector, String text) throws Exception {
        eval("(() => { const e = document.querySelector(" + Fixtures.JSON.writeValueAsString(selector) + "); e.focus(); e.value = "
                + Fixtures.JSON.writeValueAsString(text) + "; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()");
    }

    /** Clicks the element {@code selector} (through its click(), so events run as they would for a user). */
    public void click(String selector) throws Exception {
        JsonNode done = eval("(() => { const e = document.querySelector(" + Fixtures.JSON.writeValueAsString(selector)
                + "); if (!e) return false; e.click(); return true; })()");
        if (!done.asBoolean()) {
            throw new AssertionError("no element " + selector + " to click; the page shows:\n" + eval("document.body.innerText").asText());
        }
    }

    /** Saves a PNG of the page as it is now to {@code file}. */
    public void screenshot(Path file) throws Exception {
        JsonNode r = call(session, "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", false));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(r.get("data").asText()));
    }

    /** What the page logged with console.error and uncaught exceptions, for failure messages. */
    public synchronized List<String> console() {
        return List.copyOf(console);
    }

    private JsonNode call(String sessionId, String method, Map<String, Object> params) throws Exception {
        long id = ids.incrementAndGet();
        ObjectNode message = Fixtures.JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", Fixtures.JSON.valueToTree(params));
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(Fixtures.JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
        try {
            JsonNode r = answer.get(30, TimeUnit.SECONDS);
            if (r.has("error")) {
                throw new IllegalStateException(method + " failed: " + r.get("error"));
            }
            return r.path("result");
        } catch (TimeoutException e) {
            throw new IllegalStateException(method + " got no answer from chromium within 30 s", e);
        } finally {
            pending.remove(id);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                try {
                    JsonNode m = Fixtures.JSON.readTree(message);
                    if (m.has("id")) {
                        CompletableFuture<JsonNode> f = pending.get(m.get("id").asLong());
                        if (f != null) {
                            f.complete(m);
                        }
                    } else if ("Runtime.exceptionThrown".equals(m.path("method").asText())
                            || ("Runtime.consoleAPICalled".equals(m.path("method").asText())
                                && "error".equals(m.path("params").path("type").asText()))) {
                        synchronized (Chromium.this) {
                            if (console.size() < 100) {
                                console.add(m.path("params").toString());
                            }
                        }
                    }
                } catch (IOException e) {
                    // not JSON: DevTools sends nothing else, so ignore it
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            call(null, "Browser.close", Map.of());
        } catch (Exception e) {
            // it may be gone already
        }
        socket.abort();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.walk(profile).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
}
