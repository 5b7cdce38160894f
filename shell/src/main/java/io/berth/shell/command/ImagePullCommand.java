package io.berth.shell.command;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.format.Colors;
import io.berth.shell.format.ProgressBar;
import tools.jackson.databind.JsonNode;

/** {@code image pull REF}: the daemon pulls the image from its registry (plain HTTP only on loopback). */
public class ImagePullCommand {
    private final Daemon daemon;
    private final Console console;

    public ImagePullCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(name = "image pull", group = "Images", description = "Pull an image from a registry", help = "image pull REF")
    public void pull(@Arguments List<String> arguments) {
        if (arguments.size() != 1) {
            throw ConsoleException.usage(arguments.isEmpty() ? "image pull needs a reference: berth image pull REF (e.g. busybox:1.36)"
                    : "image pull takes one reference, got " + arguments);
        }
        String ref = arguments.get(0);
        console.err().println("Pulling " + ref + " ...");
        console.err().flush();
        // The daemon reports each blob's bytes as they arrive: one bar for them all on a terminal,
        // a line per blob when it is complete otherwise.
        boolean terminal = console.interactive() || Colors.stdoutIsTty();
        ProgressBar bar = new ProgressBar(console.err(), "Pulling " + ref);
        Map<String, long[]> blobs = new LinkedHashMap<>();
        JsonNode image;
        try {
            image = new ImageApi(daemon).pull(ref, p -> {
                String digest = p.path("digest").asString();
                long done = p.path("done").asLong();
                long total = p.path("total").asLong();
                long[] before = blobs.put(digest, new long[] {done, total});
                if (terminal) {
                    bar.update(blobs.values().stream().mapToLong(b -> b[0]).sum(), blobs.values().stream().mapToLong(b -> b[1]).sum());
                } else if (done >= total && (before == null || before[0] < total)) {
                    console.err().println("  " + digest.substring(0, Math.min(digest.length(), 19)) + ": "
                            + ImageListCommand.size(total) + " done");
                    console.err().flush();
                }
            });
        } finally {
            if (terminal && !blobs.isEmpty()) {
                bar.clear();
            }
        }
        console.out().println("Pulled " + String.join(", ", ImageApi.references(image)) + " (" + ImageApi.objectName(image) + ", "
                + ImageListCommand.size(image.path("status").path("size").asLong()) + ")");
        console.out().flush();
    }
}
