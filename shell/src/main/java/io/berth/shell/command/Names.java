package io.berth.shell.command;

import java.util.regex.Pattern;

import io.berth.shell.ConsoleException;

/** The syntax checks the console makes before it asks the daemon anything, each with its one-line error. */
final class Names {
    /** A pod name: a DNS-1123 label, as Kubernetes requires of names that become host names. */
    private static final Pattern POD = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /**
     * An image reference as Docker's reference grammar has it: [host[:port]/]path[:tag][@digest],
     * path components lower-case alphanumerics joined by '.', '_', '__' or dashes.
     */
    private static final Pattern IMAGE = Pattern.compile(
            "(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?"
                    + "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
                    + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Pattern MEMORY = Pattern.compile("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");
    private static final Pattern CPU = Pattern.compile("[0-9]+(\\.[0-9]+)?m?|\\.[0-9]+");

    private Names() {
    }

    static String pod(String name) {
        if (name == null || name.isEmpty()) {
            throw ConsoleException.usage("a pod name is needed: see the command's --help");
        }
        if (name.length() > 63 || !POD.matcher(name).matches()) {
            throw ConsoleException.usage("'" + name + "' is not a valid pod name: use at most 63 lower-case letters, "
                    + "digits and '-', starting and ending with a letter or digit");
        }
        return name;
    }

    static String image(String image) {
        if (image == null || image.isEmpty()) {
            throw ConsoleException.usage("--image is required: name the image to run, e.g. --image busybox");
        }
        if (image.length() > 255 || !IMAGE.matcher(image).matches()) {
            throw ConsoleException.usage("'" + image + "' is not a valid image name: use [registry/]name[:tag][@sha256:digest]"
                    + " with a lower-case name, e.g. busybox or docker.io/library/busybox:1.36");
        }
        return image;
    }

    static String envName(String name, String given) {
        if (!ENV.matcher(name).matches()) {
            throw ConsoleException.usage("bad --env '" + given + "': use NAME=VALUE with a name of letters, digits, '_', '-' and '.'");
        }
        return name;
    }

    static String memory(String value) {
        if (!MEMORY.matcher(value).matches()) {
            throw ConsoleException.usage("bad --memory '" + value + "': use bytes with an optional suffix, e.g. 64Mi or 1Gi");
        }
        return value;
    }

    static String cpus(String value) {
        if (!CPU.matcher(value).matches()) {
            throw ConsoleException.usage("bad --cpus '" + value + "': use a number of CPUs, e.g. 0.5, 2 or 500m");
        }
        return value;
    }
}
