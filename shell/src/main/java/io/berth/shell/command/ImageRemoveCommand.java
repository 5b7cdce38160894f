package io.berth.shell.command;

import java.util.List;
import java.util.regex.Pattern;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import tools.jackson.databind.JsonNode;

/**
 * {@code image rm NAME...}: removes a name (as {@code docker rmi}: the image goes with its last
 * name), or with an id (sha256-...) the image and all its names. The daemon refuses while a pod
 * uses the image and says which.
 */
public class ImageRemoveCommand {
    private static final Pattern OBJECT_NAME = Pattern.compile("sha256-[0-9a-f]{12}");
    private final Daemon daemon;
    private final Console console;

    public ImageRemoveCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = ImageNames.BEAN, name = "image rm", alias = {"image remove", "rmi"}, group = "Images", description = "Remove images",
            help = "image rm NAME...")
    public void remove(@Arguments List<String> names) {
        if (names.isEmpty()) {
            throw ConsoleException.usage("image rm needs an image name: berth image rm NAME (berth image ls lists them)");
        }
        ImageApi api = new ImageApi(daemon);
        for (String name : names) {
            JsonNode image = api.find(name);
            String id = ImageApi.objectName(image);
            if (OBJECT_NAME.matcher(name).matches()) {
                api.delete(id, null);
                console.out().println("Deleted " + id + " (" + String.join(", ", ImageApi.references(image)) + ")");
            } else {
                api.delete(id, name);
                console.out().println("Untagged " + name + " (" + id + ")");
            }
            console.out().flush();
        }
    }
}
