package io.berth.runtime.cli;

import java.nio.file.Path;
import java.util.List;

import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.RuntimeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth-runtime}: runc's command line over Berth's runtime library. Every error is one line
 * on stderr (and in {@code --log}, in {@code --log-format}) and exit code 1, as runc does.
 *
 * <p>Subcommands are registered here ({@link #COMMANDS}, {@link #command(String)}), not in the
 * {@code @Command} annotation: picocli builds its model by reflection over every registered class,
 * which cost ~190 ms of a 600 ms {@code list}. A call registers only the command it names; help,
 * a missing or an unknown command register them all so usage and suggestions stay complete.
 */
@Command(name = "berth-runtime", mixinStandardHelpOptions = true, versionProvider = BerthRuntime.Version.class,
        description = "Run OCI containers (runc-compatible).")
public final class BerthRuntime {
    /** Every subcommand by its {@code @Command} name, in the order usage lists them. */
    static final List<String> COMMANDS = List.of("spec", "run", "create", "start", "state", "kill", "delete", "list",
            "ps", "pause", "resume", "features", "exec");

    /**
     * A new instance of the command {@code name} (its name or an alias), or null. A switch rather
     * than a table of classes or constructors: only the chosen class is loaded, no lambda is linked.
     */
    static Object command(String name) {
        switch (name) {
            case "spec": return new SpecCommand();
            case "run": return new RunCommand();
            case "create": return new CreateCommand();
            case "start": return new StartCommand();
            case "state": return new StateCommand();
            case "kill": return new KillCommand();
            case "delete": return new DeleteCommand();
            case "list": case "ps-all": return new ListCommand();
            case "ps": return new PsCommand();
            case "pause": return new PauseCommand();
            case "resume": return new ResumeCommand();
            case "features": return new FeaturesCommand();
            case "exec": return new ExecCommand();
            default: return null;
        }
    }

    /**
     * The global options below, as {@link #chosenCommand} must know them to find the command: those
     * whose next word is their value, and flags. BerthRuntimeCommandsTest holds these to the fields.
     */
    static final List<String> VALUE_OPTIONS = List.of("--root", "--log", "--log-format");
    static final List<String> FLAG_OPTIONS = List.of("--debug", "--systemd-cgroup");

    /** Where state lives unless --root says otherwise; runc's is /run/runc. */
    static final String DEFAULT_ROOT = "/run/berth";

    @Option(names = "--root", description = "state directory (default: ${DEFAULT-VALUE})", defaultValue = DEFAULT_ROOT)
    Path root;

    @Option(names = "--log", description = "also write errors to this file")
    Path log;

    @Option(names = "--log-format", description = "text or json (default: ${DEFAULT-VALUE})", defaultValue = "text")
    LogFormat logFormat;

    @Option(names = "--debug", description = "log more")
    boolean debug;

    @Option(names = "--systemd-cgroup", description = "use systemd for cgroups (not supported yet)")
    boolean systemdCgroup;

    ContainerRuntime runtime(boolean detachedLaunch) {
        if (systemdCgroup) {
            throw new CliException("--systemd-cgroup is not supported by berth-runtime yet: use cgroupfs (drop the flag, or set SystemdCgroup = false in containerd's runc options)");
        }
        return new ContainerRuntime(RuntimeOptions.defaults(root).withDetachedLaunch(detachedLaunch));
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        BerthRuntime top = new BerthRuntime();
        CommandLine cli = new CommandLine(top);
        Object chosen = chosenCommand(args);
        if (chosen != null) {
            cli.addSubcommand(chosen);
        } else {
            for (String name : COMMANDS) {
                cli.addSubcommand(command(name));
            }
        }
        // After the subcommands: picocli copies these settings only to those already added.
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // Like runc: everything after exec's container id belongs to the command ("exec ID sh -c ...").
        CommandLine exec = cli.getSubcommands().get("exec");
        if (exec != null) {
            exec.setStopAtPositional(true);
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String msg = ErrorLog.message(e);
            ErrorLog.write(top.log, top.logFormat, msg);
            cmd.getErr().println("berth-runtime: " + msg);
            if (top.debug) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            ErrorLog.write(top.log, top.logFormat, e.getMessage());
            e.getCommandLine().getErr().println("berth-runtime: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return 2;
        });
        return cli.execute(args);
    }

    /**
     * The command the arguments name, skipping the global options before it; null when they ask
     * for help or version, name no command or one that does not exist (picocli then needs them all).
     */
    static Object chosenCommand(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUE_OPTIONS.contains(a)) {
                i++;
            } else if (FLAG_OPTIONS.contains(a)
                    || (a.startsWith("--") && a.contains("=") && VALUE_OPTIONS.contains(a.substring(0, a.indexOf('='))))) {
                continue;
            } else if (a.startsWith("-")) {
                return null;
            } else {
                return command(a);
            }
        }
        return null;
    }

    enum LogFormat { TEXT, JSON }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BerthRuntime.class.getPackage().getImplementationVersion();
            return new String[] {"berth-runtime version " + (v == null ? "dev" : v), "spec: " + io.berth.runtime.oci.DefaultSpec.OCI_VERSION};
        }
    }
}
