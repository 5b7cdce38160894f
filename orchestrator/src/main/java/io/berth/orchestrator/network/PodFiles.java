package io.berth.orchestrator.network;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;

/**
 * A pod's /etc/hosts, /etc/resolv.conf and /etc/hostname, written once per sandbox on the host and
 * bind-mounted read-only into each of its containers, as the kubelet does (kubelet_pods.go
 * makeMounts, managedHostsFileContent; dns.go for resolv.conf). A container that mounts a volume
 * at one of these paths keeps its own.
 */
public final class PodFiles {
    public static final String HOSTS = "/etc/hosts";
    public static final String RESOLV_CONF = "/etc/resolv.conf";
    public static final String HOSTNAME = "/etc/hostname";

    private PodFiles() {
    }

    /** Writes the three files into {@code dir}; returns them by their path in the container. */
    static Map<String, Path> write(Path dir, Pod pod, String hostname, List<String> ips, Path hostResolvConf) {
        Map<String, Path> files = new LinkedHashMap<>();
        try {
            Files.createDirectories(dir);
            files.put(HOSTS, replace(dir.resolve("hosts"), hosts(pod, hostname, ips)));
            files.put(RESOLV_CONF, replace(dir.resolve("resolv.conf"), resolvConf(pod, hostResolvConf)));
            files.put(HOSTNAME, replace(dir.resolve("hostname"), hostname + "\n"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pod's /etc files into " + dir, e);
        }
        return files;
    }

    /** The files already written for the pod, by their path in the container (none: an empty map). */
    static Map<String, Path> existing(Path dir) {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String[] f : new String[][] {{HOSTS, "hosts"}, {RESOLV_CONF, "resolv.conf"}, {HOSTNAME, "hostname"}}) {
            Path p = dir.resolve(f[1]);
            if (Files.isRegularFile(p)) {
                files.put(f[0], p);
            }
        }
        return files;
    }

    /** The kubelet's managed hosts file: localhost, the pod's own names on each of its IPs, then hostAliases. */
    static String hosts(Pod pod, String hostname, List<String> ips) {
        StringBuilder b = new StringBuilder("# Kubernetes-managed hosts file.\n")
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("fe00::0\tip6-mcastprefix\n")
                .append("fe00::1\tip6-allnodes\n")
                .append("fe00::2\tip6-allrouters\n");
        String subdomain = pod.getSpec().getSubdomain();
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        for (String ip : ips) {
            if (subdomain != null && !subdomain.isEmpty()) {
                b.append(ip).append('\t').append(hostname).append('.').append(subdomain).append('.').append(ns)
                        .append(".svc.cluster.local\t").append(hostname).append('\n');
            } else {
                b.append(ip).append('\t').append(hostname).append('\n');
            }
        }
        List<HostAlias> aliases = pod.getSpec().getHostAliases();
        if (aliases != null && !aliases.isEmpty()) {
            b.append("\n# Entries added by HostAliases.\n");
            for (HostAlias a : aliases) {
                if (a.getIp() != null && a.getHostnames() != null && !a.getHostnames().isEmpty()) {
                    b.append(a.getIp()).append('\t').append(String.join("\t", a.getHostnames())).append('\n');
                }
            }
        }
        return b.toString();
    }

    /**
     * The host's resolv.conf (there is no cluster DNS, so ClusterFirst falls back to it as the kubelet's
     * does without one), or nothing of it with dnsPolicy None; then the pod's dnsConfig added.
     */
    static String resolvConf(Pod pod, Path hostResolvConf) throws IOException {
        List<String> nameservers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        if (!"None".equals(pod.getSpec().getDnsPolicy()) && Files.isRegularFile(hostResolvConf)) {
            for (String line : Files.readAllLines(hostResolvConf)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 2 || f[0].startsWith("#") || f[0].startsWith(";")) {
                    continue;
                }
                switch (f[0]) {
                    case "nameserver" -> nameservers.add(f[1]);
                    case "search", "domain" -> searches.addAll(List.of(f).subList(1, f.length));
                    case "options" -> options.addAll(List.of(f).subList(1, f.length));
                    default -> {
                    }
                }
            }
        }
        PodDNSConfig dns = pod.getSpec().getDnsConfig();
        if (dns != null) {
            if (dns.getNameservers() != null) {
                nameservers.addAll(dns.getNameservers());
            }
            if (dns.getSearches() != null) {
                searches.addAll(dns.getSearches());
            }
            if (dns.getOptions() != null) {
                for (PodDNSConfigOption o : dns.getOptions()) {
                    options.add(o.getValue() == null || o.getValue().isEmpty() ? o.getName() : o.getName() + ":" + o.getValue());
                }
            }
        }
        StringBuilder b = new StringBuilder();
        // glibc reads at most three nameservers, as the kubelet warns.
        nameservers.stream().distinct().limit(3).forEach(n -> b.append("nameserver ").append(n).append('\n'));
        if (!searches.isEmpty()) {
            b.append("search ").append(String.join(" ", searches.stream().distinct().toList())).append('\n');
        }
        if (!options.isEmpty()) {
            b.append("options ").append(String.join(" ", options.stream().distinct().toList())).append('\n');
        }
        return b.toString();
    }

    /**
     * A new file and a rename: a running container's bind mount keeps the inode it has (a restarted
     * container gets the new one), so a reader never sees half a file.
     */
    private static Path replace(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        Files.writeString(tmp, content);
        tmp.toFile().setReadable(true, false);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
