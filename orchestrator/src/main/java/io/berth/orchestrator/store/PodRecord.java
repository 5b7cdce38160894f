package io.berth.orchestrator.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the node remembers about one pod between daemon runs ({@code <state>/node/<uid>.json}):
 * enough to adopt its processes after a crash and to report their history. The pod's spec is not
 * here: the API side's records own it and hand it back through sync and resume.
 *
 * <p>Mutable, and touched only by the pod's own worker; the JSON names are a stored format.
 */
public final class PodRecord {
    public String uid;
    public String name;
    public String namespace;
    /** When the node first acknowledged the pod (status.startTime). */
    public String startTime;
    /** Set before the first kill of a delete, so a crash mid-delete resumes deleting. */
    public boolean terminating;
    public SandboxRecord sandbox;
    /**
     * The addresses of the pod's last sandbox, kept once a finished pod's sandbox is stopped: the
     * kubelet keeps status.podIPs of a Succeeded or Failed pod, so `get -o wide` still says where it ran.
     */
    public java.util.List<String> lastPodIPs;
    /** By container name; init containers and app containers share the namespace of names. */
    public Map<String, ContainerEntry> containers = new LinkedHashMap<>();

    public static final class SandboxRecord {
        public String id;
        public int pid;
        public long pidStartTime;
        public String cgroupsPath;
        /** The addresses the network gave it (status.podIPs); empty or null with no network. */
        public java.util.List<String> ips;
    }

    /** One container name of the pod across its restarts. */
    public static final class ContainerEntry {
        public String name;
        public boolean init;
        /** The newest instance (running, or the one that exited last). */
        public Instance current;
        /** The one before it: status.containerStatuses[].lastState. */
        public Instance previous;
        /**
         * A run being created (CREATING or CREATED): it becomes {@code current} once started. Kept
         * apart so that a crash while creating never replaces the history with a run that never ran.
         */
        public Instance starting;
        /** The kubelet's backoff for this container: the delay and when it was last advanced. */
        public long backoffMillis;
        public String backoffUpdated;
    }

    /** One run of a container: one runtime container, one root filesystem, one log file. */
    public static final class Instance {
        public String id;
        /** restartCount of this run: 0 for the first. */
        public int attempt;
        public InstanceState state;
        public int pid;
        public long pidStartTime;
        public String cgroupsPath;
        public long oomBaseline;
        public String image;
        public String imageID;
        public String startedAt;
        public String finishedAt;
        public Integer exitCode;
        public String signal;
        public String reason;
        public String message;
    }

    /**
     * CREATING is written before the runtime is asked (so a crash leaves a name to look for),
     * CREATED once it exists and waits at its start gate, RUNNING once started, EXITED once its exit
     * is recorded.
     */
    public enum InstanceState {
        CREATING, CREATED, RUNNING, EXITED
    }
}
