package io.berth.orchestrator.sandbox;

import io.berth.orchestrator.monitor.Sys;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a piece of work inside a pod's network namespace (which has only the pod's own interfaces)
 * on a fresh thread that first setns'es into it: allowed per thread even in a multithreaded
 * process, and the thread ends afterwards, so no pool thread is ever left in a pod's namespace. A
 * socket made there stays in that namespace for good, so it can be handed back to any thread:
 * probes connect this way, and so does port-forward.
 */
public final class NetnsThread {
    private NetnsThread() {
    }

    public interface Task<T> {
        T run() throws IOException;
    }

    /**
     * @param netns   {@code /proc/<pause pid>/ns/net}
     * @param timeout how long to wait for the task; it is not interrupted
     * @param late    gets a result that arrives after the timeout (a socket to close), so nothing leaks
     * @throws IOException      the task's, or the setns failure
     * @throws TimeoutException the task did not finish in time
     */
    public static <T> T call(String netns, Duration timeout, String threadName, Task<T> task, Consumer<T> late)
            throws IOException, TimeoutException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Sys.enterNetworkNamespace(netns);
                result.complete(task.run());
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.thenAccept(late);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.thenAccept(late);
            throw new IOException("interrupted while working in " + netns, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        }
    }
}
