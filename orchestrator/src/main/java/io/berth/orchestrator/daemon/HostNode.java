package io.berth.orchestrator.daemon;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;

/**
 * The one node: this host. Its name is what pods get as spec.nodeName and what {@code kubectl get
 * nodes} shows: the kernel's hostname (no DNS lookup on the start-up path), lower-cased as node
 * names must be. Its IP is the first global IPv4 address: the node's InternalIP and pods' hostIP.
 */
public record HostNode(String name, String ip) {

    public static HostNode detect() {
        String name;
        try {
            name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            name = "";
        }
        return new HostNode(name.isEmpty() ? "localhost" : name, firstIpv4());
    }

    private static String firstIpv4() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isLoopback() || !nic.isUp()) {
                    continue;
                }
                for (var a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (IOException e) {
            // loopback then
        }
        return "127.0.0.1";
    }
}
