package io.berth.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.berth.runtime.container.ContainerRuntime;
import io.berth.runtime.container.RuntimeOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * One parsed call of a subcommand: its typed option and positional values (defaults applied, as
 * the specs declare them), and the global options it runs under. Also the builders of the shapes
 * most commands share, so each command's spec says only what is its own.
 */
final class Invocation {
    private final CommandSpec top;
    private final CommandSpec command;

    Invocation(CommandSpec top, CommandSpec command) {
        this.top = top;
        this.command = command;
    }

    /** The value of the command's option {@code name} (as spelled in the spec), or its default. */
    <T> T option(String name) {
        return value(command, name);
    }

    boolean flag(String name) {
        return Boolean.TRUE.equals(option(name));
    }

    /** A repeatable option's values; empty when it was not given. */
    List<String> list(String name) {
        List<String> values = option(name);
        return values == null ? List.of() : values;
    }

    /** The positional parameter at {@code index} in the spec (a multi-value one is a List), or its default. */
    <T> T positional(int index) {
        return command.positionalParameters().get(index).getValue();
    }

    /** A multi-value positional's values; empty when none were given. */
    List<String> positionalList(int index) {
        List<String> values = positional(index);
        return values == null ? List.of() : values;
    }

    /** The container ID: the first positional of every command that takes one ({@link #idParameter()}). */
    String id() {
        return positional(0);
    }

    /** The runtime over the global --root; refuses --systemd-cgroup, which Berth does not implement. */
    ContainerRuntime runtime(boolean detachedLaunch) {
        if (Boolean.TRUE.equals(value(top, "--systemd-cgroup"))) {
            throw new CliException("--systemd-cgroup is not supported by berth-runtime yet: use cgroupfs (drop the flag, or set SystemdCgroup = false in containerd's runc options)");
        }
        Path root = value(top, "--root");
        return new ContainerRuntime(RuntimeOptions.defaults(root).withDetachedLaunch(detachedLaunch), this::warn);
    }

    /** A warning of the runtime (a failing poststart or poststop hook): stderr and --log, as runc logs one. */
    private void warn(String message) {
        String line = message.replace('\n', ' ');
        ErrorLog.warn(value(top, "--log"), value(top, "--log-format"), line);
        PrintWriter err = top.commandLine() != null ? top.commandLine().getErr() : new PrintWriter(System.err, true);
        err.println("berth-runtime: warning: " + line);
        err.flush();
    }

    @SuppressWarnings("unchecked")
    static <T> T value(CommandSpec spec, String option) {
        OptionSpec o = spec.optionsMap().get(option);
        if (o == null) {
            throw new IllegalArgumentException("command '" + spec.name() + "' has no option " + option);
        }
        return (T) o.getValue();
    }

    // The shapes the commands share.

    /** A new command model whose user object is {@code command}. */
    static CommandSpec command(Subcommand command, String name, String description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name);
        spec.usageMessage().description(description);
        return spec;
    }

    /** The container ID, positional 0 of most commands. */
    static PositionalParamSpec idParameter() {
        return PositionalParamSpec.builder().index("0").arity("1").required(true).paramLabel("<id>").description("container id").build();
    }

    static OptionSpec flag(String description, String... names) {
        return OptionSpec.builder(names).type(boolean.class).description(description).build();
    }

    static OptionSpec.Builder string(String label, String description, String... names) {
        return OptionSpec.builder(names).type(String.class).paramLabel(label).description(description);
    }

    static OptionSpec.Builder path(String label, String description, String... names) {
        return OptionSpec.builder(names).type(Path.class).converters(PATH).paramLabel(label).description(description);
    }

    /** The bundle directory of spec, create and run. */
    static OptionSpec bundleOption() {
        return path("<bundle>", "bundle directory (default: current directory)", "-b", "--bundle").defaultValue(".").build();
    }

    /**
     * Path.of directly: picocli's own Path converter calls Paths.get through reflection, which on a
     * newer JDK spins method-handle classes on every start.
     */
    static final ITypeConverter<Path> PATH = new ITypeConverter<>() {
        @Override
        public Path convert(String value) {
            return Path.of(value);
        }
    };

    /**
     * The log format, case-insensitive: picocli's enum converter finds constants through
     * reflection (values() by Method.invoke), on every start as the default is converted too.
     */
    static final ITypeConverter<BerthRuntime.LogFormat> LOG_FORMAT = new ITypeConverter<>() {
        @Override
        public BerthRuntime.LogFormat convert(String value) {
            for (BerthRuntime.LogFormat f : BerthRuntime.LogFormat.values()) {
                if (f.name().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new TypeConversionException("expected one of " + List.of(BerthRuntime.LogFormat.values()) + " (case-insensitive) but was '" + value + "'");
        }
    };

    /**
     * An enum option's completion candidates, given so that picocli does not list the constants
     * itself (through Class.getEnumConstants, reflection again) when it builds the option.
     */
    static List<String> names(Enum<?>[] constants) {
        String[] names = new String[constants.length];
        for (int i = 0; i < constants.length; i++) {
            names[i] = constants[i].name().toLowerCase(Locale.ROOT);
        }
        return List.of(names);
    }
}
