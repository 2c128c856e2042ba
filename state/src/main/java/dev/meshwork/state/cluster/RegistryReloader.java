package dev.meshwork.state.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings registrations back when the cluster loses partitions of a registry map: when the owner and
 * the backup of a partition die together (two routers killed at once), Hazelcast hands the
 * partition to a survivor empty, and what the API had acknowledged would be invisible until every
 * router restarted. On a partition-lost event of a registry map, each router reloads that map from
 * the registry store (the durable copy) without replacing entries that are there. Events arrive on
 * Hazelcast's event threads; the reload runs on this class's one thread, once per burst of events.
 */
final class RegistryReloader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RegistryReloader.class);
    /** Partition-lost events come one per partition; a reload waits this long to cover them all. */
    static final long SETTLE_MS = 300;

    private RegistryReloader() {
    }

    /** Watches {@code maps} of {@code hz} (a router, whose members hold the registry). */
    static void watch(HazelcastInstance hz, List<String> maps) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meshwork-registry-reload");
            t.setDaemon(true);
            return t;
        });
        hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
                thread.shutdownNow();
            }
        });
        for (String name : maps) {
            IMap<String, Object> map = hz.getMap(name);
            AtomicBoolean pending = new AtomicBoolean();
            map.addPartitionLostListener(event -> {
                if (pending.compareAndSet(false, true)) {
                    LOG.warn("the cluster lost partition {} of {} (owner and backups died together); reloading it from the registry store",
                            event.getPartitionId(), name);
                    try {
                        thread.schedule(() -> reload(map, name, pending), SETTLE_MS, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                        pending.set(false);
                    }
                }
            });
        }
    }

    private static void reload(IMap<String, Object> map, String name, AtomicBoolean pending) {
        pending.set(false);
        try {
            map.loadAll(false);
            LOG.info("{} reloaded from the registry store: {} entries", name, map.size());
        } catch (RuntimeException e) {
            LOG.warn("reloading {} from the registry store failed: {}", name, e.getMessage());
        }
    }
}
