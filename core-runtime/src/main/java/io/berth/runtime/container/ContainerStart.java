package io.berth.runtime.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

import io.berth.runtime.oci.Spec;

/**
 * start: release a created container. In the JVM that created it the child's own start confirms
 * the exec; from another process (the CLI) one byte into the exec FIFO releases it. Then the
 * poststart hooks run.
 */
final class ContainerStart {
    /** How long start waits to see the process exec before running poststart hooks regardless. */
    private static final Duration EXEC_WAIT = Duration.ofSeconds(1);

    private ContainerStart() {
    }

    static void run(RuntimeContext ctx, String id) {
        ContainerRecord record = ctx.record(id);
        ContainerStatus status = ctx.status(record);
        if (status != ContainerStatus.CREATED) {
            throw new ContainerException("cannot start container " + id + ": it is " + status.json() + ", not created");
        }
        Path fifo = ctx.store.execFifo(id);
        Container live = ctx.live.get(id);
        Spec.Hooks hooks = ctx.store.loadHooks(id);
        boolean poststart = hooks != null && !hooks.poststart().isEmpty();
        // Only the creating JVM hears of the exec (live.start() confirms it); from here, poststart
        // hooks ("after the user-specified process is executed") wait to see the image change.
        String imageBefore = poststart && live == null ? executable(record.pid()) : null;
        try {
            if (live != null) {
                live.start();
            } else {
                release(fifo, id);
            }
        } finally {
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                // The status would read "created" forever: say so rather than hide it.
                throw new ContainerException("started " + id + " but cannot remove " + fifo + ": " + e.getMessage(), e);
            }
        }
        if (poststart) {
            if (imageBefore != null) {
                awaitExec(record, imageBefore);
            }
            // runtime.md: a failing poststart hook is a warning; the rest run and start succeeds.
            // (runc 1.1 instead kills the container; we follow the spec, as runtime-tools checks.)
            HookRunner.runOrWarn("poststart", hooks.poststart(), ctx.state(record, ContainerStatus.RUNNING),
                    Path.of(record.bundle()), ctx.warnings);
        }
    }

    /** The process's executable (/proc/pid/exe), or null once it is gone. */
    private static String executable(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "exe")).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Returns once the process runs another image than {@code before} (it exec'd) or is gone. */
    private static void awaitExec(ContainerRecord record, String before) {
        Instant deadline = Instant.now().plus(EXEC_WAIT);
        while (before.equals(executable(record.pid())) && record.process().isAlive() && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One byte into the exec FIFO, which the container's process holds open read-write and reads
     * at its start gate. Opened read-write too: on Linux that never blocks, so a process that died
     * after the status check cannot hang start (the byte then goes nowhere), and plain NIO does it
     * without binding libc, ~40 ms of a one-shot CLI call.
     */
    private static void release(Path fifo, String id) {
        try (FileChannel gate = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            gate.write(ByteBuffer.wrap(new byte[] {0}));
        } catch (NoSuchFileException e) {
            throw new ContainerException("cannot start container " + id + ": " + fifo + " is gone (started by another call?)");
        } catch (IOException e) {
            throw new ContainerException("cannot start container " + id + ": cannot write its exec fifo " + fifo + ": " + e.getMessage(), e);
        }
    }
}
