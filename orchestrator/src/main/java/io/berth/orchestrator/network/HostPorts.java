package io.berth.orchestrator.network;

import java.util.Locale;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A pod's hostPorts as portmap's {@code portMappings} runtimeConfig (what the kubelet hands the CRI
 * as PortMappings), and the check that no other pod of the node holds one of them: portmap itself
 * would add a second DNAT rule that never matches, so the pod would start with a port that does not
 * reach it. The node is the only scheduler here, so it refuses as the scheduler's NodePorts filter would.
 */
final class HostPorts {
    private HostPorts() {
    }

    static ArrayNode of(Pod pod) {
        ArrayNode out = CniConfig.JSON.createArrayNode();
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() == null || p.getHostPort() <= 0) {
                    continue;
                }
                ObjectNode m = out.addObject();
                m.put("hostPort", p.getHostPort());
                m.put("containerPort", p.getContainerPort());
                m.put("protocol", (p.getProtocol() == null ? "TCP" : p.getProtocol()).toLowerCase(Locale.ROOT));
                if (p.getHostIP() != null && !p.getHostIP().isEmpty()) {
                    m.put("hostIP", p.getHostIP());
                }
            }
        }
        return out;
    }

    /** The first of {@code wanted} that {@code held} already has (same port and protocol, overlapping host IP); null when none. */
    static JsonNode conflict(ArrayNode wanted, ArrayNode held) {
        if (held == null) {
            return null;
        }
        for (JsonNode w : wanted) {
            for (JsonNode h : held) {
                if (w.path("hostPort").asInt() == h.path("hostPort").asInt()
                        && w.path("protocol").asString("tcp").equals(h.path("protocol").asString("tcp"))
                        && overlaps(w.path("hostIP").asString(""), h.path("hostIP").asString(""))) {
                    return w;
                }
            }
        }
        return null;
    }

    private static boolean overlaps(String a, String b) {
        return a.isEmpty() || b.isEmpty() || a.equals("0.0.0.0") || b.equals("0.0.0.0") || a.equals(b);
    }

    static String describe(JsonNode m) {
        return m.path("hostPort").asInt() + "/" + m.path("protocol").asString("tcp").toUpperCase(Locale.ROOT);
    }
}
