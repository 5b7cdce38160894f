package io.berth.runtime.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * libberth.so: compiled from src/main/c by the Maven build, carried in the jar, extracted once
 * into a root-only directory named by its checksum (so two Berth versions never share a file and
 * a half-written file is never loaded), then loaded through jnr-ffi.
 */
final class NativeLibrary {
    /** Default place for the extracted library; override with -Dberth.native.root=DIR. */
    static final String DEFAULT_ROOT = "/run/berth/native";

    /** The C functions (berth_parent.c). Each returns >= 0 or -errno. */
    public interface Berth {
        int berth_abi_version();

        long berth_plan_size();

        long berth_op_size();

        long berth_alloc(long size);

        void berth_free(long address);

        long berth_spawn(long plan);

        long berth_read(int fd, @Out byte[] buf, long n);

        long berth_write(int fd, @In byte[] buf, long n);

        long berth_close(int fd);

        long berth_pipe(@Out int[] fds);

        long berth_pidfd_poll(int pidfd, int timeoutMs);

        long berth_pidfd_reap(int pidfd, int nohang, @Out int[] out);

        long berth_pidfd_kill(int pidfd, int signal);

        long berth_pidfd_open(int pid);

        String berth_strerror(int errno);

        long berth_unix_connect(String path);

        long berth_unix_listen(String path);

        long berth_unix_accept(int fd, int timeoutMs);

        long berth_socketpair(@Out int[] fds);

        long berth_recv_fd(int sock, @Out byte[] name, long cap, @Out int[] fd, int timeoutMs);

        long berth_set_winsize(int fd, int rows, int cols);

        long berth_set_dumpable(int value);

        long berth_get_dumpable();
    }

    /** Must match BERTH_ABI in berth_abi.h. */
    static final int ABI = 4;

    private static volatile NativeLibrary instance;

    final Berth lib;
    final Runtime runtime;
    final Path file;

    private NativeLibrary(Berth lib, Path file) {
        this.lib = lib;
        this.runtime = Runtime.getRuntime(lib);
        this.file = file;
    }

    static NativeLibrary get() {
        NativeLibrary n = instance;
        if (n == null) {
            synchronized (NativeLibrary.class) {
                n = instance;
                if (n == null) {
                    n = load();
                    instance = n;
                }
            }
        }
        return n;
    }

    String strerror(int errno) {
        String s = lib.berth_strerror(errno);
        return s != null ? s : "errno " + errno;
    }

    private static NativeLibrary load() {
        String arch = System.getProperty("os.arch");
        String resource = "/io/berth/runtime/native/linux-" + arch + "/libberth.so";
        byte[] bytes = resource(resource);
        // Written by the build next to the library (sha256sum); hashing here would start the JCA.
        String sha256 = new String(resource(resource + ".sha256"), StandardCharsets.US_ASCII).strip();
        Path file = extract(bytes, sha256, Path.of(System.getProperty("berth.native.root", DEFAULT_ROOT)));
        // Bound lazily, each function at its first call: a CLI call uses about half of them. A
        // library that lacks one fails the ABI check below before any is called.
        Berth lib = LibraryLoader.create(Berth.class).load(file.toString());
        int abi = lib.berth_abi_version();
        if (abi != ABI) {
            throw new IllegalStateException("native launcher " + file + " has ABI " + abi + ", this code needs " + ABI);
        }
        if (lib.berth_plan_size() != PlanLayout.PLAN_SIZE || lib.berth_op_size() != PlanLayout.OP_SIZE) {
            throw new IllegalStateException("native launcher " + file + " disagrees with PlanLayout on struct sizes");
        }
        return new NativeLibrary(lib, file);
    }

    private static byte[] resource(String name) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no native launcher for linux-" + System.getProperty("os.arch")
                        + " in this build (" + name + " is missing): build Berth on this architecture");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Extracts {@code bytes} (whose SHA-256 is {@code sha256}, in hex) under {@code root}. */
    static Path extract(byte[] bytes, String sha256, Path root) {
        Path dir = root.resolve(sha256.substring(0, 16));
        Path file = dir.resolve("libberth.so");
        try {
            // Reuse only a file with exactly these bytes: a damaged one is replaced, never loaded.
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(file), bytes)) {
                return file;
            }
            var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(dir, owner);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path tmp = Files.createTempFile(dir, ".libberth-", ".tmp", owner);
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("cannot rename within " + dir, e);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the native launcher into " + dir
                    + " (it must be writable by root; set -Dberth.native.root=DIR to use another place)", e);
        }
    }
}
