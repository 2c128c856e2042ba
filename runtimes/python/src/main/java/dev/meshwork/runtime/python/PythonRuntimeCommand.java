package dev.meshwork.runtime.python;

import dev.meshwork.runtime.CachedFiles;
import dev.meshwork.runtime.RuntimeCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code meshwork-python-runtime}: Meshwork's Python runtime (scikit-learn, XGBoost, MLflow), a zip
 * application built from {@code runtimes/python/src/main/python} and the messages protoc generated
 * from Meshwork's own .proto files. It is copied out of this jar once per user and content
 * ({@code ~/.cache/meshwork/python/}) and run by {@code $MESHWORK_PYTHON}, else Debian's
 * {@code /usr/bin/python3} (where the apt packages it needs go), else {@code python3} on the path.
 * The import check runs once per process and is remembered. Thread-safe.
 */
public final class PythonRuntimeCommand implements RuntimeCommand {
    public static final String NAME = "meshwork-python-runtime";
    static final String RESOURCE = "meshwork-python.zip";
    private static final long CHECK_TIMEOUT_S = 60;
    private static volatile Optional<String> checked;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>(List.of(python(), program().toString()));
        argv.addAll(args);
        return argv;
    }

    @Override
    public Optional<String> unavailable() {
        Optional<String> known = checked;
        if (known == null) {
            synchronized (PythonRuntimeCommand.class) {
                known = checked;
                if (known == null) {
                    known = check();
                    checked = known;
                }
            }
        }
        return known;
    }

    /** The interpreter: {@code $MESHWORK_PYTHON}, else {@code /usr/bin/python3} where it exists, else {@code python3}. */
    static String python() {
        String configured = System.getenv("MESHWORK_PYTHON");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** The zip application on disk, copied from this jar the first time this content is asked for. */
    static Path program() {
        try {
            byte[] zip;
            try (InputStream in = PythonRuntimeCommand.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException(RESOURCE + " is missing from the build of meshwork-runtime-python");
                }
                zip = in.readAllBytes();
            }
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip)).substring(0, 16);
            return CachedFiles.copyOnce(CachedFiles.root("python"), "meshwork-python-" + digest + ".zip", () -> new java.io.ByteArrayInputStream(zip));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack Meshwork's Python runtime", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Optional<String> check() {
        String python = python();
        Process p;
        try {
            p = new ProcessBuilder(argv(List.of("--check"))).redirectErrorStream(true).start();
        } catch (IOException e) {
            return Optional.of("the Python runtime cannot start: " + python + " does not run (" + e.getMessage()
                    + "); install Python 3 and its packages with: apt-get install -y python3 python3-numpy python3-protobuf "
                    + "python3-grpcio python3-joblib python3-sklearn python3-xgboost, or set MESHWORK_PYTHON");
        } catch (UncheckedIOException e) {
            return Optional.of(e.getMessage() + ": " + e.getCause().getMessage());
        }
        try {
            if (!p.waitFor(CHECK_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("the Python runtime cannot start: '" + python + " --check' did not answer within " + CHECK_TIMEOUT_S + " s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() == 0) {
                return Optional.empty();
            }
            String last = out.isEmpty() ? "exit status " + p.exitValue() : out.lines().reduce((a, b) -> b).orElse(out);
            return Optional.of(last.startsWith("the Python runtime") ? last : "the Python runtime cannot start (" + python + "): " + last);
        } catch (IOException e) {
            return Optional.of("the Python runtime cannot start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking the Python runtime");
        }
    }
}
