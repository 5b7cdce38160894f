package io.berth.orchestrator.daemon;

import io.berth.orchestrator.kuberuntime.PodRuntime;
import io.berth.orchestrator.pods.PodService;
import io.berth.orchestrator.security.BearerToken;
import io.berth.orchestrator.security.Kubeconfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * The two steps of a start that need the whole daemon: the node side takes over the recorded pods,
 * then, once the API listens and the node has them, the kubeconfig names its address and port.
 * The take-over (reading every pod from the database, handing them to the node side) runs on a
 * thread of its own while the web server starts: at 500 pods the read alone was 2.6 s of the main
 * thread at load 20 (docs/benchmarks.md). Until it is done the API answers from the database, and
 * what it asks of the node side waits (PodService). A take-over that fails still fails the start.
 * The pods' adoption (each one's recovery and first reconcile) begins once the API listens: the
 * workers adopting beside the start took the cores it needed.
 */
@Component
@Lazy(false) // lazy initialisation is on for the rest; this must run at start
public class DaemonReady implements SmartInitializingSingleton, ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(DaemonReady.class);

    private final StateRoot root;
    private final DaemonOptions options;
    private final BearerToken token;
    private final PodService pods;
    private final CompletableFuture<Void> resumed = new CompletableFuture<>();
    /** Completed once the API listens: the pods' adoption starts then, not beside the start. */
    private final CompletableFuture<Void> apiStarted = new CompletableFuture<>();

    // The node side is made here, on the starting thread, so the take-over's thread makes no bean.
    public DaemonReady(StateRoot root, DaemonOptions options, BearerToken token, PodService pods, PodRuntime node) {
        this.root = root;
        this.options = options;
        this.token = token;
        this.pods = pods;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Thread t = new Thread(() -> {
            try {
                pods.resume(apiStarted);
                resumed.complete(null);
            } catch (RuntimeException | Error e) {
                resumed.completeExceptionally(e);
            }
        }, "berth-resume");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        try {
            resumed.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("cannot resume the recorded pods: " + e.getCause().getMessage(), e.getCause());
        }
        String host = options.address();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1"; // listening everywhere: this host's clients use loopback
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        String url = "https://" + host + ":" + event.getWebServer().getPort();
        Kubeconfig.write(root, url, token);
        log.info("API ready on {}; kubeconfig {}", url, root.kubeconfig());
        apiStarted.complete(null);
    }
}
