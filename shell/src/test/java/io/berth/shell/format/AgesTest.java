package io.berth.shell.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class AgesTest {
    @Test
    void printsAgesAsKubectlDoes() {
        assertThat(Ages.human(Duration.ofSeconds(0))).isEqualTo("0s");
        assertThat(Ages.human(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(Ages.human(Duration.ofSeconds(119))).isEqualTo("119s");
        assertThat(Ages.human(Duration.ofSeconds(180))).isEqualTo("3m");
        assertThat(Ages.human(Duration.ofSeconds(200))).isEqualTo("3m20s");
        assertThat(Ages.human(Duration.ofMinutes(42))).isEqualTo("42m");
        assertThat(Ages.human(Duration.ofMinutes(200))).isEqualTo("3h20m");
        assertThat(Ages.human(Duration.ofHours(5))).isEqualTo("5h");
        assertThat(Ages.human(Duration.ofHours(30))).isEqualTo("30h");
        assertThat(Ages.human(Duration.ofHours(50))).isEqualTo("2d2h");
        assertThat(Ages.human(Duration.ofDays(12))).isEqualTo("12d");
        assertThat(Ages.human(Duration.ofDays(800))).isEqualTo("2y70d");
        assertThat(Ages.human(Duration.ofDays(365 * 9))).isEqualTo("9y");
    }

    @Test
    void aClockAheadOrNoTimestampIsSaidSo() {
        Instant now = Instant.parse("2026-12-07T01:00:00Z");
        assertThat(Ages.since("2026-12-07T00:57:00Z", now)).isEqualTo("3m");
        assertThat(Ages.since("2026-12-07T01:00:30Z", now)).isEqualTo("<invalid>");
        assertThat(Ages.since(null, now)).isEqualTo("<unknown>");
        assertThat(Ages.since("yesterday", now)).isEqualTo("<unknown>");
    }
}
