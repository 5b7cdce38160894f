package io.berth.runtime.cgroup;

import java.util.Set;

/**
 * One device cgroup rule, as in the OCI spec's linux.resources.devices: allow or deny access to
 * devices of a type ('a' all, 'b' block, 'c' char), by major and minor number (null = any), with
 * access letters from "rwm" (read, write, mknod). Rules apply in order, later ones win.
 */
public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
    private static final Set<String> TYPES = Set.of("a", "b", "c");

    public DeviceRule {
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException("devices: type must be \"a\" (all), \"b\" (block) or \"c\" (char), got \"" + type + "\"");
        }
        if ((major != null && major < 0) || (minor != null && minor < 0)) {
            throw new IllegalArgumentException("devices: major and minor must be >= 0 or null for any, got " + major + ":" + minor);
        }
        if (access == null) {
            access = "rwm";
        }
        if (access.isEmpty() || !access.matches("[rwm]+") || access.chars().distinct().count() != access.length()) {
            throw new IllegalArgumentException("devices: access must be letters from \"rwm\" without repeats, got \"" + access + "\"");
        }
    }

    public static DeviceRule allow(String type, Long major, Long minor, String access) {
        return new DeviceRule(true, type, major, minor, access);
    }

    public static DeviceRule deny(String type, Long major, Long minor, String access) {
        return new DeviceRule(false, type, major, minor, access);
    }

    /** The rule in the v1 devices.allow/devices.deny syntax: "c 1:3 rwm", "a *:* rwm". */
    public String v1Syntax() {
        return type + " " + (major == null ? "*" : major) + ":" + (minor == null ? "*" : minor) + " " + access;
    }
}
