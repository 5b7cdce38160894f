package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.linux.Namespace;
import io.berth.runtime.oci.Spec;

/** state.json and seccomp.json are a stored format: what an older berth wrote must still load. */
class StateStoreJsonTest {
    /** Written by the databind-based StateStore (before io.berth.runtime.json), byte for byte. */
    private static final String OLD_STATE = "{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"pid\":42,\"pidStartTime\":123456789,"
            + "\"cgroupsPath\":\"/berth/c1\",\"created\":\"2026-11-29T23:44:09.123456789Z\",\"annotations\":{\"a\":\"b\"},\"namespaces\":[\"PID\",\"NETWORK\"]}";
    private static final String OLD_SPARSE_STATE = "{\"id\":\"c2\",\"bundle\":\"/b\",\"pid\":0,\"pidStartTime\":0,\"created\":\"2026-11-29T23:44:09Z\",\"annotations\":{},\"namespaces\":[]}";

    @TempDir
    Path root;

    private StateStore store() {
        return new StateStore(root);
    }

    @Test
    void readsStateWrittenBeforeAndWritesTheSameBytes() throws Exception {
        StateStore store = store();
        store.reserve("c1");
        Files.writeString(store.dir("c1").resolve(StateStore.STATE_FILE), OLD_STATE);
        ContainerRecord r = store.load("c1");
        assertThat(r).isEqualTo(new ContainerRecord("c1", "/b", "/b/rootfs", 42, 123456789L, "/berth/c1",
                Instant.parse("2026-11-29T23:44:09.123456789Z"), Map.of("a", "b"), List.of(Namespace.PID, Namespace.NETWORK)));
        store.save(r);
        assertThat(Files.readString(store.dir("c1").resolve(StateStore.STATE_FILE))).isEqualTo(OLD_STATE);
        assertThat(store.dir("c1").resolve(StateStore.STATE_FILE + ".tmp")).doesNotExist();

        store.reserve("c2");
        Files.writeString(store.dir("c2").resolve(StateStore.STATE_FILE), OLD_SPARSE_STATE);
        ContainerRecord sparse = store.load("c2");
        assertThat(sparse.rootfs()).isNull();
        assertThat(sparse.cgroupsPath()).isNull();
        store.save(sparse);
        assertThat(Files.readString(store.dir("c2").resolve(StateStore.STATE_FILE))).isEqualTo(OLD_SPARSE_STATE);
    }

    @Test
    void unknownStateFieldsAreIgnored() throws Exception {
        StateStore store = store();
        store.reserve("c1");
        Files.writeString(store.dir("c1").resolve(StateStore.STATE_FILE), "{\"id\":\"c1\",\"pid\":7,\"fromTheFuture\":{\"x\":[1]}}");
        assertThat(store.load("c1").pid()).isEqualTo(7);
    }

    @Test
    void corruptStateIsOneLineThatSaysWhatToDo() throws Exception {
        StateStore store = store();
        store.reserve("c1");
        Path file = store.dir("c1").resolve(StateStore.STATE_FILE);
        Files.writeString(file, "{\"id\":\"c1\",\"pid\":\"42\"}");
        assertThatThrownBy(() -> store.load("c1"))
                .isInstanceOf(ContainerException.class)
                .hasMessage("the state of container 'c1' in " + file + " is corrupt (at line 1, column 18 (pid): expected an integer, got a string);"
                        + " delete it with force (ContainerRuntime.delete(id, true))");
        Files.writeString(file, "{\"id\":\"c1\",\"created\":\"yesterday\"}");
        assertThatThrownBy(() -> store.load("c1"))
                .hasMessageContaining("(created): expected an ISO-8601 instant")
                .hasMessageNotContaining("\n");
        Files.writeString(file, "{\"namespaces\":[\"SPACE\"]}");
        assertThatThrownBy(() -> store.load("c1")).hasMessageContaining("(namespaces[0]): unknown namespace 'SPACE'");
        Files.writeString(file, "{\"id\":");
        assertThatThrownBy(() -> store.load("c1")).isInstanceOf(ContainerException.class).hasMessageNotContaining("\n");
        Files.writeString(file, "");
        assertThatThrownBy(() -> store.load("c1"))
                .isInstanceOf(ContainerException.class)
                .hasMessage("the state of container 'c1' in " + file + " is empty; delete it with force (ContainerRuntime.delete(id, true))");
    }

    @Test
    void seccompProfileRoundTrips() throws Exception {
        StateStore store = store();
        store.reserve("c1");
        Spec.Seccomp profile = new Spec.Seccomp("SCMP_ACT_ERRNO", 1, List.of("SCMP_ARCH_X86_64"), List.of(), null, null,
                List.of(new Spec.SeccompSyscall(List.of("mkdir"), "SCMP_ACT_ALLOW", null,
                        List.of(new Spec.SeccompArg(0, new BigInteger("18446744073709551615"), null, "SCMP_CMP_EQ")))));
        store.saveSeccomp("c1", profile);
        // The layout the databind-based StateStore wrote.
        assertThat(Files.readString(store.dir("c1").resolve(StateStore.SECCOMP))).isEqualTo("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                + "\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"mkdir\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_EQ\"}]}]}");
        assertThat(store.loadSeccomp("c1")).isEqualTo(profile);
        store.reserve("c2");
        store.saveSeccomp("c2", null);
        assertThat(store.loadSeccomp("c2")).isNull();
        assertThat(store.loadSeccomp("c1-none")).isNull();
        Files.writeString(store.dir("c1").resolve(StateStore.SECCOMP), "[");
        assertThatThrownBy(() -> store.loadSeccomp("c1")).isInstanceOf(ContainerException.class)
                .hasMessageStartingWith("the seccomp profile of container 'c1' cannot be read from ").hasMessageContaining("seccomp.json (malformed ")
                .hasMessageNotContaining("\n");
    }

    /** What berth-runtime state and list print, compared with what the databind-based ContainerJson printed. */
    @Test
    void stateAndListDocumentsKeepTheirLayout() {
        OciState running = new OciState("1.2.0", "c1", ContainerStatus.RUNNING, 42, "/b", Map.of("k", "v"));
        OciState stopped = new OciState("1.2.0", "c2", ContainerStatus.STOPPED, 0, "/b", Map.of());
        OciState bare = new OciState(null, "c3", ContainerStatus.CREATED, 7, null, null);
        assertThat(ContainerJson.pretty(running)).isEqualTo("""
                {
                  "ociVersion": "1.2.0",
                  "id": "c1",
                  "status": "running",
                  "pid": 42,
                  "bundle": "/b",
                  "annotations": {
                    "k": "v"
                  }
                }""");
        assertThat(ContainerJson.pretty(bare)).isEqualTo("""
                {
                  "id": "c3",
                  "status": "created",
                  "pid": 7
                }""");
        assertThat(ContainerJson.compact(List.of(running, stopped, bare))).isEqualTo("[{\"ociVersion\":\"1.2.0\",\"id\":\"c1\","
                + "\"status\":\"running\",\"pid\":42,\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"}},{\"ociVersion\":\"1.2.0\","
                + "\"id\":\"c2\",\"status\":\"stopped\",\"pid\":0,\"bundle\":\"/b\"},{\"id\":\"c3\",\"status\":\"created\",\"pid\":7}]");
        assertThat(ContainerJson.compact(List.of())).isEqualTo("[]");
        assertThat(ContainerJson.compact(List.of(1, 2, 3))).isEqualTo("[1,2,3]");
    }
}
