package io.berth.shell.command;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.format.Colors;
import io.berth.shell.format.Table;
import io.berth.shell.metrics.Histogram;
import io.berth.shell.metrics.PrometheusText;
import io.berth.shell.metrics.PrometheusText.Sample;

/**
 * {@code metrics [-w]}: the daemon's own Micrometer metrics, read from its
 * {@code /actuator/prometheus} (with the kubeconfig's credentials, as a Prometheus scrape): pod
 * start-up latency p50/p90/p99 end to end and to each pod condition (the quantiles computed from
 * the histogram's buckets as PromQL's histogram_quantile computes them, over everything since the
 * daemon started), a histogram of the end-to-end latency drawn with Unicode bars, restarts by
 * reason and pods by phase. {@code -w} draws it again every 2 s until Ctrl-C: in place on a
 * terminal, one report after another otherwise.
 */
public class MetricsCommand {
    static final String PATH = "/actuator/prometheus";
    static final String STARTUP = "berth_pod_startup_seconds";
    /** The pod conditions the daemon times, in the order a pod reaches them; "total" is end to end. */
    private static final List<String> PHASES = List.of("total", "scheduled", "initialized", "containersready", "ready");
    private static final long REFRESH_MS = 2000;
    /** At most this many histogram rows: neighbouring buckets are merged beyond it. */
    private static final int ROWS = 12;
    private static final int BAR = 40;
    private static final String EIGHTHS = " ▏▎▍▌▋▊▉";

    private final Daemon daemon;
    private final Console console;

