package dev.meshwork.docs;

import dev.meshwork.config.ConfigLoader;
import dev.meshwork.testing.MeshProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration reference, made from the configuration records themselves: every key (by
 * walking the record components), its default (from the process's defaults), its environment
 * variable, and its meaning (the record's Javadoc {@code @param}). One table per process.
 */
final class ConfigurationReference {
    private static final String YAML_ONLY = " (a list of objects: YAML only)";
    private static final Pattern PARAM = Pattern.compile("@param\\s+(\\w+)\\s+(.*)");

    /** One process: its name as the launcher runs it, its configuration type and defaults, and its environment prefix. */
    record Process(String title, Class<? extends Record> type, Record defaults, String envPrefix) {
    }

    private ConfigurationReference() {
    }

    static String tables(List<Process> processes) {
        StringBuilder out = new StringBuilder();
        for (Process p : processes) {
            out.append("### ").append(p.title()).append("\n\n");
            out.append("| key | default | environment | meaning |\n| --- | --- | --- | --- |\n");
            Map<String, String> defaults = ConfigLoader.keys(p.defaults());
            Map<String, String> meanings = new LinkedHashMap<>();
            walk(p.type(), "", meanings);
            if (!meanings.keySet().equals(defaults.keySet())) {
                throw new IllegalStateException("keys of " + p.type().getSimpleName() + " differ: " + meanings.keySet() + " vs " + defaults.keySet());
            }
            for (Map.Entry<String, String> k : meanings.entrySet()) {
                String env = k.getValue().endsWith(YAML_ONLY) ? "(YAML only)"
                        : "`" + p.envPrefix() + k.getKey().replace('.', '_').toUpperCase(Locale.ROOT) + "`";
                out.append("| `").append(k.getKey()).append("` | ").append(shown(k.getKey(), defaults.get(k.getKey()))).append(" | ")
                        .append(env).append(" | ").append(k.getValue()).append(" |\n");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void walk(Class<?> type, String prefix, Map<String, String> out) {
        Map<String, String> params = params(type);
        for (RecordComponent c : type.getRecordComponents()) {
            String key = prefix + c.getName();
            if (c.getType().isRecord()) {
                walk(c.getType(), key + ".", out);
                continue;
            }
            String meaning = params.get(c.getName());
            if (meaning == null || meaning.isBlank()) {
                throw new IllegalStateException(type.getName() + " has no @param for " + c.getName() + ": document it in its Javadoc");
            }
            if (c.getGenericType() instanceof ParameterizedType list && list.getActualTypeArguments()[0] instanceof Class<?> element
                    && element.isRecord()) {
                meaning += YAML_ONLY;
            }
            out.put(key, meaning);
        }
    }

    /** The {@code @param} texts of a record's Javadoc, read from its source file, as Markdown. */
    static Map<String, String> params(Class<?> type) {
        Class<?> top = type;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        String source = read(sourceOf(top));
        Matcher decl = Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@\\w+\\s*)*public\\s+(?:static\\s+)?record\\s+"
                + type.getSimpleName() + "\\(", Pattern.DOTALL).matcher(source);
        Map<String, String> params = new LinkedHashMap<>();
        if (!decl.find()) {
            return params;
        }
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String raw : decl.group(1).split("\n")) {
            String line = raw.replaceFirst("^\\s*\\*\\s?", "").trim();
            Matcher p = PARAM.matcher(line);
            if (p.matches() || line.startsWith("@")) {
                if (current != null) {
                    params.put(current, markdown(text.toString()));
                }
                current = p.matches() ? p.group(1) : null;
                text.setLength(0);
                if (p.matches()) {
                    text.append(p.group(2));
                }
            } else if (current != null && !line.isEmpty()) {
                text.append(' ').append(line);
            }
        }
        if (current != null) {
            params.put(current, markdown(text.toString()));
        }
        return params;
    }

    private static String markdown(String javadoc) {
        return javadoc.replaceAll("\\{@(?:code|link) ([^}]*)}", "`$1`").replace("|", "\\|").replaceAll("\\s+", " ").trim();
    }

    private static String shown(String key, String value) {
        if (value.isEmpty()) {
            return "empty";
        }
        String shown = "`" + value + "`";
        if (key.endsWith("Bytes") && value.matches("\\d+")) {
            long v = Long.parseLong(value);
            for (String unit : List.of("GiB", "MiB", "KiB")) {
                long size = 1L << (unit.equals("GiB") ? 30 : unit.equals("MiB") ? 20 : 10);
                if (v >= size && v % size == 0) {
                    return shown + " (" + v / size + " " + unit + ")";
                }
            }
        }
        return shown;
    }

    private static Path sourceOf(Class<?> top) {
        String relative = "src/main/java/" + top.getName().replace('.', '/') + ".java";
        Path root = MeshProcess.repoRoot();
        try (Stream<Path> modules = Files.walk(root, 2)) {
            return modules.map(m -> m.resolve(relative)).filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no source for " + top.getName() + " under " + root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
