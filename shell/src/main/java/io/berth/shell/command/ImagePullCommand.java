package io.berth.shell.command;

import java.util.List;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
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
        // The daemon answers when the pull is done; say what it is doing meanwhile.
        console.err().println("Pulling " + ref + " ...");
        console.err().flush();
        JsonNode image = new ImageApi(daemon).pull(ref);
        console.out().println("Pulled " + String.join(", ", ImageApi.references(image)) + " (" + ImageApi.objectName(image) + ", "
                + ImageListCommand.size(image.path("status").path("size").asLong()) + ")");
        console.out().flush();
    }
}
