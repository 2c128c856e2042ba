package dev.meshwork.node.runtime.external;

import dev.meshwork.kserve.RuntimeCatalog;
import dev.meshwork.kserve.ServingRuntime;
import dev.meshwork.node.NodeConfig;
import dev.meshwork.protocol.error.MeshError;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the catalog's external runtimes that describe their process ({@code containers[0]}) into
 * external runtimes the node starts and supervises: argv = {@code command} + {@code args}, with
 * {@code env}, listening on 127.0.0.1 at {@code ports[0].containerPort}, or without ports on a Unix
 * socket the node picks ({@code MESHWORK_RUNTIME_ENDPOINT}); its slot's budget is the container's
 * {@code resources.limits.memory}, else {@code node.slotMemoryBytes}. There are no container
 * images on these machines, so the command must be a local program. Read at start, by standalone
 * meshes and by cluster nodes alike; one that the node configuration already names
 * ({@code node.externalRuntimes}) is left to that configuration.
 */
public final class LaunchedRuntimes {
    private LaunchedRuntimes() {
    }

    /** The node configuration's external runtimes plus those the catalog describes with a process. */
    public static List<NodeConfig.External> add(RuntimeCatalog catalog, NodeConfig node) {
        List<NodeConfig.External> out = new ArrayList<>(node.externalRuntimes());
        for (ServingRuntime r : catalog.runtimes()) {
            boolean configured = out.stream().anyMatch(e -> e.name().equals(r.name()));
            if (!r.adapter().equals("external") || r.containers().isEmpty() || configured || r.disabled()) {
                continue;
            }
            ServingRuntime.Container c = r.containers().get(0);
            if (c.command().isEmpty()) {
                throw MeshError.invalid("%s: runtime '%s' is external with a container but no command; Meshwork starts the process "
                        + "itself (there are no images here), so give containers[0].command", r.source(), r.name());
            }
            if (!c.ports().isEmpty() && c.ports().get(0) <= 0) {
                throw MeshError.invalid("%s: runtime '%s' has containers[0].ports[0].containerPort %d; give a port from 1 to 65535, "
                        + "or no ports to let the node choose a Unix socket", r.source(), r.name(), c.ports().get(0));
            }
            List<String> argv = new ArrayList<>(c.command());
            argv.addAll(c.args());
            List<String> formats = r.formats().stream().map(ServingRuntime.Format::name).distinct().toList();
            // without a port the node picks a Unix socket and passes it as MESHWORK_RUNTIME_ENDPOINT
            String endpoint = c.ports().isEmpty() ? "" : "127.0.0.1:" + c.ports().get(0);
            out.add(new NodeConfig.External(r.name(), formats, endpoint, c.memoryLimitBytes(), node.loadTimeoutMs(), argv, c.env()));
        }
        return out;
    }
}
