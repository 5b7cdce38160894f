package io.berth.runtime.linux;

/** The errno values Java code reasons about; messages come from the C library (NativeLibrary.strerror). */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int ENXIO = 6;
    static final int EBUSY = 16;
    static final int EINVAL = 22;

    private Errno() {
    }
}
