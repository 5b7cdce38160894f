package io.berth.runtime.linux;

/** The errno values Java code reasons about; messages come from the C library (NativeLibrary.strerror). */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EIO = 5;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EXDEV = 18;
    static final int ENODEV = 19;
    static final int EBUSY = 16;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int EPIPE = 32;
    static final int ENAMETOOLONG = 36;
    static final int ELOOP = 40;
    static final int ENOMSG = 42;
    static final int EBADMSG = 74;
    static final int EADDRINUSE = 98;
    static final int ECONNRESET = 104;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;

    private Errno() {
    }
}
