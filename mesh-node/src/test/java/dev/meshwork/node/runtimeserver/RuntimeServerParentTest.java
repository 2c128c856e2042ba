package dev.meshwork.node.runtimeserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An isolated slot's process (a real runtime-server JVM) ends with the node that started it, even
 * when that node was already gone before the child got as far as watching it (the case that left
 * an orphan behind: a node killed while its child JVM was starting).
 */
class RuntimeServerParentTest {
    static Process runtimeServer(Path dir, long parentPid) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(List.of(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.meshwork.node.runtimeserver.RuntimeServerMain", "--socket=" + dir.resolve("rt.sock"), "--parentPid=" + parentPid,
                "--node.isolation.stateDir=" + dir.resolve("state"), "--node.storage.cacheDir=" + dir.resolve("cache")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
    }

    @Test
    void aChildWhoseNodeIsAlreadyGoneExitsAtOnce(@TempDir Path dir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Process child = runtimeServer(dir, gone.pid());
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exited by itself").isTrue();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aChildEndsWhenItsNodeEnds(@TempDir Path dir) throws Exception {
        Process node = new ProcessBuilder("sleep", "600").start();
        Process child = runtimeServer(dir, node.pid());
        try {
            assertThat(child.waitFor(3, TimeUnit.SECONDS)).as("still serving while its node lives").isFalse();
            node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("gone with its node").isTrue();
        } finally {
            child.destroyForcibly();
            node.destroyForcibly();
        }
    }
}
