package dev.meshwork.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshwork.config.ConfigLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a configuration's test pins, in the manner of Trino's config tests: every key's default,
 * written out in the test, and that every key can be set by its flag and lands where it should;
 * a new key without a test entry fails both. A section that is a configuration of its own
 * ({@code node}, {@code cluster}) is pinned by that configuration's test and named here as
 * delegated, so each default is written down once.
 */
public final class ConfigAssertions {
    /** Keys that hold lists of objects: YAML only (a flag cannot spell an object), so not in the flag mapping. */
    public static final Set<String> YAML_ONLY = Set.of("externalRuntimes", "slots");

    private ConfigAssertions() {
    }

    /** The configuration loaded from nothing (no file, environment or flag) has exactly these values. */
    public static <T> void assertDefaults(Class<T> type, T defaults, Map<String, String> expected, String... delegatedSections) {
        T loaded = ConfigLoader.load(type, defaults, "TEST_", Map.of(), List.of()).config();
        assertThat(own(ConfigLoader.keys(loaded), delegatedSections)).as("every key of %s and its default", type.getSimpleName())
                .containsExactlyInAnyOrderEntriesOf(expected);
    }

    /**
     * {@code flags} names every key but the YAML-only ones, each with a value unlike its default;
     * set as {@code --key=value} they come back as exactly those values.
     */
    public static <T> void assertFullMapping(Class<T> type, T defaults, Map<String, String> flags, String... delegatedSections) {
        Map<String, String> keys = own(ConfigLoader.keys(defaults), delegatedSections);
        assertThat(flags.keySet()).as("the keys of %s the test sets", type.getSimpleName())
                .containsExactlyInAnyOrderElementsOf(keys.keySet().stream().filter(k -> !YAML_ONLY.contains(last(k))).toList());
        for (Map.Entry<String, String> f : flags.entrySet()) {
            assertThat(f.getValue()).as("the test's value for %s differs from its default", f.getKey()).isNotEqualTo(keys.get(f.getKey()));
        }
        List<String> args = new ArrayList<>();
        flags.forEach((k, v) -> args.add("--" + k + "=" + v));
        Map<String, String> loaded = ConfigLoader.keys(ConfigLoader.load(type, defaults, "TEST_", Map.of(), args).config());
        flags.forEach((k, v) -> assertThat(loaded.get(k)).as("--%s lands on %s", k, k).isEqualTo(v));
    }

    private static Map<String, String> own(Map<String, String> keys, String... delegatedSections) {
        Map<String, String> out = new LinkedHashMap<>(keys);
        for (String section : delegatedSections) {
            out.keySet().removeIf(k -> k.startsWith(section + "."));
        }
        return out;
    }

    private static String last(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }
}
