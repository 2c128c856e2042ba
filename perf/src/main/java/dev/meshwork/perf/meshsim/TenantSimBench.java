package dev.meshwork.perf.meshsim;

import dev.meshwork.perf.ResultWriter;
import dev.meshwork.perf.chart.LineChart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code ./meshwork bench tenant-sim}: the noisy-neighbour scenario in the placement simulator, fair share off and on, same trace. */
public final class TenantSimBench {
    private final TenantSim config;

    public TenantSimBench(TenantSim config) {
        this.config = config;
    }

    public String run() throws Exception {
        List<TenantSimulator.Result> results = new ArrayList<>();
        for (boolean fair : new boolean[]{false, true}) {
            System.err.printf("tenant-sim: fair share %s...%n", fair ? "on" : "off");
            results.add(new TenantSimulator(config, fair).run());
        }
        String summary = summary(results);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sim", config);
        settings.put("command", config.command());
        Path root = Path.of(config.root()).toAbsolutePath().normalize();
        Path dir = ResultWriter.write(root, "tenant-sim", settings, results, summary);
        LineChart chart = new LineChart("Victims' hit ratio per simulated second, fair share off and on", "seconds", "hit ratio");
        for (TenantSimulator.Result r : results) {
            double[] x = r.windows().stream().mapToDouble(TenantSimulator.Window::second).toArray();
            double[] y = r.windows().stream().mapToDouble(w -> w.victimRequests() == 0 ? Double.NaN : w.victimHits() / (double) w.victimRequests())
                    .toArray();
            chart.add("fair share " + (r.fair() ? "on" : "off"), x, y);
        }
        chart.shade(config.aloneSeconds(), config.aloneSeconds() + config.stormSeconds(), "aggressors' storm").write(dir.resolve("victim-hit-ratio.png"));
        return summary + "\nresults: " + root.relativize(dir) + "\n";
    }

    private String summary(List<TenantSimulator.Result> results) {
        StringBuilder b = new StringBuilder("# tenant-sim\n\n");
        b.append(String.format(Locale.ROOT, "%,d nodes; %,d tenants: %,d victims with %d hot models each at %,.0f req/s in all, and %d aggressors"
                        + " that, after %.0f s, cycle through %,d cold models each at %,.0f req/s in all for %.0f s. Models of %d MiB; the mesh"
                        + " holds the victims' models %.1f times over. Fair share guarantees %.0f%% of the mesh, split equally.%n%n",
                config.nodes(), config.tenants(), config.tenants() - config.aggressors(), config.hotModels(), config.victimRate(),
                config.aggressors(), config.aloneSeconds(), config.coldModels(), config.aggressorRate(), config.stormSeconds(), config.modelMb(),
                config.headroom(), 100 * config.guaranteedShare()));
        b.append("| fair share | victims' hit ratio alone (last 30 s) | in the storm | victims' copies evicted in the storm | aggressors' hit ratio"
                + " | aggressors' loads refused | loads | evictions | wall s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (TenantSimulator.Result r : results) {
            b.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %,d | %.4f | %,d | %,d | %,d | %.1f |%n", r.fair() ? "on" : "off",
                    r.victimHitAlone(), r.victimHitStorm(), r.victimCopiesEvicted(), r.aggressorHitStorm(), r.aggressorLoadsRefused(), r.loads(),
                    r.evictions(), r.wallSeconds()));
        }
        b.append("\nCommand: `").append(config.command()).append("`\n");
        return b.toString();
    }
}
