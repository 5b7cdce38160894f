package io.berth.image.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.image.content.Digest;
import io.berth.image.content.Progress;
import io.berth.image.store.ImageStore;
import io.berth.image.testing.TarBuilder;

/** docker-archive shapes built by hand: a gzipped archive, hostile and inconsistent manifest.json files. */
class DockerArchiveTest {
    @TempDir
    Path tmp;
    ImageStore store;
    byte[] layer;

    @BeforeEach
    void setUp() throws IOException {
        store = new ImageStore(tmp.resolve("state"));
        layer = new TarBuilder().file("hello.txt", "hi\n").tar();
    }

    private Path archive(String manifestJson, String configJson, boolean gzip) throws IOException {
        byte[] tar = new TarBuilder()
                .file("abc/layer.tar", layer)
                .file("cfg.json", configJson)
                .file("manifest.json", manifestJson)
                .tar();
        Path p = tmp.resolve("img-" + System.nanoTime() + ".tar");
        Files.write(p, gzip ? TarBuilder.gzip(tar) : tar);
        return p;
    }

    private String config(int diffIds) {
        String id = "\"" + Digest.of(layer) + "\"";
        return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + String.join(",", java.util.Collections.nCopies(diffIds, id)) + "]}}";
    }

    @Test
    void gzippedDockerArchiveImports() throws IOException {
        Path a = archive("[{\"Config\":\"cfg.json\",\"RepoTags\":[\"hand:made\"],\"Layers\":[\"abc/layer.tar\"]}]", config(1), true);
        assertThat(store.importArchive(a, null, null, Progress.NONE).name()).isEqualTo("docker.io/library/hand:made");
        assertThat(store.inspect("hand:made").layers().get(0).unpacked().resolve("hello.txt")).hasContent("hi");
    }

    @Test
    void manifestNamingFilesOutsideTheArchiveIsRefused() throws IOException {
        Path a = archive("[{\"Config\":\"cfg.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"../../etc/passwd\"]}]", config(1), false);
        assertThatThrownBy(() -> store.importArchive(a, null, null, Progress.NONE))
                .hasMessageContaining("'../../etc/passwd', which is not in the archive");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void layerCountThatDisagreesWithTheConfigIsRefused() throws IOException {
        Path a = archive("[{\"Config\":\"cfg.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"abc/layer.tar\"]}]", config(2), false);
        assertThatThrownBy(() -> store.importArchive(a, null, null, Progress.NONE))
                .hasMessageContaining("1 layers but its config has 2 diff_ids");
    }

    @Test
    void malformedManifestIsAClearError() throws IOException {
        Path a = archive("{not json", config(1), false);
        assertThatThrownBy(() -> store.importArchive(a, null, null, Progress.NONE)).hasMessageContaining("malformed manifest.json");
    }

    @Test
    void archiveWithoutATagNeedsAName() throws IOException {
        Path a = archive("[{\"Config\":\"cfg.json\",\"Layers\":[\"abc/layer.tar\"]}]", config(1), false);
        assertThatThrownBy(() -> store.importArchive(a, null, null, Progress.NONE)).hasMessageContaining("give it one");
        assertThat(store.importArchive(a, null, "named:1", Progress.NONE).name()).isEqualTo("docker.io/library/named:1");
    }
}
