package dev.meshwork.security;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OIDC issuer's keys from its {@code jwks_uri}, fetched at start and then every
 * {@code refreshMs} on its own daemon thread, so that checking a token never waits for the network
 * (it runs on event loops and gRPC transport threads). A token signed by a key not seen yet asks
 * for an early refresh (at most one at a time) and is refused until it lands.
 */
final class JwksUrlSource implements JWKSource<SecurityContext>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JwksUrlSource.class);
    private final URI uri;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
            .name("meshwork-jwks").unstarted(r));
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile JWKSet keys = new JWKSet();

    JwksUrlSource(String url, long refreshMs) {
        this.uri = URI.create(url);
        try {
            keys = fetch();
        } catch (Exception e) {
            LOG.warn("auth.jwksUrl: cannot fetch {} at start, JWTs are refused until it answers: {}", url, e.getMessage());
        }
        timer.scheduleWithFixedDelay(this::refresh, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
    }

    private JWKSet fetch() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode());
        }
        if (r.body().length() > 1 << 20) {
            throw new IllegalStateException("the JWKS is larger than 1 MB");
        }
        return JWKSet.parse(r.body());
    }

    private void refresh() {
        try {
            keys = fetch();
        } catch (Exception e) {
            LOG.warn("auth.jwksUrl: cannot refresh {}, keeping the keys I have: {}", uri, e.getMessage());
        } finally {
            refreshing.set(false);
        }
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        List<JWK> found = selector.select(keys);
        if (found.isEmpty() && refreshing.compareAndSet(false, true)) {
            timer.execute(this::refresh);
        }
        return found;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