    public MetricsCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(name = "metrics", group = "Pods",
            description = "Pod start-up latency (p50/p90/p99, histogram), restarts by reason, pods by phase",
            help = "metrics [-w]")
    public void metrics(@Option(shortName = 'w', longName = "watch", description = "draw it again every 2 s until Ctrl-C") Boolean watch) {
        PrintWriter out = console.out();
        if (!Boolean.TRUE.equals(watch)) {
            out.print(report(scrape()));
            out.flush();
            return;
        }
        boolean inPlace = console.interactive() || Colors.stdoutIsTty();
        while (!Thread.currentThread().isInterrupted()) {
            String report;
            try {
                report = report(scrape());
            } catch (ConsoleException e) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                throw e;
            }
            // Home and clear below, then the report: one redraw, no flicker of an empty screen.
            out.print(inPlace ? "\033[H\033[J" + report : report + "\n");
            out.flush();
            try {
                Thread.sleep(REFRESH_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        out.println();
        out.flush();
    }

    private PrometheusText scrape() {
        var response = daemon.get(PATH, String.class);
        if (response.code() == 401 || response.code() == 403) {
            throw new ConsoleException("the daemon refused this kubeconfig's credentials for its metrics (" + response.code()
                    + "): use the kubeconfig the daemon wrote");
        }
        if (response.code() != 200) {
            throw new ConsoleException("the daemon answered " + response.code() + " for its metrics at " + PATH
                    + ": a daemon without the Prometheus endpoint? (berth version shows which)");
        }
        try {
            return PrometheusText.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new ConsoleException("the daemon's metrics at " + PATH + " are not in the Prometheus format (" + e.getMessage() + ")");
        }
    }

    /** The whole report, lines ending in a newline. */
    static String report(PrometheusText metrics) {
        java.io.StringWriter text = new java.io.StringWriter();
        PrintWriter out = new PrintWriter(text);

        List<Sample> buckets = metrics.named(STARTUP + "_bucket", s -> s.label("outcome").equals("success"));
        Set<String> phases = new LinkedHashSet<>(PHASES);
        buckets.forEach(s -> phases.add(s.label("phase")));
        Table latency = new Table("PHASE", "PODS", "P50", "P90", "P99");
        for (String phase : phases) {
            Histogram h = Histogram.of(buckets.stream().filter(s -> s.label("phase").equals(phase)).toList());
            if (h.count() > 0) {
                latency.row(phase.equals("total") ? "total (end to end)" : phase, count(h.count()),
                        seconds(h.quantile(0.5)), seconds(h.quantile(0.9)), seconds(h.quantile(0.99)));
            }
        }
        out.println("Pod start-up latency, from the API accepting a pod (pods started since the daemon started):");
        if (latency.isEmpty()) {
            out.println("  no pod has started yet");
        } else {
            latency.print(out, true);
        }
        List<Sample> others = metrics.named(STARTUP + "_count", s -> s.label("phase").equals("total") && !s.label("outcome").equals("success"));
        for (Sample s : others) {
            if (s.value() > 0) {
                out.println("  and " + count(s.value()) + " pod" + (s.value() == 1 ? "" : "s") + " ending in "
                        + s.label("outcome") + (s.label("outcome").equals("deleted") ? " before they ran" : ""));
            }
        }

        Histogram total = Histogram.of(buckets.stream().filter(s -> s.label("phase").equals("total")).toList());
        if (total.count() > 0) {
            out.println();
            out.println("End-to-end start-up latency, pods per bucket:");
            histogram(total, out);
        }

        out.println();
        out.println("Container restarts by reason:");
        Table restarts = new Table("REASON", "RESTARTS");
        metrics.named("berth_container_restarts_total").stream().filter(s -> s.value() > 0)
                .sorted(java.util.Comparator.comparing((Sample s) -> s.label("reason")))
                .forEach(s -> restarts.row(s.label("reason").isEmpty() ? "<none>" : s.label("reason"), count(s.value())));
        if (restarts.isEmpty()) {
            out.println("  none");
        } else {
            restarts.print(out, true);
        }

        out.println();
        out.println("Pods by phase:");
        Table pods = new Table("PHASE", "PODS");
        metrics.named("berth_pods").forEach(s -> pods.row(s.label("phase"), count(s.value())));
        if (pods.isEmpty()) {
            out.println("  the daemon reports no berth_pods");
        } else {
            pods.print(out, true);
        }
        out.flush();
        return text.toString();
    }

    /**
     * One row per bucket from the first that holds a pod to the last, neighbours merged so that
     * there are at most {@link #ROWS}; each bar's length is its count against the largest, in
     * eighths of a character.
     */
    static void histogram(Histogram h, PrintWriter out) {
        List<Histogram.Bucket> all = h.buckets();
        int first = 0;
        int last = all.size() - 1;
        while (first < last && all.get(first).count() == 0) {
            first++;
        }
        while (last > first && all.get(last).count() == 0) {
            last--;
        }
        int per = (last - first + ROWS) / ROWS;
        List<String> labels = new ArrayList<>();
        List<Double> counts = new ArrayList<>();
        for (int i = first; i <= last; i += per) {
            int end = Math.min(last, i + per - 1);
            double n = 0;
            for (int j = i; j <= end; j++) {
                n += all.get(j).count();
            }
            double upper = all.get(end).upper();
            labels.add(upper == Double.POSITIVE_INFINITY ? "> " + seconds(all.get(end - 1 < 0 ? 0 : end - 1).upper()) : "<= " + seconds(upper));
            counts.add(n);
        }
        int width = labels.stream().mapToInt(String::length).max().orElse(0);
        double max = counts.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        for (int i = 0; i < labels.size(); i++) {
            out.println("  " + " ".repeat(width - labels.get(i).length()) + labels.get(i) + " " + bar(counts.get(i) / max) + " "
                    + count(counts.get(i)));
        }
    }

    /** A bar of {@link #BAR} characters at most for a fraction of 0 to 1, in eighths; a non-empty bucket shows at least a sliver. */
    static String bar(double fraction) {
        int eighths = (int) Math.round(fraction * BAR * 8);
        if (fraction > 0 && eighths == 0) {
            eighths = 1;
        }
        String bar = "█".repeat(eighths / 8) + (eighths % 8 == 0 ? "" : String.valueOf(EIGHTHS.charAt(eighths % 8)));
        return bar + " ".repeat(BAR - bar.length());
    }

    static String seconds(double s) {
        if (Double.isNaN(s)) {
            return "-";
        }
        if (s < 1) {
            return String.format(Locale.ROOT, "%.0fms", s * 1000);
        }
        return String.format(Locale.ROOT, s < 10 ? "%.2fs" : "%.1fs", s);
    }

    private static String count(double n) {
        return String.valueOf(Math.round(n));
    }
}
