package io.berth.shell.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.berth.shell.ConsoleException;

/** The console's wording of a bad {@code -l}; the syntax itself is apimachinery's LabelSelectorTest. */
class SelectorTest {
    @Test
    void aGoodSelectorIsTheSharedOne() {
        assertThat(Selector.parse("app in (db, web)").test(Map.of("app", "web"))).isTrue();
    }

    @Test
    void aBadSelectorIsAUsageErrorSayingTheSyntax() {
        assertThatThrownBy(() -> Selector.parse("app=we b"))
                .isInstanceOf(ConsoleException.class)
                .hasMessageContaining("bad label selector 'app=we b' (invalid label value \"we b\")")
                .hasMessageContaining("use key=value");
        assertThatThrownBy(() -> Selector.parse("app=web,,x")).hasMessageContaining("an empty requirement");
    }
}
