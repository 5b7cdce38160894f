package io.berth.image.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void parsesDockerHubBearerChallengeWithCommaInScope() {
        AuthChallenge c = AuthChallenge.pick(List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull,push\""));
        assertThat(c.isBearer()).isTrue();
        assertThat(c.param("realm")).isEqualTo("https://auth.docker.io/token");
        assertThat(c.param("service")).isEqualTo("registry.docker.io");
        assertThat(c.param("scope")).isEqualTo("repository:library/busybox:pull,push");
    }

    @Test
    void prefersBearerOverBasicAndReadsUnquotedValues() {
        AuthChallenge c = AuthChallenge.pick(List.of("Basic realm=\"x\"", "bearer realm=https://t.example/token, service=reg"));
        assertThat(c.isBearer()).isTrue();
        assertThat(c.param("realm")).isEqualTo("https://t.example/token");
        assertThat(c.param("service")).isEqualTo("reg");
        assertThat(AuthChallenge.parseAll("Basic realm=\"Registry Realm\", Bearer realm=\"r\"")).hasSize(2);
        assertThat(AuthChallenge.pick(List.of("Basic realm=\"Registry Realm\"")).isBasic()).isTrue();
        assertThat(AuthChallenge.pick(List.of())).isNull();
    }
}
