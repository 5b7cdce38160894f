package io.berth.shell.command;

import org.springframework.shell.core.command.annotation.Command;

import io.berth.shell.Console;
import io.berth.shell.client.Daemon;
import io.fabric8.kubernetes.client.VersionInfo;

/** {@code version}: the console's version, then the daemon's, as {@code kubectl version} shows them. */
public class VersionCommand {
    private final Daemon daemon;
    private final Console console;

    public VersionCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    /** The console's own version, from its jar's manifest ("dev" when run from classes). */
    public static String clientVersion() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Command(name = "version", group = "Console", description = "Show the console's and the daemon's versions",
            help = "version")
    public void version() {
        console.out().println("Client Version: berth " + clientVersion());
        console.out().flush();
        VersionInfo server = daemon.call(c -> c.getKubernetesVersion());
        console.out().println("Server Version: " + server.getGitVersion() + " (Kubernetes API " + server.getMajor()
                + "." + server.getMinor() + ", " + daemon.server() + ")");
    }
}
