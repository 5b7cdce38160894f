package io.berth.orchestrator.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.berth.runtime.container.ProcessIdentity;
import io.fabric8.kubernetes.api.model.Pod;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The node's pod network (the part of the kubelet and the CRI runtime that calls CNI): attaches a
 * sandbox's network namespace when the sandbox is made, detaches it when the sandbox goes, and
 * removes what a crash left. Every method is safe to repeat: DEL is idempotent, and an attachment
 * is cached before its ADD runs, so nothing a plugin made is ever left without a file naming it.
 */
public final class PodNetwork {
    private static final System.Logger LOG = System.getLogger("io.berth.orchestrator");
    /** The sandbox's interface, as every CRI runtime names it. */
    public static final String IFNAME = "eth0";

    private final NetworkOptions options;
    /** hostPort bookkeeping: checking for a conflict and caching the new attachment is one step. */
    private final Object portLock = new Object();

    public PodNetwork(NetworkOptions options) {
        this.options = options;
    }

    public NetworkOptions options() {
        return options;
    }

    /** The sandbox's addresses (empty with no network) once it is attached; nothing of it is left when this throws. */
    public record Attached(List<String> ips) {
    }

    /**
     * ADD for a new sandbox (after a DEL of whatever an earlier sandbox of the pod left), then the
     * pod's /etc files with its addresses.
     *
     * @throws CniException the config is missing or broken, a plugin is missing or failed, a hostPort is held
     */
    public Attached setUp(Pod pod, String hostname, String sandboxId, int pausePid, long pauseStartTime) {
        String uid = pod.getMetadata().getUid();
        List<String> ips = List.of();
        if (options.enabled()) {
            ips = attach(pod, sandboxId, pausePid, pauseStartTime);
        }
        try {
            PodFiles.write(podFilesDir(uid), pod, hostname, ips, options.resolvConf());
        } catch (RuntimeException e) {
            detach(sandboxId);
            throw e;
        }
        return new Attached(ips);
    }

    private List<String> attach(Pod pod, String sandboxId, int pausePid, long pauseStartTime) {
        CniConfig config = CniConfig.load(options.confDir(), options.ipamDataDir());
        detach(sandboxId); // an earlier sandbox of this pod that died, or a crash mid-ADD
        ArrayNode ports = HostPorts.of(pod);
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        Attachment pending = new Attachment(sandboxId, pod.getMetadata().getUid(), ns, pod.getMetadata().getName(), IFNAME,
                netnsPath(pausePid), pauseStartTime, config.json(), ports, null);
        synchronized (portLock) {
            if (!ports.isEmpty()) {
                for (String other : Attachment.list(options.attachmentsDir())) {
                    Attachment a = Attachment.load(options.attachmentsDir(), other);
                    JsonNode taken = a == null || other.equals(sandboxId) ? null : HostPorts.conflict(ports, a.portMappings());
                    if (taken != null) {
                        throw new CniException("hostPort " + HostPorts.describe(taken) + " is already used by pod " + a.podNamespace()
                                + "/" + a.podName() + ": choose another hostPort, or delete that pod", null);
                    }
                }
            }
            pending.save(options.attachmentsDir());
        }
        ObjectNode result;
        try {
            result = PluginChain.add(options, config, pending.call("ADD"), pending.runtimeConfig());
        } catch (CniException e) {
            // The plugins' own cleanup: DEL undoes whatever part of ADD got done (the veth, the address, the rules).
            try {
                PluginChain.del(options, config, pending.call("DEL"), pending.runtimeConfig(), null);
                Attachment.remove(options.attachmentsDir(), sandboxId);
            } catch (RuntimeException d) {
                LOG.log(System.Logger.Level.WARNING, "sandbox " + sandboxId + ": DEL after a failed ADD failed too (retried at the next "
                        + "start or delete): " + d.getMessage());
            }
            throw e;
        }
        Attachment done = pending.withResult(result);
        done.save(options.attachmentsDir());
        return done.ips();
    }

    /**
     * DEL for the sandbox's cached attachment, with the config it was attached with; then the cache
     * entry goes. The namespace is named only while the pause process that holds it is the one that
     * was attached (a reused pid must not have its interface removed): else "" (already gone).
     *
     * @throws CniException a plugin's DEL failed: the cache entry stays, so a later call retries
     */
    public void detach(String sandboxId) {
        Attachment a = Attachment.load(options.attachmentsDir(), sandboxId);
        if (a == null) {
            return;
        }
        String netns = a.netns();
        if (netns != null && !netns.isEmpty() && !sameSandbox(a)) {
            netns = "";
        }
        Attachment current = new Attachment(a.containerId(), a.podUid(), a.podNamespace(), a.podName(), a.ifName(), netns,
                a.pauseStartTime(), a.config(), a.portMappings(), a.result());
        PluginChain.del(options, CniConfig.fromCached(a.config()), current.call("DEL"), current.runtimeConfig(), a.result());
        Attachment.remove(options.attachmentsDir(), sandboxId);
    }

