package io.berth.orchestrator.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A conflist's plugins driven as libcni's AddNetworkList, DelNetworkList and CheckNetworkList do:
 * ADD in order, each plugin given the previous one's result; DEL in reverse, with the cached ADD
 * result; CHECK in order (spec 0.4.0 and later). Each plugin's config is its object from the list
 * plus the list's name and cniVersion, prevResult, and runtimeConfig for the capabilities it declares.
 */
final class PluginChain {
    private PluginChain() {
    }

    /** @return the last plugin's result (the attachment's result) */
    static ObjectNode add(NetworkOptions options, CniConfig config, CniPlugin.Call call, Map<String, JsonNode> runtimeConfig) {
        ObjectNode prev = null;
        for (ObjectNode plugin : config.plugins()) {
            JsonNode r = CniPlugin.invoke(options, type(plugin), call, pluginConfig(config, plugin, prev, runtimeConfig));
            if (r instanceof ObjectNode o) {
                prev = o;
            }
        }
        return prev;
    }

    /**
     * Every plugin is asked, also after one fails (so that a portmap error never keeps host-local
     * from releasing the address); the first failure is thrown at the end.
     */
    static void del(NetworkOptions options, CniConfig config, CniPlugin.Call call, Map<String, JsonNode> runtimeConfig, ObjectNode result) {
        ObjectNode prev = atLeast(config.cniVersion(), "0.4.0") ? result : null;
        List<ObjectNode> reversed = new ArrayList<>(config.plugins());
        java.util.Collections.reverse(reversed);
        CniException first = null;
        for (ObjectNode plugin : reversed) {
            if (!CniPlugin.installed(options, type(plugin))) {
                // Never ran here (or was removed since): nothing of it to undo that Berth could undo.
                System.getLogger("io.berth.orchestrator").log(System.Logger.Level.WARNING,
                        "CNI plugin " + type(plugin) + " is not installed: its DEL for " + call.containerId() + " is skipped");
                continue;
            }
            try {
                CniPlugin.invoke(options, type(plugin), call, pluginConfig(config, plugin, prev, runtimeConfig));
            } catch (CniException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Whether the attachment is still as ADD left it; a no-op before spec 0.4.0, which has no CHECK. */
    static void check(NetworkOptions options, CniConfig config, CniPlugin.Call call, Map<String, JsonNode> runtimeConfig, ObjectNode result) {
        if (!atLeast(config.cniVersion(), "0.4.0") || result == null) {
            return;
        }
        for (ObjectNode plugin : config.plugins()) {
            CniPlugin.invoke(options, type(plugin), call, pluginConfig(config, plugin, result, runtimeConfig));
        }
    }

    static ObjectNode pluginConfig(CniConfig config, ObjectNode plugin, ObjectNode prevResult, Map<String, JsonNode> runtimeConfig) {
        ObjectNode c = plugin.deepCopy();
        c.put("name", config.name());
        c.put("cniVersion", config.cniVersion());
        if (prevResult != null) {
            c.set("prevResult", prevResult);
        }
        JsonNode caps = plugin.get("capabilities");
        if (caps != null) {
            ObjectNode rc = null;
            for (Map.Entry<String, JsonNode> e : runtimeConfig.entrySet()) {
                if (caps.path(e.getKey()).asBoolean(false)) {
                    if (rc == null) {
                        rc = c.putObject("runtimeConfig");
                    }
                    rc.set(e.getKey(), e.getValue());
                }
            }
        }
        return c;
    }

    private static String type(ObjectNode plugin) {
        return CniConfig.text(plugin, "type");
    }

    static boolean atLeast(String version, String min) {
        String[] a = version.split("\\.");
        String[] b = min.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? parse(a[i]) : 0;
            int y = i < b.length ? parse(b[i]) : 0;
            if (x != y) {
                return x > y;
            }
        }
        return true;
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
