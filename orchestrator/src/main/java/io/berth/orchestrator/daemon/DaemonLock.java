package io.berth.orchestrator.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per state root. An fcntl lock on {@code daemon.lock} (released by the kernel when
 * the process dies, so a crashed daemon never blocks the next), holding the owner's pid so the
 * refusal can name it.
 */
public final class DaemonLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DaemonLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static DaemonLock acquire(StateRoot root) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(root.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException inThisProcess) {
                lock = null; // a second daemon started inside the same JVM (tests do this)
            }
            if (lock == null) {
                String owner = Files.readString(root.lockFile(), StandardCharsets.US_ASCII).trim();
                ch.close();
                throw new AlreadyRunningException("another berth daemon (pid " + (owner.isEmpty() ? "unknown" : owner)
                        + ") is using the state root " + root.dir());
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new DaemonLock(ch, lock);
        } catch (IOException e) {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // the original failure is the one to report
            }
            throw new IllegalStateException("cannot lock " + root.lockFile() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The kernel drops the lock with the descriptor anyway.
        }
    }

    /** A second daemon on the same state root. */
    public static final class AlreadyRunningException extends RuntimeException {
        public AlreadyRunningException(String message) {
            super(message);
        }
    }
}
