package io.berth.shell.client;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import io.berth.shell.ConsoleException;
import io.berth.shell.ConsoleSettings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The daemon as the console sees it: a fabric8 client made from the kubeconfig on first use (a
 * command that never talks to the daemon pays nothing), and, when the kubeconfig is the local
 * daemon's own and nothing answers, a daemon started in the background.
 */
public class Daemon implements AutoCloseable {
    /** How long a daemon the console started may take to answer (Boot starts in 3-7 s here). */
    static final long START_TIMEOUT_MS = 90_000;
    /** A refused connection fails at once; a server that accepts but hangs gets this long. */
    private static final int CONNECT_TIMEOUT_MS = 3_000;

    private final ConsoleSettings settings;
    private final Supplier<PrintWriter> notices;
    private KubernetesClient client;
    private CompletableFuture<KubernetesClient> preparing;
    private boolean startedOne;

    /**
     * @param notices where the console says that it started a daemon (stderr in one-shot mode)
     */
    public Daemon(ConsoleSettings settings, Supplier<PrintWriter> notices) {
        this.settings = settings;
        this.notices = notices;
    }

    public ConsoleSettings settings() {
        return settings;
    }

    /** Runs one call against the daemon, starting a daemon first (once) if none answers and that is allowed. */
    public <T> T call(Function<KubernetesClient, T> call) {
        try {
            return call.apply(client());
        } catch (ConsoleException e) {
            throw e;
        } catch (RuntimeException e) {
            if (Failures.isNoServer(e) && mayStart()) {
                // Nothing was sent (the connection was refused), so the call is safe to repeat.
                start();
                try {
                    return call.apply(client());
                } catch (ConsoleException again) {
                    throw again;
                } catch (RuntimeException again) {
                    throw Failures.translate(again, server());
                }
            }
            throw Failures.translate(e, server());
        }
    }

    /** As {@link #call(Function)}, for calls with no result. */
    public void run(java.util.function.Consumer<KubernetesClient> call) {
        call(c -> {
            call.accept(c);
            return null;
        });
    }

    /**
     * Starts building the client on a thread of its own, so that it overlaps Spring's start on the
     * other core: reading the kubeconfig and fabric8's first Jackson mappers are about a third of
     * a one-shot command's CPU time. A failure here is ignored; {@link #client()} then builds the
     * client again and reports it.
     */
    public synchronized void prepareInBackground() {
        if (client != null || preparing != null || !Files.isRegularFile(settings.kubeconfig())) {
            return;
        }
        preparing = CompletableFuture.supplyAsync(() -> new KubernetesClientBuilder().withConfig(config()).build(), task -> {
            Thread t = new Thread(task, "berth-client-prepare");
            t.setDaemon(true);
            t.start();
        });
    }

    public synchronized KubernetesClient client() {
        if (client == null && preparing != null) {
            try {
                client = preparing.join();
            } catch (CompletionException | CancellationException e) {
                // built again below, which reports the failure in its own words
            }
            preparing = null;
        }
        if (client == null) {
            if (!Files.isRegularFile(settings.kubeconfig())) {
                if (mayStart()) {
                    start();
                } else {
                    throw new ConsoleException("kubeconfig " + settings.kubeconfig() + " does not exist: "
                            + (settings.daemonDefault() ? "start the daemon with `berth daemon`, which writes it"
                                    : "pass the file the daemon wrote ($BERTH_HOME/kubeconfig) with --kubeconfig"));
                }
            }
            client = new KubernetesClientBuilder().withConfig(config()).build();
        }
        return client;
    }

