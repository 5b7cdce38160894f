package io.berth.apimachinery.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LabelSelectorTest {
    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

    @Test
    void equalityAndInequality() {
        assertThat(LabelSelector.parse("app=web").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app==web,tier=front").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app=db").test(WEB)).isFalse();
        assertThat(LabelSelector.parse("app!=db").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app!=web").test(WEB)).isFalse();
        assertThat(LabelSelector.parse("missing!=x").test(WEB)).as("a pod without the label").isTrue();
        assertThat(LabelSelector.parse("app=").test(Map.of("app", ""))).as("an empty value is a value").isTrue();
    }

    @Test
    void setsAndExistence() {
        assertThat(LabelSelector.parse("app in (db, web)").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app in (web, api),tier notin (back)").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app notin (db,web)").test(WEB)).isFalse();
        assertThat(LabelSelector.parse("env in (prod)").test(WEB)).as("a pod without the label").isFalse();
        assertThat(LabelSelector.parse("env notin (prod)").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("tier,app in (web)").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("!tier").test(WEB)).isFalse();
        assertThat(LabelSelector.parse("!owner").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("owner").test(WEB)).isFalse();
        assertThat(LabelSelector.parse("app=web").test(null)).isFalse();
        assertThat(LabelSelector.parse("example.com/app=web").test(Map.of("example.com/app", "web"))).isTrue();
    }

    @Test
    void emptySelectsEverythingAndKeepsItsText() {
        assertThat(LabelSelector.parse("").test(Map.of())).isTrue();
        assertThat(LabelSelector.parse(null).isEmpty()).isTrue();
        assertThat(LabelSelector.parse(" app in (a,b) ").toString()).isEqualTo("app in (a,b)");
    }

    @Test
    void aBadSelectorNamesItsFirstBadPart() {
        assertThatThrownBy(() -> LabelSelector.parse("a b=c")).isInstanceOf(InvalidSelectorException.class)
                .hasMessage("invalid label selector \"a b=c\": invalid label key \"a b\"");
        assertThatThrownBy(() -> LabelSelector.parse("app=we b"))
                .satisfies(e -> assertThat(((InvalidSelectorException) e).reason()).isEqualTo("invalid label value \"we b\""));
        assertThatThrownBy(() -> LabelSelector.parse("app=web,,x"))
                .satisfies(e -> assertThat(((InvalidSelectorException) e).reason()).isEqualTo("an empty requirement"));
        assertThatThrownBy(() -> LabelSelector.parse("app in (a,b c)")).hasMessageContaining("invalid label value \"b c\"");
    }
}
