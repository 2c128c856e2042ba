package dev.meshwork.node.runtimeserver;

import dev.meshwork.config.ConfigCheck;
import dev.meshwork.node.NodeConfig;

/**
 * The runtime-server process's one configuration object ({@code --port=8090}, {@code --node.storage.roots=...}).
 *
 * @param host the address to bind
 * @param port the gRPC port; 0 picks a free one
 * @param node the runtimes, slots and storage it serves from
 */
public record RuntimeServerConfig(String host, int port, NodeConfig node) {
    public RuntimeServerConfig {
        ConfigCheck.notBlank("host", host);
        ConfigCheck.port("port", port);
    }

    public static RuntimeServerConfig defaults() {
        return new RuntimeServerConfig("127.0.0.1", 8090, NodeConfig.defaults());
    }
}
