package io.berth.image.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.berth.testkit.BusyboxRootfs;
import io.berth.testkit.Requirements;

/**
 * Real images made by real tools: an OCI layout built with umoci from the busybox rootfs (layer 1),
 * plus a second layer that deletes /etc/hostname (a whiteout) and adds /etc/motd; and the same
 * image as an oci-archive and a docker-archive written by skopeo.
 */
public final class ImageFixtures {
    public static final String TAG = "v1";

    private ImageFixtures() {
    }

    /** Builds the two-layer layout at {@code dir}/layout (tag {@value #TAG}) and returns the layout dir. */
    public static Path busyboxLayout(Path dir) throws IOException {
        Requirements.root();
        Requirements.command("umoci", "umoci");
        Path layout = dir.resolve("layout");
        Path bundle = dir.resolve("bundle");
        run("umoci", "init", "--layout", layout.toString());
        run("umoci", "new", "--image", layout + ":" + TAG);
        run("umoci", "unpack", "--image", layout + ":" + TAG, bundle.toString());
        Path rootfs = bundle.resolve("rootfs");
        run("cp", "-a", BusyboxRootfs.path() + "/.", rootfs.toString());
        run("umoci", "repack", "--image", layout + ":" + TAG, bundle.toString());
        // A bundle repacks onto the manifest it was unpacked from: unpack again to stack layer two.
        run("rm", "-rf", bundle.toString());
        run("umoci", "unpack", "--image", layout + ":" + TAG, bundle.toString());
        Files.delete(rootfs.resolve("etc/hostname"));
        Files.writeString(rootfs.resolve("etc/motd"), "layer two\n");
        run("umoci", "repack", "--image", layout + ":" + TAG, bundle.toString());
        run("umoci", "config", "--image", layout + ":" + TAG, "--config.cmd", "/bin/sh");
        run("rm", "-rf", bundle.toString());
        return layout;
    }

    /** skopeo copy of the layout to {@code dest} in {@code transport} ("oci-archive" or "docker-archive"). */
    public static Path skopeoCopy(Path layout, String transport, Path dest, String dockerTag) throws IOException {
        Requirements.command("skopeo", "skopeo");
        String target = transport + ":" + dest + (dockerTag == null ? "" : ":" + dockerTag);
        run("skopeo", "--insecure-policy", "copy", "oci:" + layout + ":" + TAG, target);
        return dest;
    }

    public static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public static List<String> lines(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>(List.of(new String(p.getInputStream().readAllBytes()).split("\n")));
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
