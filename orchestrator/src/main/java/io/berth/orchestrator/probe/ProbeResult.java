package io.berth.orchestrator.probe;

/** One probe's outcome; {@code output} says why it failed (the kubelet puts it into the Unhealthy event). */
public record ProbeResult(boolean success, String output) {
    static ProbeResult ok() {
        return new ProbeResult(true, "");
    }

    static ProbeResult failure(String why) {
        return new ProbeResult(false, why);
    }
}
