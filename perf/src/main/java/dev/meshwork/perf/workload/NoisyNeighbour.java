package dev.meshwork.perf.workload;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The noisy-neighbour scenario ({@code perf/scenarios/tenants/noisy-neighbour.yaml} plus flags):
 * a victim tenant serving a few hot models at a steady rate, and an aggressor that, mid-run, cycles
 * through many cold models, on a mesh whose memory holds the victim's set several times over but
 * not the aggressor's. Run with fair eviction off and on, side by side. Immutable.
 *
 * @param root          the repository root
 * @param description   one sentence for the summary
 * @param nodes         node processes (one router in front)
 * @param slotMb        each node's ONNX slot, in MiB
 * @param modelMb       every model's memory (copies of add-vectors padded to it)
 * @param victim        the tenant that should not be hurt
 * @param aggressor     the tenant that churns
 * @param aloneSeconds  the victim alone (after warm-up)
 * @param stormSeconds  the aggressor's storm, the victim going on
 * @param warmupSeconds the victim alone, not recorded
 * @param windowSeconds the width of a point in the charts
 * @param rounds        runs of each mode, alternating off and on
 * @param grpcShare     the share of requests sent over gRPC; the others go over REST v2
 * @param seed          the random seed of arrivals and protocols
 */
public record NoisyNeighbour(String root, String description, int nodes, double slotMb, double modelMb, Victim victim,
                             Aggressor aggressor, double aloneSeconds, double stormSeconds, double warmupSeconds, double windowSeconds,
                             int rounds, double grpcShare, long seed) {
    /**
     * @param models its hot models, asked for uniformly
     * @param rate   requests per second (Poisson)
     * @param share  its guaranteed memory share when fair eviction is on ({@code "40%"})
     */
    public record Victim(int models, double rate, String share) {
    }

    /**
     * @param models            its cold models, asked for in turn
     * @param rate              requests per second (Poisson) during the storm
     * @param requestsPerSecond its rate limit in both modes (0: none)
     */
    public record Aggressor(int models, double rate, double requestsPerSecond) {
    }

    public static NoisyNeighbour defaults() {
        return new NoisyNeighbour(".", "", 2, 24, 1.5, new Victim(10, 40, "40%"), new Aggressor(1000, 120, 100), 20, 30, 5, 2, 1, 0.5, 1);
    }

    /** The scenario of the shipped file under {@code root}, then the flags ({@code --stormSeconds=10}). */
    public static NoisyNeighbour load(Path root, List<String> args) {
        List<String> flags = new ArrayList<>(List.of("--config=" + root.resolve("perf/scenarios/tenants/noisy-neighbour.yaml"),
                "--root=" + root));
        args.stream().filter(a -> a.startsWith("--") && !a.startsWith("--root=")).forEach(flags::add);
        return dev.meshwork.config.ConfigLoader.load(NoisyNeighbour.class, defaults(), "MESHWORK_NOISY_", java.util.Map.of(), flags)
                .config().validate();
    }

    public NoisyNeighbour validate() {
        require(nodes >= 1, "nodes must be at least 1");
        require(victim.models() >= 1 && aggressor.models() >= 1, "victim.models and aggressor.models must be at least 1");
        require(victim.rate() > 0 && aggressor.rate() > 0, "victim.rate and aggressor.rate must be above 0");
        require(aloneSeconds > 0 && stormSeconds > 0 && warmupSeconds >= 0 && windowSeconds > 0, "the phases must be above 0 seconds");
        require(rounds >= 1, "rounds must be at least 1");
        require(grpcShare >= 0 && grpcShare <= 1, "grpcShare must be in [0, 1]");
        double victimMb = victim.models() * modelMb;
        require(victimMb <= nodes * slotMb, "the victim's models (" + victimMb + " MiB) must fit in the mesh (" + nodes * slotMb + " MiB)");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("noisy-neighbour: " + message);
        }
    }

    /** The command that repeats a run. */
    public String command() {
        return "./meshwork bench noisy-neighbour --nodes=" + nodes + " --slotMb=" + slotMb + " --modelMb=" + modelMb
                + " --victim.models=" + victim.models() + " --victim.rate=" + victim.rate() + " --victim.share=" + victim.share()
                + " --aggressor.models=" + aggressor.models() + " --aggressor.rate=" + aggressor.rate()
                + " --aggressor.requestsPerSecond=" + aggressor.requestsPerSecond() + " --aloneSeconds=" + aloneSeconds
                + " --stormSeconds=" + stormSeconds + " --warmupSeconds=" + warmupSeconds + " --rounds=" + rounds;
    }
}
