package dev.meshwork.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/** {@code meshwork}: the client's top command; every verb is a subcommand and shares the connection options. */
@Command(name = "meshwork", mixinStandardHelpOptions = true, version = "meshwork client 0.1.0",
        description = "Operates a Meshwork mesh through a router's REST API.",
        subcommands = {ModelsCommand.class, VModelsCommand.class, ListCommands.Runtimes.class, ListCommands.Nodes.class,
                ListCommands.Namespaces.class, InferCommand.class, StatusCommand.class, TopCommand.class, CompletionCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 the mesh said no (its message is printed), 2 usage, 3 the server cannot be reached."})
final class MeshworkCommand {
    @Mixin
    Connection connection;

    /** The connection options of the command line {@code spec} belongs to. */
    static Connection connection(CommandSpec spec) {
        return ((MeshworkCommand) spec.root().userObject()).connection;
    }
}
