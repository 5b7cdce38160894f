package io.berth.orchestrator.network;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One sandbox attached to the network, as cached on disk ({@code <cni>/attachments/<id>.json}, what
 * libcni keeps under /var/lib/cni/results): written before ADD runs (result null), again with the
 * result. So whatever a crash interrupts, there is a file that names the sandbox and the config it
 * was attached with, and DEL can be run with exactly that config, even after an operator changed
 * the conflist.
 *
 * @param netns          the pause process's namespace ({@code /proc/<pid>/ns/net}), valid while that process,
 *                       started at {@code pauseStartTime}, lives
 * @param portMappings portmap's runtimeConfig (a JSON list), also what tells one pod's hostPorts from another's
 */
public record Attachment(String containerId, String podUid, String podNamespace, String podName, String ifName, String netns,
        long pauseStartTime, ObjectNode config, ArrayNode portMappings, ObjectNode result) {

    Attachment withResult(ObjectNode r) {
        return new Attachment(containerId, podUid, podNamespace, podName, ifName, netns, pauseStartTime, config, portMappings, r);
    }

    CniPlugin.Call call(String command) {
        return new CniPlugin.Call(command, containerId, netns, ifName, cniArgs(podNamespace, podName, containerId, podUid));
    }

    Map<String, JsonNode> runtimeConfig() {
        return portMappings == null || portMappings.isEmpty() ? Map.of() : Map.of("portMappings", portMappings);
    }

    /** What the kubelet (and containerd) put in CNI_ARGS; IgnoreUnknown so that plugins that know none of them do not fail. */
    static String cniArgs(String namespace, String name, String containerId, String uid) {
        return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name + ";K8S_POD_INFRA_CONTAINER_ID="
                + containerId + ";K8S_POD_UID=" + uid;
    }

    /** The addresses the result gives the sandbox's interface, without their prefix length; IPv4 first. */
    public List<String> ips() {
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        if (result == null || !(result.get("ips") instanceof ArrayNode ips)) {
            return v4;
        }
        for (JsonNode ip : ips) {
            String a = CniConfig.text(ip, "address");
            if (a == null) {
                continue;
            }
            String addr = a.contains("/") ? a.substring(0, a.indexOf('/')) : a;
            (addr.contains(":") ? v6 : v4).add(addr);
        }
        v4.addAll(v6);
        return v4;
    }

    // ---- the cache ---------------------------------------------------------------------------------

    static Path file(Path dir, String containerId) {
        if (!containerId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("container id '" + containerId + "' cannot name a file");
        }
        return dir.resolve(containerId + ".json");
    }

    /** Replaced whole (temporary file, rename): a crash leaves the old one or the new one. */
    void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + containerId, ".tmp");
            Files.write(tmp, CniConfig.JSON.writeValueAsBytes(this));
            Files.move(tmp, file(dir, containerId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the network attachment of " + containerId + " into " + dir, e);
        }
    }

    static Attachment load(Path dir, String containerId) {
        Path f = file(dir, containerId);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return CniConfig.JSON.readValue(Files.readAllBytes(f), Attachment.class);
        } catch (IOException | JacksonException e) {
            // A cache that cannot be read cannot drive a DEL; host-local's files still name the address.
            System.getLogger("io.berth.orchestrator").log(System.Logger.Level.WARNING, "unreadable network attachment " + f + ": " + e.getMessage());
            return null;
        }
    }

    static void remove(Path dir, String containerId) {
        try {
            Files.deleteIfExists(file(dir, containerId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the network attachment of " + containerId, e);
        }
    }

    /** Every cached attachment (the container ids). */
    static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.startsWith("."))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
