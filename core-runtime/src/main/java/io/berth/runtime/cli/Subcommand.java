package io.berth.runtime.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * One berth-runtime subcommand: its picocli model, built in code (picocli's annotation reflection
 * cost ~35 ms of every call; docs/cli-startup.md), and what it does with the parsed arguments.
 * The spec carries its command as the user object, which is how {@link BerthRuntime} finds the
 * command that was parsed.
 */
interface Subcommand {
    /** A fresh model: picocli keeps parsed values in it, so it serves one call. */
    CommandSpec spec();

    /** Runs the parsed call; the exit code. Any exception is reported as a one-line error, exit 1. */
    int run(Invocation call) throws Exception;
}
