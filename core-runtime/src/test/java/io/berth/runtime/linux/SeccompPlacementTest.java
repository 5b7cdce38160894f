package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.berth.runtime.oci.Spec;
import io.berth.runtime.seccomp.Arch;
import io.berth.runtime.seccomp.SeccompCompiler;
import io.berth.runtime.seccomp.SeccompProgram;

/** Where ProcessSetup puts the filter (runc's order), without starting anything. */
class SeccompPlacementTest {
    static final SeccompProgram PROGRAM = SeccompCompiler.compile(
            new Spec.Seccomp("SCMP_ACT_ALLOW", null, List.of(), List.of(), null, null, List.of()), Arch.X86_64);

    static List<ChildOp> ops(boolean noNewPrivs) {
        return ProcessSetup.prepare(ProcessSetup.User.root(), ProcessSetup.Capabilities.of(Capability.dockerDefaults()),
                noNewPrivs, List.of(), "/", List.of("sh"), "/bin", null, PROGRAM);
    }

    @Test
    void withNoNewPrivsTheFilterIsTheLastStepAndWaitsForExec() {
        List<ChildOp> ops = ops(true);
        assertThat(ops.get(ops.size() - 1)).isEqualTo(new ChildOp.Seccomp(PROGRAM, true));
        assertThat(ops.stream().filter(op -> op instanceof ChildOp.Seccomp)).hasSize(1);
        assertThat(ops.indexOf(new ChildOp.NoNewPrivs())).isLessThan(ops.size() - 1);
    }

    @Test
    void withoutNoNewPrivsTheFilterComesBeforeTheIdentityChange() {
        List<ChildOp> ops = ops(false);
        int seccomp = ops.indexOf(new ChildOp.Seccomp(PROGRAM, false));
        assertThat(seccomp).isPositive();
        assertThat(ops.get(seccomp - 1)).isInstanceOf(ChildOp.DropBounding.class);
        assertThat(seccomp).isLessThan(ops.indexOf(new ChildOp.SetUid(0)));
        assertThat(ops).doesNotContain(new ChildOp.NoNewPrivs());
        assertThat(ProcessSetup.prepare(ProcessSetup.User.root(), ProcessSetup.Capabilities.of(Capability.dockerDefaults()),
                false, List.of(), "/", List.of("sh"), "/bin", null, null)).noneMatch(op -> op instanceof ChildOp.Seccomp);
    }

    @Test
    void aPlanTakesOneLateFilter() {
        LaunchPlan plan = LaunchPlan.of(List.of("sh"), List.of(), Stdio.nullStdio());
        assertThat(plan.withSetup(List.of(new ChildOp.Seccomp(PROGRAM, false), new ChildOp.Seccomp(PROGRAM, true))).setup()).hasSize(2);
        assertThatThrownBy(() -> plan.withSetup(List.of(new ChildOp.Seccomp(PROGRAM, true), new ChildOp.Seccomp(PROGRAM, true))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("more than one seccomp filter is to be installed right before execve: give the process one profile");
    }
}
