package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.berth.runtime.oci.Spec;
import io.berth.testkit.Requirements;

class IdMapsTest {
    @Test
    void oneLinePerRangeInTheKernelsOrder() {
        assertThat(IdMaps.format(List.of(new Spec.IdMapping(0, 100000, 1000), new Spec.IdMapping(1000, 5000, 1))))
                .isEqualTo("0 100000 1000\n1000 5000 1\n");
    }

    @Test
    void aMapTheKernelRefusesNamesTheFileTheMapAndTheSpecField() throws Exception {
        Requirements.root();
        // The initial user namespace's maps are fixed: the kernel refuses any write, even root's.
        String before = Files.readString(Path.of("/proc/self/uid_map"));
        int self = (int) ProcessHandle.current().pid();
        assertThatThrownBy(() -> IdMaps.write(self, List.of(new Spec.IdMapping(0, 100000, 10)), List.of(new Spec.IdMapping(0, 100000, 10))))
                .isInstanceOf(IOException.class)
                .hasMessage("writing /proc/" + self + "/uid_map (0 100000 10): Operation not permitted: check linux.uidMappings")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(Files.readString(Path.of("/proc/self/uid_map"))).isEqualTo(before);
    }
}
