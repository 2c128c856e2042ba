package dev.meshwork.state.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.tenant.TenantPolicy;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import io.micrometer.core.instrument.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Starts this process's embedded Hazelcast member. Routers are data members: they own the
 * partitions of the shared maps and persist the registry through the {@link RegistryStore}. Nodes
 * are lite members: they own no data, so a node that crashes takes no state with it and causes no
 * partition migration; they write their rows into maps the routers hold.
 *
 * <p>Maps that routers read on the request path (registry, vmodels, placement) have a near cache
 * that holds the objects themselves and is invalidated on every change, so a lookup is a local
 * read; see the README's "Cluster state" for why this and not a ReplicatedMap.
 */
public final class ClusterMember {
    /** What a member is in the mesh. */
    public enum Role {
        ROUTER, NODE
    }

    private ClusterMember() {
    }

    /** Starts a member; {@code store} persists registrations (routers only; nodes pass {@link RegistryStore#NONE}). */
    public static HazelcastInstance start(ClusterConfig cluster, Role role, String processName, RegistryStore store) {
        return start(cluster, role, processName, store, InternalHops.signer(InternalHops.secret(cluster, Metrics.globalRegistry)));
    }

    /** Starts a member whose registry store checks changes with {@code signer} (the process's one reading of the cluster key). */
    public static HazelcastInstance start(ClusterConfig cluster, Role role, String processName, RegistryStore store, RowSigner signer) {
        try {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(config(cluster, role, processName, store, signer));
            if (role == Role.ROUTER && store != RegistryStore.NONE) {
                RegistryReloader.watch(hz, List.of(MapNames.MODELS, MapNames.VMODELS, MapNames.TENANTS));
            }
            return hz;
        } catch (RuntimeException e) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "cannot start the cluster member on " + cluster.host() + ":" + cluster.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Gauges of the shared maps' entries this member owns ({@code meshwork_cluster_map_entries{map}}):
     * summed over the routers, the size of each map; a map that grows without bound shows here.
     */
    public static void instrument(HazelcastInstance hz, io.micrometer.core.instrument.MeterRegistry registry) {
        for (String name : List.of(MapNames.MODELS, MapNames.VMODELS, MapNames.TENANTS, MapNames.PLACEMENT, MapNames.NODES, MapNames.CLAIMS)) {
            io.micrometer.core.instrument.Gauge.builder("meshwork_cluster_map_entries", hz, h -> h.getLifecycleService().isRunning()
                            ? h.getMap(name).getLocalMapStats().getOwnedEntryCount() : Double.NaN)
                    .description("entries of a shared map this member owns (the sum over routers is the map's size)")
                    .tag("map", name).register(registry);
        }
    }

    static Config config(ClusterConfig cluster, Role role, String processName, RegistryStore store, RowSigner signer) {
        Config c = new Config();
        c.setClusterName(cluster.name());
        c.setInstanceName(processName + "-" + UUID.randomUUID().toString().substring(0, 8));
        c.setLiteMember(role == Role.NODE);
        c.setProperty("hazelcast.phone.home.enabled", "false"); // offline: never call home
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.shutdownhook.enabled", "false"); // the process leaves when its drain is done
        c.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(cluster.heartbeatSeconds()));
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(cluster.failureSeconds()));
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        // a member the cluster declared gone (a process that hung and woke, a link that came back) looks for the cluster
        // again after twice the failure time, not Hazelcast's 2 to 5 minutes; until it merges, it serves nothing
        String merge = Integer.toString(Math.max(5, 2 * cluster.failureSeconds()));
        c.setProperty("hazelcast.merge.first.run.delay.seconds", merge);
        c.setProperty("hazelcast.merge.next.run.delay.seconds", merge);
        c.setProperty("hazelcast.map.invalidation.batch.enabled", "false"); // near caches drop a changed entry at once
        c.setProperty("hazelcast.partition.count", "71");
        // only the member protocol listens: Hazelcast's open-source edition would otherwise take client connections on
        // the same port, and a client that knows the cluster name could read and write every map
        AdvancedNetworkConfig net = c.getAdvancedNetworkConfig().setEnabled(true);
        ServerSocketEndpointConfig members = new ServerSocketEndpointConfig();
        members.setPort(cluster.port()).setPortAutoIncrement(true).setPortCount(20);
        if (!cluster.host().equals("0.0.0.0")) {
            c.setProperty("hazelcast.socket.bind.any", "false");
            members.getInterfaces().setEnabled(true).addInterface(cluster.host());
        }
        net.setMemberEndpointConfig(members);
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (cluster.kubernetes().enabled()) {
            // no Hazelcast client ever connects from outside (the client protocol is closed): no lookups of public addresses
            join.getKubernetesConfig().setEnabled(true).setProperty("expose-externally", "false");
            if (!cluster.kubernetes().namespace().isEmpty()) {
                join.getKubernetesConfig().setProperty("namespace", cluster.kubernetes().namespace());
            }
            if (!cluster.kubernetes().serviceName().isEmpty()) {
                join.getKubernetesConfig().setProperty("service-name", cluster.kubernetes().serviceName());
            }
            if (!cluster.kubernetes().apiUrl().isEmpty()) {
                join.getKubernetesConfig().setProperty("kubernetes-master", cluster.kubernetes().apiUrl());
            }
            if (!cluster.kubernetes().tokenFile().isEmpty()) {
                join.getKubernetesConfig().setProperty("api-token", read("tokenFile", cluster.kubernetes().tokenFile()));
            }
            if (!cluster.kubernetes().caFile().isEmpty()) {
                join.getKubernetesConfig().setProperty("ca-certificate", read("caFile", cluster.kubernetes().caFile()));
            }
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(expand(cluster.members()));
        }
        c.getJetConfig().setEnabled(false);
        // what the maps hold is Meshwork's own records and the JDK's collections; nothing else is deserialized
        c.getSerializationConfig().setJavaSerializationFilterConfig(new JavaSerializationFilterConfig()
                .setWhitelist(new ClassFilter().addPrefixes("dev.meshwork.", "java.util.", "java.lang.", "java.time.")));
        RowSerializers.register(c.getSerializationConfig());
        RegistryGuard guard = new RegistryGuard();
        c.getUserContext().put(RegistryGuard.KEY, guard);
        // a router reads registrations and copies through its RouteMemo, which replaces their near caches there;
        // nodes (lite members) read the placement table through its near cache
        boolean memo = role == Role.ROUTER;
        c.addMapConfig(table(MapNames.MODELS, !memo).setMapStoreConfig(registryStore(new RegistryMapStore<>(store, "model", ModelSpec.class,
                signer, HazelcastModelRegistry.KIND, guard))));
        c.addMapConfig(nearCached(MapNames.VMODELS).setMapStoreConfig(registryStore(new RegistryMapStore<>(store, "vmodel", VModel.class,
                signer, HazelcastVModelRegistry.KIND, guard))));
        // no near cache: routers and nodes read the tenants once a second, and a near cache costs every joining member a
        // listener registration on every other member
        c.addMapConfig(new MapConfig(MapNames.TENANTS).setBackupCount(1).setMapStoreConfig(registryStore(new RegistryMapStore<>(store,
                "tenant", TenantPolicy.class, signer, HazelcastTenantRegistry.KIND, guard))));
        c.addMapConfig(table(MapNames.PLACEMENT, !memo));
        c.addMapConfig(nearCached(MapNames.NODES)); // a request looks up its copy's node endpoint
        c.addMapConfig(new MapConfig(MapNames.CLAIMS).setBackupCount(1));
        return c;
    }

    /** {@code host:5701-5703} as the three addresses Hazelcast wants: it takes ranges in port settings only. */
    static List<String> expand(List<String> members) {
        List<String> out = new ArrayList<>();
        for (String m : members) {
            int colon = m.lastIndexOf(':');
            int dash = m.indexOf('-', colon + 1);
            if (colon < 0 || dash < 0) {
                out.add(m);
                continue;
            }
            try {
                int from = Integer.parseInt(m.substring(colon + 1, dash));
                int to = Integer.parseInt(m.substring(dash + 1));
                if (to < from || to - from > 100) {
                    throw MeshError.invalid("cluster.members: '%s' is not a range of at most 100 ports (host:first-last)", m);
                }
                for (int p = from; p <= to; p++) {
                    out.add(m.substring(0, colon) + ":" + p);
                }
            } catch (NumberFormatException e) {
                throw MeshError.invalid("cluster.members: '%s' is not host:port or host:first-last", m);
            }
        }
        return out;
    }

    /** A file Hazelcast's Kubernetes discovery takes as a value (the token, the CA), from {@code cluster.kubernetes.<key>}. */
    private static String read(String key, String file) {
        try {
            String value = java.nio.file.Files.readString(java.nio.file.Path.of(file)).strip();
            if (value.isEmpty()) {
                throw MeshError.invalid("cluster.kubernetes.%s %s is empty", key, file);
            }
            return value;
        } catch (java.io.IOException e) {
            throw MeshError.invalid("cluster.kubernetes.%s %s cannot be read: %s", key, file, e.getMessage());
        }
    }

    private static MapConfig table(String name, boolean nearCached) {
        return nearCached ? nearCached(name) : new MapConfig(name).setBackupCount(1);
    }

    private static MapConfig nearCached(String name) {
        NearCacheConfig near = new NearCacheConfig(name).setInMemoryFormat(InMemoryFormat.OBJECT)
                .setInvalidateOnChange(true).setCacheLocalEntries(true);
        return new MapConfig(name).setBackupCount(1).setNearCacheConfig(near);
    }

    private static MapStoreConfig registryStore(RegistryMapStore<?> impl) {
        // write-through: a put returns only once the store has it, so an API success is durable
        return new MapStoreConfig().setEnabled(true).setImplementation(impl).setWriteDelaySeconds(0)
                .setInitialLoadMode(MapStoreConfig.InitialLoadMode.EAGER);
    }
}