    /**
     * A GET of a path of the daemon's that fabric8 has no typed client for (the actuator's
     * metrics, a watch stream), with the kubeconfig's server, TLS and credentials; the answer
     * whatever its status, for the caller to judge.
     */
    public <T> io.fabric8.kubernetes.client.http.HttpResponse<T> get(String path, Class<T> body) {
        return call(c -> {
            io.fabric8.kubernetes.client.http.HttpClient http = c.getHttpClient();
            String url = c.getMasterUrl().toString().replaceAll("/$", "") + path;
            try {
                return http.sendAsync(http.newHttpRequestBuilder().uri(url).build(), body).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConsoleException("interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                throw io.fabric8.kubernetes.client.KubernetesClientException.launderThrowable(e.getCause());
            }
        });
    }

    /** The namespace of the kubeconfig's current context ("default" when it names none). */
    public String namespace() {
        String ns = client().getConfiguration().getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    public String server() {
        return client == null ? "the server in " + settings.kubeconfig() : client.getConfiguration().getMasterUrl();
    }

    private Config config() {
        String text;
        try {
            text = Files.readString(settings.kubeconfig(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConsoleException("cannot read kubeconfig " + settings.kubeconfig() + ": " + e.getMessage()
                    + ": check its permissions (the daemon's is readable by root only)", e);
        }
        Config config;
        try {
            config = Config.fromKubeconfig(null, text, settings.kubeconfig().toString());
        } catch (RuntimeException e) {
            throw new ConsoleException("cannot use kubeconfig " + settings.kubeconfig() + ": "
                    + Failures.oneLine(String.valueOf(e.getMessage())) + ": fix it or use the one the daemon wrote", e);
        }
        // No retries with backoff: a daemon that is not there should be said at once, not after
        // fabric8's ten growing retries.
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        return config;
    }

    private boolean mayStart() {
        return settings.daemonDefault() && !startedOne;
    }

    /** Starts {@code berth daemon} in its own session, logging to the state root, and waits until it answers. */
    private void start() {
        startedOne = true;
        Path launcher = settings.launcher();
        Path log = settings.daemonLog();
        if (launcher == null || !Files.isExecutable(launcher)) {
            throw new ConsoleException("no daemon answers and the console cannot start one (it does not know where "
                    + "bin/berth is): start it with `berth daemon`");
        }
        Process process;
        try {
            Files.createDirectories(settings.home());
            List<String> command = new ArrayList<>();
            // Its own session: the daemon outlives the console and a Ctrl-C typed into it.
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                command.add("/usr/bin/setsid");
            }
            command.add(launcher.toString());
            command.add("daemon");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            pb.environment().put("BERTH_HOME", settings.home().toString());
            process = pb.start();
        } catch (IOException e) {
            throw new ConsoleException("no daemon answers and starting one failed: " + e.getMessage()
                    + ": check that " + settings.home() + " is writable, or start it with `berth daemon`", e);
        }
        PrintWriter say = notices.get();
        say.println("berth: no daemon was running; started one in the background (pid " + process.pid()
                + ", logs in " + log + ")");
        say.flush();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (Files.isRegularFile(settings.kubeconfig())) {
                try {
                    if (client == null) {
                        client = new KubernetesClientBuilder().withConfig(config()).build();
                    }
                    client.getKubernetesVersion();
                    return;
                } catch (ConsoleException e) {
                    throw e;
                } catch (RuntimeException e) {
                    if (!Failures.isNoServer(e)) {
                        throw Failures.translate(e, server());
                    }
                }
            }
            if (!process.isAlive() && !daemonStillStarting(process)) {
                throw new ConsoleException("no daemon answers and the one started exited with status "
                        + process.exitValue() + ": " + lastLine(log) + " (see " + log + ")");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConsoleException("interrupted while waiting for the daemon to start (see " + log + ")");
            }
        }
        throw new ConsoleException("the daemon started in the background did not answer within "
                + START_TIMEOUT_MS / 1000 + " s: see " + log);
    }

    /**
     * setsid forks when it is a process-group leader, so its own exit with 0 does not mean the
     * daemon is gone; any other status does.
     */
    private static boolean daemonStillStarting(Process process) {
        return process.exitValue() == 0;
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return Failures.oneLine(lines.get(i));
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "it printed nothing";
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
