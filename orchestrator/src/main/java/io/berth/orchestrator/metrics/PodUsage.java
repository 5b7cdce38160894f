package io.berth.orchestrator.metrics;

import io.berth.orchestrator.kuberuntime.NodeOptions;
import io.berth.runtime.cgroup.CgroupFs;
import io.berth.runtime.cgroup.CgroupStats;
import io.berth.runtime.cgroup.Cgroups;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What each running container uses now, from its cgroup (core-runtime's {@link CgroupStats}): the
 * memory working set, as kubectl top and cAdvisor show it, and CPU as a rate over the time since
 * the previous reading (at least {@link #MIN_WINDOW}; a first reading waits that long).
 */
@Component
public class PodUsage {

    static final Duration MIN_WINDOW = Duration.ofSeconds(1);

    /** One container's usage over a window. */
    public record ContainerUsage(String name, long cpuNanoCores, long memoryBytes) {
    }

    private record Sample(Instant at, long cpuNanos) {
    }

    private final String cgroupParent;
    private final Map<String, Sample> previous = new ConcurrentHashMap<>();
    private volatile CgroupFs fs;

    public PodUsage(@Value("${berth.node.cgroup-parent:" + NodeOptions.DEFAULT_CGROUP_PARENT + "}") String cgroupParent) {
        this.cgroupParent = cgroupParent;
    }

    /** The running containers of each pod, read together so one window serves them all. */
    public Map<String, List<ContainerUsage>> usage(List<Pod> pods) {
        Map<String, List<CgroupReading>> first = new java.util.LinkedHashMap<>();
        boolean wait = false;
        for (Pod p : pods) {
            List<CgroupReading> readings = new ArrayList<>();
            for (ContainerStatus cs : running(p)) {
                String path = containerCgroup(p, cs);
                CgroupStats stats = read(path);
                if (stats == null) {
                    continue; // the container ended between the status and now
                }
                readings.add(new CgroupReading(cs.getName(), path, stats));
                Sample prev = previous.get(path);
                wait |= prev == null || Duration.between(prev.at(), Instant.now()).compareTo(MIN_WINDOW) < 0;
            }
            first.put(p.getMetadata().getUid(), readings);
        }
        if (wait) {
            for (var readings : first.values()) {
                for (CgroupReading r : readings) {
                    previous.putIfAbsent(r.path(), new Sample(Instant.now(), r.stats().cpuUsageNanos()));
                }
            }
            try {
                Thread.sleep(MIN_WINDOW.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Map<String, List<ContainerUsage>> out = new java.util.LinkedHashMap<>();
        for (var e : first.entrySet()) {
            List<ContainerUsage> list = new ArrayList<>();
            for (CgroupReading r : e.getValue()) {
                CgroupStats now = read(r.path());
                if (now == null) {
                    continue;
                }
                Instant at = Instant.now();
                Sample prev = previous.put(r.path(), new Sample(at, now.cpuUsageNanos()));
                long nanos = prev == null ? 0 : Math.max(1, Duration.between(prev.at(), at).toNanos());
                long cores = prev == null ? 0 : Math.max(0, (now.cpuUsageNanos() - prev.cpuNanos()) * 1_000_000_000L / nanos);
                list.add(new ContainerUsage(r.name(), cores, now.memoryWorkingSetBytes()));
            }
            out.put(e.getKey(), list);
        }
        return out;
    }

    private record CgroupReading(String name, String path, CgroupStats stats) {
    }

    /** The cgroup's counters, or null when it is gone. */
    private CgroupStats read(String path) {
        if (fs == null) {
            fs = CgroupFs.detect();
        }
        try {
            return Cgroups.open(path, fs).stats();
        } catch (RuntimeException gone) {
            previous.remove(path);
            return null;
        }
    }

    /** The node side's layout ({@link NodeOptions#containerCgroup}), the id being the part of containerID after its scheme. */
    private String containerCgroup(Pod p, ContainerStatus cs) {
        String id = cs.getContainerID();
        int scheme = id.indexOf("://");
        return NodeOptions.containerCgroup(cgroupParent, p.getMetadata().getUid(), scheme < 0 ? id : id.substring(scheme + 3));
    }

    private static List<ContainerStatus> running(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
            return List.of();
        }
        return p.getStatus().getContainerStatuses().stream()
                .filter(cs -> cs.getState() != null && cs.getState().getRunning() != null && cs.getContainerID() != null
                        && !cs.getContainerID().isEmpty())
                .toList();
    }
}
