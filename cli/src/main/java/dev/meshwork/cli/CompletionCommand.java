package dev.meshwork.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;

/** {@code meshwork completion}: the bash completion script (zsh reads it through bashcompinit). */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Prints a completion script for bash and zsh:", "  source <(./meshwork completion)",
                "(zsh: autoload -U +X bashcompinit && bashcompinit first)."})
final class CompletionCommand extends Verb {
    @Override
    public void run() {
        out().print(AutoComplete.bash("meshwork", spec.root().commandLine()));
        out().flush();
    }
}
