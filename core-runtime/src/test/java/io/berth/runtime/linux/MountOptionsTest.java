package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class MountOptionsTest {
    @Test
    void flagsDataAndPropagationAreSplit() {
        MountOptions o = MountOptions.parse(List.of("nosuid", "noexec", "nodev", "ro", "mode=755", "size=65536k",
                "newinstance", "rprivate"));
        assertThat(o.flags()).isEqualTo(MountFlags.NOSUID | MountFlags.NOEXEC | MountFlags.NODEV | MountFlags.RDONLY);
        assertThat(o.data()).isEqualTo("mode=755,size=65536k,newinstance");
        assertThat(o.propagation()).isEqualTo(MountFlags.PRIVATE | MountFlags.REC);
        assertThat(o.bind()).isFalse();
    }

    @Test
    void laterOptionsWinAndBindsAreRecognised() {
        MountOptions o = MountOptions.parse(List.of("ro", "rw", "rbind", "nosuid", "suid"));
        assertThat(o.flags()).isZero();
        assertThat(o.bind()).isTrue();
        assertThat(o.recursive()).isTrue();
        assertThat(o.data()).isNull();
        assertThat(MountOptions.parse(List.of("bind")).recursive()).isFalse();
    }

    @Test
    void unknownOptionIsAClearError() {
        assertThatThrownBy(() -> MountOptions.parse(List.of("nosuid", "frobnicate")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown mount option \"frobnicate\": use a mount(8) flag");
        assertThatThrownBy(() -> MountOptions.parse(List.of("=oops"))).isInstanceOf(IllegalArgumentException.class);
    }
}
