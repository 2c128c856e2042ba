package dev.meshwork.runtime.python;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.testing.MeshProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python runtime's own unit tests ({@code src/test/python}, Python's unittest) against the
 * zip application this build made, with the interpreter nodes use. They need Debian's packages,
 * which {@code bin/python-deps} installs; without them this test fails and says so.
 */
class PythonUnitTestsTest {
    static final Path MODULE = MeshProcess.repoRoot().resolve("runtimes/python");

    @Test
    void thePythonTestsPass() throws Exception {
        Path zip = MODULE.resolve("target/classes/dev/meshwork/runtime/python/meshwork-python.zip");
        assertThat(zip).as("the build's zip application").isRegularFile();
        Path tests = MODULE.resolve("src/test/python");
        String python = PythonRuntimeCommand.python();
        ProcessBuilder b = new ProcessBuilder(List.of(python, "-B", "-m", "unittest", "discover", "-s", tests.toString(), "-v"))
                .redirectErrorStream(true);
        b.environment().put("PYTHONPATH", zip + ":" + tests);
        b.environment().put("MESHWORK_PYTHON_ZIP", zip.toString());
        b.environment().put("MESHWORK_EXAMPLES", MeshProcess.repoRoot().resolve("examples/python").toString());
        Path log = Files.createTempFile("meshwork-python-tests-", ".log");
        try {
            Process p = b.redirectOutput(log.toFile()).start();
            boolean ended = p.waitFor(5, TimeUnit.MINUTES);
            if (!ended) {
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(out);
            assertThat(ended).as("the Python tests ended within 5 minutes").isTrue();
            assertThat(p.exitValue()).as("python -m unittest exit status (is bin/python-deps run?):%n%s", out).isZero();
            Matcher ran = Pattern.compile("Ran (\\d+) tests").matcher(out);
            assertThat(ran.find()).as(out).isTrue();
            assertThat(Integer.parseInt(ran.group(1))).as("tests run").isGreaterThanOrEqualTo(20);
            assertThat(out).as("no Python test is skipped").doesNotContain("skipped");
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
