package io.berth.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/**
 * berth-runtime registers only the subcommand it is asked for (start-up time); these check that the
 * registry agrees with the commands' annotations and that help and errors still see every command.
 */
class BerthRuntimeCommandsTest {
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

    @Test
    void everyRegisteredNameBuildsTheCommandAnnotatedWithThatName() {
        for (String name : BerthRuntime.COMMANDS) {
            Object command = BerthRuntime.command(name);
            assertThat(command).as(name).isNotNull();
            assertThat(command.getClass().getAnnotation(Command.class).name()).isEqualTo(name);
        }
        assertThat(BerthRuntime.command("ps-all")).isInstanceOf(ListCommand.class);
        assertThat(BerthRuntime.command("nope")).isNull();
    }

    @Test
    void theScannerKnowsEveryDeclaredGlobalOption() {
        // A global option added to BerthRuntime but not to these lists would make its value (or
        // the option itself) look like the command, and every call with it would load all commands.
        List<String> values = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        for (OptionSpec o : new CommandLine(new BerthRuntime()).getCommandSpec().options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            (o.arity().max() == 0 ? flags : values).add(o.longestName());
        }
        assertThat(values).containsExactlyInAnyOrderElementsOf(BerthRuntime.VALUE_OPTIONS);
        assertThat(flags).containsExactlyInAnyOrderElementsOf(BerthRuntime.FLAG_OPTIONS);
    }

    @Test
    void theCommandIsFoundAfterGlobalOptionsInBothForms() {
        assertThat(BerthRuntime.chosenCommand("--root", "/tmp/r", "--log", "/tmp/l", "--log-format", "json", "--debug",
                "--systemd-cgroup", "state", "c1")).isInstanceOf(StateCommand.class);
        assertThat(BerthRuntime.chosenCommand("--root=/tmp/r", "--log-format=json", "kill", "c1", "KILL"))
                .isInstanceOf(KillCommand.class);
        // The value of --root is not a command, even when it is spelled like one.
        assertThat(BerthRuntime.chosenCommand("--root", "state")).isNull();
        assertThat(BerthRuntime.chosenCommand("ps-all")).isInstanceOf(ListCommand.class);
    }

    @Test
    void helpVersionAndUnknownOptionsAskForEveryCommand() {
        assertThat(BerthRuntime.chosenCommand()).isNull();
        assertThat(BerthRuntime.chosenCommand("--help")).isNull();
        assertThat(BerthRuntime.chosenCommand("-V")).isNull();
        assertThat(BerthRuntime.chosenCommand("--bogus", "list")).isNull();
        assertThat(BerthRuntime.chosenCommand("lsit")).isNull();
    }

    @Test
    void usageListsEveryCommand() {
        Result r = cli("--help");
        assertThat(r.code()).isZero();
        for (String name : BerthRuntime.COMMANDS) {
            assertThat(r.out()).containsPattern("(?m)^\\s+" + name + "\\b");
        }
    }

    @Test
    void aMistypedCommandIsRejectedWithASuggestion() {
        Result r = cli("--root", "/nonexistent-berth-root", "lsit");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("berth-runtime: Unmatched argument at index 2: 'lsit'").contains("list");
    }

    @Test
    void execStillStopsAtItsCommand() {
        // "exec ID sh -c ..." must give -c to sh, not to exec: with exec alone registered too.
        Result r = cli("--root", "/nonexistent-berth-root", "exec", "nosuch", "sh", "-c", "true");
        assertThat(r.err()).doesNotContain("Unknown option").contains("nosuch");
        assertThat(r.code()).isEqualTo(1);
    }
}
