package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void startupTimesAndPodsByPhaseAreOnThePrometheusEndpoint() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            assertThat(d.post("/api/v1/namespaces/default/pods", "application/json", PodsApiTest.pod("timed")).statusCode()).isEqualTo(201);
            org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() ->
                    d.get("/api/v1/namespaces/default/pods/timed").body().contains("\"phase\":\"Running\""));
            String prometheus = d.get("/actuator/prometheus").body();
            assertThat(prometheus)
                    .containsPattern("berth_pod_startup_seconds_count\\{outcome=\"success\",phase=\"total\"\\} 1")
                    .containsPattern("berth_pod_startup_seconds_bucket\\{outcome=\"success\",phase=\"total\",le=\"[0-9.]+\"\\} 1")
                    .containsPattern("berth_pod_startup_seconds_count\\{outcome=\"success\",phase=\"ready\"\\} 1")
                    .containsPattern("berth_pods\\{phase=\"Running\"\\} 1")
                    .containsPattern("berth_pods\\{phase=\"Pending\"\\} 0");
            assertThat(d.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
            // metrics need the token like the rest of the API
            var anonymous = d.http.send(java.net.http.HttpRequest.newBuilder(d.uri("/actuator/prometheus")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
        }
    }
}
