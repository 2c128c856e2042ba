package dev.meshwork.router.payload;

import dev.meshwork.placement.registry.PayloadLogging;
import dev.meshwork.protocol.error.MeshError;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which sink URLs a router may post payloads to. A logger URL is chosen by whoever may register a
 * model, and the router posts to it from inside the cluster, so: it must start with one of the
 * configured prefixes when there are any, and it may never reach a link-local address (cloud
 * metadata services live there) or the unspecified address. Hosts are resolved again at most once
 * a minute. Thread-safe.
 */
final class SinkAddresses {
    private static final long RECHECK_NANOS = 60_000_000_000L;
    private final List<String> allowedPrefixes;
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();

    private record Checked(String refusal, long at) {
    }

    SinkAddresses(List<String> allowedPrefixes) {
        this.allowedPrefixes = allowedPrefixes;
    }

    /** Refuses a registration's logger this router would never post to; the registration fails, saying why. */
    void checkRegistration(PayloadLogging logging) {
        if (!logging.enabled()) {
            return;
        }
        String url = logging.url();
        if (!allowedPrefixes.isEmpty() && allowedPrefixes.stream().noneMatch(url::startsWith)) {
            throw MeshError.invalid("the logger url '%s' is not allowed here: it must start with one of %s (payloadLog.allowedUrls)",
                    url, allowedPrefixes);
        }
        String host = URI.create(url).getHost();
        if (isLiteralAddress(host)) {
            String refusal = refusal(host);
            if (!refusal.isEmpty()) {
                throw MeshError.invalid("the logger url '%s' is refused: %s", url, refusal);
            }
        }
    }

    /** Why the sink's host may not be posted to now, or empty when it may. */
    String refusalFor(String url) {
        String host = URI.create(url).getHost();
        long now = System.nanoTime();
        Checked c = checked.get(host);
        if (c == null || now - c.at() > RECHECK_NANOS) {
            c = new Checked(refusal(host), now);
            if (checked.size() > 10_000) {
                checked.clear(); // hosts come from registrations: bounded in practice, bounded here regardless
            }
            checked.put(host, c);
        }
        return c.refusal();
    }

    private static String refusal(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
                    return host + " resolves to " + a.getHostAddress() + ", a link-local or unspecified address, which payload logs never go to";
                }
            }
            return "";
        } catch (UnknownHostException e) {
            return ""; // the POST fails and is counted; a name that does not resolve now may later
        }
    }

    private static boolean isLiteralAddress(String host) {
        return host.startsWith("[") || host.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.');
    }
}