    /** CHECK for an adopted sandbox: whether its interface, address and rules are still there. */
    public void check(String sandboxId) {
        Attachment a = Attachment.load(options.attachmentsDir(), sandboxId);
        if (a == null || a.result() == null) {
            return;
        }
        PluginChain.check(options, CniConfig.fromCached(a.config()), a.call("CHECK"), a.runtimeConfig(), a.result());
    }

    /** The pod is gone: its sandbox's attachment (if any) and its /etc files. */
    public void tearDown(String podUid, String sandboxId) {
        detach(sandboxId);
        deleteTree(podFilesDir(podUid));
    }

    /** The pod's /etc files, by their path in a container; empty before its sandbox was attached. */
    public Map<String, Path> podFiles(String podUid) {
        return PodFiles.existing(podFilesDir(podUid));
    }

    /**
     * After a crash: DEL for every attachment of a pod the node no longer records, DEL (with the
     * current config) for host-local allocations that name a sandbox of such a pod, and their /etc files.
     */
    public void removeUnrecorded(Set<String> recordedUids) {
        for (String id : Attachment.list(options.attachmentsDir())) {
            Attachment a = Attachment.load(options.attachmentsDir(), id);
            if (a != null && !recordedUids.contains(a.podUid())) {
                LOG.log(System.Logger.Level.INFO, "detaching sandbox " + id + " from the network: no pod record names it");
                try {
                    detach(id);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot detach sandbox " + id + ": " + e.getMessage());
                }
            }
        }
        if (options.enabled()) {
            releaseHostLocal(recordedUids);
        }
        // Temporary files of a cache write a crash interrupted (the entry itself is the old one or the new one).
        if (Files.isDirectory(options.attachmentsDir())) {
            try (Stream<Path> s = Files.list(options.attachmentsDir())) {
                for (Path f : s.filter(f -> f.getFileName().toString().startsWith(".") && f.toString().endsWith(".tmp")).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot clean " + options.attachmentsDir() + ": " + e.getMessage());
            }
        }
        if (Files.isDirectory(options.podFilesRoot())) {
            try (Stream<Path> s = Files.list(options.podFilesRoot())) {
                s.filter(d -> !recordedUids.contains(d.getFileName().toString())).forEach(PodNetwork::deleteTree);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot list " + options.podFilesRoot() + ": " + e.getMessage());
            }
        }
    }

    /**
     * host-local keeps one file per address, its first line the container id: an address whose
     * sandbox id is Berth's ({@code <uid>_sandbox}), of a pod no record names and with no attachment
     * left, is released by a DEL with the current config (host-local releases by container id).
     */
    private void releaseHostLocal(Set<String> recordedUids) {
        CniConfig config;
        try {
            config = CniConfig.load(options.confDir(), options.ipamDataDir());
        } catch (RuntimeException e) {
            return; // a broken config is reported at the next pod; nothing can be released with it
        }
        Path dir = config.hostLocalDir();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith("last_reserved_ip") || n.equals("lock") || !Files.isRegularFile(f)) {
                    continue;
                }
                String id = Files.readString(f).lines().findFirst().orElse("").trim();
                if (!id.endsWith("_sandbox") || recordedUids.contains(id.substring(0, id.length() - "_sandbox".length()))
                        || Attachment.load(options.attachmentsDir(), id) != null) {
                    continue;
                }
                LOG.log(System.Logger.Level.INFO, "releasing address " + n + " of sandbox " + id + ": no pod record names it");
                String uid = id.substring(0, id.length() - "_sandbox".length());
                // The address as a prevResult: firewall removes its rules only for the addresses it is given.
                ObjectNode prev = CniConfig.JSON.createObjectNode();
                prev.put("cniVersion", config.cniVersion());
                prev.putArray("interfaces");
                prev.putArray("ips").addObject().put("address", n + (n.contains(":") ? "/128" : "/32"));
                // portmap's DEL does nothing without mappings; its chains are named by container id, so any mapping will do.
                ArrayNode anyMapping = CniConfig.JSON.createArrayNode();
                anyMapping.addObject().put("hostPort", 1).put("containerPort", 1).put("protocol", "tcp");
                Attachment orphan = new Attachment(id, uid, "", "", IFNAME, "", 0, config.json(), anyMapping, prev);
                try {
                    PluginChain.del(options, config, orphan.call("DEL"), orphan.runtimeConfig(), prev);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot release address " + n + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + dir + ": " + e.getMessage());
        }
    }

    private boolean sameSandbox(Attachment a) {
        String p = a.netns();
        if (!p.startsWith("/proc/")) {
            return Files.exists(Path.of(p));
        }
        try {
            int pid = Integer.parseInt(p.split("/")[2]);
            return a.pauseStartTime() != 0 && new ProcessIdentity(pid, a.pauseStartTime()).isAlive();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String netnsPath(int pausePid) {
        return "/proc/" + pausePid + "/ns/net";
    }

    private Path podFilesDir(String uid) {
        if (!uid.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("pod uid '" + uid + "' cannot name a directory");
        }
        return options.podFilesRoot().resolve(uid);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove " + root + ": " + e.getMessage());
        }
    }
}
