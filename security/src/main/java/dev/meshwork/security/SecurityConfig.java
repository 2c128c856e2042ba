package dev.meshwork.security;

import dev.meshwork.config.ConfigCheck;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A process's security switches beyond its listeners' {@code tls} and {@code auth} blocks.
 *
 * @param insecure       let a listener on a non-loopback address start with neither TLS nor authentication
 * @param auditFile      where audit lines (one JSON object per management change or refused request) go; empty for nowhere
 * @param auditMaxBytes  the size at which the audit file is rotated ({@code file.1}, {@code file.2}, ...)
 * @param auditKeep      how many rotated files are kept
 */
public record SecurityConfig(boolean insecure, String auditFile, long auditMaxBytes, int auditKeep) {
    public SecurityConfig {
        ConfigCheck.atLeast("security.auditMaxBytes", auditMaxBytes, 4096);
        ConfigCheck.range("security.auditKeep", auditKeep, 1, 100, "files");
    }

    public static SecurityConfig defaults() {
        return new SecurityConfig(false, "", 64L << 20, 5);
    }

    /**
     * Refuses (with one line that says why and what to do) a listener bound to a non-loopback
     * address that has neither TLS nor authentication, unless {@code insecure} says to go ahead.
     */
    public void checkExposure(String listener, String host, boolean tls, boolean auth) {
        if (insecure || tls || auth || loopback(host)) {
            return;
        }
        throw new IllegalArgumentException(listener + " would listen on " + host + " with neither TLS nor authentication, so anyone"
                + " who reaches it can change and call every model; set tls.certFile/tls.keyFile or auth.*, bind 127.0.0.1,"
                + " or pass --security.insecure=true to accept that");
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
