package dev.meshwork.state.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routers that start at the same moment on one shared H2 file (AUTO_SERVER): H2's file lock refuses
 * the one that comes second by a hair ("Lock file recently modified"); the store waits for the race
 * to settle and opens the file, so neither router exits. Real processes, several rounds.
 */
class SharedStoreOpenRaceTest {
    @Test
    void twoProcessesOpeningTheFileAtOnceBothSucceed(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int round = 0; round < 2; round++) {
            String url = "jdbc:h2:file:" + dir.resolve("registry-" + round).toAbsolutePath() + ";WRITE_DELAY=0;AUTO_SERVER=TRUE";
            // the router that served the file is killed first, leaving its lock file behind, as when two routers restart
            Path holderLog = dir.resolve("round-" + round + "-holder.log");
            Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OpenSharedStore.class.getName(), url,
                    "0", "holder", "60000").redirectErrorStream(true).redirectOutput(holderLog.toFile()).start();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(holderLog).contains("holding") && System.nanoTime() < until && holder.isAlive()) {
                Thread.sleep(20);
            }
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long startAt = System.currentTimeMillis() + 700;
            List<Process> processes = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                Path log = dir.resolve("round-" + round + "-" + p + ".log");
                logs.add(log);
                processes.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OpenSharedStore.class.getName(), url,
                        Long.toString(startAt), "m-" + p).redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            for (int p = 0; p < 2; p++) {
                assertThat(processes.get(p).waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(processes.get(p).exitValue()).as("round %d, process %d:%n%s", round, p, Files.readString(logs.get(p))).isZero();
            }
        }
    }
}
