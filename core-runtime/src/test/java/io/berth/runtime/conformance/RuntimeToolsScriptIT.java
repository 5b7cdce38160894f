package io.berth.runtime.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.berth.runtime.containerd.CtrResult;
import io.berth.runtime.containerd.LocalContainerd;
import io.berth.runtime.deploy.Checkout;
import io.berth.testkit.Requirements;

/**
 * scripts/runtime-tools-validate.sh's own mechanics: the offline Go build, the private runtime
 * root, the rootfs it provides and the TAP counting. The real suite's sources are not installable
 * here (see the script), so these tests give it a small source tree laid out like runtime-tools
 * whose programs run a real container with the runtime and print known TAP.
 */
class RuntimeToolsScriptIT {
    private static final Path SCRIPT = Path.of("scripts/runtime-tools-validate.sh");

    @TempDir
    Path tmp;

    @Test
    void buildsRunsAndCountsTapResultsAgainstRunc() throws IOException {
        Requirements.root();
        Path go = Requirements.command("go", "golang-go");
        Path runc = Requirements.command("runc", "runc");
        Requirements.command("busybox", "busybox-static");
        Path src = fixtureTree(tmp.resolve("runtime-tools"));
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));

        CtrResult r = LocalContainerd.run(List.of("env", "RUNTIME_TOOLS_SRC=" + src, "TMPDIR=" + scratch,
                "GOCACHE=" + tmp.resolve("gocache"), "PATH=" + go.getParent() + ":" + System.getenv("PATH"),
                "bash", Checkout.root().resolve(SCRIPT).toString(), runc.toString()), Duration.ofMinutes(5));

        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).as(r.describe())
                .contains("module mode, -mod=vendor")
                .containsPattern("lifecycle\\s+1 passed,\\s+1 failed,\\s+1 skipped")
                .contains("crash: died with status 3")
                .containsPattern("crash\\s+1 passed,\\s+1 failed,\\s+0 skipped")
                .endsWith("runtime-tools: 2 passed, 2 failed, 1 skipped\n");
        try (Stream<Path> left = Files.list(scratch)) {
            assertThat(left).as("work directory removed").isEmpty();
        }
    }

    @Test
    void debianSourcesWithoutTheSuiteAreRefusedWithTheReason() throws IOException {
        Requirements.root();
        Requirements.command("go", "golang-go");
        Path src = Files.createDirectories(tmp.resolve("libraries-only/generate"));

        CtrResult r = LocalContainerd.run(List.of("env", "RUNTIME_TOOLS_SRC=" + src.getParent(),
                "bash", Checkout.root().resolve(SCRIPT).toString(), Requirements.command("runc", "runc").toString()),
                Duration.ofSeconds(30));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr().strip()).isEqualTo("scripts/runtime-tools-validate.sh: " + src.getParent()
                + " has no validation/ and cmd/runtimetest: set RUNTIME_TOOLS_SRC to a runtime-tools source tree");
    }

    @Test
    void aRuntimeThatIsNotExecutableIsRefused() {
        CtrResult r = LocalContainerd.run(List.of("bash", Checkout.root().resolve(SCRIPT).toString(),
                tmp.resolve("no-such-runtime").toString()), Duration.ofSeconds(30));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr().strip()).isEqualTo("scripts/runtime-tools-validate.sh: '" + tmp.resolve("no-such-runtime")
                + "' is not an executable runtime binary: give a path or a command on PATH");
    }

    /**
     * A module with an (empty) vendor/ like upstream's, a runtimetest command, a util package the
     * script must not build as a test, a test that runs /bin/true in a real container through
     * $RUNTIME and reports one pass, one skip and one failure, and a test that dies mid-plan.
     */
    static Path fixtureTree(Path root) throws IOException {
        write(root.resolve("go.mod"), "module github.com/opencontainers/runtime-tools\n\ngo 1.19\n");
        write(root.resolve("vendor/modules.txt"), "");
        write(root.resolve("cmd/runtimetest/main.go"), "package main\n\nfunc main() {}\n");
        write(root.resolve("validation/util/util.go"), """
                package util

                import (
                	"os"
                	"os/exec"
                )

                // Runtime runs $RUNTIME with args, as the real suite's util package does.
                func Runtime(args ...string) error {
                	cmd := exec.Command(os.Getenv("RUNTIME"), args...)
                	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
                	return cmd.Run()
                }
                """);
        write(root.resolve("validation/lifecycle/lifecycle.go"), """
                package main

                import (
                	"fmt"
                	"os"
                	"os/exec"
                	"path/filepath"
                	"runtime"
                	"strings"

                	"github.com/opencontainers/runtime-tools/validation/util"
                )

                func main() {
                	fmt.Println("TAP version 13")
                	bundle, err := os.MkdirTemp("", "ocitest")
                	if err != nil {
                		panic(err)
                	}
                	defer os.RemoveAll(bundle)
                	untar := exec.Command("tar", "-xzf", "rootfs-"+runtime.GOARCH+".tar.gz", "-C", bundle)
                	if out, err := untar.CombinedOutput(); err != nil {
                		panic(string(out))
                	}
                	if err := util.Runtime("spec", "--bundle", bundle); err != nil {
                		panic(err)
                	}
                	config := filepath.Join(bundle, "config.json")
                	spec, _ := os.ReadFile(config)
                	s := strings.Replace(string(spec), `"terminal": true`, `"terminal": false`, 1)
                	s = strings.Replace(s, `"sh"`, `"true"`, 1)
                	if err := os.WriteFile(config, []byte(s), 0o644); err != nil {
                		panic(err)
                	}
                	if err := util.Runtime("run", "--bundle", bundle, "fixture-lifecycle"); err != nil {
                		fmt.Println("not ok 1 - run /bin/true:", err)
                	} else {
                		fmt.Println("ok 1 - run /bin/true")
                	}
                	fmt.Println("ok 2 - optional feature # SKIP not applicable")
                	fmt.Println("not ok 3 - a known failure")
                	fmt.Println("1..3")
                }
                """);
        write(root.resolve("validation/crash/crash.go"), """
                package main

                import (
                	"fmt"
                	"os"
                )

                func main() {
                	fmt.Println("TAP version 13")
                	fmt.Println("ok 1 - before the crash")
                	os.Exit(3)
                }
                """);
        return root;
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
