package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.orchestrator.daemon.DaemonLock;
import io.berth.orchestrator.daemon.DaemonOptions;
import io.berth.orchestrator.daemon.StateRoot;
import io.berth.orchestrator.reconcile.BackoffPolicy;
import io.berth.testkit.Requirements;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

class DaemonStartTest {

    @Test
    void firstStartCreatesDatabaseCaTokenAndAPrivateKubeconfig() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            StateRoot root = d.root;
            assertThat(root.database().resolveSibling("berth.mv.db")).exists();
            for (var p : List.of(root.caCertificate(), root.caKey(), root.servingCertificate(), root.servingKey(), root.token(),
                    root.kubeconfig())) {
                assertThat(p).exists();
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
            }
            String kubeconfig = Files.readString(root.kubeconfig());
            assertThat(kubeconfig).contains("server: \"https://127.0.0.1:" + d.port + "\"").contains("token: \"" + d.token + "\"");
        }
    }

    @Test
    void migrationsCreateTheSchemaFromAnEmptyDatabase() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            JdbcClient jdbc = d.daemon.context().getBean(JdbcClient.class);
            List<Map<String, Object>> history = jdbc.sql("SELECT \"version\", \"success\" FROM \"flyway_schema_history\"").query().listOfRows();
            assertThat(history).extracting(r -> r.get("version")).contains("1", "2", "3");
            assertThat(history).allSatisfy(r -> assertThat(r.get("success")).isEqualTo(true));
            List<String> tables = jdbc.sql("SELECT LOWER(TABLE_NAME) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")
                    .query(String.class).list();
            assertThat(tables).contains("pods", "containers", "events");
            // V2: pids live in the node's records alone (docs/architecture.md, "Records, crashes and repair").
            List<String> columns = jdbc.sql("SELECT LOWER(COLUMN_NAME) FROM INFORMATION_SCHEMA.COLUMNS WHERE LOWER(TABLE_NAME) = 'containers'")
                    .query(String.class).list();
            assertThat(columns).contains("restart_count").doesNotContain("pid", "process_start_time");
        }
    }

    @Test
    void aSecondDaemonOnTheSameStateRootIsRefusedByName() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            assertThatThrownBy(() -> BerthDaemon.start(new DaemonOptions(d.root, "127.0.0.1", 0)))
                    .isInstanceOf(DaemonLock.AlreadyRunningException.class)
                    .hasMessageContaining("another berth daemon")
                    .hasMessageContaining(d.root.dir().toString());
            // the running daemon is untouched
            assertThat(d.get("/version").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRestartKeepsTheCaTokenAndPodsAndHandsThePodsToTheNodeSide() throws Exception {
        var dir = Files.createTempDirectory("berth-restart-test");
        String token;
        String ca;
        try (DaemonFixture d = new DaemonFixture(dir)) {
            d.removeOnClose = false; // the second start uses the same state root
            token = d.token;
            ca = Files.readString(d.root.caCertificate());
            assertThat(d.post("/api/v1/namespaces/default/pods", "application/json", PodsApiTest.pod("kept")).statusCode()).isEqualTo(201);
        }
        try (DaemonFixture d = new DaemonFixture(dir)) {
            assertThat(d.token).isEqualTo(token);
            assertThat(Files.readString(d.root.caCertificate())).isEqualTo(ca);
            assertThat(d.node.resumed).hasSize(1);
            assertThat(d.node.resumed.get(0)).extracting(p -> p.getMetadata().getName()).containsExactly("kept");
            assertThat(d.get("/api/v1/namespaces/default/pods/kept").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void badFlagsAreOneLineErrors() {
        assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--port", "x"}, null))
                .hasMessage("--port must be a number from 0 to 65535, not 'x'");
        assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--bogus"}, null))
                .hasMessageStartingWith("unknown argument '--bogus'");
        assertThat(DaemonOptions.parse(new String[] {}, "/tmp/bh").root().dir().toString()).isEqualTo("/tmp/bh");
        assertThat(DaemonOptions.parse(new String[] {"--state=/tmp/s"}, "/tmp/bh").root().dir().toString()).isEqualTo("/tmp/s");
        assertThat(DaemonOptions.parse(new String[] {}, null).root().dir()).isEqualTo(StateRoot.DEFAULT);
        assertThat(DaemonOptions.parse(new String[] {}, null).restartBackoff()).isEqualTo(BackoffPolicy.KUBELET);
        assertThat(DaemonOptions.parse(new String[] {"--restart-backoff", "kep-4603"}, null).restartBackoff())
                .isEqualTo(BackoffPolicy.KEP_4603);
        assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--restart-backoff=1m,10s,10m"}, null))
                .hasMessage("--restart-backoff: backoff needs 0 < initial <= max and reset >= 0, got initial PT1M, max PT10S, reset PT10M");
        assertThatThrownBy(() -> DaemonOptions.parse(new String[] {"--restart-backoff"}, null))
                .hasMessageStartingWith("--restart-backoff needs a value; usage: berth daemon");
    }

    /** --restart-backoff reaches the node side: a crashing container waits as that policy says, not 10 s. */
    @Test
    void theRestartBackoffFlagSetsTheCrashLoopDelay() throws Exception {
        Requirements.root();
        try (DaemonFixture d = DaemonFixture.realNode("backoff", "--restart-backoff", "3s,6s,1m")) {
            var created = d.post("/api/v1/namespaces/default/pods", "application/json", """
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "crash"},
                     "spec": {"restartPolicy": "Always", "terminationGracePeriodSeconds": 0,
                              "containers": [{"name": "c", "image": "busybox", "imagePullPolicy": "IfNotPresent", "command": ["sh", "-c", "exit 1"]}]}}""");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            // Exit, restart at once (the kubelet's first restart), exit again: then the policy's first delay.
            Awaitility.await("CrashLoopBackOff").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(d.get("/api/v1/namespaces/default/pods/crash").body())
                            .contains("back-off 3s restarting failed container=c pod=crash_default("));
        }
    }
}
