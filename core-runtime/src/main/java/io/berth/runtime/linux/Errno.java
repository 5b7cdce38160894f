package io.berth.runtime.linux;

/** The errno values Java code reasons about; messages come from the C library (NativeLibrary.strerror). */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int ECHILD = 10;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENOTDIR = 20;
    static final int EINVAL = 22;
    static final int EPIPE = 32;

    private Errno() {
    }
}
