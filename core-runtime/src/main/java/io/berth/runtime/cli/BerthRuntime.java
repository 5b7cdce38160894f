package io.berth.runtime.cli;

import java.io.PrintWriter;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code berth-runtime}: runc's command line over Berth's runtime library. Every error is one line
 * on stderr (and in {@code --log}, in {@code --log-format}) and exit code 1, as runc does; bad usage
 * is exit code 2 with the usage on stderr.
 *
 * <p>The picocli model is built in code ({@link #spec()}, {@link Subcommand#spec()}): picocli's
 * annotation reflection (annotation proxies, method handles) was most of its start-up cost. A call
 * registers only the command it names; help, a missing or an unknown command register them all so
 * usage and suggestions stay complete.
 */
public final class BerthRuntime {
    /** Every subcommand by its name, in the order usage lists them. */
    static final List<String> COMMANDS = List.of("spec", "run", "create", "start", "state", "kill", "delete", "list",
            "ps", "pause", "resume", "features", "exec");

    /** Where state lives unless --root says otherwise; runc's is /run/runc. */
    static final String DEFAULT_ROOT = "/run/berth";

    private BerthRuntime() {
    }

    /**
     * A new instance of the command {@code name} (its name or an alias), or null. A switch rather
     * than a table of classes or constructors: only the chosen class is loaded, no lambda is linked.
     */
    static Subcommand command(String name) {
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

    /** The top command: runc's global options, help and version; no subcommands yet. */
    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("berth-runtime").versionProvider(new Version());
        spec.usageMessage().description("Run OCI containers (runc-compatible).");
        spec.addOption(Invocation.path("<root>", "state directory (default: ${DEFAULT-VALUE})", "--root").defaultValue(DEFAULT_ROOT).build());
        spec.addOption(Invocation.path("<log>", "also write errors to this file", "--log").build());
        spec.addOption(OptionSpec.builder("--log-format").type(LogFormat.class).converters(Invocation.LOG_FORMAT)
                .completionCandidates(Invocation.names(LogFormat.values())).paramLabel("<logFormat>")
                .description("text or json (default: ${DEFAULT-VALUE})").defaultValue("text").build());
        spec.addOption(Invocation.flag("log more", "--debug"));
        spec.addOption(Invocation.flag("use systemd for cgroups (not supported yet)", "--systemd-cgroup"));
        // picocli's mixinStandardHelpOptions would build these from an annotated class.
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
        return spec;
    }

    public static void main(String[] args) {
        skipUnusedConverters();
        int code = execute(args);
        // halt, not exit: from Java 21 on, Runtime.exit first sets up System.Logger to log the call
        // (the logger framework's classes and configuration, on every CLI call). Berth registers no
        // shutdown hook and writes no file on exit; its two streams are flushed here.
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    /**
     * picocli registers converters for ~20 java.sql, java.time and java.nio types on every start,
     * each by Class.forName and getDeclaredMethod (~5 ms of a cold start). No option here has such
     * a type ({@link Invocation#PATH} converts paths), so the CLI's JVM turns them off.
     */
    static void skipUnusedConverters() {
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\..*");
        }
    }

    public static int execute(String... args) {
        CommandSpec top = spec();
        CommandLine cli = new CommandLine(top);
        Subcommand chosen = chosenCommand(top, args);
        if (chosen != null) {
            cli.addSubcommand(chosen.spec());
        } else {
            for (String name : COMMANDS) {
                cli.addSubcommand(command(name).spec());
            }
        }
        ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
            if (parsed.isUsageHelpRequested()) {
                cli.usage(cli.getOut());
                return 0;
            }
            if (parsed.isVersionHelpRequested()) {
                cli.printVersionHelp(cli.getOut());
                return 0;
            }
            if (!parsed.hasSubcommand()) {
                throw new ParameterException(cli, "Missing required subcommand");
            }
        } catch (ParameterException e) {
            // The global options parsed before the error still say where the log goes.
            ErrorLog.write(Invocation.value(top, "--log"), Invocation.value(top, "--log-format"), e.getMessage());
            PrintWriter err = e.getCommandLine().getErr();
            err.println("berth-runtime: " + e.getMessage());
            UnmatchedArgumentException.printSuggestions(e, err);
            e.getCommandLine().usage(err);
            err.flush();
            return 2;
        }
        CommandSpec command = parsed.subcommand().commandSpec();
        try {
            return ((Subcommand) command.userObject()).run(new Invocation(top, command));
        } catch (Exception e) {
            String msg = ErrorLog.message(e);
            ErrorLog.write(Invocation.value(top, "--log"), Invocation.value(top, "--log-format"), msg);
            PrintWriter err = cli.getErr();
            err.println("berth-runtime: " + msg);
            if (Boolean.TRUE.equals(Invocation.value(top, "--debug"))) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        }
    }

    /**
     * The command the arguments name, skipping the global options of {@code top} before it; null
     * when they ask for help or version, name no command or one that does not exist (picocli then
     * needs them all).
     */
    static Subcommand chosenCommand(CommandSpec top, String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) {
                return command(a);
            }
            int eq = a.indexOf('=');
            boolean attached = a.startsWith("--") && eq > 0;
            OptionSpec o = top.optionsMap().get(attached ? a.substring(0, eq) : a);
            if (o == null || o.usageHelp() || o.versionHelp() || (attached && o.arity().max() == 0)) {
                return null;
            }
            if (!attached && o.arity().max() > 0) {
                i++; // its value, even when it is spelled like a command
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
