package io.berth.orchestrator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void policiesByNameOrByTheirThreeDurations() {
        assertThat(BackoffPolicy.parse("kubelet")).isSameAs(BackoffPolicy.KUBELET);
        assertThat(BackoffPolicy.parse("KEP-4603")).isSameAs(BackoffPolicy.KEP_4603);
        assertThat(BackoffPolicy.parse("10s,300s,10m")).isEqualTo(BackoffPolicy.KUBELET);
        assertThat(BackoffPolicy.parse(" 500ms, 1m , 1h")).isEqualTo(new BackoffPolicy(Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofHours(1)));
        assertThatThrownBy(() -> BackoffPolicy.parse("fast"))
                .hasMessage("'fast' is neither kubelet, kep-4603 nor INITIAL,MAX,RESET (e.g. 10s,300s,10m)");
        assertThatThrownBy(() -> BackoffPolicy.parse("10,300s,10m")).hasMessage("'10' in '10,300s,10m' is not a duration such as 500ms, 10s, 5m or 1h");
        assertThatThrownBy(() -> BackoffPolicy.parse("1m,10s,10m")).hasMessageStartingWith("backoff needs 0 < initial <= max and reset >= 0");
        assertThatThrownBy(() -> BackoffPolicy.parse("0s,10s,10m")).hasMessageStartingWith("backoff needs 0 < initial <= max");
    }
}
