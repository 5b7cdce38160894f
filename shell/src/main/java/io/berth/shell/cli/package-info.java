/**
 * How a command line becomes a Spring Shell command call, in one-shot and interactive mode: words
 * (with shell quoting in the console), options the way kubectl takes them, help, exit status.
 */
package io.berth.shell.cli;
