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
 * (registrations are rare next to inference, which never touches the store).
 */
public final class JdbcRegistryStore implements RegistryStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcRegistryStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String TABLE = "meshwork_registry";
    private final String url;
    private final Connection connection;

    public JdbcRegistryStore(String url, String user, String password) {
        this.url = displayUrl(url);
        try {
            this.connection = DriverManager.getConnection(url, user, password);
            connection.setAutoCommit(false);
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

    /** A JDBC URL fit for messages: without what follows '?', where a PostgreSQL URL may carry the password. */
    public static String displayUrl(String jdbcUrl) {
        return jdbcUrl.replaceAll("\\?.*$", "");
    }

    @Override
    public synchronized <T> Map<String, T> loadAll(String kind, Class<T> type) {
        Map<String, T> out = new LinkedHashMap<>();
        try (PreparedStatement q = connection.prepareStatement("SELECT id, doc FROM " + TABLE + " WHERE kind = ? ORDER BY id")) {
            q.setString(1, kind);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), JSON.readValue(rs.getString(2), type));
                }
            }
            connection.commit();
            return out;
        } catch (SQLException | IOException e) {
            throw failure("read the " + kind + "s", e);
        }
    }

    @Override
    public synchronized void save(String kind, String id, Object document) {
        try (PreparedStatement del = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE kind = ? AND id = ?");
             PreparedStatement ins = connection.prepareStatement("INSERT INTO " + TABLE + " (kind, id, doc) VALUES (?, ?, ?)")) {
            del.setString(1, kind);
            del.setString(2, id);
            del.executeUpdate();
            ins.setString(1, kind);
            ins.setString(2, id);
            ins.setString(3, JSON.writeValueAsString(document));
            ins.executeUpdate();
            connection.commit();
        } catch (SQLException | IOException e) {
            rollback();
            throw failure("save " + kind + " '" + id + "'", e);
        }
    }

    @Override
    public synchronized void delete(String kind, String id) {
        try (PreparedStatement del = connection.prepareStatement("DELETE FROM " + TABLE + " WHERE kind = ? AND id = ?")) {
            del.setString(1, kind);
            del.setString(2, id);
            del.executeUpdate();
            connection.commit();
        } catch (SQLException e) {
            rollback();
            throw failure("delete " + kind + " '" + id + "'", e);
        }
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
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing down
        }
    }
}
