package dev.meshwork.state.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.StoredModelRegistry;
import dev.meshwork.placement.registry.StoredVModelRegistry;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.protocol.error.ErrorCode;
import dev.meshwork.protocol.error.MeshError;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The H2 store under the registries: what is saved comes back after a reopen, and a failing store changes nothing. */
class JdbcRegistryStoreTest {
    @TempDir
    Path dir;

    String url() {
        return "jdbc:h2:file:" + dir.resolve("registry") + ";WRITE_DELAY=0";
    }

    static ModelSpec spec(String id) {
        return new ModelSpec(id, new ModelFormat("onnx", "1"), "s3://models/" + id + "/model.onnx", "onnx-gpu", 1234);
    }

    @Test
    void registrationsAndVModelsComeBackAfterAReopen() {
        VModel alias = new VModel("alias", "team-a", "m-1", "m-2", Set.of("m-2"), "target model 'm-2' did not load: broken");
        try (JdbcRegistryStore store = new JdbcRegistryStore(url(), "", "")) {
            StoredModelRegistry models = new StoredModelRegistry(store);
            StoredVModelRegistry vmodels = new StoredVModelRegistry(store);
            for (int i = 0; i < 5; i++) {
                models.put(spec("m-" + i));
            }
            models.remove("m-4");
            models.put(new ModelSpec("m-3", new ModelFormat("xgboost", ""), "/models/m-3.json", "", 0)); // replaced
            vmodels.put(alias);
        }
        try (JdbcRegistryStore reopened = new JdbcRegistryStore(url(), "", "")) {
            StoredModelRegistry models = new StoredModelRegistry(reopened);
            assertThat(models.list()).extracting(ModelSpec::id).containsExactly("m-0", "m-1", "m-2", "m-3");
            assertThat(models.get("m-1")).contains(spec("m-1"));
            assertThat(models.get("m-3").orElseThrow().format().name()).isEqualTo("xgboost");
            assertThat(new StoredVModelRegistry(reopened).get("alias")).contains(alias);
        }
    }

    @Test
    void aConnectionBrokenBehindTheStoresBackIsReplaced() throws Exception {
        try (JdbcRegistryStore store = new JdbcRegistryStore(url(), "", "")) {
            StoredModelRegistry models = new StoredModelRegistry(store);
            models.put(spec("before"));
            // what the routers sharing an H2 file saw when the one serving it died: "Database is already closed", for good
            try (java.sql.Connection other = java.sql.DriverManager.getConnection(url(), "", "");
                 java.sql.Statement s = other.createStatement()) {
                s.execute("SHUTDOWN");
            }
            models.put(spec("after"));
            assertThat(store.healthy()).isTrue();
        }
        try (JdbcRegistryStore reopened = new JdbcRegistryStore(url(), "", "")) {
            assertThat(new StoredModelRegistry(reopened).list()).extracting(ModelSpec::id).containsExactly("after", "before");
        }
    }

    @Test
    void whatTheLoserOfTheOpenRaceHearsIsWaitedOut() {
        // H2's messages (with their error codes), as a router that opens a shared file at the same moment as another sees them
        assertThat(JdbcRegistryStore.lockRace(new java.sql.SQLException("Lock file recently modified [90020-252]"))).isTrue();
        assertThat(JdbcRegistryStore.lockRace(new java.sql.SQLException("wrapped",
                new java.sql.SQLException("Connection is broken: \"java.io.EOFException: localhost:44059\" [90067-252]")))).isTrue();
        assertThat(JdbcRegistryStore.lockRace(new java.sql.SQLException("Wrong user name or password [28000-252]"))).isFalse();
    }

    @Test
    void aStoreThatFailsChangesNothingAndSaysWhy() {
        JdbcRegistryStore store = new JdbcRegistryStore(url(), "", "");
        StoredModelRegistry models = new StoredModelRegistry(store);
        models.put(spec("kept"));
        store.close(); // from now on every write fails
        assertThatThrownBy(() -> models.put(spec("lost")))
                .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("could not save model 'lost'").hasMessageContaining("nothing was changed");
        assertThatThrownBy(() -> models.remove("kept")).hasMessageContaining("could not delete model 'kept'");
        assertThat(models.list()).extracting(ModelSpec::id).containsExactly("kept");
    }

    @Test
    void aStoreThatCannotOpenSaysWhichOneWithoutItsSecrets() {
        assertThatThrownBy(() -> new JdbcRegistryStore("jdbc:nosuchdb://host/db?password=hunter2", "", ""))
                .hasMessageContaining("cannot open the registry store jdbc:nosuchdb://host/db")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void aFailureNamesWhatFailedButNeverTheDatabasesWords() {
        try (JdbcRegistryStore store = new JdbcRegistryStore(url(), "", "")) {
            // a document larger than the column: H2's own message quotes the statement and the values
            assertThatThrownBy(() -> store.save("model", "huge", java.util.Map.of("doc", "secret-" + "y".repeat(70_000))))
                    .isInstanceOfSatisfying(MeshError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessageContaining("could not save model 'huge'").hasMessageContaining("SQL state")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase("insert").doesNotContain("secret-").hasSizeLessThan(300));
        }
    }
}
