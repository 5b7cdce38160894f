package io.berth.shell.command;

import java.net.BindException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.LocalPortForward;
import sun.misc.Signal;

/**
 * {@code port-forward POD [LOCAL:]REMOTE...}: listens on 127.0.0.1 and carries each connection to
 * the pod's port, as {@code kubectl port-forward} does, until Ctrl-C. fabric8's port-forward opens
 * one WebSocket per connection (the kubelet's v4.channel.k8s.io framing, which the daemon serves
 * beside kubectl's SPDY tunnel), so a failed connection (nothing listening) is reported and the
 * next one is tried afresh.
 */
public class PortForwardCommand {
    private final Daemon daemon;
    private final Console console;

    public PortForwardCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    /** One LOCAL:REMOTE pair; local 0 picks a free port. */
    record Ports(int local, int remote) {
        static Ports parse(String s) {
            String[] parts = s.split(":", -1);
            if (parts.length > 2 || parts[parts.length - 1].isEmpty()) {
                throw bad(s);
            }
            int remote = number(parts[parts.length - 1], s);
            int local = parts.length == 1 ? remote : parts[0].isEmpty() ? 0 : number(parts[0], s);
            if (remote == 0) {
                throw bad(s);
            }
            return new Ports(local, remote);
        }

        private static int number(String n, String whole) {
            try {
                int p = Integer.parseInt(n);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw bad(whole);
        }

        private static ConsoleException bad(String s) {
            return ConsoleException.usage("'" + s + "' is not a port pair: give REMOTE, LOCAL:REMOTE or :REMOTE (a free local port), "
                    + "ports from 1 to 65535");
        }
    }

    @Command(completionProvider = PodNames.BEAN, name = "port-forward", group = "Pods",
            description = "Forward local ports to a pod's ports until Ctrl-C",
            help = "port-forward POD [LOCAL:]REMOTE [...]   (REMOTE alone: the same local port; :REMOTE: a free one)")
    public void portForward(@Arguments List<String> arguments) {
        if (arguments.size() < 2) {
            throw ConsoleException.usage("port-forward needs a pod and at least one port: berth port-forward POD [LOCAL:]REMOTE [...]");
        }
        String name = arguments.get(0).startsWith("pod/") ? arguments.get(0).substring(4) : arguments.get(0);
        List<Ports> pairs = arguments.subList(1, arguments.size()).stream().map(Ports::parse).toList();
        String ns = daemon.namespace();
        Pod pod = daemon.call(c -> c.pods().inNamespace(ns).withName(name).get());
        if (pod == null) {
            throw new ConsoleException("pod " + name + " not found: 'berth get pods' lists the pods");
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Running".equals(phase)) {
            throw new ConsoleException("pod " + name + " is not running (" + phase + "): wait until 'berth get pods' shows it Running");
        }
        List<LocalPortForward> open = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        sun.misc.SignalHandler previous = null;
        try {
            for (Ports p : pairs) {
                open.add(listen(ns, name, p));
                console.out().println("Forwarding from 127.0.0.1:" + open.get(open.size() - 1).getLocalPort() + " -> " + p.remote());
            }
            console.out().flush();
            // Ctrl-C ends the forwarding, not the console; the previous handler comes back afterwards
            previous = Signal.handle(new Signal("INT"), s -> stop.countDown());
            reportUntil(stop, open, pairs);
        } finally {
            if (previous != null) {
                Signal.handle(new Signal("INT"), previous);
            }
            for (LocalPortForward f : open) {
                try {
                    f.close();
                } catch (java.io.IOException e) {
                    // closing is all that is wanted
                }
            }
        }
    }

    private LocalPortForward listen(String ns, String name, Ports p) {
        try {
            return daemon.call(c -> c.pods().inNamespace(ns).withName(name).portForward(p.remote(), InetAddress.getLoopbackAddress(), p.local()));
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    throw new ConsoleException("cannot listen on 127.0.0.1:" + p.local() + ": " + t.getMessage()
                            + ": choose another local port, or :" + p.remote() + " for a free one");
                }
            }
            throw e;
        }
    }

    /** Prints each connection's failure (fabric8 collects them) until Ctrl-C. */
    private void reportUntil(CountDownLatch stop, List<LocalPortForward> open, List<Ports> pairs) {
        int[] reported = new int[open.size()];
        try {
            while (!stop.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                for (int i = 0; i < open.size(); i++) {
                    List<Throwable> errors = List.copyOf(open.get(i).getServerThrowables());
                    for (; reported[i] < errors.size(); reported[i]++) {
                        String m = errors.get(reported[i]).getMessage();
                        if (reported[i] > 0 && m.equals(errors.get(reported[i] - 1).getMessage())) {
                            continue; // fabric8 records one failure both as the error message and as the close it causes
                        }
                        console.err().println("an error occurred forwarding " + open.get(i).getLocalPort() + " -> " + pairs.get(i).remote()
                                + ": " + m.replace("Received an error from the remote socket ", ""));
                        console.err().flush();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
