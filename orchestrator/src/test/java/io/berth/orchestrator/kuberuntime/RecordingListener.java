package io.berth.orchestrator.kuberuntime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodStatus;

/** A PodStatusListener that keeps everything it is told, for tests to wait on and inspect. */
final class RecordingListener implements PodStatusListener {
    record Event(String uid, String type, String reason, String message) {
    }

    final Map<String, List<PodStatus>> statuses = new ConcurrentHashMap<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final Set<String> gone = ConcurrentHashMap.newKeySet();

    @Override
    public void statusChanged(String podUid, PodStatus status) {
        statuses.computeIfAbsent(podUid, u -> new CopyOnWriteArrayList<>()).add(status);
    }

    @Override
    public void event(String podUid, String type, String reason, String message) {
        events.add(new Event(podUid, type, reason, message));
    }

    @Override
    public void podGone(String podUid) {
        gone.add(podUid);
    }

    PodStatus latest(String uid) {
        List<PodStatus> l = statuses.get(uid);
        return l == null || l.isEmpty() ? null : l.get(l.size() - 1);
    }

    /** Waits until the latest status satisfies {@code p}; returns it. */
    PodStatus await(String uid, Duration timeout, Predicate<PodStatus> p) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                    .until(() -> latest(uid) != null && p.test(latest(uid)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("pod " + uid + ": no matching status within " + timeout + "; last: " + describe(uid), e);
        }
        return latest(uid);
    }

    /** Waits until some status so far (not only the latest) satisfies {@code p}. */
    void awaitEver(String uid, Duration timeout, Predicate<PodStatus> p) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                    .until(() -> statuses.getOrDefault(uid, List.of()).stream().anyMatch(p));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("pod " + uid + ": no matching status within " + timeout + "; last: " + describe(uid), e);
        }
    }

    void awaitGone(String uid, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> gone.contains(uid));
    }

    static ContainerStatus container(PodStatus s, String name) {
        for (ContainerStatus c : s.getContainerStatuses()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        for (ContainerStatus c : s.getInitContainerStatuses()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no status for container " + name + " in " + s);
    }

    String describe(String uid) {
        PodStatus s = latest(uid);
        if (s == null) {
            return "none";
        }
        StringBuilder b = new StringBuilder(s.getPhase());
        for (ContainerStatus c : s.getInitContainerStatuses()) {
            b.append(" init ").append(c.getName()).append('=').append(c.getState()).append(" restarts=").append(c.getRestartCount());
        }
        for (ContainerStatus c : s.getContainerStatuses()) {
            b.append(' ').append(c.getName()).append('=').append(c.getState()).append(" restarts=").append(c.getRestartCount());
        }
        return b.append(" events=").append(events).toString();
    }
}
