package io.berth.image.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.berth.image.content.Digest;

class ImageReferenceTest {
    private static final String HEX = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

    @Test
    void bareNameIsOfficialHubImageAtLatest() {
        ImageReference ref = ImageReference.parse("busybox");
        assertThat(ref.registry()).isEqualTo("docker.io");
        assertThat(ref.apiHost()).isEqualTo("registry-1.docker.io");
        assertThat(ref.repository()).isEqualTo("library/busybox");
        assertThat(ref.tag()).isEqualTo("latest");
        assertThat(ref.digest()).isNull();
        assertThat(ref).hasToString("docker.io/library/busybox:latest");
        assertThat(ref.familiar()).isEqualTo("busybox:latest");
        assertThat(ref.manifestReference()).isEqualTo("latest");
    }

    @ParameterizedTest
    @CsvSource({
            // input, canonical, familiar, registry, apiHost, repository
            "busybox:1.36, docker.io/library/busybox:1.36, busybox:1.36, docker.io, registry-1.docker.io, library/busybox",
            "library/busybox, docker.io/library/busybox:latest, busybox:latest, docker.io, registry-1.docker.io, library/busybox",
            "docker.io/busybox, docker.io/library/busybox:latest, busybox:latest, docker.io, registry-1.docker.io, library/busybox",
            "index.docker.io/library/busybox, docker.io/library/busybox:latest, busybox:latest, docker.io, registry-1.docker.io, library/busybox",
            "bitnami/redis:7, docker.io/bitnami/redis:7, bitnami/redis:7, docker.io, registry-1.docker.io, bitnami/redis",
            "127.0.0.1:5000/busybox:v1, 127.0.0.1:5000/busybox:v1, 127.0.0.1:5000/busybox:v1, 127.0.0.1:5000, 127.0.0.1:5000, busybox",
            "localhost/app, localhost/app:latest, localhost/app:latest, localhost, localhost, app",
            "localhost:5000/team/app, localhost:5000/team/app:latest, localhost:5000/team/app:latest, localhost:5000, localhost:5000, team/app",
            "ghcr.io/owner/repo/sub:1.0-rc_1, ghcr.io/owner/repo/sub:1.0-rc_1, ghcr.io/owner/repo/sub:1.0-rc_1, ghcr.io, ghcr.io, owner/repo/sub",
            "[::1]:5000/busybox, [::1]:5000/busybox:latest, [::1]:5000/busybox:latest, [::1]:5000, [::1]:5000, busybox",
            "my-registry.example.com:443/a.b__c-d/e, my-registry.example.com:443/a.b__c-d/e:latest, my-registry.example.com:443/a.b__c-d/e:latest, my-registry.example.com:443, my-registry.example.com:443, a.b__c-d/e",
    })
    void normalisesLikeDocker(String input, String canonical, String familiar, String registry, String apiHost, String repository) {
        ImageReference ref = ImageReference.parse(input);
        assertThat(ref).hasToString(canonical);
        assertThat(ref.familiar()).isEqualTo(familiar);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.apiHost()).isEqualTo(apiHost);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
        assertThat(ImageReference.parse(ref.familiar())).isEqualTo(ref);
    }

    @Test
    void digestOnlyHasNoTag() {
        ImageReference ref = ImageReference.parse("busybox@sha256:" + HEX);
        assertThat(ref.tag()).isNull();
        assertThat(ref.digest()).isEqualTo(new Digest(HEX));
        assertThat(ref.manifestReference()).isEqualTo("sha256:" + HEX);
        assertThat(ref).hasToString("docker.io/library/busybox@sha256:" + HEX);
        assertThat(ref.familiar()).isEqualTo("busybox@sha256:" + HEX);
    }

    @Test
    void tagAndDigestKeepsBothAndDigestPins() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/busybox:v1@sha256:" + HEX);
        assertThat(ref.tag()).isEqualTo("v1");
        assertThat(ref.digest()).isEqualTo(new Digest(HEX));
        assertThat(ref.manifestReference()).isEqualTo("sha256:" + HEX);
        assertThat(ref).hasToString("127.0.0.1:5000/busybox:v1@sha256:" + HEX);
        assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
    }

    @Test
    void withDigestPinsAndKeepsTag() {
        ImageReference ref = ImageReference.parse("busybox").withDigest(new Digest(HEX));
        assertThat(ref).hasToString("docker.io/library/busybox:latest@sha256:" + HEX);
        assertThat(ImageReference.parse("busybox").withTag("v2").tag()).isEqualTo("v2");
    }

    @Test
    void equalityIsOnNormalisedForm() {
        assertThat(ImageReference.parse("busybox")).isEqualTo(ImageReference.parse("docker.io/library/busybox:latest"))
                .hasSameHashCodeAs(ImageReference.parse("docker.io/library/busybox:latest"));
        assertThat(ImageReference.parse("busybox:1")).isNotEqualTo(ImageReference.parse("busybox:2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Foo|invalid reference 'Foo': repository name must be lowercase",
            "docker.io/Library/busybox|invalid reference 'docker.io/Library/busybox': repository name must be lowercase",
            "|invalid reference '': the image name is empty",
            ":tag|invalid reference ':tag': the repository name is empty",
            "busybox:|invalid reference 'busybox:': tag '' must be 1-128 of [A-Za-z0-9_.-] and not start with '.' or '-'",
            "busybox:-x|invalid reference 'busybox:-x': tag '-x' must be 1-128 of [A-Za-z0-9_.-] and not start with '.' or '-'",
            "busybox:a+b|invalid reference 'busybox:a+b': tag 'a+b' must be 1-128 of [A-Za-z0-9_.-] and not start with '.' or '-'",
            "busybox@sha256:abc|invalid reference 'busybox@sha256:abc': digest 'sha256:abc' must be sha256:<64 lowercase hex characters>",
            "busybox@md5:d41d8cd98f00b204e9800998ecf8427e|invalid reference 'busybox@md5:d41d8cd98f00b204e9800998ecf8427e': digest 'md5:d41d8cd98f00b204e9800998ecf8427e' must be sha256:<64 lowercase hex characters>",
            "a//b|invalid reference 'a//b': repository path component '' must be lowercase letters and digits separated by '.', '_', '__' or '-'",
            "busybox-|invalid reference 'busybox-': repository path component 'busybox-' must be lowercase letters and digits separated by '.', '_', '__' or '-'",
            "bad_host.-x/app|invalid reference 'bad_host.-x/app': registry 'bad_host.-x' is not a valid host[:port]",
            "localhost:5000/|invalid reference 'localhost:5000/': the repository name is empty",
            "a b|invalid reference 'a b': repository path component 'a b' must be lowercase letters and digits separated by '.', '_', '__' or '-'",
    })
    void rejectsWithOneLineReason(String input, String message) {
        assertThatThrownBy(() -> ImageReference.parse(input == null ? "" : input))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsTooLongTagAndName() {
        assertThatThrownBy(() -> ImageReference.parse("busybox:" + "a".repeat(129)))
                .hasMessageContaining("tag '");
        assertThat(ImageReference.parse("busybox:" + "a".repeat(128)).tag()).hasSize(128);
        assertThatThrownBy(() -> ImageReference.parse("example.com/" + "a".repeat(250)))
                .hasMessageEndingWith("the name is longer than 255 characters");
    }
}
