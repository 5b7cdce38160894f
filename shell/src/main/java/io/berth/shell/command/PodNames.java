package io.berth.shell.command;

import java.util.List;

import org.springframework.shell.core.command.completion.CompletionContext;
import org.springframework.shell.core.command.completion.CompletionProposal;
import org.springframework.shell.core.command.completion.CompletionProvider;

import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;

/**
 * Completes pod names from the daemon, for the commands that take pods
 * ({@code @Command(completionProvider = "podNames")}). Asked at each Tab; a daemon that does not
 * answer just completes nothing.
 */
public class PodNames implements CompletionProvider {
    public static final String BEAN = "podNames";

    private final Daemon daemon;

    public PodNames(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public List<CompletionProposal> apply(CompletionContext context) {
        try {
            String ns = daemon.namespace();
            return daemon.call(c -> c.pods().inNamespace(ns).list().getItems()).stream()
                    .map(p -> new CompletionProposal(p.getMetadata().getName()).category("pods"))
                    .sorted(java.util.Comparator.comparing(CompletionProposal::value))
                    .toList();
        } catch (ConsoleException e) {
            return List.of();
        }
    }
}
