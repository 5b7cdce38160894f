package io.berth.runtime.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * start: release a created container. In the JVM that created it the child's own start confirms
 * the exec; from another process (the CLI) one byte into the exec FIFO releases it.
 */
final class ContainerStart {
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
