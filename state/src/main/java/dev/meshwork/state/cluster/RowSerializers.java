package dev.meshwork.state.cluster;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Hazelcast's serializers for the rows of the shared tables: a signed row ({@link Signed}) and a
 * model's copies ({@link HazelcastPlacementTable.Copies}) in {@link RecordCodec}'s form. A value
 * that form cannot hold falls back to Hazelcast's own serialization (Java's, under the member's
 * class filter). Stateless; any thread.
 */
final class RowSerializers {
    /** Hazelcast's type ids for them; positive and unique among the member's custom serializers. */
    static final int SIGNED = 7301;
    static final int COPIES = 7302;
    private static final byte CODEC = 1, FALLBACK = 0;

    private RowSerializers() {
    }

    static void register(SerializationConfig config) {
        config.addSerializerConfig(new SerializerConfig().setTypeClass(Signed.class).setImplementation(new SignedSerializer()));
        config.addSerializerConfig(new SerializerConfig().setTypeClass(HazelcastPlacementTable.Copies.class)
                .setImplementation(new CopiesSerializer()));
    }

    static void writeSigned(ObjectDataOutput out, Signed<?> row) throws IOException {
        out.writeString(row.mac);
        if (RecordCodec.writable(row.value)) {
            out.writeByte(CODEC);
            RecordCodec.write(out, row.value);
        } else {
            out.writeByte(FALLBACK);
            out.writeObject(row.value);
        }
    }

    static Signed<Serializable> readSigned(ObjectDataInput in) throws IOException {
        String mac = in.readString();
        Object value = in.readByte() == CODEC ? RecordCodec.read(in) : in.readObject();
        if (!(value instanceof Serializable s)) {
            throw new IOException("a signed table row holds a " + (value == null ? "null" : value.getClass().getName()));
        }
        return new Signed<>(s, mac == null ? "" : mac);
    }

    /** A signed row. */
    static final class SignedSerializer implements StreamSerializer<Signed<?>> {
        @Override
        public int getTypeId() {
            return SIGNED;
        }

        @Override
        public void write(ObjectDataOutput out, Signed<?> row) throws IOException {
            writeSigned(out, row);
        }

        @Override
        public Signed<?> read(ObjectDataInput in) throws IOException {
            return readSigned(in);
        }
    }

    /** A model's row of copies: their number, then each signed copy. */
    static final class CopiesSerializer implements StreamSerializer<HazelcastPlacementTable.Copies> {
        private static final int MAX_COPIES = 4_096;

        @Override
        public int getTypeId() {
            return COPIES;
        }

        @Override
        public void write(ObjectDataOutput out, HazelcastPlacementTable.Copies copies) throws IOException {
            out.writeInt(copies.rows.size());
            for (Signed<?> row : copies.rows) {
                writeSigned(out, row);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public HazelcastPlacementTable.Copies read(ObjectDataInput in) throws IOException {
            int n = in.readInt();
            if (n < 0 || n > MAX_COPIES) {
                throw new IOException("a placement row says it has " + n + " copies");
            }
            List<Signed<dev.meshwork.placement.table.CopyRecord>> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Signed<Serializable> row = readSigned(in);
                if (!(row.value instanceof dev.meshwork.placement.table.CopyRecord)) {
                    throw new IOException("a placement row holds a " + row.value.getClass().getName() + ", not a copy");
                }
                rows.add((Signed<dev.meshwork.placement.table.CopyRecord>) (Signed<?>) row);
            }
            return new HazelcastPlacementTable.Copies(rows);
        }
    }
}
