package dev.meshwork.perf.meshsim;

import dev.meshwork.placement.eviction.EvictionPolicies;
import java.util.List;

/**
 * The simulated noisy-neighbour scenario of {@code ./meshwork bench tenant-sim} (flags {@code --nodes=1000}, ...).
 *
 * @param root            the repository root (results go under perf/results/)
 * @param nodes           nodes, one slot each
 * @param tenants         tenants in all, aggressors among them
 * @param aggressors      tenants that storm
 * @param hotModels       each victim tenant's models, asked for uniformly
 * @param coldModels      each aggressor's models, asked for in turn
 * @param modelMb         every model's size
 * @param headroom        the mesh's memory over all victims' models (3: it holds them three times)
 * @param guaranteedShare the mesh's memory the tenants are guaranteed in all, split equally, when fair share is on
 * @param victimRate      the victims' requests per second, in all
 * @param aggressorRate   the aggressors' requests per second, in all, during the storm
 * @param aloneSeconds    simulated seconds before the storm
 * @param stormSeconds    simulated seconds of the storm
 * @param sampleNodes     nodes a placement weighs
 * @param evictionPolicy  the slots' policy within fair share, as {@code node.evictionPolicy}
 * @param seed            random seed
 */
public record TenantSim(String root, int nodes, int tenants, int aggressors, int hotModels, int coldModels, int modelMb, double headroom,
                        double guaranteedShare, double victimRate, double aggressorRate, double aloneSeconds, double stormSeconds,
                        int sampleNodes, String evictionPolicy, long seed) {
    public static TenantSim defaults() {
        return new TenantSim(".", 1000, 10_000, 100, 10, 5000, 100, 2, 0.9, 10_000, 20_000, 60, 120, 64, EvictionPolicies.DEFAULT, 1);
    }

    public static TenantSim load(List<String> args) {
        List<String> flags = args.stream().filter(a -> a.startsWith("--")).toList();
        TenantSim s = dev.meshwork.config.ConfigLoader.load(TenantSim.class, defaults(), "MESHWORK_TENANT_SIM_", java.util.Map.of(), flags)
                .config();
        if (s.aggressors() < 1 || s.aggressors() >= s.tenants() || s.nodes() < 1 || s.hotModels() < 1 || s.coldModels() < 1
                || s.headroom() <= 0 || s.aloneSeconds() < 30 || s.stormSeconds() <= 0 || s.guaranteedShare() <= 0 || s.guaranteedShare() > 1) {
            throw new IllegalArgumentException("tenant-sim: need 1 <= aggressors < tenants, nodes, hotModels and coldModels >= 1, headroom > 0,"
                    + " aloneSeconds >= 30, stormSeconds > 0 and guaranteedShare in (0, 1]");
        }
        return s;
    }

    public String command() {
        return "./meshwork bench tenant-sim --nodes=" + nodes + " --tenants=" + tenants + " --aggressors=" + aggressors + " --hotModels="
                + hotModels + " --coldModels=" + coldModels + " --modelMb=" + modelMb + " --headroom=" + headroom + " --guaranteedShare="
                + guaranteedShare + " --victimRate=" + victimRate + " --aggressorRate=" + aggressorRate + " --aloneSeconds=" + aloneSeconds
                + " --stormSeconds=" + stormSeconds;
    }
}
