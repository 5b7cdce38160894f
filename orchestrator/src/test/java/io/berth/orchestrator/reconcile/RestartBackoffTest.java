package io.berth.orchestrator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The kubelet's backoff arithmetic on a clock the test moves by hand. */
class RestartBackoffTest {
    private Instant t = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void firstRestartIsImmediateThenTenSecondsDoublingToTheFiveMinuteCap() {
        RestartBackoff b = new RestartBackoff(BackoffPolicy.KUBELET);
        String k = "uid/c";
        assertThat(b.inBackOffSince(k, t, t)).isFalse();
        b.next(k, t); // first exit: restarted at once
        long[] expected = {10, 20, 40, 80, 160, 300, 300};
        for (long seconds : expected) {
            t = t.plusSeconds(1); // the run lasted a second, then exited
            Instant finished = t;
            assertThat(b.inBackOffSince(k, finished, t)).isTrue();
            assertThat(b.current(k)).isEqualTo(Duration.ofSeconds(seconds));
            assertThat(b.retryAt(k, finished)).isEqualTo(finished.plusSeconds(seconds));
            t = t.plusSeconds(seconds).minusMillis(1);
            assertThat(b.inBackOffSince(k, finished, t)).isTrue();
            t = t.plusMillis(1);
            assertThat(b.inBackOffSince(k, finished, t)).isFalse();
            b.next(k, finished);
        }
    }

    @Test
    void aContainerThatRanLongerThanTheResetStartsAgainAtTheInitialDelay() {
        RestartBackoff b = new RestartBackoff(BackoffPolicy.KUBELET);
        String k = "uid/c";
        b.next(k, t);
        t = t.plusSeconds(5);
        b.next(k, t);
        assertThat(b.current(k)).isEqualTo(Duration.ofSeconds(20));
        t = t.plus(Duration.ofMinutes(10)).plusSeconds(1); // ran more than 10 minutes
        assertThat(b.inBackOffSince(k, t, t)).isFalse();
        b.next(k, t);
        assertThat(b.current(k)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void kep4603PresetIsOneSecondToOneMinute() {
        RestartBackoff b = new RestartBackoff(BackoffPolicy.KEP_4603);
        String k = "uid/c";
        for (int i = 0; i < 10; i++) {
            b.next(k, t);
            t = t.plusSeconds(1);
        }
        assertThat(b.current(k)).isEqualTo(Duration.ofSeconds(60));
        b.forget("uid/");
        b.next(k, t);
        assertThat(b.current(k)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void delaysArePrintedAsGoPrintsThem() {
        assertThat(RestartBackoff.goDuration(Duration.ofSeconds(40))).isEqualTo("40s");
        assertThat(RestartBackoff.goDuration(Duration.ofSeconds(300))).isEqualTo("5m0s");
        assertThat(RestartBackoff.goDuration(Duration.ofSeconds(80))).isEqualTo("1m20s");
        assertThat(RestartBackoff.goDuration(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(RestartBackoff.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
}
