package io.berth.shell.command;

import java.util.List;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** {@code image inspect NAME}: the daemon's Image object as JSON. */
public class ImageInspectCommand {
    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private final Daemon daemon;
    private final Console console;

    public ImageInspectCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(completionProvider = ImageNames.BEAN, name = "image inspect", group = "Images", description = "Show an image as JSON", help = "image inspect NAME")
    public void inspect(@Arguments List<String> names) {
        if (names.size() != 1) {
            throw ConsoleException.usage(names.isEmpty() ? "image inspect needs an image name: berth image inspect NAME (berth image ls lists them)"
                    : "image inspect takes one image name, got " + names);
        }
        console.out().println(PRETTY.writeValueAsString(new ImageApi(daemon).find(names.get(0))));
        console.out().flush();
    }
}
