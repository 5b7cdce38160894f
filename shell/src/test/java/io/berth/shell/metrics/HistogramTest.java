package io.berth.shell.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The Prometheus text format as Micrometer writes it, and quantiles as histogram_quantile gives
 * them (the expected figures worked out by hand from PromQL's bucketQuantile).
 */
class HistogramTest {
    private static final String SCRAPE = """
            # HELP berth_pod_startup_seconds From the API accepting a pod to its containers running
            # TYPE berth_pod_startup_seconds histogram
            berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="0.1"} 0
            berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="0.5"} 4
            berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="1.0"} 9
            berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="2.0"} 10
            berth_pod_startup_seconds_bucket{outcome="success",phase="total",le="+Inf"} 10
            berth_pod_startup_seconds_count{outcome="success",phase="total"} 10
            berth_pod_startup_seconds_sum{outcome="success",phase="total"} 6.5
            berth_pod_startup_seconds_bucket{outcome="failure",phase="total",le="+Inf"} 2
            berth_pods{phase="Running",note="a \\"quoted\\" \\\\ value"} 3.0
            berth_container_restarts_total{reason="Error"} 2.0 1700000000000
            """;

    @Test
    void parsesSamplesLabelsAndEscapes() {
        PrometheusText t = PrometheusText.parse(SCRAPE);
        assertThat(t.samples()).hasSize(10);
        var pods = t.named("berth_pods").get(0);
        assertThat(pods.label("phase")).isEqualTo("Running");
        assertThat(pods.label("note")).isEqualTo("a \"quoted\" \\ value");
        assertThat(pods.value()).isEqualTo(3.0);
        assertThat(t.named("berth_container_restarts_total").get(0).value()).isEqualTo(2.0);
        assertThat(t.named("berth_pod_startup_seconds_bucket", s -> s.label("le").equals("+Inf"))).hasSize(2);
    }

    @Test
    void aLineThatIsNotASampleIsNamed() {
        assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbroken{le=0.1} 3\n")).hasMessageContaining("line 2");
    }

    @Test
    void quantilesInterpolateInsideTheBucketAsPromQL() {
        Histogram h = Histogram.of(PrometheusText.parse(SCRAPE).named("berth_pod_startup_seconds_bucket",
                s -> s.label("outcome").equals("success")));
        assertThat(h.count()).isEqualTo(10);
        // rank 5: bucket (0.5, 1.0] holds ranks 5..9 -> 0.5 + 0.5 * (5 - 4) / 5
        assertThat(h.quantile(0.5)).isCloseTo(0.6, within(1e-9));
        // rank 9: still that bucket, its top
        assertThat(h.quantile(0.9)).isCloseTo(1.0, within(1e-9));
        // rank 9.9: bucket (1, 2] -> 1 + 1 * 0.9 / 1
        assertThat(h.quantile(0.99)).isCloseTo(1.9, within(1e-9));
        assertThat(h.buckets()).extracting(Histogram.Bucket::count).containsExactly(0.0, 4.0, 5.0, 1.0, 0.0);
    }

    @Test
    void rankInTheInfBucketGivesTheHighestFiniteBoundAndTheFirstBucketStartsAtZero() {
        Histogram h = Histogram.of(PrometheusText.parse("""
                x_bucket{le="1"} 2
                x_bucket{le="2"} 2
                x_bucket{le="+Inf"} 4
                """).samples());
        assertThat(h.quantile(0.99)).isEqualTo(2.0);
        assertThat(h.quantile(0.25)).isCloseTo(0.5, within(1e-9));
        assertThat(Histogram.of(PrometheusText.parse("x_bucket{le=\"+Inf\"} 0\nx_bucket{le=\"1\"} 0\n").samples()).quantile(0.5)).isNaN();
    }
}
