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

    /** What the apiserver (Go's net/http) allows too; a client that wants more opens a second connection. */
    static final int MAX_CONCURRENT_STREAMS = 100;

    @Bean
    static TomcatConnectorCustomizer http2() {
        return connector -> {
            Http2Protocol h2 = new Http2Protocol();
            h2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
            // Tomcat runs at most 20 streams of a connection at once by default and queues the rest:
            // a client with 20 watches open on its connection (an informer per resource) would see
            // its next request wait behind streams that never end. Every stream admitted runs.
            h2.setMaxConcurrentStreamExecution(MAX_CONCURRENT_STREAMS);
            // Tomcat's flood heuristic starts a connection at -10 x the count factor, adds the factor
            // for each PING the client sends, 50 for each stream it resets, and closes the connection
            // once above 0 unless requests came between. client-go sends a PING after 30 s with
            // nothing received (its connection health check), so a quiet `kubectl logs -f` would be
            // cut after five and a half minutes. With the factor 0 the count would start at 0, and
            // the first watch a client closes (a reset) would end its connection: all of it off, as
            // in the apiserver, which keeps no such count. Anything but a TLS handshake needs the
            // token, and the API listens on loopback unless told otherwise.
            h2.setOverheadCountFactor(0);
            h2.setOverheadResetFactor(0);
            h2.setOverheadDataThreshold(0);
            h2.setOverheadWindowUpdateThreshold(0);
            h2.setOverheadContinuationThreshold(0);
            connector.addUpgradeProtocol(h2);
        };
    }
}
