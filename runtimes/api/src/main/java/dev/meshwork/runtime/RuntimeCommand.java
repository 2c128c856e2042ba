package dev.meshwork.runtime;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A runtime program that ships with Meshwork (its Python runtime, say), which a node starts as an
 * external runtime when a command's first word is this program's {@link #name()}: catalogs and
 * configurations then need no path to where the program was unpacked. Found through
 * {@link ServiceLoader}; implementations are thread-safe.
 */
public interface RuntimeCommand {
    /** The word that names the program as the first element of a command, e.g. {@code meshwork-python-runtime}. */
    String name();

    /** The full argv that runs the program with {@code args} (the command's words after the name). */
    List<String> argv(List<String> args);

    /** Why the program cannot run on this machine, in one line that says what to install; empty when it can. */
    Optional<String> unavailable();

    /** The program a command's first word names, if Meshwork ships one of that name. */
    static Optional<RuntimeCommand> named(String word) {
        for (RuntimeCommand c : ServiceLoader.load(RuntimeCommand.class)) {
            if (c.name().equals(word)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
