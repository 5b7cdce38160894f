package io.berth.apimachinery.duration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class HumanDurationTest {
    @Test
    void printsAgesAsKubectlDoes() {
        assertThat(HumanDuration.of(Duration.ofSeconds(0))).isEqualTo("0s");
        assertThat(HumanDuration.of(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(HumanDuration.of(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(HumanDuration.of(Duration.ofSeconds(180))).isEqualTo("3m");
        assertThat(HumanDuration.of(Duration.ofSeconds(200))).isEqualTo("3m20s");
        assertThat(HumanDuration.of(Duration.ofMinutes(42))).isEqualTo("42m");
        assertThat(HumanDuration.of(Duration.ofMinutes(200))).isEqualTo("3h20m");
        assertThat(HumanDuration.of(Duration.ofHours(5))).isEqualTo("5h");
        assertThat(HumanDuration.of(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(HumanDuration.of(Duration.ofHours(50))).isEqualTo("2d2h");
        assertThat(HumanDuration.of(Duration.ofDays(12))).isEqualTo("12d");
        assertThat(HumanDuration.of(Duration.ofDays(800))).isEqualTo("2y70d");
        assertThat(HumanDuration.of(Duration.ofDays(365 * 9))).isEqualTo("9y");
    }

    @Test
    void aClockAheadOrNoTimestampIsSaidSo() {
        Instant now = Instant.parse("2026-12-07T01:00:00Z");
        assertThat(HumanDuration.since("2026-12-07T00:57:00Z", now)).isEqualTo("3m");
        assertThat(HumanDuration.since("2026-12-07T01:00:30Z", now)).isEqualTo("<invalid>");
        assertThat(HumanDuration.since(null, now)).isEqualTo("<unknown>");
        assertThat(HumanDuration.since("yesterday", now)).isEqualTo("<unknown>");
    }
}
