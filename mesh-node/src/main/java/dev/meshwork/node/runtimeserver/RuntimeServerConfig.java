package dev.meshwork.node.runtimeserver;

import dev.meshwork.telemetry.TracingConfig;

import dev.meshwork.config.ConfigCheck;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.security.SecurityConfig;
import dev.meshwork.security.tls.TlsConfig;

/**
 * The runtime-server process's one configuration object ({@code --port=8090}, {@code --node.storage.roots=...}).
 *
 * @param host       the address to bind
 * @param port       the gRPC port; 0 picks a free one
 * @param node       the runtimes, slots and storage it serves from
 * @param tls        TLS of its listener; with {@code clientCaFile}, only callers with a certificate that CA signed
 * @param secretFile a secret every call must carry (the node's {@code externalRuntimes[].secretFile}); empty for none
 * @param security   the exposure guard: a non-loopback listener needs TLS or a secret
 * @param socket     a Unix domain socket path to listen on instead of host and port (Linux); what a node uses
 *                   for the child process of an isolated slot, reachable only through the file system
 * @param parentPid  a process whose end ends this one (the node that started it as an isolated slot's process,
 *                   killed by -9 included); 0: none
 * @param tracing    distributed tracing (OpenTelemetry, OTLP); off unless an endpoint is given
 */
public record RuntimeServerConfig(String host, int port, NodeConfig node, TlsConfig tls, String secretFile, SecurityConfig security,
                                  String socket, long parentPid, TracingConfig tracing) {
    public RuntimeServerConfig(String host, int port, NodeConfig node, TlsConfig tls, String secretFile, SecurityConfig security) {
        this(host, port, node, tls, secretFile, security, "", 0, TracingConfig.defaults());
    }

    public RuntimeServerConfig {
        socket = socket == null ? "" : socket;
        ConfigCheck.notBlank("host", host);
        ConfigCheck.port("port", port);
        tls = tls == null ? TlsConfig.defaults() : tls;
        secretFile = secretFile == null ? "" : secretFile;
        ConfigCheck.fileOrEmpty("secretFile", secretFile, "file");
        security = security == null ? SecurityConfig.defaults() : security;
        tracing = tracing == null ? TracingConfig.defaults() : tracing;
    }

    public static RuntimeServerConfig defaults() {
        return new RuntimeServerConfig("127.0.0.1", 8090, NodeConfig.defaults(), TlsConfig.defaults(), "", SecurityConfig.defaults());
    }
}
