package io.berth.orchestrator.network;

import java.nio.file.Path;
import java.util.List;

/**
 * How pods get their network. {@link #none()}: a pod's network namespace has only {@code lo} (a
 * node made in code, and the daemon with {@code berth.network.mode=none}). {@link #cni}: the CNI
 * plugins of a conflist attach every sandbox (docs/networking.md).
 *
 * @param enabled     false: no CNI at all
 * @param stateDir    Berth's CNI state ({@code <state root>/cni}): the conflist directory, the attachment
 *                    cache, host-local's allocations and each pod's /etc files
 * @param pluginDirs  CNI_PATH: where plugin binaries are looked up, in order
 * @param hostNetns   the network namespace the plugins run in, as the "host" side of the pods' veths
 *                    (the bridge, portmap's rules); null: the daemon's own. Tests name one of their
 *                    own so that nothing touches the machine's real network.
 * @param resolvConf  the resolv.conf pods get a copy of (dnsPolicy Default and ClusterFirst alike:
 *                    there is no cluster DNS)
 */
public record NetworkOptions(boolean enabled, Path stateDir, List<Path> pluginDirs, Path hostNetns, Path resolvConf) {

    /** Where Debian's containernetworking-plugins put the plugins. */
    public static final Path DEBIAN_PLUGIN_DIR = Path.of("/usr/lib/cni");

    public NetworkOptions {
        pluginDirs = List.copyOf(pluginDirs);
    }

    /** Pods with only {@code lo}; their /etc files are still written (under {@code <stateRoot>/cni/pods}). */
    public static NetworkOptions none(Path stateRoot) {
        return new NetworkOptions(false, stateRoot.resolve("cni"), List.of(DEBIAN_PLUGIN_DIR), null, Path.of("/etc/resolv.conf"));
    }

    /** CNI with the Debian plugins, run in the daemon's own network namespace. */
    public static NetworkOptions cni(Path stateRoot) {
        return new NetworkOptions(true, stateRoot.resolve("cni"), List.of(DEBIAN_PLUGIN_DIR), null, Path.of("/etc/resolv.conf"));
    }

    /**
     * The daemon's settings: {@code berth.network.mode} ({@code cni} or {@code none}) and
     * {@code berth.network.netns} (a path such as /run/netns/NAME; empty: the daemon's own).
     *
     * @throws IllegalArgumentException with a one-line message naming the bad setting
     */
    public static NetworkOptions fromSettings(Path stateRoot, String mode, String netns) {
        NetworkOptions o = switch (mode == null ? "cni" : mode.trim()) {
            case "cni", "" -> cni(stateRoot);
            case "none" -> none(stateRoot);
            default -> throw new IllegalArgumentException("berth.network.mode must be cni or none, not '" + mode + "'");
        };
        if (netns != null && !netns.isBlank()) {
            Path p = Path.of(netns.trim());
            if (!p.isAbsolute() || !java.nio.file.Files.exists(p)) {
                throw new IllegalArgumentException("berth.network.netns '" + netns + "' is not an existing absolute path "
                        + "(make one with: ip netns add NAME, then give /run/netns/NAME)");
            }
            o = o.withHostNetns(p);
        }
        return o;
    }

    public NetworkOptions withHostNetns(Path netns) {
        return new NetworkOptions(enabled, stateDir, pluginDirs, netns, resolvConf);
    }

    public NetworkOptions withPluginDirs(List<Path> dirs) {
        return new NetworkOptions(enabled, stateDir, dirs, hostNetns, resolvConf);
    }

    // ---- the layout under stateDir: one place for each path --------------------------------------

    /** The conflist (the first *.conflist, *.conf or *.json by name); a default is written when there is none. */
    public Path confDir() {
        return stateDir.resolve("net.d");
    }

    /** One file per attached sandbox: the config it was attached with and the result (libcni's cache). */
    public Path attachmentsDir() {
        return stateDir.resolve("attachments");
    }

    /** host-local's dataDir in the default conflist: one file per allocated address, naming its sandbox. */
    public Path ipamDataDir() {
        return stateDir.resolve("networks");
    }

    /** Every pod's hosts, resolv.conf and hostname, one directory per pod uid. */
    public Path podFilesRoot() {
        return stateDir.resolve("pods");
    }
}
