package io.berth.shell.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.berth.shell.ConsoleException;

class SelectorTest {
    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

    @Test
    void equalityAndInequality() {
        assertThat(Selector.parse("app=web").matches(WEB)).isTrue();
        assertThat(Selector.parse("app==web,tier=front").matches(WEB)).isTrue();
        assertThat(Selector.parse("app=db").matches(WEB)).isFalse();
        assertThat(Selector.parse("app!=db").matches(WEB)).isTrue();
        assertThat(Selector.parse("app!=web").matches(WEB)).isFalse();
        assertThat(Selector.parse("missing!=x").matches(WEB)).isTrue();
    }

    @Test
    void setsAndExistence() {
        assertThat(Selector.parse("app in (db, web)").matches(WEB)).isTrue();
        assertThat(Selector.parse("app notin (db,web)").matches(WEB)).isFalse();
        assertThat(Selector.parse("tier,app in (web)").matches(WEB)).isTrue();
        assertThat(Selector.parse("!tier").matches(WEB)).isFalse();
        assertThat(Selector.parse("!owner").matches(WEB)).isTrue();
        assertThat(Selector.parse("owner").matches(WEB)).isFalse();
        assertThat(Selector.parse("app=web").matches(null)).isFalse();
        assertThat(Selector.parse("").matches(WEB)).isTrue();
    }

    @Test
    void aBadSelectorIsAUsageErrorSayingTheSyntax() {
        assertThatThrownBy(() -> Selector.parse("app=we b"))
                .isInstanceOf(ConsoleException.class)
                .hasMessageContaining("bad label selector 'app=we b'")
                .hasMessageContaining("use key=value");
        assertThatThrownBy(() -> Selector.parse("app=web,,x")).hasMessageContaining("an empty requirement");
    }
}
