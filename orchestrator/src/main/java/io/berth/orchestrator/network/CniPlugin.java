package io.berth.orchestrator.network;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One plugin call as the CNI spec defines it: the binary found in CNI_PATH, the command and
 * the sandbox in environment variables, the plugin's config on stdin, a result (or an error) as JSON
 * on stdout. With a host network namespace set, the plugin runs in it through
 * {@code nsenter --net=PATH}: a plugin is a process of its own, so this moves nothing of the JVM's.
 */
final class CniPlugin {
    /** Plugins are quick (milliseconds); one that hangs must not hold a pod's worker forever. */
    private static final long TIMEOUT_SECONDS = 60;

    private CniPlugin() {
    }

    /** What a call is about: libcni's RuntimeConf. */
    record Call(String command, String containerId, String netns, String ifName, String cniArgs) {
    }

    /**
     * Runs {@code type} with {@code config} on stdin; returns its parsed stdout (null when it printed
     * nothing, as DEL and CHECK do).
     *
     * @throws CniException the plugin is missing, failed, timed out or printed no JSON
     */
    static JsonNode invoke(NetworkOptions options, String type, Call call, ObjectNode config) {
        Path binary = find(options.pluginDirs(), type);
        List<String> cmd = new ArrayList<>();
        if (options.hostNetns() != null) {
            cmd.addAll(List.of("nsenter", "--net=" + options.hostNetns(), "--"));
        }
        cmd.add(binary.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"); // portmap and firewall run iptables
        env.put("CNI_COMMAND", call.command());
        env.put("CNI_CONTAINERID", call.containerId());
        env.put("CNI_NETNS", call.netns() == null ? "" : call.netns());
        env.put("CNI_IFNAME", call.ifName());
        env.put("CNI_ARGS", call.cniArgs() == null ? "" : call.cniArgs());
        env.put("CNI_PATH", options.pluginDirs().stream().map(Path::toString).collect(Collectors.joining(":")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniException("cannot run CNI plugin " + binary + ": " + e.getMessage(), null);
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try (var stdin = p.getOutputStream()) {
            stdin.write(CniConfig.JSON.writeValueAsBytes(config));
        } catch (IOException e) {
            // It exited without reading its config: its exit status and output say why.
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw new CniException("CNI plugin " + type + " " + call.command() + " did not finish in " + TIMEOUT_SECONDS + " s", null);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CniException("interrupted while CNI plugin " + type + " ran", null);
        }
        String stdout = new String(out.join(), StandardCharsets.UTF_8).trim();
        String stderr = new String(err.join(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw failure(type, call, p.exitValue(), stdout, stderr);
        }
        if (stdout.isEmpty()) {
            return null;
        }
        try {
            return CniConfig.JSON.readTree(stdout);
        } catch (JacksonException e) {
            throw new CniException("CNI plugin " + type + " " + call.command() + " printed no JSON result: " + abbreviate(stdout), null);
        }
    }

    /** The spec's error JSON ({@code code}, {@code msg}, {@code details}) as one line. */
    private static CniException failure(String type, Call call, int exit, String stdout, String stderr) {
        try {
            JsonNode e = CniConfig.JSON.readTree(stdout);
            if (e != null && e.has("msg")) {
                String details = CniConfig.text(e, "details");
                Integer code = e.has("code") ? e.get("code").asInt() : null;
                return new CniException("plugin type=\"" + type + "\" failed (" + call.command().toLowerCase() + "): "
                        + CniConfig.text(e, "msg") + (details == null || details.isEmpty() ? "" : ": " + details), code);
            }
        } catch (JacksonException | IllegalArgumentException ignored) {
            // not the spec's error JSON: report what it printed
        }
        String said = !stderr.isEmpty() ? stderr : stdout;
        return new CniException("plugin type=\"" + type + "\" failed (" + call.command().toLowerCase() + "), exit " + exit
                + (said.isEmpty() ? "" : ": " + abbreviate(said)), null);
    }

    static boolean installed(NetworkOptions options, String type) {
        try {
            find(options.pluginDirs(), type);
            return true;
        } catch (CniException e) {
            return false;
        }
    }

    private static Path find(List<Path> dirs, String type) {
        if (type.contains("/") || type.startsWith(".")) {
            throw new CniException("CNI plugin type \"" + type + "\" is not a plain name", null);
        }
        for (Path d : dirs) {
            Path p = d.resolve(type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new CniException("failed to find plugin \"" + type + "\" in path " + dirs
                + ": install it (Debian: apt-get install containernetworking-plugins) or change the network config", null);
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        // A thread of its own: the common pool has one thread on two cores, and a blocked stdout
        // reader there would leave stderr unread until the plugin blocks on a full pipe.
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                f.complete(in.readAllBytes());
            } catch (IOException e) {
                f.complete(new byte[0]);
            }
        }, "cni-plugin-output");
        t.setDaemon(true);
        t.start();
        return f;
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 400 ? one.substring(0, 400) + "..." : one;
    }
}
