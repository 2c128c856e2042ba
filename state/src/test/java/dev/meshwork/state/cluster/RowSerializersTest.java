package dev.meshwork.state.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.nio.BufferObjectDataOutput;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.PayloadLogging;
import dev.meshwork.placement.registry.TrafficSplit;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.CopyState;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import dev.meshwork.placement.tenant.MemoryAmount;
import dev.meshwork.placement.tenant.TenantPolicy;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RowSerializersTest {
    private final InternalSerializationService ss = service();

    static InternalSerializationService service() {
        SerializationConfig config = new SerializationConfig();
        RowSerializers.register(config);
        return new DefaultSerializationServiceBuilder().setConfig(config).build();
    }

    static ModelSpec fullSpec(String id) {
        return new ModelSpec(id, new ModelFormat("onnx", "1"), "s3://models/" + id + "/model.onnx#sha256=" + "ab".repeat(32), "onnx-rt",
                123_456_789L, "team-a", "file:/models/" + id + ".yaml", new Batching(32, 2_000, List.of(8, 16)),
                new PayloadLogging(PayloadLogging.Mode.RESPONSE, "http://127.0.0.1:9/sink"), List.of("probabilities", "label"));
    }

    /** Every record type a table holds, with no component left at its default. */
    static List<Serializable> everyRow() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NodeRecord.ZONE, "zone-b");
        labels.put("app", "meshwork");
        labels.put("arch", "amd64");
        SlotRecord slot = new SlotRecord("onnx-0", "onnx", "cpu", List.of("onnx", "ort"), true, 1L << 32, 1L << 20, 7, List.of("m1", "m2"),
                Map.of("team-a", 5L, "team-b", 6L, "default", 7L));
        return List.of(fullSpec("team-a/m1"),
                new VModel("team-a/v", "owner-1", "team-a/m1", "team-a/m2", Set.of("team-a/m2", "team-a/m3", "team-a/m0"), "boom",
                        new TrafficSplit(List.of(new TrafficSplit.Share("team-a/m1", 90), new TrafficSplit.Share("team-a/m2", 10)), "x-user"),
                        new TrafficSplit(List.of(new TrafficSplit.Share("team-a/m2", 100)), "")),
                new TenantPolicy("team-a", 10, new MemoryAmount(0.25, 0), new MemoryAmount(0, 1L << 30), 3, 12.5, 20, 4, 2, "file:/t.yaml"),
                new CopyRecord("node-1", "onnx-0", CopyState.FAILED, 99, 1_700_000_000_000L, "it broke", "fp", "digest", true, -1, 3),
                new NodeRecord("node-1", "127.0.0.1:9001", "member-1", List.of(slot), 3, true, 42, labels, 5));
    }

    @Test
    void everyRowTypeComesBackEqualWithTheSameTextAndFarSmallerThanJavaSerialization() throws Exception {
        for (Serializable row : everyRow()) {
            assertTrue(RecordCodec.writable(row), row.getClass().getSimpleName());
            Signed<Serializable> signed = new Signed<>(row, "mac-" + row.getClass().getSimpleName());
            Data data = ss.toData(signed);
            Signed<?> back = ss.toObject(data);
            assertEquals(row, back.value);
            assertEquals(row.toString(), back.value.toString(), "the MAC covers the text");
            assertEquals(signed.mac, back.mac);
            int java = javaBytes(signed);
            assertTrue(data.totalSize() * 3 < java, row.getClass().getSimpleName() + ": " + data.totalSize() + " bytes vs Java's " + java);
        }
    }

    @Test
    void aRegistrationTakesUnderAQuarterOfJavaSerializationsBytes() throws Exception {
        ModelSpec spec = new ModelSpec("tenant-0001-model-0000001", new ModelFormat("onnx", ""),
                "s3://models/tenant-1/tenant-0001-model-0000001/model.onnx", "", 0);
        int codec = ss.toData(new Signed<>(spec, "")).totalSize();
        int java = javaBytes(new Signed<>(spec, ""));
        assertTrue(codec * 4 < java, codec + " bytes vs Java's " + java);
        assertTrue(codec < 160, codec + " bytes");
    }

    @Test
    void copiesRoundTripInOrderAndMacsStillCheckOut(@TempDir Path dir) throws Exception {
        Path keyFile = Files.writeString(dir.resolve("cluster.key"), "the-cluster-key-0123456789");
        RowSigner signer = new RowSigner(new dev.meshwork.security.ClusterSecret(keyFile, 1000,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        CopyRecord a = new CopyRecord("node-1", "onnx-0", CopyState.LOADED, 10, 1, "");
        CopyRecord b = new CopyRecord("node-2", "onnx-0", CopyState.LOADING, 10, 2, "", "fp", "", false, 4, 10);
        HazelcastPlacementTable.Copies copies = new HazelcastPlacementTable.Copies(List.of(
                new Signed<>(a, signer.sign(HazelcastPlacementTable.KIND, "m", a)), new Signed<>(b, signer.sign(HazelcastPlacementTable.KIND, "m", b))));
        HazelcastPlacementTable.Copies back = ss.toObject(ss.toData(copies));
        assertEquals(List.of(a, b), back.verified(signer, "m"));
        HazelcastPlacementTable.Copies again = ss.toObject(ss.toData(copies));
        assertEquals(List.of(), again.verified(signer, "another-model"), "a MAC is bound to its key");

        for (Serializable row : everyRow()) {
            String mac = signer.sign("kind", "key", row);
            Signed<?> read = ss.toObject(ss.toData(new Signed<>(row, mac)));
            assertNotNull(read.verified(signer, "kind", "key"), row.getClass().getSimpleName() + "'s MAC after the trip");
        }
    }

    @Test
    void repeatedValuesArePooledAndIdsAreNot() {
        Signed<?> one = ss.toObject(ss.toData(new Signed<>(fullSpec("team-a/m1"), "")));
        Signed<?> two = ss.toObject(ss.toData(new Signed<>(fullSpec("team-a/m1"), "")));
        ModelSpec x = (ModelSpec) one.value;
        ModelSpec y = (ModelSpec) two.value;
        assertSame(x.format(), y.format());
        assertSame(x.namespace(), y.namespace());
        assertSame(x.runtime(), y.runtime());
        assertSame(x.batching(), y.batching());
        assertNotSame(x.id(), y.id(), "ids are one per row and would only fill the pool");
    }

    @Test
    void aRowFromAnOlderWriterGetsTheDefaultsOfWhatItLacks() throws Exception {
        // ModelSpec as written before namespaces, batching, logging and default outputs: five components
        BufferObjectDataOutput out = ss.createObjectDataOutput();
        out.writeString("");
        out.writeByte(1);
        out.writeByte(11); // a record
        out.writeByte(0); // ModelSpec
        out.writeByte(5);
        RecordCodec.write(out, "old-model");
        RecordCodec.write(out, new ModelFormat("xgboost", ""));
        RecordCodec.write(out, "file:///m.json");
        RecordCodec.write(out, "");
        RecordCodec.write(out, 7L);
        Signed<?> read = RowSerializers.readSigned(ss.createObjectDataInput(out.toByteArray()));
        assertEquals(new ModelSpec("old-model", new ModelFormat("xgboost", ""), "file:///m.json", "", 7), read.value);
        assertEquals(ModelSpec.DEFAULT_NAMESPACE, ((ModelSpec) read.value).namespace());
        assertEquals(Batching.NONE, ((ModelSpec) read.value).batching());
    }

    @Test
    void aDamagedOrForeignRowIsAnErrorNotAnInstance() throws Exception {
        BufferObjectDataOutput out = ss.createObjectDataOutput();
        out.writeString("");
        out.writeByte(1);
        out.writeByte(11);
        out.writeByte(99); // no such record type
        out.writeByte(0);
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> RowSerializers.readSigned(ss.createObjectDataInput(out.toByteArray())));
        assertTrue(e.getMessage().contains("record type 99"), e.getMessage());

        BufferObjectDataOutput huge = ss.createObjectDataOutput();
        huge.writeString("");
        huge.writeByte(1);
        huge.writeByte(1); // a string
        huge.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
        e = assertThrows(java.io.IOException.class, () -> RowSerializers.readSigned(ss.createObjectDataInput(huge.toByteArray())));
        assertTrue(e.getMessage().contains("malformed length"), e.getMessage());
    }

    @Test
    void aValueTheCodecCannotHoldFallsBackToHazelcastsOwnSerialization() {
        Signed<?> back = ss.toObject(ss.toData(new Signed<>(new java.util.ArrayList<>(List.of("a", "b")), "m")));
        assertEquals(List.of("a", "b"), back.value);
        assertEquals("m", back.mac);
    }

    private static int javaBytes(Object o) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.size();
    }
}
