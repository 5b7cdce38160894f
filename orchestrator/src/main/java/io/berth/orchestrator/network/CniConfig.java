package io.berth.orchestrator.network;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The network configuration: a standard CNI conflist (or a single-plugin .conf), the first file of
 * the configuration directory by name, as libcni's ConfFiles and containerd pick it. Read again at
 * every sandbox, so an operator's edit takes effect for the next pod without a restart.
 *
 * @param file       where it was read from
 * @param name       the network's name (host-local keeps its allocations under it)
 * @param cniVersion the spec version the plugins are called with
 * @param plugins    the chain, in ADD order; each as written (name and cniVersion are added per call)
 * @param json       the whole list, as cached with each attachment so that DEL uses what ADD used
 */
public record CniConfig(Path file, String name, String cniVersion, List<ObjectNode> plugins, ObjectNode json) {
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The file a first start writes; replace it (or add one that sorts first) to change the network. */
    public static final String DEFAULT_FILE = "10-berth.conflist";
    public static final String DEFAULT_NAME = "berth";
    public static final String DEFAULT_BRIDGE = "berth0";
    public static final String DEFAULT_SUBNET = "10.87.0.0/16";
    /** What the Debian plugins (1.1.1) speak at most. */
    public static final String DEFAULT_VERSION = "1.0.0";

    /** The conflist in {@code dir}; writes the default first when the directory has none. */
    public static CniConfig load(Path dir, Path ipamDataDir) {
        Path file = first(dir);
        if (file == null) {
            writeDefault(dir, ipamDataDir, true);
            file = dir.resolve(DEFAULT_FILE);
        }
        return parse(file);
    }

    /** A conflist or conf file, checked enough that a broken one is reported before any plugin runs. */
    public static CniConfig parse(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CniException("cannot read the network config " + file + ": " + e.getMessage(), null);
        } catch (JacksonException e) {
            throw broken(file, "not JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(root instanceof ObjectNode obj)) {
            throw broken(file, "not a JSON object");
        }
        String name = text(obj, "name");
        String version = text(obj, "cniVersion");
        if (name == null || name.isEmpty()) {
            throw broken(file, "no \"name\"");
        }
        if (version == null || version.isEmpty()) {
            throw broken(file, "no \"cniVersion\"");
        }
        List<ObjectNode> plugins = new ArrayList<>();
        if (obj.has("plugins")) {
            if (!(obj.get("plugins") instanceof ArrayNode arr) || arr.isEmpty()) {
                throw broken(file, "\"plugins\" must be a non-empty list");
            }
            for (JsonNode p : arr) {
                if (!(p instanceof ObjectNode po) || text(po, "type") == null) {
                    throw broken(file, "every plugin needs a \"type\"");
                }
                plugins.add(po);
            }
        } else if (text(obj, "type") != null) {
            // A single-plugin .conf: a list of one, as libcni's ConfListFromConf makes it.
            ObjectNode list = JSON.createObjectNode();
            list.put("cniVersion", version);
            list.put("name", name);
            list.putArray("plugins").add(obj.deepCopy());
            plugins.add(obj);
            obj = list;
        } else {
            throw broken(file, "neither \"plugins\" nor \"type\"");
        }
        return new CniConfig(file, name, version, List.copyOf(plugins), obj);
    }

    /** A list as cached with an attachment. */
    static CniConfig fromCached(ObjectNode json) {
        List<ObjectNode> plugins = new ArrayList<>();
        json.get("plugins").forEach(p -> plugins.add((ObjectNode) p));
        return new CniConfig(null, text(json, "name"), text(json, "cniVersion"), plugins, json);
    }

    /**
     * The default: bridge {@code berth0} as the pods' gateway, a /16 from host-local (allocations
     * under the state root), loopback, portmap for hostPort, and firewall so that forwarded pod
     * traffic is accepted on hosts whose FORWARD policy drops. {@code ipMasq}: pods reach outside
     * through the host's address (tests write it false).
     */
    public static Path writeDefault(Path dir, Path ipamDataDir, boolean ipMasq) {
        ObjectNode list = JSON.createObjectNode();
        list.put("cniVersion", DEFAULT_VERSION);
        list.put("name", DEFAULT_NAME);
        ArrayNode plugins = list.putArray("plugins");
        ObjectNode bridge = plugins.addObject();
        bridge.put("type", "bridge");
        bridge.put("bridge", DEFAULT_BRIDGE);
        bridge.put("isGateway", true);
        bridge.put("ipMasq", ipMasq);
        bridge.put("hairpinMode", true);
        ObjectNode ipam = bridge.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("dataDir", ipamDataDir.toString());
        ipam.putArray("ranges").addArray().addObject().put("subnet", DEFAULT_SUBNET);
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        plugins.addObject().put("type", "loopback");
        ObjectNode portmap = plugins.addObject();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        plugins.addObject().put("type", "firewall");
        Path file = dir.resolve(DEFAULT_FILE);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".conflist", ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list) + "\n");
            // A rename: two pods of a first start may both write it; a reader sees one whole file or the other (the same).
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the default network config into " + dir, e);
        }
        return file;
    }

    /** host-local's allocation directory for this network, when its first plugin's IPAM is host-local; else null. */
    public Path hostLocalDir() {
        for (ObjectNode p : plugins) {
            JsonNode ipam = p.get("ipam");
            if (ipam != null && "host-local".equals(text(ipam, "type"))) {
                String dataDir = text(ipam, "dataDir");
                return Path.of(dataDir == null ? "/var/lib/cni/networks" : dataDir).resolve(name);
            }
        }
        return null;
    }

    private static Path first(Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return !n.startsWith(".") && (n.endsWith(".conflist") || n.endsWith(".conf") || n.endsWith(".json"));
            }).sorted().findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static CniException broken(Path file, String what) {
        return new CniException("broken network config " + file + ": " + what
                + "; fix it, or remove it and Berth writes its default at the next pod", null);
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isString() ? null : v.asString();
    }
}
