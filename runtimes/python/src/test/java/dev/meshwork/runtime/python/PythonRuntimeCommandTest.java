package dev.meshwork.runtime.python;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.runtime.RuntimeCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PythonRuntimeCommandTest {
    @Test
    void theNodeFindsItByNameAndRunsTheZipApplicationWithDebiansPython() {
        RuntimeCommand c = RuntimeCommand.named("meshwork-python-runtime").orElseThrow();
        List<String> argv = c.argv(List.of("--workers=2"));
        assertThat(argv).hasSize(3);
        assertThat(argv.get(0)).isEqualTo(System.getenv("MESHWORK_PYTHON") != null ? System.getenv("MESHWORK_PYTHON") : "/usr/bin/python3");
        Path zip = Path.of(argv.get(1));
        assertThat(zip).isRegularFile();
        assertThat(zip.getParent()).isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "meshwork", "python"));
        assertThat(zip.getFileName().toString()).matches("meshwork-python-[0-9a-f]{16}\\.zip");
        assertThat(argv.get(2)).isEqualTo("--workers=2");
        assertThat(c.argv(List.of()).get(1)).as("the same content is unpacked once").isEqualTo(argv.get(1));
        assertThat(RuntimeCommand.named("no-such-program")).isEmpty();
    }

    @Test
    void itCanRunHere() throws Exception {
        assertThat(new PythonRuntimeCommand().unavailable()).as("bin/python-deps installs what it needs").isEmpty();
        assertThat(Files.isExecutable(Path.of(PythonRuntimeCommand.python()))).isTrue();
    }
}
