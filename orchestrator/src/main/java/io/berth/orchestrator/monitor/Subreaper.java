package io.berth.orchestrator.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code berth-subreaper} (src/main/c/berth_subreaper.c): how the daemon is started so that the
 * exits of its containers outlive it. Whoever launches the daemon's JVM (the console, the systemd
 * unit, a test) runs {@link #command} instead of the bare java command line.
 */
public final class Subreaper {
    private Subreaper() {
    }

    /** {@code berth-subreaper <exitsDir> <jvmCommand...>}, the binary extracted into {@code binDir}. */
    public static List<String> command(Path binDir, Path exitsDir, List<String> jvmCommand) {
        List<String> cmd = new ArrayList<>();
        cmd.add(NativeBinaries.extract(NativeBinaries.SUBREAPER, binDir).toString());
        cmd.add(exitsDir.toString());
        cmd.addAll(jvmCommand);
        return cmd;
    }

    /**
     * The command that runs this very JVM again (same java, same arguments) under berth-subreaper:
     * for a daemon main that finds itself started bare ({@link #isParentOfThisProcess()} false) and
     * starts itself again the right way before it touches any pod.
     */
    public static List<String> relaunchCommand(Path binDir, Path exitsDir) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> jvm = new ArrayList<>();
        jvm.add(info.command().orElseThrow(() -> new IllegalStateException("cannot read this JVM's command")));
        jvm.addAll(List.of(info.arguments().orElse(new String[0])));
        return command(binDir, exitsDir, jvm);
    }

    /** True when this JVM's parent is berth-subreaper (its comm, truncated by the kernel to 15 characters). */
    public static boolean isParentOfThisProcess() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            String comm = Files.readString(Path.of("/proc", f[1], "comm")).trim();
            return comm.equals(NativeBinaries.SUBREAPER.substring(0, Math.min(15, NativeBinaries.SUBREAPER.length())));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
