package io.berth.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one place that knows where the console finds its daemon: Berth's state root, the
 * kubeconfig the daemon writes there, and the launcher that can start a daemon.
 *
 * <p>The kubeconfig is chosen as kubectl chooses it, with Berth's daemon as the default:
 * {@code --kubeconfig FILE}, else {@code $KUBECONFIG}, else {@code $BERTH_HOME/kubeconfig}
 * ({@code BERTH_HOME} defaults to {@value #DEFAULT_HOME}). Only with the default may the console
 * start a daemon itself: a kubeconfig someone chose may name a server that is not ours to start.
 *
 * @param home Berth's state root
 * @param kubeconfig the kubeconfig file in use
 * @param daemonDefault whether {@code kubeconfig} is the local daemon's own (so one may be started)
 * @param launcher {@code bin/berth}, which runs {@code berth daemon}; null when not known
 */
public record ConsoleSettings(Path home, Path kubeconfig, boolean daemonDefault, Path launcher) {
    public static final String DEFAULT_HOME = "/var/lib/berth";
    /** The name of the daemon's kubeconfig under the state root (written by the daemon). */
    public static final String KUBECONFIG_NAME = "kubeconfig";
    /** Where a daemon started by the console writes its output, under the state root. */
    public static final String DAEMON_LOG_NAME = "daemon.log";
    /** Set by bin/berth to its own path, so that the console can run {@code berth daemon}. */
    public static final String LAUNCHER_PROPERTY = "berth.launcher";

    /**
     * @param kubeconfigFlag the value of {@code --kubeconfig}, or null
     */
    public static ConsoleSettings resolve(String kubeconfigFlag, Map<String, String> env) {
        String homeVar = env.get("BERTH_HOME");
        Path home = Path.of(homeVar == null || homeVar.isEmpty() ? DEFAULT_HOME : homeVar).toAbsolutePath();
        String launcherProperty = System.getProperty(LAUNCHER_PROPERTY);
        Path launcher = launcherProperty == null || launcherProperty.isEmpty() ? null : Path.of(launcherProperty);
        if (kubeconfigFlag != null) {
            if (kubeconfigFlag.isEmpty()) {
                throw ConsoleException.usage("--kubeconfig needs a file: --kubeconfig PATH");
            }
            return new ConsoleSettings(home, Path.of(kubeconfigFlag).toAbsolutePath(), false, launcher);
        }
        String kubeconfigVar = env.get("KUBECONFIG");
        if (kubeconfigVar != null && !kubeconfigVar.isEmpty()) {
            // kubectl merges a colon-separated list; Berth uses the first file that exists.
            for (String candidate : kubeconfigVar.split(":")) {
                if (!candidate.isEmpty() && Files.exists(Path.of(candidate))) {
                    return new ConsoleSettings(home, Path.of(candidate).toAbsolutePath(), false, launcher);
                }
            }
            return new ConsoleSettings(home, Path.of(kubeconfigVar.split(":")[0]).toAbsolutePath(), false, launcher);
        }
        return new ConsoleSettings(home, home.resolve(KUBECONFIG_NAME), true, launcher);
    }

    public Path daemonLog() {
        return home.resolve(DAEMON_LOG_NAME);
    }
}
