package io.berth.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * berth-runtime's picocli model, built in code, and the registration of only the subcommand a call
 * names (start-up time): the table agrees with the commands' own specs, the values reach the
 * commands typed and defaulted, and help and errors still see every command.
 */
class BerthRuntimeCommandsTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = BerthRuntime.execute(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Parses as execute() does with one command registered; the Invocation that command would run with. */
    private static Invocation parse(String... args) {
        CommandSpec top = BerthRuntime.spec();
        CommandLine cli = new CommandLine(top);
        cli.addSubcommand(BerthRuntime.chosenCommand(top, args).spec());
        ParseResult parsed = cli.parseArgs(args);
        return new Invocation(top, parsed.subcommand().commandSpec());
    }

    private static Subcommand chosen(String... args) {
        return BerthRuntime.chosenCommand(BerthRuntime.spec(), args);
    }

    @Test
    void everyRegisteredNameBuildsTheCommandOfThatNameAndEveryAliasFindsIt() {
        for (String name : BerthRuntime.COMMANDS) {
            Subcommand command = BerthRuntime.command(name);
            assertThat(command).as(name).isNotNull();
            CommandSpec spec = command.spec();
            assertThat(spec.name()).isEqualTo(name);
            assertThat(spec.userObject()).as("the spec leads back to its command").isSameAs(command);
            for (String alias : spec.aliases()) {
                assertThat(BerthRuntime.command(alias)).as(alias).isInstanceOf(command.getClass());
            }
        }
        assertThat(BerthRuntime.command("ps-all")).isInstanceOf(ListCommand.class);
        assertThat(BerthRuntime.command("nope")).isNull();
    }

    @Test
    void theCommandIsFoundAfterGlobalOptionsInBothForms() {
        assertThat(chosen("--root", "/tmp/r", "--log", "/tmp/l", "--log-format", "json", "--debug",
                "--systemd-cgroup", "state", "c1")).isInstanceOf(StateCommand.class);
        assertThat(chosen("--root=/tmp/r", "--log-format=json", "kill", "c1", "KILL")).isInstanceOf(KillCommand.class);
        // The value of --root is not a command, even when it is spelled like one.
        assertThat(chosen("--root", "state")).isNull();
        assertThat(chosen("--root", "state", "list")).isInstanceOf(ListCommand.class);
        assertThat(chosen("ps-all")).isInstanceOf(ListCommand.class);
    }

    @Test
    void preserveFdsAboveZeroIsRefusedByNameBeforeAnythingIsMade() throws Exception {
        Path state = dir.resolve("state");
        Result r = cli("--root", state.toString(), "create", "--bundle", dir.toString(), "--preserve-fds", "1", "c1");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--preserve-fds 1 is not supported by berth-runtime yet: pass data through stdio or mounts");
        assertThat(state).doesNotExist();
    }

    @Test
    void helpVersionAndUnknownOptionsAskForEveryCommand() {
        assertThat(chosen()).isNull();
        assertThat(chosen("--help")).isNull();
        assertThat(chosen("-V")).isNull();
        assertThat(chosen("--bogus", "list")).isNull();
        assertThat(chosen("-root", "/tmp/r", "list")).as("only exact option names").isNull();
        assertThat(chosen("--debug=true", "list")).as("a flag with a value is picocli's to judge").isNull();
        assertThat(chosen("lsit")).isNull();
    }

    @Test
    void valuesReachTheCommandTypedAndDefaulted() {
        Invocation run = parse("--root", "/tmp/r", "run", "c1");
        assertThat(run.id()).isEqualTo("c1");
        assertThat(run.<Path>option("--bundle")).isEqualTo(Path.of("."));
        assertThat(run.<Path>option("--pid-file")).isNull();
        assertThat(run.flag("--detach")).isFalse();

        Invocation create = parse("create", "-b", "/b", "--pid-file", "/p", "--no-pivot", "c2");
        assertThat(create.<Path>option("--bundle")).isEqualTo(Path.of("/b"));
        assertThat(create.<Path>option("--pid-file")).isEqualTo(Path.of("/p"));
        assertThat(create.flag("--no-pivot")).isTrue();
        assertThat(create.<Integer>option("--preserve-fds")).isZero();

        Invocation kill = parse("kill", "-a", "c3");
        assertThat(kill.<String>positional(1)).isEqualTo("SIGTERM");
        assertThat(kill.flag("--all")).isTrue();
        assertThat(parse("kill", "c3", "KILL").<String>positional(1)).isEqualTo("KILL");

        Invocation list = parse("ps-all", "-q");
        assertThat(list.<String>option("--format")).isEqualTo("table");
        assertThat(list.flag("--quiet")).isTrue();

        assertThat(parse("spec").positionalList(0)).isEmpty();
        assertThat(parse("spec", "--", "sh", "-c", "true").positionalList(0)).containsExactly("sh", "-c", "true");
    }

    @Test
    void execCollectsRepeatedEnvAndStopsAtItsCommand() {
        Invocation exec = parse("exec", "-e", "A=1", "--env", "B=2", "-t", "c1", "sh", "-c", "echo -e x", "--tty");
        assertThat(exec.id()).isEqualTo("c1");
        assertThat(exec.list("--env")).containsExactly("A=1", "B=2");
        assertThat(exec.positionalList(1)).containsExactly("sh", "-c", "echo -e x", "--tty");
        assertThat(exec.flag("--tty")).isTrue();
        Invocation bare = parse("exec", "-p", "/p.json", "c1");
        assertThat(bare.list("--env")).isEmpty();
        assertThat(bare.positionalList(1)).isEmpty();
        assertThat(bare.<Path>option("--process")).isEqualTo(Path.of("/p.json"));
    }

    @Test
    void globalOptionsAreTypedAndTheLogFormatIsCaseInsensitive() {
        CommandSpec top = BerthRuntime.spec();
        new CommandLine(top).addSubcommand(new ListCommand().spec()).parseArgs("--log-format", "Json", "--log", "/l", "list");
        assertThat(Invocation.<BerthRuntime.LogFormat>value(top, "--log-format")).isEqualTo(BerthRuntime.LogFormat.JSON);
        assertThat(Invocation.<Path>value(top, "--log")).isEqualTo(Path.of("/l"));
        assertThat(Invocation.<Path>value(top, "--root")).isEqualTo(Path.of(BerthRuntime.DEFAULT_ROOT));
    }

    @Test
    void usageListsEveryCommandAndEveryGlobalOption() {
        Result r = cli("--help");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        for (String name : BerthRuntime.COMMANDS) {
            assertThat(r.out()).containsPattern("(?m)^\\s+" + name + "\\b");
        }
        assertThat(r.out()).contains("list, ps-all  List containers.");
        for (OptionSpec o : BerthRuntime.spec().options()) {
            assertThat(r.out()).contains(o.longestName()).contains(o.description()[0].replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue())));
        }
        assertThat(r.out()).contains("state directory (default: /run/berth)").contains("text or json (default: text)");
    }

    @Test
    void aCommandsUsageShowsItsOptionsAndDefaults() {
        Result r = cli("create");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("berth-runtime: Missing required parameter: '<id>'\nUsage: berth-runtime create ")
                .contains("-b, --bundle=<bundle>      bundle directory (default: current directory)")
                .contains("--no-new-keyring").contains("--preserve-fds=<preserveFds>");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void versionIsPrintedWithExitZero() {
        Result r = cli("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("berth-runtime version ").contains("spec: ");
    }

    @Test
    void noCommandIsBadUsage() {
        Result r = cli("--root", "/nonexistent-berth-root");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("berth-runtime: Missing required subcommand\nUsage: berth-runtime ");
        assertThat(r.err()).contains("features").contains("exec");
    }

    @Test
    void aMistypedCommandIsRejectedWithASuggestion() {
        Result r = cli("--root", "/nonexistent-berth-root", "lst");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("berth-runtime: Unmatched argument at index 2: 'lst'\nDid you mean: berth-runtime list");
        Result option = cli("--root", "/nonexistent-berth-root", "list", "--quite");
        assertThat(option.code()).isEqualTo(2);
        assertThat(option.err()).startsWith("berth-runtime: Unknown option: '--quite'\nPossible solutions: --quiet\nUsage: berth-runtime list");
    }

    @Test
    void aBadLogFormatIsBadUsageNamingTheChoices() {
        Result r = cli("--log-format", "xml", "list");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("berth-runtime: Invalid value for option '--log-format': expected one of [TEXT, JSON] (case-insensitive) but was 'xml'\n");
    }

    @Test
    void badUsageIsAlsoWrittenToTheLog() throws Exception {
        Path log = dir.resolve("log.json");
        Result r = cli("--log", log.toString(), "--log-format", "JSON", "kill");
        assertThat(r.code()).isEqualTo(2);
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("{\"level\":\"error\",\"msg\":\"Missing required parameter: '<id>'\",\"time\":\"");
    }

    @Test
    void execStillStopsAtItsCommand() {
        // "exec ID sh -c ..." must give -c to sh, not to exec: with exec alone registered too.
        Result r = cli("--root", "/nonexistent-berth-root", "exec", "nosuch", "sh", "-c", "true");
        assertThat(r.err()).doesNotContain("Unknown option").contains("nosuch");
        assertThat(r.code()).isEqualTo(1);
    }

    @Test
    void aFailingCommandIsOneLineWithExitOneAndDebugAddsTheStack() {
        Result r = cli("--root", dir.toString(), "state", "nosuch");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("berth-runtime: container 'nosuch' does not exist\n");
        Result debug = cli("--root", dir.toString(), "--debug", "state", "nosuch");
        assertThat(debug.code()).isEqualTo(1);
        assertThat(debug.err()).startsWith("berth-runtime: container 'nosuch' does not exist\n").contains("\tat io.berth.runtime.");
    }

    @Test
    void featuresListsTheCgroupSupportInAFixedOrder() {
        Result r = cli("features");
        assertThat(r.code()).isZero();
        // A Map.of would print these in an order that changes from one JVM to the next.
        assertThat(r.out().replaceAll("\\s+", "")).contains("\"cgroup\":{\"v1\":true,\"v2\":true,\"systemd\":false,\"systemdUser\":false,\"rdma\":false}");
    }

    @Test
    void everyOptionStillConvertsWithoutPicocliTypeConvertersForJdkTypes() {
        String before = System.getProperty("picocli.converters.excludes");
        try {
            System.clearProperty("picocli.converters.excludes");
            BerthRuntime.skipUnusedConverters();
            assertThat(System.getProperty("picocli.converters.excludes")).isEqualTo("java\\..*");
            Invocation create = parse("--root", "/r", "--log", "/l", "--log-format", "json", "create", "-b", "/b",
                    "--pid-file", "/p", "--console-socket", "/s", "--preserve-fds", "0", "c1");
            assertThat(create.<Path>option("--console-socket")).isEqualTo(Path.of("/s"));
            assertThat(create.<Path>option("--bundle")).isEqualTo(Path.of("/b"));
            Result r = cli("--root", dir.toString(), "list", "--format", "json");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("[]");
        } finally {
            if (before == null) {
                System.clearProperty("picocli.converters.excludes");
            } else {
                System.setProperty("picocli.converters.excludes", before);
            }
        }
    }
}
