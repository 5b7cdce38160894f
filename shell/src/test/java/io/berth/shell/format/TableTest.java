package io.berth.shell.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void alignsColumnsWithThreeSpacesAndNoTrailingBlanks() {
        Table t = new Table("NAME", "READY", "STATUS").row("web", "1/1", "Running").row("a-much-longer-name", "0/1", "");
        StringWriter s = new StringWriter();
        t.print(new PrintWriter(s), true);
        assertThat(s.toString()).isEqualTo(
                "NAME                 READY   STATUS\n"
                        + "web                  1/1     Running\n"
                        + "a-much-longer-name   0/1\n");
    }

    @Test
    void colourDoesNotCountTowardsTheWidth() {
        Colors colors = new Colors(true);
        Table t = new Table("A", "B").row("x", "y").row("longer", "z");
        StringWriter s = new StringWriter();
        t.print(new PrintWriter(s), false, (column, cell) -> column == 0 ? colors.red(cell) : cell);
        assertThat(s.toString()).isEqualTo("\u001b[31mx\u001b[0m        y\n\u001b[31mlonger\u001b[0m   z\n");
    }

    @Test
    void aRowMustFitTheColumns() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noColourWhenDisabled() {
        assertThat(new Colors(false).status("Error")).isEqualTo("Error");
        assertThat(new Colors(true).status("Running")).isEqualTo("\u001b[32mRunning\u001b[0m");
    }
}
