package dev.meshwork.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The fenced code blocks of a Markdown page, and the shell commands of a block with the output the page says they print. */
final class DocBlocks {
    /** A fenced block: its language tag, its text, and where it starts (for messages). */
    record Block(String language, String text, String where) {
    }

    /** One shell command (continuation lines and multi-line quoted strings joined) and the {@code # ...} lines that follow it. */
    record Command(String text, String expected, String where) {
    }

    private DocBlocks() {
    }

    static List<Block> blocks(Path page, Path root) throws IOException {
        List<Block> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(page);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("```") && lines.get(i).length() > 3) {
                String language = lines.get(i).substring(3).trim();
                int start = i;
                StringBuilder text = new StringBuilder();
                while (++i < lines.size() && !lines.get(i).startsWith("```")) {
                    text.append(lines.get(i)).append('\n');
                }
                out.add(new Block(language, text.toString(), root.relativize(page) + ":" + (start + 1)));
            }
        }
        return out;
    }

    /** The commands of a shell block, in order. */
    static List<Command> commands(Block block) {
        List<Command> out = new ArrayList<>();
        StringBuilder command = new StringBuilder();
        char quote = 0;
        for (String line : block.text().split("\n")) {
            if (quote == 0 && command.isEmpty() && line.startsWith("#")) {
                if (!out.isEmpty()) { // what the command before prints; a comment before any command is prose
                    Command last = out.remove(out.size() - 1);
                    out.add(new Command(last.text(), last.expected() + line.substring(1).trim(), last.where()));
                }
                continue;
            }
            if (quote == 0 && command.isEmpty() && line.isBlank()) {
                continue;
            }
            command.append(line).append('\n');
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quote == 0 && c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                    break; // a comment: its apostrophes quote nothing
                } else if (quote == 0 && (c == '\'' || c == '"')) {
                    quote = c;
                } else if (c == quote) {
                    quote = 0;
                }
            }
            if (quote == 0 && !line.endsWith("\\")) {
                out.add(new Command(stripComment(command.toString().trim()), "", block.where()));
                command.setLength(0);
            }
        }
        return out;
    }

    /** A trailing {@code # comment} outside quotes is prose, not part of the command. */
    static String stripComment(String command) {
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (quote == 0 && c == '#' && i > 0 && Character.isWhitespace(command.charAt(i - 1))) {
                return command.substring(0, i).trim();
            }
        }
        return command;
    }
}
