package io.berth.shell.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus histogram's cumulative buckets (upper bound {@code le} to the count of observations
 * at most that), summed over the series given, and its quantiles computed as PromQL's
 * {@code histogram_quantile} computes them: the bucket where the rank falls, linear interpolation
 * inside it, 0 as the lower bound of the first bucket, and the highest finite bound when the rank
 * falls into the +Inf bucket.
 */
public final class Histogram {
    /** A bucket: its upper bound and the observations in it alone (not cumulative). */
    public record Bucket(double upper, double count) {
    }

    private final double[] bounds;
    private final double[] cumulative;

    private Histogram(double[] bounds, double[] cumulative) {
        this.bounds = bounds;
        this.cumulative = cumulative;
    }

    /** From {@code NAME_bucket} samples (each with an {@code le} label); series of one bound are added up. */
    public static Histogram of(List<PrometheusText.Sample> buckets) {
        TreeMap<Double, Double> byBound = new TreeMap<>();
        for (PrometheusText.Sample s : buckets) {
            String le = s.label("le");
            double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
            byBound.merge(bound, s.value(), Double::sum);
        }
        double[] bounds = new double[byBound.size()];
        double[] cumulative = new double[byBound.size()];
        int i = 0;
        for (Map.Entry<Double, Double> e : byBound.entrySet()) {
            bounds[i] = e.getKey();
            // Counts must not fall as bounds rise; a scrape racing an observation may show that (Prometheus fixes it up the same way).
            cumulative[i] = i == 0 ? e.getValue() : Math.max(e.getValue(), cumulative[i - 1]);
            i++;
        }
        return new Histogram(bounds, cumulative);
    }

    /** All observations: the +Inf bucket's count (0 when there are no buckets). */
    public double count() {
        return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    }

    /** The q-quantile (0 <= q <= 1), NaN without observations or without a +Inf bucket. */
    public double quantile(double q) {
        int n = bounds.length;
        if (n < 2 || bounds[n - 1] != Double.POSITIVE_INFINITY || count() == 0 || Double.isNaN(q)) {
            return Double.NaN;
        }
        if (q < 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (q > 1) {
            return Double.POSITIVE_INFINITY;
        }
        double rank = q * count();
        int b = 0;
        while (b < n - 1 && cumulative[b] < rank) {
            b++;
        }
        if (b == n - 1) {
            return bounds[n - 2];
        }
        if (b == 0 && bounds[0] <= 0) {
            return bounds[0];
        }
        double lower = b == 0 ? 0 : bounds[b - 1];
        double below = b == 0 ? 0 : cumulative[b - 1];
        double inBucket = cumulative[b] - below;
        if (inBucket == 0) {
            return bounds[b]; // q = 0 with an empty first bucket
        }
        return lower + (bounds[b] - lower) * (rank - below) / inBucket;
    }

    /** The buckets with their own counts, lowest bound first, the +Inf bucket last. */
    public List<Bucket> buckets() {
        List<Bucket> out = new ArrayList<>();
        for (int i = 0; i < bounds.length; i++) {
            out.add(new Bucket(bounds[i], cumulative[i] - (i == 0 ? 0 : cumulative[i - 1])));
        }
        return out;
    }
}
