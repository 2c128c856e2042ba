package dev.meshwork.node;

import dev.meshwork.node.crash.CrashLedger;
import dev.meshwork.node.runtime.InProcessRuntimes;
import dev.meshwork.node.runtime.external.IsolatedRuntimeAdapter;
import dev.meshwork.runtime.RuntimeAdapter;
import dev.meshwork.runtime.RuntimeProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a node's local slots from {@code node.slots}: a runtime that runs in-process shares one
 * adapter among the slots of its entry; an isolated one ({@code isolation: process}, the default
 * for runtimes whose parsers do not check their input) gets a child process per slot. Stateless.
 */
final class NodeSlots {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NodeSlots.class);

    private NodeSlots() {
    }

    /** The node's crash ledger, in {@code node.isolation.stateDir}. */
    static CrashLedger ledger(NodeConfig config) {
        return new CrashLedger(config.isolation().stateDir(config.nodeId()), config.isolation().maxInferenceCrashes());
    }

    static List<NodeAgent.Slot> local(NodeConfig config, CrashLedger ledger) {
        List<NodeAgent.Slot> out = new ArrayList<>();
        InProcessRuntimes runtimes = InProcessRuntimes.installed();
        for (NodeConfig.SlotConfig sc : runtimes.slots(config)) {
            long capacity = sc.memoryBytes() > 0 ? sc.memoryBytes() : config.slotMemoryBytes();
            if (isolated(sc, runtimes)) {
                RuntimeProvider provider = runtimes.provider(sc.adapter()).orElseThrow();
                runtimes.create(sc.adapter(), sc.device(), config); // the device is checked here, where the node can say so at start
                for (int i = 0; i < sc.count(); i++) {
                    String name = sc.runtime() + "-" + i;
                    out.add(new NodeAgent.Slot(name, sc.runtime(), new IsolatedRuntimeAdapter(name, sc.adapter(), provider.formats(), config, capacity, ledger),
                            sc.device(), capacity, sc.autoSelect()));
                }
            } else {
                RuntimeAdapter adapter = runtimes.create(sc.adapter(), sc.device(), config);
                for (int i = 0; i < sc.count(); i++) {
                    out.add(new NodeAgent.Slot(sc.runtime() + "-" + i, sc.runtime(), adapter, adapter.device(), capacity, sc.autoSelect()));
                }
            }
        }
        return out;
    }

    /**
     * Logs once at start when the heap, the budgets of the slots in this machine (in-process and
     * isolated; external runtimes live elsewhere) and the isolated processes exceed the memory the
     * process may use ({@link MemoryPlan}).
     */
    static MemoryPlan checkMemory(NodeConfig config, List<NodeAgent.Slot> slots) {
        long slotBytes = 0;
        long children = 0;
        long launched = 0;
        for (NodeAgent.Slot s : slots) {
            if (s.runtime() instanceof IsolatedRuntimeAdapter) {
                children++;
            }
            if (!(s.runtime() instanceof dev.meshwork.node.runtime.external.ExternalRuntimeAdapter ext)) {
                slotBytes += s.capacityBytes();
            } else if (ext.startsProcess()) { // on this machine, unlike a runtime the node only calls
                slotBytes += s.capacityBytes();
                launched += MemoryPlan.LAUNCHED_OVERHEAD;
            }
        }
        MemoryPlan plan = new MemoryPlan(Runtime.getRuntime().maxMemory(), slotBytes,
                children * (MemoryPlan.childHeap(config.isolation().jvmOptions()) + MemoryPlan.CHILD_OVERHEAD) + launched, MemoryPlan.available());
        plan.warning().ifPresent(w -> LOG.warn("node {}: {}", config.nodeId(), w));
        return plan;
    }

    private static boolean isolated(NodeConfig.SlotConfig sc, InProcessRuntimes runtimes) {
        if (!sc.isolation().isEmpty()) {
            return sc.isolation().equals(NodeConfig.SlotConfig.PROCESS);
        }
        return runtimes.provider(sc.adapter()).map(RuntimeProvider::isolatedByDefault).orElse(false);
    }
}
