package io.berth.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container id names a directory under the state root and a cgroup: an id that could lead out
 * of either (a '/', a '..' component) or that the file system cannot hold must be refused before
 * anything is made.
 */
class ContainerIdTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "../escape", "a/../b", "/abs", "x/", "..", ".", "", " ", "a b", "-leading", ".hidden",
            "tab\tid", "new\nline", "semi;colon", "star*"})
    void idsThatCouldLeaveTheStateRootOrAreNotNamesAreRefused(String id) {
        assertThatThrownBy(() -> StateStore.checkId(id)).isInstanceOf(ContainerException.class)
                .hasMessage("invalid container id '" + id + "': use letters, digits, '_', '+', '-' and '.', starting with a letter or"
                        + " digit, at most 255 characters");
    }

    @Test
    void nullIsRefusedWithTheSameMessage() {
        assertThatThrownBy(() -> StateStore.checkId(null)).isInstanceOf(ContainerException.class).hasMessageStartingWith("invalid container id 'null'");
    }

    @Test
    void theLongestIdIsOneDirectoryNameAndOneMoreIsRefused() {
        String longest = "a".repeat(255);
        assertThatCode(() -> StateStore.checkId(longest)).doesNotThrowAnyException();
        // NAME_MAX: the state directory and the cgroup are named by the id.
        StateStore store = new StateStore(dir);
        assertThat(store.reserve(longest)).isDirectory().hasFileName(longest);
        assertThatThrownBy(() -> StateStore.checkId(longest + "a")).isInstanceOf(ContainerException.class)
                .hasMessageContaining("at most 255 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"c1", "pod_web-0.main", "a+b", "9", "x..y", "A.B"})
    void ordinaryIdsAreAccepted(String id) {
        assertThatCode(() -> StateStore.checkId(id)).doesNotThrowAnyException();
        assertThat(new StateStore(dir).reserve(id)).isEqualTo(dir.resolve(id)).isDirectory();
    }
}
