/**
 * The Berth operator console: a Spring Shell application that talks to the daemon only through its
 * Kubernetes API, with fabric8's client, exactly as kubectl does. {@code berth} alone opens the
 * interactive console, {@code berth COMMAND ...} runs one command and exits with its status.
 */
package io.berth.shell;
