package io.berth.runtime.container;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.berth.runtime.linux.LibC;
import io.berth.runtime.linux.Stdio;
import io.berth.runtime.oci.InvalidSpecException;

/**
 * The fds one launch needs for a {@link ContainerIo}: opened before it, the process's copies made
 * by the clone, ours closed right after by {@link #close()}, whatever happened. Until
 * {@link #launched()} a pipe's caller side counts as failed and is closed with them.
 */
final class OpenedIo implements AutoCloseable {
    private static final int FILE_MODE = 0644;

    /** The process's ends: dup'd onto its 0-2 in the child, ours to close. */
    private final List<Integer> childFds = new ArrayList<>();
    private final List<PipeEnd<?>> pipes = new ArrayList<>();
    private Stdio stdio = Stdio.nullStdio();
    private boolean launched;

    private OpenedIo() {
    }

    /**
     * @param terminal the process spec's {@code terminal}: then the io must be {@link ContainerIo#terminal()}
     *                 and the reverse, since the terminal replaces all three streams
     */
    static OpenedIo open(ContainerIo io, boolean terminal) {
        if (terminal && !(io instanceof ContainerIo.Terminal)) {
            throw new InvalidSpecException("process.terminal is true, so the process's stdin, stdout and stderr are its terminal:"
                    + " pass ContainerIo.terminal() and use the terminal() of what create or exec returns");
        }
        if (io instanceof ContainerIo.Terminal) {
            if (!terminal) {
                throw new InvalidSpecException("ContainerIo.terminal() needs process.terminal set to true (SpecBuilder.terminal(true)),"
                        + " or pass ContainerIo.of(...) for separate streams");
            }
            return new OpenedIo();
        }
        ContainerIo.Streams s = (ContainerIo.Streams) io;
        OpenedIo o = new OpenedIo();
        try {
            int in = o.input(s.stdin());
            // One output for both (the same file or pipe) is one fd: 2>&1, not two writers at offset 0.
            int out = o.output("stdout", s.stdout());
            int err = s.stderr().equals(s.stdout()) ? out : o.output("stderr", s.stderr());
            o.stdio = new Stdio(in, out, err);
            return o;
        } catch (RuntimeException | Error e) {
            o.close();
            throw e;
        }
    }

    Stdio stdio() {
        return stdio;
    }

    /** The process has its copies: the pipes' caller sides are now the caller's. */
    void launched() {
        launched = true;
        pipes.forEach(PipeEnd::connected);
    }

    @Override
    public void close() {
        for (int fd : childFds) {
            LibC.close(fd);
        }
        childFds.clear();
        if (!launched) {
            pipes.forEach(PipeEnd::failed);
        }
    }

    private int input(ContainerIo.Input in) {
        if (in instanceof ContainerIo.Input.Inherit) {
            return 0;
        }
        if (in instanceof ContainerIo.Input.File) {
            String path = ((ContainerIo.Input.File) in).path().toString();
            try {
                return keep(LibC.open(path, LibC.O_RDONLY));
            } catch (LibC.SyscallException e) {
                throw new ContainerException("stdin file " + path + " cannot be opened (" + LibC.strerror(e.errno())
                        + "): give a file that exists and can be read");
            }
        }
        if (in instanceof ContainerIo.Input.Pipe) {
            int[] p = LibC.pipe();
            keep(p[0]);
            connect((ContainerIo.Input.Pipe) in, p[1]);
            return p[0];
        }
        return Stdio.NULL;
    }

    private int output(String name, ContainerIo.Output out) {
        if (out instanceof ContainerIo.Output.Inherit) {
            return name.equals("stdout") ? 1 : 2;
        }
        if (out instanceof ContainerIo.Output.File) {
            ContainerIo.Output.File f = (ContainerIo.Output.File) out;
            int flags = LibC.O_WRONLY | LibC.O_CREAT | (f.append() ? LibC.O_APPEND : LibC.O_TRUNC);
            try {
                return keep(LibC.open(f.path().toString(), flags, FILE_MODE));
            } catch (LibC.SyscallException e) {
                throw new ContainerException(name + " file " + f.path() + " cannot be opened (" + LibC.strerror(e.errno())
                        + "): its directory must exist and be writable");
            }
        }
        if (out instanceof ContainerIo.Output.Pipe) {
            int[] p = LibC.pipe();
            keep(p[1]);
            connect((ContainerIo.Output.Pipe) out, p[0]);
            return p[1];
        }
        return Stdio.NULL;
    }

    private int keep(int childFd) {
        childFds.add(childFd);
        return childFd;
    }

    /** Opens the caller's stream over {@code ourFd}, then closes {@code ourFd} itself: the stream has its own. */
    private void connect(PipeEnd<?> pipe, int ourFd) {
        try {
            pipe.connect(ourFd);
        } catch (IOException e) {
            pipe.failed();
            throw new ContainerException("pipe: cannot open our end through /proc/self/fd/" + ourFd + ": " + e.getMessage(), e);
        } finally {
            LibC.close(ourFd);
        }
        pipes.add(pipe);
    }
}
