package dev.meshwork.state.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshwork.placement.registry.RegistryStore;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry store in a SQL database over JDBC: one table of JSON documents keyed by kind and id.
 * The default is an embedded H2 file; PostgreSQL works with its URL. Each save or delete is its
 * own committed transaction before it returns. One connection, used under this object's monitor
 * (registrations are rare next to inference, which never touches the store). A connection that
 * breaks (the router serving a shared H2 file died, PostgreSQL restarted) is replaced: a failed
 * operation opens a new one and runs once more, and {@link #healthy} (readiness, a metric) checks
 * the connection at most every few seconds and reconnects when it can.
 */
public final class JdbcRegistryStore implements RegistryStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcRegistryStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String TABLE = "meshwork_registry";
    private static final long CHECK_EVERY_NANOS = 5_000_000_000L;
    private final String url;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private Connection connection;
    /** Whether the last use or check of the store worked; read by readiness probes without the monitor. */
    private volatile boolean up = true;
    private long checkedAtNanos = System.nanoTime();
    /** Closed by its owner: it never reconnects. */
    private boolean closed;

    public JdbcRegistryStore(String url, String user, String password) {
        this.url = displayUrl(url);
        this.jdbcUrl = url;
        this.user = user;
        this.password = password;
        try {
            this.connection = firstConnection();
            try (Statement s = connection.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                        + " (kind VARCHAR(16) NOT NULL, id VARCHAR(255) NOT NULL, doc VARCHAR(65536) NOT NULL, PRIMARY KEY (kind, id))");
            }
            connection.commit();
        } catch (SQLException e) {
            throw new MeshError(ErrorCode.UNAVAILABLE, "cannot open the registry store " + this.url + ": "
                    + String.valueOf(e.getMessage()).replace(url, this.url), null); // drivers quote the whole URL
        }
    }

    /** How long a start waits out H2's lock race on a shared file. */
    private static final long LOCK_RACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(20);

    /**
     * The first connection. Routers that start together on one shared H2 file (after both were
     * killed, say) race for its lock file, and H2 refuses the one that comes second by a hair with
     * "Lock file recently modified" or "Another process was faster", or "Locked by another process"
     * until the winner serves the file, or finds the server the lock file names gone as it connects
     * ("Connection is broken"); a moment later the second finds the first serving it. So that error is
     * waited out (bounded), not fatal.
     */
    private Connection firstConnection() throws SQLException {
        long deadline = System.nanoTime() + LOCK_RACE_NANOS;
        for (long pause = 200; ; pause = Math.min(2_000, pause * 2)) {
            try {
                return connect();
            } catch (SQLException e) {
                if (!lockRace(e) || System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(pause) > deadline) {
                    throw e;
                }
                LOG.info("the registry store {} is being opened by another process at the same moment; trying again in {} ms", url, pause);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * What H2's file lock says to the process that lost a race for it (its FileLock's messages), and what
     * its AUTO_SERVER client says when the server named in the lock file goes as it connects (the killed
     * process that left the file, or the winner of the race before it serves: "Connection is broken").
     */
    private static final java.util.List<String> LOCK_RACE = java.util.List.of("Lock file recently modified", "Another process was faster",
            "Concurrent update", "Locked by another process", "Connection is broken");

    static boolean lockRace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            // the last is what H2 says while the process that took the lock has not yet started serving the file
            if (LOCK_RACE.stream().anyMatch(m::contains)) {
                return true;
            }
        }
        return false;
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        c.setAutoCommit(false);
        return c;
    }

    /** One statement sequence, with a new connection and one more try when the first fails (a broken connection). */
    private interface Work<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    private <T> T withConnection(String what, Work<T> work) {
        if (closed) {
            throw failure(what, new SQLException("the store is closed"));
        }
        try {
            T out = work.run(connection);
            up = true;
            return out;
        } catch (SQLException | IOException first) {
            rollback();
            if (!(first instanceof SQLException) || !reconnect()) {
                up = !(first instanceof SQLException);
                throw failure(what, first);
            }
            try {
                T out = work.run(connection); // every operation here is idempotent: a save replaces, a delete deletes
                up = true;
                return out;
            } catch (SQLException | IOException second) {
                rollback();
                up = false;
                throw failure(what, second);
            }
        }
    }

    /** Replaces the connection; false when the store cannot be reached. */
    private boolean reconnect() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // it is broken already
        }
        try {
            connection = connect();
            LOG.info("reconnected to the registry store {}", url);
            return true;
        } catch (SQLException e) {
            LOG.warn("the registry store {} cannot be reached: {}", url, String.valueOf(e.getMessage()).replace(jdbcUrl, url));
            return false;
        }
    }

    /**
     * Whether the store can be used: the outcome of its last use, checked again (and the connection
     * replaced if it broke) when that is more than a few seconds old.
     */
    @Override
    public boolean healthy() {
        synchronized (this) {
            if (!closed && System.nanoTime() - checkedAtNanos > CHECK_EVERY_NANOS) {
                checkedAtNanos = System.nanoTime();
                boolean valid;
                try {
                    valid = connection.isValid(2);
                } catch (SQLException e) {
                    valid = false;
                }
                up = valid || reconnect();
            }
        }
        return up;
    }

    /** A JDBC URL fit for messages: without what follows '?', where a PostgreSQL URL may carry the password. */
    public static String displayUrl(String jdbcUrl) {
        return jdbcUrl.replaceAll("\\?.*$", "");
    }

    @Override
    public synchronized <T> Map<String, T> loadAll(String kind, Class<T> type) {
        return withConnection("read the " + kind + "s", c -> {
            Map<String, T> out = new LinkedHashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT id, doc FROM " + TABLE + " WHERE kind = ? ORDER BY id")) {
                q.setString(1, kind);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), JSON.readValue(rs.getString(2), type));
                    }
                }
            }
            c.commit();
            return out;
        });
    }

    @Override
    public synchronized void save(String kind, String id, Object document) {
        withConnection("save " + kind + " '" + id + "'", c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM " + TABLE + " WHERE kind = ? AND id = ?");
                 PreparedStatement ins = c.prepareStatement("INSERT INTO " + TABLE + " (kind, id, doc) VALUES (?, ?, ?)")) {
                del.setString(1, kind);
                del.setString(2, id);
                del.executeUpdate();
                ins.setString(1, kind);
                ins.setString(2, id);
                ins.setString(3, JSON.writeValueAsString(document));
                ins.executeUpdate();
            }
            c.commit();
            return null;
        });
    }

    @Override
    public synchronized void delete(String kind, String id) {
        withConnection("delete " + kind + " '" + id + "'", c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM " + TABLE + " WHERE kind = ? AND id = ?")) {
                del.setString(1, kind);
                del.setString(2, id);
                del.executeUpdate();
            }
            c.commit();
            return null;
        });
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the failure being reported matters more
        }
    }

    /** What the client hears is what failed, never the database's own words (they quote SQL and values); the log has those. */
    private MeshError failure(String what, Exception e) {
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? " (SQL state " + sql.getSQLState() + ")" : "";
        LOG.warn("the registry store {} could not {}", displayUrl(url), what, e);
        return new MeshError(ErrorCode.UNAVAILABLE, "the registry store could not " + what + state
                + "; nothing was changed (the server's log has the database's message)", e);
    }

    @Override
    public synchronized void close() {
        closed = true;
        up = false;
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing down
        }
    }
}
