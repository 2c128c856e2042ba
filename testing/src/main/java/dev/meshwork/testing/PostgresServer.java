package dev.meshwork.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the test's own: Debian's binaries ({@code bin/test-deps} installs them), a
 * fresh cluster in a temporary directory, listening on a free loopback port and a socket directory
 * of its own. PostgreSQL refuses to run as root, so under root every command runs as {@code nobody}
 * ({@code setpriv}). It can be stopped (fast or immediate, as a crash) and started again on the same
 * data. One test thread drives it.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final Path home;
    private final Path data;
    private final int port;
    private final boolean asNobody;

    private PostgresServer(Path bin, Path home, int port, boolean asNobody) {
        this.bin = bin;
        this.home = home;
        this.data = home.resolve("data");
        this.port = port;
        this.asNobody = asNobody;
    }

    /** Makes a cluster (user {@code meshwork}, trust on loopback) and starts it. */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path home = Files.createTempDirectory("meshwork-postgres");
        boolean root = "root".equals(System.getProperty("user.name"));
        PostgresServer pg = new PostgresServer(bin, home, FreePorts.next(), root);
        if (root) {
            pg.run(List.of("chown", "-R", "nobody:nogroup", home.toString()), false);
        }
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "meshwork", "--auth=trust", "-E", "UTF8",
                "--no-sync"), true);
        pg.startAgain();
        return pg;
    }

    /** Debian's newest PostgreSQL, or the one on the PATH. */
    private static Path binaries() throws IOException {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            List<Path> versions = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(debian)) {
                s.forEach(v -> {
                    if (Files.isExecutable(v.resolve("bin/postgres"))) {
                        versions.add(v.resolve("bin"));
                    }
                });
            }
            versions.sort(Comparator.comparingInt(p -> Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0"))));
            if (!versions.isEmpty()) {
                return versions.get(versions.size() - 1);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) {
                return Path.of(dir);
            }
        }
        throw new IllegalStateException("no PostgreSQL binaries (/usr/lib/postgresql/*/bin or initdb on the PATH): run bin/test-deps");
    }

    /** Starts the server on its data (after {@link #stop}); waits until it takes connections. */
    public void startAgain() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", home.resolve("postgres.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + home + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"), true);
    }

    /** Stops the server: {@code immediate} is as a crash (no checkpoint, clients cut off); else a fast shutdown. */
    public void stop(boolean immediate) throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-m", immediate ? "immediate" : "fast", "stop"),
                true);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=meshwork&connectTimeout=2&socketTimeout=10";
    }

    public int port() {
        return port;
    }

    private void run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asServerUser && asNobody) {
            cmd.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(home.resolve("commands.log").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n"
                    + Files.readString(home.resolve("commands.log")) + (Files.exists(home.resolve("postgres.log"))
                    ? "\n" + Files.readString(home.resolve("postgres.log")) : ""));
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stop(true);
        } catch (IllegalStateException e) {
            // not running
        }
        try (var files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
