package io.berth.orchestrator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SelectorsTest {

    @Test
    void aBadLabelSelectorIsABadRequestWordedAsTheApiserver() {
        // The syntax itself is apimachinery's LabelSelectorTest; here only the daemon's answer.
        assertThat(PodsApi.labelSelector("app=web").test(Map.of("app", "web"))).isTrue();
        assertThatThrownBy(() -> PodsApi.labelSelector("a b=c")).isInstanceOf(ApiException.class)
                .hasMessage("unable to parse requirement: invalid label key \"a b\" in selector \"a b=c\"");
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
}
