package io.berth.shell.client;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

import io.berth.shell.ConsoleException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Turns whatever a call to the daemon threw into one line that says what went wrong and what to
 * do. The first matching rule wins; a failure no rule knows still gets one line, with its type.
 */
public final class Failures {
    private Failures() {
    }

    /** Whether the failure means nothing listens at the server's address (so a daemon may be started). */
    public static boolean isNoServer(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof HttpConnectTimeoutException
                    || c instanceof UnresolvedAddressException) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param server the API server's URL, for the message
     */
    public static ConsoleException translate(Throwable t, String server) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConsoleException ce) {
                return ce;
            }
        }
        if (isNoServer(t)) {
            return new ConsoleException("no daemon answers at " + server
                    + ": start one with `berth daemon` (or check the server in your kubeconfig)", t);
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return new ConsoleException("the server at " + server + " is not the daemon this kubeconfig trusts ("
                        + c.getMessage() + "): use the kubeconfig the daemon wrote", t);
            }
        }
        KubernetesClientException k = find(t, KubernetesClientException.class);
        if (k != null && k.getCode() > 0) {
            String message = serverMessage(k);
            switch (k.getCode()) {
                case 401:
                case 403:
                    return new ConsoleException("the daemon refused this kubeconfig's credentials (" + k.getCode() + " "
                            + message + "): use the kubeconfig the daemon wrote", t);
                case 409:
                    return new ConsoleException(message + ": delete it first or choose another name", t);
                case 400:
                case 422:
                    return new ConsoleException("the daemon rejected the request: " + message + ": fix it and try again", t);
                default:
                    return new ConsoleException("the daemon answered " + k.getCode() + ": " + message, t);
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        return new ConsoleException("the call to the daemon at " + server + " failed: " + oneLine(what)
                + " (run again with --debug for the details)", t);
    }

    /** The server's own message for an API error, on one line. */
    public static String serverMessage(KubernetesClientException k) {
        Status status = k.getStatus();
        String message = status != null && status.getMessage() != null && !status.getMessage().isEmpty()
                ? status.getMessage() : k.getMessage();
        return oneLine(message);
    }

    public static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", "; ").trim();
    }

    public static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The HTTP status of an API error anywhere in the chain, or 0. */
    public static int code(Throwable t) {
        KubernetesClientException k = find(t, KubernetesClientException.class);
        return k == null ? 0 : k.getCode();
    }
}
