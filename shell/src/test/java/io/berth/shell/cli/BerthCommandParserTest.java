package io.berth.shell.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.shell.core.command.AbstractCommand;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.command.ParsedInput;

import io.berth.shell.ConsoleException;

class BerthCommandParserTest {
    private static AbstractCommand command(String name, List<String> aliases, CommandOption... options) {
        AbstractCommand c = new AbstractCommand(name, "test", "Test") {
            @Override
            public ExitStatus doExecute(CommandContext context) {
                return ExitStatus.OK;
            }
        };
        c.setAliases(aliases);
        c.setOptions(List.of(options));
        return c;
    }

    private static CommandOption option(char shortName, String longName, Class<?> type) {
        return CommandOption.with().shortName(shortName).longName(longName).type(type).build();
    }

    private final BerthCommandParser parser;

    BerthCommandParserTest() {
        CommandRegistry registry = new CommandRegistry();
        registry.registerCommand(command("get pods", List.of("get pod", "get po"),
                option('o', "output", String.class), option('l', "selector", String.class), option('w', "watch", Boolean.class)));
        registry.registerCommand(command("get events", List.of()));
        registry.registerCommand(command("run", List.of(), option(' ', "image", String.class), option('i', "stdin", Boolean.class),
                option('t', "tty", Boolean.class), option('e', "env", String.class), option(' ', "rm", Boolean.class)));
        registry.registerCommand(command("delete", List.of(), option('f', "filename", String.class)));
        registry.registerCommand(command("delete pod", List.of(), option(' ', "now", Boolean.class)));
        parser = new BerthCommandParser(registry);
    }

    private static String value(ParsedInput p, String longName) {
        return p.options().stream().filter(o -> longName.equals(o.longName())).map(CommandOption::value).findFirst().orElse(null);
    }

    private static List<String> arguments(ParsedInput p) {
        return p.arguments().stream().map(CommandArgument::value).toList();
    }

    @Test
    void findsMultiWordCommandsAndAliases() {
        ParsedInput p = parser.parse(List.of("get", "po", "web", "-o", "wide"));
        assertThat(p.commandName()).isEqualTo("get");
        assertThat(p.subCommands()).containsExactly("po");
        assertThat(arguments(p)).containsExactly("web");
        assertThat(value(p, "output")).isEqualTo("wide");
        ParsedInput d = parser.parse(List.of("delete", "-f", "-"));
        assertThat(d.subCommands()).isEmpty();
        assertThat(value(d, "filename")).isEqualTo("-");
        assertThat(parser.parse(List.of("delete", "pod", "web", "--now")).subCommands()).containsExactly("pod");
    }

    @Test
    void booleansTakeNoValueAndShortOnesCombine() {
        ParsedInput p = parser.parse(List.of("get", "pods", "-w", "-l", "app=web"));
        assertThat(value(p, "watch")).isEqualTo("true");
        assertThat(value(p, "selector")).isEqualTo("app=web");
        ParsedInput r = parser.parse(List.of("run", "x", "-it", "--image=busybox", "--rm"));
        assertThat(value(r, "stdin")).isEqualTo("true");
        assertThat(value(r, "tty")).isEqualTo("true");
        assertThat(value(r, "image")).isEqualTo("busybox");
        assertThat(value(r, "rm")).isEqualTo("true");
        assertThat(value(parser.parse(List.of("get", "pods", "-ojson")), "output")).isEqualTo("json");
        assertThat(value(parser.parse(List.of("get", "pods", "-o=yaml")), "output")).isEqualTo("yaml");
    }

    @Test
    void everyOptionIsRecordedUnderBothNamesAndRepeatsAreKept() {
        ParsedInput p = parser.parse(List.of("run", "x", "-e", "A=1", "--env", "B=2"));
        assertThat(p.options()).filteredOn(o -> "env".equals(o.longName())).extracting(CommandOption::value).containsExactly("A=1", "B=2");
        assertThat(p.options()).allMatch(o -> o.shortName() == 'e');
    }

    @Test
    void afterTheSeparatorEverythingIsAnArgumentAndTheSeparatorIsKept() {
        ParsedInput p = parser.parse(List.of("run", "x", "--image", "busybox", "--", "sh", "-c", "echo --rm"));
        assertThat(arguments(p)).containsExactly("x", "--", "sh", "-c", "echo --rm");
        assertThat(value(p, "rm")).isNull();
    }

    @Test
    void helpIsRecognisedAnywhere() {
        assertThat(BerthCommandParser.wantsHelp(parser.parse(List.of("get", "pods", "--help")))).isTrue();
        assertThat(BerthCommandParser.wantsHelp(parser.parse(List.of("run", "-h")))).isTrue();
        assertThat(BerthCommandParser.wantsHelp(parser.parse(List.of("run", "x")))).isFalse();
    }

    @Test
    void mistakesAreOneLineUsageErrors() {
        assertThatThrownBy(() -> parser.parse(List.of("get", "pods", "--colour")))
                .isInstanceOf(ConsoleException.class)
                .hasMessage("unknown option --colour for 'get pods': see `berth get pods --help`")
                .extracting(e -> ((ConsoleException) e).exitCode()).isEqualTo(ConsoleException.USAGE);
        assertThatThrownBy(() -> parser.parse(List.of("run", "x", "-itz")))
                .hasMessage("unknown option -z (in -itz) for 'run': see `berth run --help`");
        assertThatThrownBy(() -> parser.parse(List.of("get", "pods", "-o")))
                .hasMessage("option -o needs a value: see `berth get pods --help`");
        assertThatThrownBy(() -> parser.parse(List.of("frobnicate")))
                .hasMessage("unknown command 'frobnicate': run `berth help` for the list of commands");
        assertThatThrownBy(() -> parser.parse(List.of("get", "secrets")))
                .hasMessage("unknown command 'get secrets': get takes one of events, pods");
        assertThatThrownBy(() -> parser.parse(List.of("get")))
                .hasMessage("'get' needs one of: get events, get pods");
    }
}
