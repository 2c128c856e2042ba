package dev.meshwork.node.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The crash ledger against a real directory, with marks left by a real process that is gone. */
class CrashLedgerTest {
    @TempDir
    Path dir;

    static ModelSpec spec(String id, String uri) {
        return new ModelSpec(id, new ModelFormat("xgboost", ""), uri, "", 0);
    }

    /** A mark as a process that died mid-load leaves it: written by another pid that no longer runs. */
    private void markLeftByDeadProcess(CrashLedger ledger, ModelSpec spec) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ledger.beginLoad(spec); // never closed: the process "dies" here
        try (Stream<Path> files = Files.list(dir)) {
            Path mark = files.filter(p -> p.toString().endsWith(".loading")).findFirst().orElseThrow();
            Files.writeString(mark, Files.readString(mark).replaceFirst("pid=\\d+", "pid=" + gone.pid()));
        }
    }

    @Test
    void aLoadThatEndsLeavesNothingBehind() {
        CrashLedger ledger = new CrashLedger(dir, 2);
        try (CrashLedger.Mark ignored = ledger.beginLoad(spec("a", "/m/a.json"))) {
            assertThat(dir.toFile().list()).hasSize(1);
        }
        assertThat(dir.toFile().list()).isEmpty();
        assertThat(new CrashLedger(dir, 2).refusal(spec("a", "/m/a.json"))).isEmpty();
    }

    @Test
    void aMarkLeftByADeadProcessPoisonsThatRegistrationUntilForgotten() throws Exception {
        ModelSpec bad = spec("bad", "/m/bad.json");
        markLeftByDeadProcess(new CrashLedger(dir, 2), bad);

        CrashLedger restarted = new CrashLedger(dir, 2);
        assertThat(restarted.refusal(bad)).hasValueSatisfying(r -> assertThat(r).contains("died while loading it")
                .containsPattern("load started \\d{4}-\\d{2}-\\d{2}T")
                .contains("not loaded again until it is unloaded or registered again"));
        assertThat(restarted.refusal(spec("bad", "/m/fixed.json"))).as("a new registration under the id").isEmpty();
        assertThat(new CrashLedger(dir, 2).refusal(bad)).as("still there after another restart").isPresent();

        restarted.forget("bad");
        assertThat(restarted.refusal(bad)).isEmpty();
        assertThat(new CrashLedger(dir, 2).refusal(bad)).as("forgotten for good").isEmpty();
    }

    @Test
    void aMarkOfAProcessThatStillRunsIsLeftAlone() {
        CrashLedger live = new CrashLedger(dir, 2);
        ModelSpec spec = spec("m", "/m/m.json");
        try (CrashLedger.Mark ignored = live.beginLoad(spec)) {
            // another node process sharing the directory starts while this load runs: the mark is this (live) pid's
            assertThat(new CrashLedger(dir, 2).refusal(spec)).isEmpty();
        }
    }

    @Test
    void inferenceCrashesCountUpToTheLimit() {
        CrashLedger ledger = new CrashLedger(dir, 2);
        ModelSpec spec = spec("m", "/m/m.json");
        assertThat(ledger.inferenceCrashed(spec, "the process of runtime xgboost-0 (pid 1) died with SIGSEGV")).isEmpty();
        assertThat(ledger.refusal(spec)).isEmpty();
        assertThat(ledger.inferenceCrashed(spec, "the process of runtime xgboost-0 (pid 2) died with SIGSEGV"))
                .hasValueSatisfying(r -> assertThat(r).contains("while running its requests, 2 times"));
        assertThat(new CrashLedger(dir, 2).refusal(spec)).isPresent();
    }

    @Test
    void overlappingLoadsOfOneModelKeepTheirOwnMarks() throws Exception {
        CrashLedger ledger = new CrashLedger(dir, 2);
        ModelSpec spec = spec("m", "/m/m.json");
        CrashLedger.Mark closing = ledger.beginLoad(spec); // the unloaded registration's copy, still closing
        try (CrashLedger.Mark ignored = ledger.beginLoad(spec)) { // the new registration's load
            closing.close();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.filter(p -> p.toString().endsWith(".loading")).count()).as("the running load's mark stays").isOne();
            }
        }
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void aProcessThatEndsInOrderLeavesNoMarkOfTheLoadsItWasRunning() {
        CrashLedger ledger = new CrashLedger(dir, 2);
        ledger.beginLoad(spec("slow", "/m/slow.json")); // still loading when SIGTERM comes
        ledger.endInOrder();
        assertThat(dir.toFile().list()).isEmpty();
        assertThat(new CrashLedger(dir, 2).refusal(spec("slow", "/m/slow.json"))).isEmpty();
    }
}
