package io.berth.runtime.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.testkit.Requirements;

/**
 * Rule 1 of DESIGN.md, checked on the object code: the child must call nothing outside its own
 * file (no libc, not even a strlen or memset that gcc might substitute for a loop).
 */
class ChildCodeRulesTest {
    @TempDir
    Path tmp;

    @Test
    void childObjectReferencesNoExternalSymbol() throws Exception {
        Path gcc = Requirements.command("gcc", "gcc");
        Path nm = Requirements.command("nm", "binutils");
        Path src = Path.of("src/main/c/berth_child.c").toAbsolutePath();
        Path obj = tmp.resolve("berth_child.o");
        // The same flags as the pom's gcc-native execution.
        run(List.of(gcc.toString(), "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC",
                "-fno-stack-protector", "-c", "-o", obj.toString(), src.toString()));
        String undefined = run(List.of(nm.toString(), "-u", obj.toString()));
        assertThat(undefined.strip()).as("symbols the child would take from libc").isEmpty();
        assertThat(run(List.of(nm.toString(), obj.toString()))).contains("T berth_child_main");
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }
}
