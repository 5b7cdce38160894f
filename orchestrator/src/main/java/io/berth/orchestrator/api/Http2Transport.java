package io.berth.orchestrator.api;

import org.apache.coyote.http2.Http2Protocol;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * HTTP/2 on the API, offered by ALPN beside HTTP/1.1 as the apiserver offers it. A client that keeps
 * its connection (client-go, fabric8, java.net.http, the console) then runs its watches and requests
 * over one, where HTTP/1.1 gives every request in flight a connection, and a TLS handshake, of its
 * own: a watch holds its connection, so each request beside it connected anew (docs/benchmarks.md,
 * "Pod start with HTTP/2"). WebSocket upgrades (exec, attach, port-forward) stay on HTTP/1.1: their
 * clients (client-go, the JDK's WebSocket) ask for it by ALPN, and Tomcat keeps serving it.
 */
@Configuration(proxyBeanMethods = false)
public class Http2Transport {

    /**
     * The apiserver's default (--http2-max-streams-per-connection); Tomcat's is 100. The JDK's client
     * before 21 fails a request beyond the server's limit ("too many concurrent streams") instead of
     * opening a second connection: 200 POSTs at once from one java.net.http client (ConcurrentPodsTest)
     * failed at 100. A stream still needs one of the connector's threads to run, as a connection does
     * over HTTP/1.1.
     */
    static final int MAX_CONCURRENT_STREAMS = 1000;

    @Bean
    static TomcatConnectorCustomizer http2() {
        return connector -> {
            Http2Protocol h2 = new Http2Protocol();
            h2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
            // Tomcat runs at most 20 streams of a connection at once by default and queues the rest:
            // a client with 20 watches open on its connection (an informer per resource) would see
            // its next request wait behind streams that never end. Every stream admitted runs.
            h2.setMaxConcurrentStreamExecution(MAX_CONCURRENT_STREAMS);
            connector.addUpgradeProtocol(h2);
        };
    }
}
