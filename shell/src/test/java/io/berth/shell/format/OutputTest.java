package io.berth.shell.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.berth.shell.ConsoleException;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

class OutputTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("version", "1").addToLabels("on", "true").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox").withCommand("sleep", "3600")
                .withNewResources().addToLimits("cpu", new Quantity("0.5")).endResources().endContainer().endSpec().build();
    }

    private static String print(Output format, List<Pod> pods, boolean single) {
        StringWriter s = new StringWriter();
        format.print(pods, single, new PrintWriter(s));
        return s.toString();
    }

    @Test
    void yamlAndJsonReadBackToTheSameObjects() {
        Pod web = pod("web");
        String yaml = print(Output.YAML, List.of(web), true);
        assertThat(yaml).startsWith("apiVersion: v1\nkind: Pod\n").contains("  - \"3600\"").contains("version: \"1\"")
                .contains("\"on\": \"true\"");
        assertThat(SERIALIZATION.unmarshal(yaml, Pod.class)).isEqualTo(web);
        String json = print(Output.JSON, List.of(web, pod("db")), false);
        assertThat(json).startsWith("{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"List\",\n    \"items\": [\n");
        KubernetesList list = SERIALIZATION.unmarshal(json, KubernetesList.class);
        assertThat(list.getItems()).containsExactly(web, pod("db"));
    }

    @Test
    void namesAreKindSlashName() {
        assertThat(print(Output.NAME, List.of(pod("a"), pod("b")), false)).isEqualTo("pod/a\npod/b\n");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        assertThat(Output.parse(null)).isEqualTo(Output.TABLE);
        assertThat(Output.parse("wide").isTable()).isTrue();
        assertThatThrownBy(() -> Output.parse("xml")).isInstanceOf(ConsoleException.class)
                .hasMessage("unknown output format 'xml': use -o wide, json, yaml or name");
    }
}
