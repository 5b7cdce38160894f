package io.berth.shell.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class PodViewTest {
    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("busybox").endContainer().endSpec();
    }

    @Test
    void aPodWithoutStatusIsPending() {
        Pod p = pod().build();
        assertThat(PodView.status(p)).isEqualTo("Pending");
        assertThat(PodView.ready(p)).isEqualTo("0/1");
        assertThat(PodView.restarts(p)).isZero();
    }

    @Test
    void aContainerReasonWinsOverThePhase() {
        Pod p = pod().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("web").withReady(false)
                .withRestartCount(0).withNewState().withNewWaiting().withReason("ErrImagePull").endWaiting().endState()
                .endContainerStatus().endStatus().build();
        assertThat(PodView.status(p)).isEqualTo("ErrImagePull");
    }

    @Test
    void runningReadyAndRestarted() {
        Pod p = pod().withNewStatus().withPhase("Running").addNewContainerStatus().withName("web").withReady(true)
                .withRestartCount(3).withNewState().withNewRunning().endRunning().endState()
                .endContainerStatus().endStatus().build();
        assertThat(PodView.status(p)).isEqualTo("Running");
        assertThat(PodView.ready(p)).isEqualTo("1/1");
        assertThat(PodView.restarts(p)).isEqualTo(3);
    }

    @Test
    void terminatedWithoutReasonShowsTheExitCodeAndDeletionShowsTerminating() {
        Pod p = pod().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("web")
                .withNewState().withNewTerminated().withExitCode(3).endTerminated().endState()
                .endContainerStatus().endStatus().build();
        assertThat(PodView.status(p)).isEqualTo("ExitCode:3");
        p.getMetadata().setDeletionTimestamp("2026-12-07T00:00:00Z");
        assertThat(PodView.status(p)).isEqualTo("Terminating");
    }
}
