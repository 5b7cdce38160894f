package io.berth.shell.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.berth.shell.ConsoleException;

class WordsTest {
    @Test
    void splitsAsAShellDoes() {
        assertThat(Words.split("  get   pods -o  wide ")).containsExactly("get", "pods", "-o", "wide");
        assertThat(Words.split("run x -- sh -c 'echo a  b; ps'")).containsExactly("run", "x", "--", "sh", "-c", "echo a  b; ps");
        assertThat(Words.split("run x --env \"A=b c\" --env B=\\\"q\\\"")).containsExactly("run", "x", "--env", "A=b c", "--env", "B=\"q\"");
        assertThat(Words.split("echo 'it'\"'\"'s'")).containsExactly("echo", "it's");
        assertThat(Words.split("a\\ b ''")).containsExactly("a b", "");
    }

    @Test
    void anUnclosedQuoteIsAnError() {
        assertThatThrownBy(() -> Words.split("run x -- sh -c 'echo")).isInstanceOf(ConsoleException.class)
                .hasMessage("unclosed ' in the command line: close the quote");
        assertThatThrownBy(() -> Words.split("a \"b")).hasMessage("unclosed \" in the command line: close the quote");
    }
}
