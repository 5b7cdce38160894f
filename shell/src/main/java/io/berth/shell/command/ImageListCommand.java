package io.berth.shell.command;

import java.time.Instant;
import java.util.List;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.apimachinery.duration.HumanDuration;
import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.format.Table;
import tools.jackson.databind.JsonNode;

/** {@code image ls} (also {@code get images}): the node's images, one line per name, as {@code docker images}. */
public class ImageListCommand {
    private final Daemon daemon;
    private final Console console;

    public ImageListCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(name = "image ls", alias = {"image list", "images", "get images", "get image"}, group = "Images",
            description = "List the node's images", help = "image ls [-q]")
    public void list(@Arguments List<String> arguments,
            @Option(shortName = 'q', longName = "quiet", description = "only the image names") Boolean quiet) {
        if (!arguments.isEmpty()) {
            throw ConsoleException.usage("image ls takes no arguments, got " + arguments + ": `berth image inspect NAME` shows one image");
        }
        List<JsonNode> images = new ImageApi(daemon).list(null);
        Table table = new Table("IMAGE", "ID", "SIZE", "CREATED");
        Instant now = Instant.now();
        for (JsonNode image : images) {
            JsonNode status = image.path("status");
            String created = status.path("created").isString() ? HumanDuration.since(status.path("created").asString(), now) + " ago"
                    : "<unknown>";
            for (String ref : ImageApi.references(image)) {
                if (Boolean.TRUE.equals(quiet)) {
                    console.out().println(ref);
                } else {
                    table.row(ref, ImageApi.objectName(image), size(status.path("size").asLong()), created);
                }
            }
        }
        if (!Boolean.TRUE.equals(quiet)) {
            if (table.isEmpty()) {
                console.err().println("No images: `berth image import FILE --name NAME` or `berth image pull REF` adds one.");
                console.err().flush();
            } else {
                table.print(console.out(), true);
            }
        }
        console.out().flush();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1fKiB", bytes / 1024.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1fMiB", bytes / (1024.0 * 1024));
    }
}
