package io.berth.orchestrator.daemon;

import io.berth.orchestrator.pods.PodService;
import io.berth.orchestrator.security.BearerToken;
import io.berth.orchestrator.security.Kubeconfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * The two steps of a start that need the whole daemon: the node side takes over the recorded pods
 * (before the API answers), then, once the API listens, the kubeconfig names its address and port.
 */
@Component
@Lazy(false) // lazy initialisation is on for the rest; this must run at start
public class DaemonReady implements SmartInitializingSingleton, ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(DaemonReady.class);

    private final StateRoot root;
    private final DaemonOptions options;
    private final BearerToken token;
    private final PodService pods;

    public DaemonReady(StateRoot root, DaemonOptions options, BearerToken token, PodService pods) {
        this.root = root;
        this.options = options;
        this.token = token;
        this.pods = pods;
    }

    @Override
    public void afterSingletonsInstantiated() {
        pods.resume();
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
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
    }
}
