package io.berth.runtime.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The validation rules of limits, device rules, cpu lists and cgroup paths (pure values, no kernel). */
class CgroupLimitsTest {
    private static final long MIB = 1024 * 1024;

    private static void rejected(CgroupLimits.Builder b, String message) {
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void memoryRules() {
        rejected(CgroupLimits.builder().memoryLimit(-5L),
                "memoryLimit must be at least 6291456 bytes (6 MiB) or -1 for unlimited, got -5");
        rejected(CgroupLimits.builder().memoryLimit(6 * MIB - 1),
                "memoryLimit must be at least 6291456 bytes (6 MiB) or -1 for unlimited, got 6291455");
        rejected(CgroupLimits.builder().memorySwap(64 * MIB),
                "memorySwap (memory+swap) needs a memoryLimit too, got memorySwap 67108864 with memoryLimit null");
        rejected(CgroupLimits.builder().memoryLimit(64 * MIB).memorySwap(32 * MIB),
                "memorySwap is memory+swap and must be at least memoryLimit 67108864 (or -1 for unlimited swap), got 33554432");
        rejected(CgroupLimits.builder().memoryReservation(0L), "memoryReservation must be positive, got 0");
        rejected(CgroupLimits.builder().memoryLimit(16 * MIB).memoryReservation(32 * MIB),
                "memoryReservation must not exceed memoryLimit 16777216, got 33554432");

        assertThat(CgroupLimits.builder().memoryLimit(6 * MIB).build().effectiveMemorySwap()).isEqualTo(6 * MIB);
        assertThat(CgroupLimits.builder().memoryLimit(-1L).build().effectiveMemorySwap()).isEqualTo(-1);
        assertThat(CgroupLimits.builder().memoryLimit(8 * MIB).memorySwap(-1L).build().effectiveMemorySwap()).isEqualTo(-1);
    }

    @Test
    void cpuRules() {
        rejected(CgroupLimits.builder().cpuShares(1L), "cpuShares must be between 2 and 262144, got 1");
        rejected(CgroupLimits.builder().cpuShares(262_145L), "cpuShares must be between 2 and 262144, got 262145");
        rejected(CgroupLimits.builder().cpuQuota(50_000L).cpuPeriod(999L),
                "cpuPeriod must be between 1000 and 1000000 microseconds for cpuQuota 50000, got 999");
        rejected(CgroupLimits.builder().cpuPeriod(1_000_001L),
                "cpuPeriod must be between 1000 and 1000000 microseconds, got 1000001");
        rejected(CgroupLimits.builder().cpuQuota(999L),
                "cpuQuota must be at least 1000 microseconds per period or -1 for no quota, got 999");
        rejected(CgroupLimits.builder().cpuQuota(0L),
                "cpuQuota must be at least 1000 microseconds per period or -1 for no quota, got 0");

        assertThat(CgroupLimits.builder().cpuQuota(20_000L).build().effectiveCpuPeriod()).isEqualTo(100_000L);
        assertThat(CgroupLimits.builder().cpuQuota(20_000L).cpuPeriod(50_000L).build().effectiveCpuPeriod()).isEqualTo(50_000L);
        assertThat(CgroupLimits.builder().cpuShares(512L).build().effectiveCpuPeriod()).isNull();
    }

    @Test
    void cpusetRules() {
        rejected(CgroupLimits.builder().cpusetCpus("abc"),
                "cpusetCpus must be a list like \"0-3,5\" (numbers and ascending ranges separated by commas), got \"abc\"");
        rejected(CgroupLimits.builder().cpusetMems("3-1"),
                "cpusetMems must be a list like \"0-3,5\" (numbers and ascending ranges separated by commas), got \"3-1\" (bad range 3-1)");
        rejected(CgroupLimits.builder().cpusetCpus(""),
                "cpusetCpus must be a list like \"0-3,5\" (numbers and ascending ranges separated by commas), got \"\"");
        assertThat(CgroupLimits.builder().cpusetCpus(" 0-3,5\n").build().cpusetCpus()).isEqualTo("0-3,5");
        assertThat(CpuSetList.parse("x", "0,2").isSubsetOf(CpuSetList.ofKernel("0-3"))).isTrue();
        assertThat(CpuSetList.parse("x", "0,4").isSubsetOf(CpuSetList.ofKernel("0-3"))).isFalse();
        assertThat(CpuSetList.ofKernel("\n").isEmpty()).isTrue();
    }

    @Test
    void pidsRules() {
        rejected(CgroupLimits.builder().pidsLimit(0L), "pidsLimit must be positive or -1 for unlimited, got 0");
        rejected(CgroupLimits.builder().pidsLimit(-2L), "pidsLimit must be positive or -1 for unlimited, got -2");
        assertThat(CgroupLimits.builder().pidsLimit(-1L).build().pidsLimit()).isEqualTo(-1);
    }

    @Test
    void deviceRules() {
        assertThatThrownBy(() -> DeviceRule.allow("x", 1L, 3L, "rwm")).hasMessageStartingWith("devices: type must be");
        assertThatThrownBy(() -> DeviceRule.allow("c", -1L, 3L, "rwm")).hasMessageStartingWith("devices: major and minor");
        assertThatThrownBy(() -> DeviceRule.allow("c", 1L, 3L, "rwx")).hasMessageStartingWith("devices: access must be");
        assertThatThrownBy(() -> DeviceRule.allow("c", 1L, 3L, "rr")).hasMessageStartingWith("devices: access must be");
        assertThat(DeviceRule.allow("c", 1L, 3L, null).v1Syntax()).isEqualTo("c 1:3 rwm");
        assertThat(DeviceRule.deny("a", null, null, "rwm").v1Syntax()).isEqualTo("a *:* rwm");
        assertThat(DeviceRule.allow("b", 8L, null, "r").v1Syntax()).isEqualTo("b 8:* r");

        List<DeviceRule> rules = new ArrayList<>();
        rules.add(null);
        rejected(CgroupLimits.builder().devices(rules), "devices must not contain null rules");
        rules.set(0, DeviceRule.allow("c", 1L, 3L, "r"));
        CgroupLimits limits = CgroupLimits.builder().devices(rules).build();
        rules.clear();
        assertThat(limits.devices()).as("a copy, not the caller's list").hasSize(1);
    }

    @Test
    void noneSetsNothing() {
        CgroupLimits none = CgroupLimits.NONE;
        assertThat(none.hasMemory() || none.hasCpu() || none.hasCpuset() || none.hasDevices() || none.pidsLimit() != null).isFalse();
    }

    @Test
    void cgroupPathsAndContainerIds() {
        assertThat(Cgroups.defaultPath("abc123")).isEqualTo("/berth/abc123");
        for (String bad : new String[] {"", "a/b", "..", "."}) {
            assertThatThrownBy(() -> Cgroups.defaultPath(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("container id must be a non-empty name without '/'");
        }
        CgroupFs fs = CgroupFs.v1(java.util.Map.of("memory", java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))));
        for (String bad : new String[] {"", "/", "//", "/berth/../etc", "./x", " "}) {
            assertThatThrownBy(() -> Cgroups.open(bad, fs)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("cgroupsPath must name a cgroup below the root");
        }
        assertThat(Cgroups.open("/berth/x", fs).path()).isEqualTo("/berth/x");
    }
}
