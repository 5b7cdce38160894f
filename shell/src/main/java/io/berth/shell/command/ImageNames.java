package io.berth.shell.command;

import java.util.List;
import java.util.TreeSet;

import org.springframework.shell.core.command.completion.CompletionContext;
import org.springframework.shell.core.command.completion.CompletionProposal;
import org.springframework.shell.core.command.completion.CompletionProvider;

import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;

/**
 * Completes image names from the daemon's images, for {@code image rm|inspect} and the value of
 * {@code --image}: each name as people type it (Docker's short form: {@code busybox:latest} for
 * {@code docker.io/library/busybox:latest}). Asked at each Tab; a daemon that does not answer just
 * completes nothing.
 */
public class ImageNames implements CompletionProvider {
    public static final String BEAN = "imageNames";
    private static final String DOCKER_HUB = "docker.io/";
    private static final String OFFICIAL = DOCKER_HUB + "library/";

    private final Daemon daemon;

    public ImageNames(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public List<CompletionProposal> apply(CompletionContext context) {
        try {
            TreeSet<String> names = new TreeSet<>();
            for (var image : new ImageApi(daemon).list(null)) {
                ImageApi.references(image).forEach(r -> names.add(familiar(r)));
            }
            return names.stream().map(n -> new CompletionProposal(n).category("images")).toList();
        } catch (ConsoleException e) {
            return List.of();
        }
    }

    /** docker.io/library/busybox:latest -> busybox:latest, docker.io/demo/x:1 -> demo/x:1; others as they are. */
    static String familiar(String reference) {
        if (reference.startsWith(OFFICIAL)) {
            return reference.substring(OFFICIAL.length());
        }
        return reference.startsWith(DOCKER_HUB) ? reference.substring(DOCKER_HUB.length()) : reference;
    }
}
