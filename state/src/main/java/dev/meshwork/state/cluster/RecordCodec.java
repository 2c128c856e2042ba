package dev.meshwork.state.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import dev.meshwork.placement.registry.Batching;
import dev.meshwork.placement.registry.ModelFormat;
import dev.meshwork.placement.registry.ModelSpec;
import dev.meshwork.placement.registry.PayloadLogging;
import dev.meshwork.placement.registry.TrafficSplit;
import dev.meshwork.placement.registry.VModel;
import dev.meshwork.placement.table.CopyRecord;
import dev.meshwork.placement.table.NodeRecord;
import dev.meshwork.placement.table.SlotRecord;
import dev.meshwork.placement.tenant.MemoryAmount;
import dev.meshwork.placement.tenant.TenantPolicy;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The binary form of the records the shared tables hold: a type number, the number of components,
 * then each component as a tagged value. Java serialization spent about 1 KB per registration on
 * class descriptors, in every partition, backup and entry processor; this spends the content and a
 * byte per value. Rows stay readable across versions: components a row lacks (written by an older
 * member) are null, 0 or false, which the records' constructors already turn into defaults, and
 * components it has beyond the constructor's (a newer member's) are dropped. Only the record types
 * of {@link #TYPES} are ever instantiated, so a row cannot name a class to load. Small repeated
 * strings and nested records (formats, namespaces, node ids, slot names) are pooled when read, so a
 * million near-cached registrations do not hold a million copies of {@code "onnx"}. Stateless but
 * for that pool; any thread.
 *
 * <p>Components named in {@link #UNIQUE} (ids, locations, digests: one per row) are never pooled,
 * or a million ids would fill the pool before the strings that repeat reach it.
 */
final class RecordCodec {
    /** The record types, by wire number (their index): append only, never reorder. */
    private static final List<Class<? extends Record>> TYPES = List.of(ModelSpec.class, ModelFormat.class, Batching.class,
            PayloadLogging.class, VModel.class, TrafficSplit.class, TrafficSplit.Share.class, TenantPolicy.class, MemoryAmount.class,
            CopyRecord.class, NodeRecord.class, SlotRecord.class);
    private static final Map<Class<?>, Integer> NUMBERS = numbers();
    private static final Map<Class<?>, Shape> SHAPES = new ConcurrentHashMap<>();
    private static final int POOL_MAX = 16_384;
    private static final int POOLED_LENGTH = 64;
    private static final Map<Object, Object> POOL = new ConcurrentHashMap<>();
    private static final Set<String> UNIQUE = Set.of("id", "storageUri", "spec", "digest", "activeModelId", "targetModelId", "error",
            "transitionError", "endpoint", "memberId");

    private static final byte NULL = 0, STRING = 1, INT = 2, LONG = 3, DOUBLE = 4, TRUE = 5, FALSE = 6, ENUM = 7, LIST = 8, SET = 9,
            MAP = 10, RECORD = 11;

    private RecordCodec() {
    }

    /** Whether {@code value} has this form: one of {@link #TYPES} made of values it can write, all the way down. */
    static boolean writable(Object value) {
        return value instanceof Record r && NUMBERS.containsKey(r.getClass()) && componentsWritable(r);
    }

    static void write(ObjectDataOutput out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof String s) {
            out.writeByte(STRING);
            writeString(out, s);
        } else if (value instanceof Integer i) {
            out.writeByte(INT);
            writeVarLong(out, zigzag(i));
        } else if (value instanceof Long l) {
            out.writeByte(LONG);
            writeVarLong(out, zigzag(l));
        } else if (value instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (value instanceof Boolean b) {
            out.writeByte(b ? TRUE : FALSE);
        } else if (value instanceof Enum<?> e) {
            out.writeByte(ENUM);
            writeString(out, e.name());
        } else if (value instanceof List<?> list) {
            out.writeByte(LIST);
            writeAll(out, list);
        } else if (value instanceof Set<?> set) {
            out.writeByte(SET);
            writeAll(out, set);
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte(MAP);
            writeVarLong(out, map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                write(out, e.getKey());
                write(out, e.getValue());
            }
        } else if (value instanceof Record r && NUMBERS.containsKey(r.getClass())) {
            out.writeByte(RECORD);
            Shape shape = shape(r.getClass());
            writeVarLong(out, NUMBERS.get(r.getClass()));
            writeVarLong(out, shape.accessors.length);
            for (java.lang.reflect.Method a : shape.accessors) {
                write(out, component(a, r));
            }
        } else {
            throw new IllegalArgumentException("a table row cannot hold a " + value.getClass().getName());
        }
    }

    static Object read(ObjectDataInput in) throws IOException {
        return read(in, Object.class, false);
    }

    /** A value read as {@code type} (an enum's name becomes the constant); with {@code pool}, strings and records come from the pool. */
    private static Object read(ObjectDataInput in, Class<?> type, boolean pool) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case NULL -> null;
            case STRING -> {
                String s = readString(in);
                yield pool ? pooled(s) : s;
            }
            case INT -> (int) unzigzag(readVarLong(in));
            case LONG -> unzigzag(readVarLong(in));
            case DOUBLE -> in.readDouble();
            case TRUE -> true;
            case FALSE -> false;
            case ENUM -> enumOf(type, readString(in));
            case LIST -> Collections.unmodifiableList(readAll(in, new ArrayList<>()));
            case SET -> Collections.unmodifiableSet(readAll(in, new LinkedHashSet<>()));
            case MAP -> {
                int n = count(in);
                Map<Object, Object> map = new LinkedHashMap<>(Math.max(4, n * 2));
                for (int i = 0; i < n; i++) {
                    map.put(read(in, Object.class, true), read(in, Object.class, true));
                }
                yield Collections.unmodifiableMap(map);
            }
            case RECORD -> {
                Object r = readRecord(in);
                yield pool ? pooled(r) : r;
            }
            default -> throw new IOException("a table row has an unknown value tag " + tag);
        };
    }

    private static Object readRecord(ObjectDataInput in) throws IOException {
        int number = count(in);
        if (number >= TYPES.size()) {
            throw new IOException("a table row names record type " + number + ", which this version does not know");
        }
        Shape shape = shape(TYPES.get(number));
        int stored = count(in);
        Class<?>[] params = shape.constructor.getParameterTypes();
        Object[] args = new Object[params.length];
        for (int i = 0; i < stored; i++) {
            Object v = read(in, i < params.length ? params[i] : Object.class, i >= params.length || shape.pooled[i]);
            if (i < params.length) {
                args[i] = v;
            }
        }
        for (int i = 0; i < params.length; i++) {
            if (args[i] == null && params[i].isPrimitive()) {
                args[i] = zero(params[i]);
            }
        }
        try {
            return shape.constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IOException("a table row of " + shape.type.getSimpleName() + " does not hold: " + e.getCause().getMessage(), e);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new IOException("a table row of " + shape.type.getSimpleName() + " has values of the wrong kinds: " + e.getMessage(), e);
        }
    }

    private static boolean componentsWritable(Record r) {
        for (java.lang.reflect.Method a : shape(r.getClass()).accessors) {
            if (!valueWritable(component(a, r))) {
                return false;
            }
        }
        return true;
    }

    private static boolean valueWritable(Object v) {
        if (v == null || v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Double || v instanceof Boolean
                || v instanceof Enum<?>) {
            return true;
        }
        if (v instanceof Collection<?> c) {
            return (v instanceof List<?> || v instanceof Set<?>) && c.stream().allMatch(RecordCodec::valueWritable);
        }
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().allMatch(e -> valueWritable(e.getKey()) && valueWritable(e.getValue()));
        }
        return writable(v);
    }

    private static void writeAll(ObjectDataOutput out, Collection<?> values) throws IOException {
        writeVarLong(out, values.size());
        for (Object v : values) {
            write(out, v);
        }
    }

    private static <C extends Collection<Object>> C readAll(ObjectDataInput in, C into) throws IOException {
        int n = count(in);
        for (int i = 0; i < n; i++) {
            into.add(read(in, Object.class, true));
        }
        return into;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumOf(Class<?> type, String name) throws IOException {
        if (!type.isEnum()) {
            throw new IOException("a table row has the enum constant " + name + " where a " + type.getSimpleName() + " belongs");
        }
        try {
            return Enum.valueOf((Class<? extends Enum>) type, name);
        } catch (IllegalArgumentException e) {
            throw new IOException("a table row has " + name + ", which is not a " + type.getSimpleName(), e);
        }
    }

    /** The pool's instance equal to {@code v} (a short string or a nested record), or {@code v} once the pool is full. */
    private static Object pooled(Object v) {
        if (v instanceof String s && (s.isEmpty() || s.length() > POOLED_LENGTH)) {
            return s.isEmpty() ? "" : s;
        }
        Object have = POOL.get(v);
        if (have != null) {
            return have;
        }
        if (POOL.size() >= POOL_MAX) {
            return v;
        }
        have = POOL.putIfAbsent(v, v);
        return have == null ? v : have;
    }

    private static void writeString(ObjectDataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarLong(out, b.length);
        out.write(b);
    }

    private static String readString(ObjectDataInput in) throws IOException {
        byte[] b = new byte[count(in)];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeVarLong(ObjectDataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(ObjectDataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("a table row has a malformed number");
    }

    /** A length or count, bounded so that a damaged row cannot ask for a huge allocation. */
    private static int count(ObjectDataInput in) throws IOException {
        long n = readVarLong(in);
        if (n < 0 || n > 16 << 20) {
            throw new IOException("a table row has a malformed length " + n);
        }
        return (int) n;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static Object zero(Class<?> primitive) {
        if (primitive == boolean.class) {
            return false;
        }
        if (primitive == long.class) {
            return 0L;
        }
        if (primitive == double.class) {
            return 0.0;
        }
        if (primitive == float.class) {
            return 0f;
        }
        return primitive == int.class ? 0 : (Object) (short) 0;
    }

    private static Object component(java.lang.reflect.Method accessor, Record r) {
        try {
            return accessor.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + accessor.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }

    private static Shape shape(Class<?> type) {
        return SHAPES.computeIfAbsent(type, Shape::of);
    }

    private static Map<Class<?>, Integer> numbers() {
        Map<Class<?>, Integer> m = new HashMap<>();
        for (int i = 0; i < TYPES.size(); i++) {
            m.put(TYPES.get(i), i);
        }
        return Map.copyOf(m);
    }

    /** A record type's component accessors in order, which of its components are pooled, and its canonical constructor. */
    private record Shape(Class<?> type, java.lang.reflect.Method[] accessors, boolean[] pooled, Constructor<?> constructor) {
        static Shape of(Class<?> type) {
            RecordComponent[] cs = type.getRecordComponents();
            Class<?>[] params = new Class<?>[cs.length];
            java.lang.reflect.Method[] accessors = new java.lang.reflect.Method[cs.length];
            boolean[] pooled = new boolean[cs.length];
            for (int i = 0; i < cs.length; i++) {
                params[i] = cs[i].getType();
                accessors[i] = cs[i].getAccessor();
                pooled[i] = !UNIQUE.contains(cs[i].getName());
            }
            try {
                return new Shape(type, accessors, pooled, type.getDeclaredConstructor(params));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(type + " has no canonical constructor", e);
            }
        }
    }
}
