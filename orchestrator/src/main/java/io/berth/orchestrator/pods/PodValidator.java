package io.berth.orchestrator.pods;

import io.berth.image.reference.ImageReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusCause;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What Berth accepts in a Pod, checked on the submitted document itself (so every cause has the
 * field's path as the user wrote it): the fields Berth honours, each with its rules. Any other
 * field is refused by path ({@code spec.volumes[0].nfs: not supported}), never silently ignored;
 * a few fields the apiserver fills in are accepted only with the value that means "nothing".
 */
public final class PodValidator {

    static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;

    /** A rule for one node of the document. */
    @FunctionalInterface
    private interface Shape {
        void check(JsonNode node, String path, List<StatusCause> out);
    }

    private final List<StatusCause> causes = new ArrayList<>();

    private PodValidator() {
    }

    /** The causes of refusal for a submitted Pod document; empty when Berth can run it. */
    public static List<StatusCause> validate(JsonNode pod) {
        PodValidator v = new PodValidator();
        POD.check(pod, "", v.causes);
        v.semantics(pod);
        return v.causes;
    }

    // ---- causes, in the apiserver's words

    static StatusCause invalid(String path, JsonNode value, String why) {
        return new StatusCause(path, "Invalid value: " + shown(value) + ": " + why, "FieldValueInvalid");
    }

    static StatusCause required(String path) {
        return new StatusCause(path, "Required value", "FieldValueRequired");
    }

    static StatusCause notSupported(String path) {
        return new StatusCause(path, "not supported", "FieldValueNotSupported");
    }

    static StatusCause unsupportedValue(String path, JsonNode value, List<String> allowed) {
        return new StatusCause(path, "Unsupported value: " + shown(value) + ": supported values: \""
                + String.join("\", \"", allowed) + "\"", "FieldValueNotSupported");
    }

    private static String shown(JsonNode value) {
        return value == null ? "null" : value.toString();
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    // ---- shapes

    private static final Shape ANY = (n, p, out) -> { };

    private static final Shape STRING = (n, p, out) -> {
        if (!n.isString()) {
            out.add(invalid(p, n, "must be a string"));
        }
    };

    private static final Shape BOOL = (n, p, out) -> {
        if (!n.isBoolean()) {
            out.add(invalid(p, n, "must be true or false"));
        }
    };

    private static Shape integer(long min) {
        return (n, p, out) -> {
            if (!n.isIntegralNumber()) {
                out.add(invalid(p, n, "must be an integer"));
            } else if (n.asLong() < min) {
                out.add(invalid(p, n, "must be greater than or equal to " + min));
            }
        };
    }

    private static Shape port() {
        return (n, p, out) -> {
            if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > 65535) {
                out.add(invalid(p, n, "must be between 1 and 65535, inclusive"));
            }
        };
    }

    private static final Shape INT_OR_STRING = (n, p, out) -> {
        if (!n.isIntegralNumber() && !n.isString()) {
            out.add(invalid(p, n, "must be a port number or name"));
        } else if (n.isIntegralNumber() && (n.asInt() < 1 || n.asInt() > 65535)) {
            out.add(invalid(p, n, "must be between 1 and 65535, inclusive"));
        }
    };

    private static Shape oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        return (n, p, out) -> {
            if (!n.isString() || !values.contains(n.asString())) {
                out.add(unsupportedValue(p, n, values));
            }
        };
    }

    /** A field the apiserver fills in, accepted only with the value that asks for nothing. */
    private static Shape onlyDefault(String value) {
        return (n, p, out) -> {
            if (!n.isString() || !n.asString().equals(value)) {
                out.add(new StatusCause(p, "Unsupported value: " + shown(n) + ": Berth supports only \"" + value + "\"",
                        "FieldValueNotSupported"));
            }
        };
    }

    private static final Shape EMPTY_OBJECT = (n, p, out) -> {
        if (!n.isObject()) {
            out.add(invalid(p, n, "must be an object"));
        } else {
            for (String name : n.propertyNames()) {
                out.add(notSupported(child(p, name)));
            }
        }
    };

    private static final Shape STRING_LIST = list(STRING);

    private static Shape list(Shape item) {
        return (n, p, out) -> {
            if (n.isNull()) {
                return;
            }
            if (!n.isArray()) {
                out.add(invalid(p, n, "must be a list"));
                return;
            }
            for (int i = 0; i < n.size(); i++) {
                item.check(n.get(i), p + "[" + i + "]", out);
            }
        };
    }

    private static Shape stringMap(Shape value) {
        return (n, p, out) -> {
            if (n.isNull()) {
                return;
            }
            if (!n.isObject()) {
                out.add(invalid(p, n, "must be an object"));
                return;
            }
            for (var e : n.properties()) {
                value.check(e.getValue(), p + "[" + e.getKey() + "]", out);
            }
        };
    }

    /** An object with exactly these optional fields; any other is "not supported". */
    private static Shape object(Object... fieldsAndShapes) {
        Map<String, Shape> fields = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndShapes.length; i += 2) {
            fields.put((String) fieldsAndShapes[i], (Shape) fieldsAndShapes[i + 1]);
        }
        return (n, p, out) -> {
            if (n.isNull()) {
                return;
            }
            if (!n.isObject()) {
                out.add(invalid(p, n, "must be an object"));
                return;
            }
            for (var e : n.properties()) {
                Shape s = fields.get(e.getKey());
                if (s == null) {
                    out.add(notSupported(child(p, e.getKey())));
                } else if (!e.getValue().isNull()) {
                    s.check(e.getValue(), child(p, e.getKey()), out);
                }
            }
        };
    }

    private static final Shape QUANTITY = (n, p, out) -> {
        if (!n.isString() && !n.isNumber()) {
            out.add(invalid(p, n, "must be a quantity"));
            return;
        }
        try {
            if (Quantity.parse(n.asString()).getNumericalAmount().signum() < 0) {
                out.add(invalid(p, n, "must be greater than or equal to 0"));
            }
        } catch (RuntimeException e) {
            out.add(invalid(p, n, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
        }
    };

    /** Only cpu and memory: Berth's cgroups limit those two. */
    private static final Shape RESOURCE_LIST = (n, p, out) -> {
        if (!n.isObject()) {
            out.add(invalid(p, n, "must be an object"));
            return;
        }
        for (var e : n.properties()) {
            String path = p + "[" + e.getKey() + "]";
            if (e.getKey().equals("cpu") || e.getKey().equals("memory")) {
                QUANTITY.check(e.getValue(), path, out);
            } else {
                out.add(notSupported(path));
            }
        }
    };

    private static final Shape HANDLER_FIELDS_EXEC = object("command", STRING_LIST);

    private static final Shape PROBE = object(
            "exec", HANDLER_FIELDS_EXEC,
            "tcpSocket", object("port", INT_OR_STRING, "host", STRING),
            // HTTPS is refused: the prober writes HTTP/1.1 on a plain socket (no TLS inside the pod's
            // network namespace yet), and a probe that never succeeds would restart the container for ever.
            "httpGet", object("path", STRING, "port", INT_OR_STRING, "host", STRING, "scheme", oneOf("HTTP"),
                    "httpHeaders", list(object("name", STRING, "value", STRING))),
            "initialDelaySeconds", integer(0), "timeoutSeconds", integer(1), "periodSeconds", integer(1),
            "successThreshold", integer(1), "failureThreshold", integer(1), "terminationGracePeriodSeconds", integer(1));

    private static final Shape CONTAINER = object(
            "name", STRING, "image", STRING, "imagePullPolicy", oneOf("Always", "IfNotPresent", "Never"),
            "command", STRING_LIST, "args", STRING_LIST,
            "env", list(object("name", STRING, "value", STRING)),
            "workingDir", STRING,
            "resources", object("limits", RESOURCE_LIST, "requests", RESOURCE_LIST),
            "stdin", BOOL, "stdinOnce", BOOL, "tty", BOOL,
            "livenessProbe", PROBE, "readinessProbe", PROBE, "startupProbe", PROBE,
            // No subPath: its source is below a directory a container can write, which could be
            // swapped for a symlink between the node's check and the mount (docs/security.md).
            "volumeMounts", list(object("name", STRING, "mountPath", STRING, "readOnly", BOOL)),
            // hostPort is published by the CNI portmap plugin (docs/networking.md).
            "ports", list(object("name", STRING, "containerPort", port(), "protocol", oneOf("TCP", "UDP", "SCTP"),
                    "hostPort", port(), "hostIP", STRING)),
            "terminationMessagePath", onlyDefault("/dev/termination-log"),
            "terminationMessagePolicy", onlyDefault("File"));

    private static final Shape VOLUME = object(
            "name", STRING,
            "emptyDir", object("medium", oneOf("", "Memory"), "sizeLimit", QUANTITY),
            "hostPath", object("path", STRING, "type", oneOf("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File",
                    "Socket", "CharDevice", "BlockDevice")));

    private static final Shape SPEC = object(
            "containers", list(CONTAINER), "initContainers", list(CONTAINER),
            "restartPolicy", oneOf("Always", "OnFailure", "Never"),
            "terminationGracePeriodSeconds", integer(0),
            "hostname", STRING, "shareProcessNamespace", BOOL,
            "volumes", list(VOLUME),
            "nodeName", STRING,
            // No cluster DNS: ClusterFirst falls back to the host's resolv.conf, as Default does (docs/networking.md).
            "dnsPolicy", oneOf("ClusterFirst", "Default", "None"),
            "dnsConfig", object("nameservers", list(STRING), "searches", list(STRING),
                    "options", list(object("name", STRING, "value", STRING))),
            "hostAliases", list(object("ip", STRING, "hostnames", list(STRING))),
            "schedulerName", onlyDefault("default-scheduler"),
            "securityContext", EMPTY_OBJECT,
            "enableServiceLinks", BOOL);

    private static final Shape METADATA = object(
            "name", STRING, "generateName", STRING, "namespace", STRING,
            "labels", stringMap(STRING), "annotations", stringMap(STRING),
            // Set by the server; accepted back (get -o yaml | apply), and resourceVersion is a precondition.
            "uid", STRING, "resourceVersion", STRING, "creationTimestamp", ANY, "generation", ANY,
            "deletionTimestamp", ANY, "deletionGracePeriodSeconds", ANY, "selfLink", ANY);

    private static final Shape POD = object(
            "apiVersion", STRING, "kind", STRING, "metadata", METADATA, "spec", SPEC,
            // The node side's to write: what a client sends is ignored, as by the apiserver.
            "status", ANY);

    // ---- rules across fields

    private void semantics(JsonNode pod) {
        if (!(text(pod.path("apiVersion")).isEmpty() || text(pod.path("apiVersion")).equals("v1"))) {
            causes.add(unsupportedValue("apiVersion", pod.get("apiVersion"), List.of("v1")));
        }
        if (!(text(pod.path("kind")).isEmpty() || text(pod.path("kind")).equals("Pod"))) {
            causes.add(unsupportedValue("kind", pod.get("kind"), List.of("Pod")));
        }
        JsonNode meta = pod.path("metadata");
        String name = text(meta.path("name"));
        if (name.isEmpty() && text(meta.path("generateName")).isEmpty()) {
            causes.add(required("metadata.name"));
        } else if (!name.isEmpty()) {
            subdomain("metadata.name", meta.get("name"));
        }
        labels("metadata.labels", meta.path("labels"));
        annotations(meta.path("annotations"));
        JsonNode spec = pod.path("spec");
        if (!spec.isObject()) {
            causes.add(required("spec"));
            return;
        }
        Set<String> volumes = new HashSet<>();
        List<JsonNode> vols = items(spec.path("volumes"));
        for (int i = 0; i < vols.size(); i++) {
            JsonNode v = vols.get(i);
            String p = "spec.volumes[" + i + "]";
            label(p + ".name", v.get("name"));
            if (!volumes.add(text(v.path("name")))) {
                causes.add(new StatusCause(p + ".name", "Duplicate value: " + shown(v.get("name")), "FieldValueDuplicate"));
            }
            boolean empty = v.has("emptyDir");
            boolean host = v.has("hostPath");
            if (empty == host) {
                causes.add(new StatusCause(p, empty ? "may not specify more than 1 volume type" : "must specify a volume type",
                        empty ? "FieldValueForbidden" : "FieldValueRequired"));
            }
            if (host && !text(v.path("hostPath").path("path")).startsWith("/")) {
                causes.add(invalid(p + ".hostPath.path", v.path("hostPath").get("path"), "must be an absolute path"));
            }
            JsonNode ed = v.path("emptyDir");
            if (empty && ed.has("sizeLimit") && !"Memory".equals(text(ed.path("medium")))) {
                // The kubelet enforces a disk emptyDir's limit by evicting the pod; Berth does not evict.
                causes.add(new StatusCause(p + ".emptyDir.sizeLimit",
                        "Forbidden: Berth limits only medium: Memory emptyDirs (a tmpfs of that size)", "FieldValueForbidden"));
            }
        }
        Set<String> names = new HashSet<>();
        containers("spec.initContainers", spec.path("initContainers"), names, volumes);
        if (items(spec.path("containers")).isEmpty()) {
            causes.add(required("spec.containers"));
        }
        containers("spec.containers", spec.path("containers"), names, volumes);
        if (spec.has("hostname") && !spec.get("hostname").isNull()) {
            label("spec.hostname", spec.get("hostname"));
        }
    }

    /** A value's text; a node of the wrong type was already reported by the shapes. */
    private static String text(JsonNode n) {
        return n != null && n.isValueNode() ? n.asString() : "";
    }

    /** The object items of a list; a wrong shape was already reported by the shapes. */
    private static List<JsonNode> items(JsonNode list) {
        List<JsonNode> out = new ArrayList<>();
        if (list.isArray()) {
            for (JsonNode n : list) {
                out.add(n.isObject() ? n : tools.jackson.databind.node.JsonNodeFactory.instance.objectNode());
            }
        }
        return out;
    }

    private void containers(String path, JsonNode node, Set<String> names, Set<String> volumes) {
        List<JsonNode> list = items(node);
        for (int i = 0; i < list.size(); i++) {
            JsonNode c = list.get(i);
            String p = path + "[" + i + "]";
            if (!c.has("name")) {
                causes.add(required(p + ".name"));
            } else {
                label(p + ".name", c.get("name"));
                if (!names.add(text(c.get("name")))) {
                    causes.add(new StatusCause(p + ".name", "Duplicate value: " + shown(c.get("name")), "FieldValueDuplicate"));
                }
            }
            String image = text(c.path("image"));
            if (image.isBlank()) {
                causes.add(required(p + ".image"));
            } else {
                try {
                    ImageReference.parse(image);
                } catch (RuntimeException e) {
                    causes.add(invalid(p + ".image", c.get("image"), e.getMessage()));
                }
            }
            List<JsonNode> env = items(c.path("env"));
            for (int j = 0; j < env.size(); j++) {
                String n = text(env.get(j).path("name"));
                if (!ENV_NAME.matcher(n).matches()) {
                    causes.add(invalid(p + ".env[" + j + "].name", env.get(j).get("name"),
                            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"));
                }
            }
            List<JsonNode> mounts = items(c.path("volumeMounts"));
            Set<String> mountPaths = new HashSet<>();
            for (int j = 0; j < mounts.size(); j++) {
                JsonNode m = mounts.get(j);
                String mp = p + ".volumeMounts[" + j + "]";
                if (!volumes.contains(text(m.path("name")))) {
                    causes.add(new StatusCause(mp + ".name", "Not found: " + shown(m.get("name")), "FieldValueNotFound"));
                }
                if (!text(m.path("mountPath")).startsWith("/")) {
                    causes.add(invalid(mp + ".mountPath", m.get("mountPath"), "must be an absolute path"));
                } else if (!mountPaths.add(text(m.path("mountPath")))) {
                    causes.add(invalid(mp + ".mountPath", m.get("mountPath"), "must be unique"));
                }
            }
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                JsonNode pr = c.path(probe);
                if (pr.isObject()) {
                    int handlers = (pr.has("exec") ? 1 : 0) + (pr.has("tcpSocket") ? 1 : 0) + (pr.has("httpGet") ? 1 : 0);
                    if (handlers != 1) {
                        causes.add(new StatusCause(p + "." + probe, handlers == 0 ? "must specify a handler type"
                                : "may not specify more than 1 handler type", handlers == 0 ? "FieldValueRequired" : "FieldValueForbidden"));
                    }
                    // The apiserver's rule: one success is all a liveness or startup probe may need.
                    JsonNode success = pr.get("successThreshold");
                    if (!probe.equals("readinessProbe") && success != null && success.isIntegralNumber() && success.asInt() != 1) {
                        causes.add(invalid(p + "." + probe + ".successThreshold", success, "must be 1"));
                    }
                }
            }
            if (path.equals("spec.initContainers")) {
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    if (c.has(probe)) {
                        causes.add(new StatusCause(p + "." + probe, "Forbidden: may not be set for init containers", "FieldValueForbidden"));
                    }
                }
            }
        }
    }

    private void label(String path, JsonNode value) {
        String s = value == null ? "" : text(value);
        if (s.length() > 63 || !DNS1123_LABEL.matcher(s).matches()) {
            causes.add(invalid(path, value, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                    + "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '"
                    + DNS1123_LABEL.pattern() + "')"));
        }
    }

    private void subdomain(String path, JsonNode value) {
        String s = text(value);
        if (s.length() > 253 || !DNS1123_SUBDOMAIN.matcher(s).matches()) {
            causes.add(invalid(path, value, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '"
                    + DNS1123_SUBDOMAIN.pattern() + "')"));
        }
    }

    void labels(String path, JsonNode labels) {
        if (!labels.isObject()) {
            return;
        }
        for (var e : labels.properties()) {
            String key = e.getKey();
            if (!qualifiedName(key)) {
                causes.add(invalid(path, textNode(key), "name part must consist of alphanumeric characters, '-', '_' or '.', "
                        + "and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'"));
            }
            String v = text(e.getValue());
            if (v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
                causes.add(invalid(path + "[" + key + "]", e.getValue(), "a valid label must be an empty string or consist of "
                        + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }
        }
    }

    private void annotations(JsonNode annotations) {
        if (!annotations.isObject()) {
            return;
        }
        long size = 0;
        for (var e : annotations.properties()) {
            if (!qualifiedName(e.getKey())) {
                causes.add(invalid("metadata.annotations", textNode(e.getKey()), "name part must consist of alphanumeric characters, "
                        + "'-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'"));
            }
            size += e.getKey().length() + text(e.getValue()).length();
        }
        if (size > MAX_ANNOTATIONS_BYTES) {
            causes.add(new StatusCause("metadata.annotations", "Too long: must have at most " + MAX_ANNOTATIONS_BYTES + " bytes",
                    "FieldValueTooLong"));
        }
    }

    static boolean qualifiedName(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
    }

    private static JsonNode textNode(String s) {
        return tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(s);
    }
}
