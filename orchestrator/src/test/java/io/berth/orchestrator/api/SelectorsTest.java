package io.berth.orchestrator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SelectorsTest {

    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

    @Test
    void labelSelectorsAsKubernetesParsesThem() {
        assertThat(LabelSelector.parse("app=web").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app==web,tier!=back").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app in (web, api),tier notin (back)").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("app in (api)").test(WEB)).isFalse();
        assertThat(LabelSelector.parse("env in (prod)").test(WEB)).as("a pod without the label").isFalse();
        assertThat(LabelSelector.parse("env notin (prod)").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("tier").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("!tier").test(WEB)).isFalse();
        assertThat(LabelSelector.parse("env!=prod").test(WEB)).isTrue();
        assertThat(LabelSelector.parse("").test(Map.of())).isTrue();
        assertThatThrownBy(() -> LabelSelector.parse("a b=c")).isInstanceOf(ApiException.class)
                .hasMessageContaining("invalid label key \"a b\"");
    }

    @Test
    void fieldSelectorsOnlyOnSupportedFields() {
        FieldSelector s = FieldSelector.parse("spec.nodeName=vm,status.phase!=Failed", "pods", Set.of("spec.nodeName", "status.phase"));
        assertThat(s.matches(f -> f.equals("spec.nodeName") ? "vm" : "Running")).isTrue();
        assertThat(s.matches(f -> f.equals("spec.nodeName") ? "vm" : "Failed")).isFalse();
        assertThatThrownBy(() -> FieldSelector.parse("spec.x=1", "pods", Set.of("spec.nodeName")))
                .hasMessage("field label not supported: spec.x (pods support spec.nodeName)");
        assertThatThrownBy(() -> FieldSelector.parse("nonsense", "pods", Set.of("spec.nodeName")))
                .hasMessageContaining("can't understand 'nonsense'");
    }

    @Test
    void ageReadsAsKubectlShowsIt() {
        assertThat(Table.humanDuration(java.time.Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Table.humanDuration(java.time.Duration.ofSeconds(150))).isEqualTo("2m30s");
        assertThat(Table.humanDuration(java.time.Duration.ofMinutes(42))).isEqualTo("42m");
        assertThat(Table.humanDuration(java.time.Duration.ofMinutes(5 * 60 + 7))).isEqualTo("5h7m");
        assertThat(Table.humanDuration(java.time.Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Table.humanDuration(java.time.Duration.ofHours(24 * 3 + 4))).isEqualTo("3d4h");
        assertThat(Table.humanDuration(java.time.Duration.ofDays(40))).isEqualTo("40d");
    }
}
