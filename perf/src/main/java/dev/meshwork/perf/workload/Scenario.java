package dev.meshwork.perf.workload;

import java.util.List;

/**
 * A workload scenario: a file under {@code perf/scenarios/} (YAML, any key may be left out and then
 * takes the default below) plus command-line overrides ({@code --arrivals.rate=500}). Immutable.
 *
 * @param root          the repository root (results go under perf/results/, artifacts under perf/target/)
 * @param name          the scenario's name, which is its file's name without {@code .yaml}
 * @param description   one sentence for the summary
 * @param mesh          which mesh to drive: one this run starts, or one at given addresses
 * @param models        the registered models and their sizes
 * @param capacityShare the mesh's model memory as a share of all the models' bytes (a mesh this run starts)
 * @param popularity    which models requests ask for
 * @param arrivals      when requests are sent (open loop)
 * @param grpcShare     the share of requests sent over gRPC; the others go over REST v2
 * @param loop          open (arrivals on schedule) or closed (users that wait for their answer)
 * @param warmupSeconds sent but not recorded in the latency figures
 * @param seconds       recorded time
 * @param seed          the random seed of sizes, popularity and arrivals
 */
public record Scenario(String root, String name, String description, Mesh mesh, Models models, double capacityShare,
                       Popularity popularity, Arrivals arrivals, double grpcShare, Loop loop, double warmupSeconds, double seconds,
                       long seed) {

    public static Scenario defaults() {
        return new Scenario(".", "", "", new Mesh(0, "", "", List.of(), List.of()), new Models(200, "add-vectors", 2, 0.5, ""), 0.2,
                new Popularity(1.0, 0, 0), new Arrivals(200, List.of()), 0.5, new Loop("open", 8, 20_000), 5, 30, 1);
    }

    /**
     * @param nodes  node processes of a mesh this run starts (0: one standalone process)
     * @param rest   a running mesh's REST base URL ({@code http://127.0.0.1:8080}); with {@code grpc}, no mesh is started
     * @param grpc   a running mesh's gRPC address ({@code 127.0.0.1:8081})
     * @param routerFlags extra flags for the router (or the standalone process), e.g. {@code --scaling.maxCopies=2}
     * @param nodeFlags   extra flags for each node (or the standalone process), e.g. {@code --node.evictionPolicy=gdsf}
     */
    public record Mesh(int nodes, String rest, String grpc, List<String> routerFlags, List<String> nodeFlags) {
        public Mesh {
            routerFlags = routerFlags == null ? List.of() : List.copyOf(routerFlags);
            nodeFlags = nodeFlags == null ? List.of() : List.copyOf(nodeFlags);
        }

        public boolean external() {
            return !rest.isEmpty();
        }
    }

    /**
     * @param count    registered models (ids {@code w-00000} ...)
     * @param example  the ONNX example in examples/onnx every model is a copy of
     * @param medianMb the median of the models' memory sizes (log-normal)
     * @param sizeSigma the log-normal sigma of the sizes (0: all the median)
     * @param dir      where the artifacts are written; empty for perf/target/workload/NAME (a mesh at given
     *                 addresses must have it under its {@code node.storage.roots})
     */
    public record Models(int count, String example, double medianMb, double sizeSigma, String dir) {
    }

    /**
     * @param zipf       the popularity exponent (0: uniform)
     * @param shiftEvery rotate the popularity ranking every this many requests (0: never), so hot models cool down
     * @param shiftBy    ranks per rotation
     */
    public record Popularity(double zipf, int shiftEvery, int shiftBy) {
    }

    /**
     * @param rate   mean requests per second, Poisson arrivals
     * @param bursts windows with another rate
     */
    public record Arrivals(double rate, List<Burst> bursts) {
        public Arrivals {
            bursts = bursts == null ? List.of() : List.copyOf(bursts);
        }

        /** The rate at {@code t} seconds after the start. */
        public double rateAt(double t) {
            for (Burst b : bursts) {
                if (t >= b.atSeconds() && t < b.atSeconds() + b.seconds()) {
                    return b.rate();
                }
            }
            return rate;
        }
    }

    /** From {@code atSeconds} (after the start, warm-up included) for {@code seconds}, requests arrive at {@code rate}. */
    public record Burst(double atSeconds, double seconds, double rate) {
    }

    /**
     * @param kind        {@code open} or {@code closed}
     * @param users       closed loop: concurrent users
     * @param maxInFlight open loop: requests outstanding at once; an arrival beyond it counts as an error
     *                    (the generator's own limit, so a stalled mesh cannot exhaust its memory)
     */
    public record Loop(String kind, int users, int maxInFlight) {
        public boolean open() {
            return kind.equals("open");
        }
    }

    /**
     * The scenario of {@code file}, then the flags ({@code --arrivals.rate=500}); {@code --nodes N}
     * is {@code --mesh.nodes=N}, and {@code --rest=URL --grpc=HOST:PORT} drive a running mesh.
     * Words that are not flags (the scenario's name) are skipped. Throws with the key at fault.
     */
    public static Scenario load(java.nio.file.Path file, List<String> args) {
        List<String> flags = new java.util.ArrayList<>(List.of("--config=" + file,
                "--name=" + file.getFileName().toString().replaceFirst("\\.yaml$", "")));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                continue;
            }
            if (a.equals("--nodes") && i + 1 < args.size()) {
                a = "--nodes=" + args.get(++i);
            }
            flags.add(a.startsWith("--nodes=") || a.startsWith("--rest=") || a.startsWith("--grpc=") ? "--mesh." + a.substring(2) : a);
        }
        return dev.meshwork.config.ConfigLoader.load(Scenario.class, defaults(), "MESHWORK_SCENARIO_", java.util.Map.of(), flags).config().validate();
    }

    /** Checks the values the file and flags gave, with a message that names the key. */
    public Scenario validate() {
        require(models.count() > 0, "models.count must be at least 1");
        require(models.medianMb() > 0, "models.medianMb must be above 0");
        require(capacityShare > 0 && capacityShare <= 1, "capacityShare must be in (0, 1]");
        require(grpcShare >= 0 && grpcShare <= 1, "grpcShare must be in [0, 1]");
        require(loop.kind().equals("open") || loop.kind().equals("closed"), "loop.kind must be open or closed, not '" + loop.kind() + "'");
        require(!loop.open() || arrivals.rate() > 0, "arrivals.rate must be above 0 for an open loop");
        require(loop.open() || loop.users() > 0, "loop.users must be at least 1 for a closed loop");
        require(seconds > 0 && warmupSeconds >= 0, "seconds must be above 0 and warmupSeconds not negative");
        require(mesh.external() == !mesh.grpc().isEmpty(), "mesh.rest and mesh.grpc go together: both or neither");
        require(mesh.nodes() >= 0, "mesh.nodes must not be negative");
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("scenario: " + message);
        }
    }
}
