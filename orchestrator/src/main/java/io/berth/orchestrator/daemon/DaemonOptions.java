package io.berth.orchestrator.daemon;

import io.berth.orchestrator.reconcile.BackoffPolicy;

/**
 * {@code berth daemon [--state DIR] [--address ADDR] [--port N] [--restart-backoff B]}. The API
 * listens on 127.0.0.1:6443 unless told otherwise; port 0 takes a free one (tests), and the
 * kubeconfig names the port actually bound. Crashing containers wait as the kubelet's do unless
 * {@code --restart-backoff} names another policy ({@link BackoffPolicy#parse}).
 */
public record DaemonOptions(StateRoot root, String address, int port, BackoffPolicy restartBackoff) {

    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 6443;
    static final String USAGE = "usage: berth daemon [--state DIR] [--address ADDR] [--port N] [--restart-backoff kubelet|kep-4603|INITIAL,MAX,RESET]";

    public DaemonOptions(StateRoot root, String address, int port) {
        this(root, address, port, BackoffPolicy.KUBELET);
    }

    /** @throws IllegalArgumentException with a one-line message for the user */
    public static DaemonOptions parse(String[] args, String berthHome) {
        String state = null;
        String address = DEFAULT_ADDRESS;
        int port = DEFAULT_PORT;
        BackoffPolicy backoff = BackoffPolicy.KUBELET;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--state", "--address", "--port", "--restart-backoff" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value; " + USAGE);
                        }
                        value = args[++i];
                    }
                    if (a.equals("--state")) {
                        state = value;
                    } else if (a.equals("--address")) {
                        address = value;
                    } else if (a.equals("--restart-backoff")) {
                        try {
                            backoff = BackoffPolicy.parse(value);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--restart-backoff: " + e.getMessage());
                        }
                    } else {
                        try {
                            port = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            port = -1;
                        }
                        if (port < 0 || port > 65535) {
                            throw new IllegalArgumentException("--port must be a number from 0 to 65535, not '" + value + "'");
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; " + USAGE);
            }
        }
        if (address.isBlank()) {
            throw new IllegalArgumentException("--address may not be empty");
        }
        return new DaemonOptions(StateRoot.choose(state, berthHome), address, port, backoff);
    }
}
