package io.berth.runtime.cli;

import java.nio.file.Path;

import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.RuntimeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth-runtime}: runc's command line over Berth's runtime library. Every error is one line
 * on stderr (and in {@code --log}, in {@code --log-format}) and exit code 1, as runc does.
 */
@Command(name = "berth-runtime", mixinStandardHelpOptions = true, versionProvider = BerthRuntime.Version.class,
        description = "Run OCI containers (runc-compatible).",
        subcommands = {SpecCommand.class, RunCommand.class, CreateCommand.class, StartCommand.class,
                StateCommand.class, KillCommand.class, DeleteCommand.class, ListCommand.class, PsCommand.class,
                PauseCommand.class, ResumeCommand.class, FeaturesCommand.class, ExecCommand.class})
public final class BerthRuntime {
    /** Where state lives unless --root says otherwise; runc's is /run/runc. */
    static final Path DEFAULT_ROOT = Path.of("/run/berth");

    @Option(names = "--root", description = "state directory (default: ${DEFAULT-VALUE})", defaultValue = "/run/berth")
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
        CommandLine cli = new CommandLine(top).setCaseInsensitiveEnumValuesAllowed(true);
        // Like runc: everything after exec's container id belongs to the command ("exec ID sh -c ...").
        cli.getSubcommands().get("exec").setStopAtPositional(true);
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

    enum LogFormat { TEXT, JSON }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BerthRuntime.class.getPackage().getImplementationVersion();
            return new String[] {"berth-runtime version " + (v == null ? "dev" : v), "spec: " + io.berth.runtime.oci.DefaultSpec.OCI_VERSION};
        }
    }
}
