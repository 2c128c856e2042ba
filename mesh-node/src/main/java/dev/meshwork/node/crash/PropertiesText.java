package dev.meshwork.node.crash;

/**
 * Writes {@code key=value} lines that {@link java.util.Properties#load(java.io.Reader)} reads back
 * exactly, without {@link java.util.Properties#store}'s date comment and synchronized table (the
 * crash ledger writes one record per model load). Stateless.
 */
final class PropertiesText {
    private PropertiesText() {
    }

    /** Appends one line: the key and the value escaped as {@code Properties.store} escapes them. */
    static void append(StringBuilder out, String key, String value) {
        escape(out, key, true);
        out.append('=');
        escape(out, value, false);
        out.append('\n');
    }

    private static void escape(StringBuilder out, String s, boolean key) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                // a key's spaces would end it; a value's leading spaces would be skipped
                case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c)); // read back whatever the file's charset
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
