package io.berth.runtime.linux;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.berth.runtime.seccomp.SeccompProgram;

/**
 * One step the child carries out between "go" and execve, in the order of
 * {@link LaunchPlan#setup()}. Each record is exactly one op of the C interpreter
 * (src/main/c/berth_abi.h); {@link #step()} is how a failure of it is named to the user.
 * Relative paths are resolved against the child's working directory at that moment.
 */
public sealed interface ChildOp {

    /** Names this step in error messages, e.g. "mount proc on proc". */
    String step();

    /** A hint appended to the error message for a given errno, or null. */
    default String hint(int errno) {
        return null;
    }

    /**
     * ELOOP from an op on a path relative to the rootfs: the child opens those beneath the rootfs and
     * follows no symlink (the plan already resolved the image's), so one that is there now appeared
     * after the plan was made, or lies below another mount where the plan does not look.
     */
    private static String symlinkHint(int errno, String path) {
        return errno == Errno.ELOOP && !path.startsWith("/") ? "a symlink is on the way to " + path + " in the root"
                + " filesystem: it changed after create read it, or a destination lies through a symlink below another"
                + " mount; Berth follows none at launch, so nothing can land outside the rootfs" : null;
    }

    /** mount(2) as is: {@code source}, {@code fstype} and {@code data} may be null. */
    record Mount(String source, String target, String fstype, long flags, String data) implements ChildOp {
        public Mount {
            Objects.requireNonNull(target, "target");
        }

        /** Changes propagation only (MS_PRIVATE, MS_SLAVE... with or without MS_REC). */
        public static Mount propagation(String target, long flags) {
            return new Mount(null, target, null, flags, null);
        }

        @Override
        public String step() {
            if (source == null && fstype == null) {
                return "make " + target + " " + MountFlags.propagationName(flags);
            }
            return "mount " + (fstype != null ? fstype : source) + " on " + target;
        }

        @Override
        public String hint(int errno) {
            return symlinkHint(errno, target);
        }
    }

    /** A bind mount (MS_REC if recursive), then a remount with {@code remountFlags} (e.g. MS_RDONLY) unless 0. */
    record Bind(String source, String target, boolean recursive, long remountFlags) implements ChildOp {
        public Bind {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String step() {
            return "bind " + source + " on " + target;
        }

        @Override
        public String hint(int errno) {
            // Root only meets EACCES here inside a user namespace: host-owned directories whose owner
            // is not mapped grant it nothing beyond their "other" bits (runc fails the same way).
            return errno == Errno.EACCES ? "in a user namespace the container's root is its mapped host user: every directory"
                    + " above " + source + " must be searchable by that user (chmod o+x), or owned by a mapped id"
                    : symlinkHint(errno, target);
        }
    }

    /** Remounts a mount point with {@code flags}, keeping nosuid/nodev/noexec/atime flags it already has. */
    record Remount(String target, long flags) implements ChildOp {
        @Override
        public String step() {
            return "remount " + target + (flags != 0 ? " " + MountFlags.describe(flags) : "");
        }
    }

    /** mkdir -p; an existing entry is fine. */
    record MakeDir(String path, int mode) implements ChildOp {
        @Override
        public String step() {
            return "mkdir " + path;
        }

        @Override
        public String hint(int errno) {
            return symlinkHint(errno, path);
        }
    }

    /**
     * mknod(2), then chown to {@code uid}:{@code gid} (-1: keep); {@code mode} includes the file type
     * (S_IFCHR/S_IFBLK/S_IFIFO). An existing node is kept, unless {@code replace}: then whatever is
     * at the path is unlinked first (a spec's device must be exactly what it asked for).
     */
    record MakeNod(String path, int mode, int major, int minor, int uid, int gid, boolean replace) implements ChildOp {
        public static final int S_IFCHR = 0020000;
        public static final int S_IFBLK = 0060000;
        public static final int S_IFIFO = 0010000;

        /** One of the default /dev nodes: root's, kept if the image already has one. */
        public static MakeNod charDevice(String path, int permissions, int major, int minor) {
            return new MakeNod(path, S_IFCHR | permissions, major, minor, -1, -1, false);
        }

        /** A linux.devices entry at {@code path} (relative to the cwd), replacing what is there. */
        public static MakeNod of(DeviceNode d, String path) {
            return new MakeNod(path, d.type().fileType() | d.permissions(), (int) d.major(), (int) d.minor(), d.uid(), d.gid(), true);
        }

        /** The kernel's dev_t encoding (glibc's makedev). */
        public long dev() {
            long ma = major & 0xffffffffL;
            long mi = minor & 0xffffffffL;
            return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
        }

        @Override
        public String step() {
            return "mknod " + path;
        }

        @Override
        public String hint(int errno) {
            if (errno == Errno.EPERM) {
                return "not allowed in a user namespace: bind the host's device instead";
            }
            return errno == Errno.EISDIR ? "a directory is in the way of the device node" : symlinkHint(errno, path);
        }
    }

    /** Creates an empty file if missing (a bind mount target), never following a symlink. */
    record Touch(String path) implements ChildOp {
        @Override
        public String step() {
            return "create " + path;
        }

        @Override
        public String hint(int errno) {
            return symlinkHint(errno, path);
        }
    }

    record Symlink(String target, String linkPath) implements ChildOp {
        @Override
        public String step() {
            return "symlink " + linkPath + " -> " + target;
        }

        @Override
        public String hint(int errno) {
            return symlinkHint(errno, linkPath);
        }
    }

    record Chdir(String path) implements ChildOp {
        @Override
        public String step() {
            return "chdir " + path;
        }
    }

    /** pivot_root(".", ".") in the new root (the cwd), then detach the old root stacked on it. */
    record PivotRoot() implements ChildOp {
        @Override
        public String step() {
            return "pivot_root";
        }

        @Override
        public String hint(int errno) {
            // Kernels answer EINVAL or (6.x, for pivot_root(".", ".")) EBUSY when "." is not a mount point.
            return errno == Errno.EINVAL || errno == Errno.EBUSY ? "rootfs is not a mount point?" : null;
        }
    }

    record SetHostname(String hostname) implements ChildOp {
        @Override
        public String step() {
            return "sethostname " + hostname;
        }
    }

    /**
     * unshare(2) from inside the child. The cgroup namespace is made this way (after the parent
     * placed the child in its cgroups) so its root is the container's cgroup.
     */
    record Unshare(Set<Namespace> namespaces) implements ChildOp {
        public Unshare {
            namespaces = Set.copyOf(namespaces);
        }

        @Override
        public String step() {
            return "unshare " + namespaces;
        }
    }

    /** Brings "lo" up (a new network namespace starts with it down). */
    record LoopbackUp() implements ChildOp {
        @Override
        public String step() {
            return "bring loopback up";
        }
    }

    record SetRlimit(Rlimit resource, long soft, long hard) implements ChildOp {
        @Override
        public String step() {
            return "setrlimit RLIMIT_" + resource + " " + soft + ":" + hard;
        }
    }

    /** setgroups(2) for this process only (raw syscall, no glibc broadcast). */
    record SetGroups(List<Integer> gids) implements ChildOp {
        public SetGroups {
            gids = List.copyOf(gids);
        }

        @Override
        public String step() {
            return "setgroups " + gids;
        }

        @Override
        public String hint(int errno) {
            return errno == Errno.EPERM ? "in a user namespace /proc/PID/setgroups must say allow and gid_map be written" : null;
        }
    }

    /** setresgid(gid, gid, gid). */
    record SetGid(int gid) implements ChildOp {
        @Override
        public String step() {
            return "setresgid " + gid;
        }
    }

    /** setresuid(uid, uid, uid); precede with KeepCaps(true) to keep permitted capabilities. */
    record SetUid(int uid) implements ChildOp {
        @Override
        public String step() {
            return "setresuid " + uid;
        }
    }

    record KeepCaps(boolean keep) implements ChildOp {
        @Override
        public String step() {
            return "prctl PR_SET_KEEPCAPS " + (keep ? 1 : 0);
        }
    }

    /** Drops every capability not in {@code keep} from the bounding set. */
    record DropBounding(Set<Capability> keep) implements ChildOp {
        public DropBounding {
            keep = Set.copyOf(keep);
        }

        @Override
        public String step() {
            return "drop bounding capabilities";
        }
    }

    /** capset(2) of the effective, permitted and inheritable sets. */
    record SetCaps(Set<Capability> effective, Set<Capability> permitted, Set<Capability> inheritable) implements ChildOp {
        public SetCaps {
            effective = Set.copyOf(effective);
            permitted = Set.copyOf(permitted);
            inheritable = Set.copyOf(inheritable);
        }

        @Override
        public String step() {
            return "capset";
        }

        @Override
        public String hint(int errno) {
            return errno == Errno.EPERM ? "effective and inheritable must be within permitted and bounding" : null;
        }
    }

    /** Raises each capability into the ambient set (it must be permitted and inheritable). */
    record RaiseAmbient(Set<Capability> capabilities) implements ChildOp {
        public RaiseAmbient {
            capabilities = Set.copyOf(capabilities);
        }

        @Override
        public String step() {
            return "raise ambient capabilities " + capabilities;
        }

        @Override
        public String hint(int errno) {
            return errno == Errno.EPERM ? "each must also be permitted and inheritable" : null;
        }
    }

    record NoNewPrivs() implements ChildOp {
        @Override
        public String step() {
            return "prctl PR_SET_NO_NEW_PRIVS";
        }
    }

    /**
     * Finds {@code argv0} as execvp would (using {@code path}, the PATH of the process's env) and
     * checks that it is an executable file, so a missing binary fails before the start gate. The
     * later execve uses what this found.
     */
    record CheckExecutable(String argv0, String path) implements ChildOp {
        @Override
        public String step() {
            return "execve " + argv0;
        }
    }

    record Umask(int mask) implements ChildOp {
        @Override
        public String step() {
            return "umask " + Integer.toOctalString(mask);
        }
    }

    /** Hides a path: /dev/null bound over a file, an empty read-only tmpfs over a directory. */
    record MaskPath(String path) implements ChildOp {
        @Override
        public String step() {
            return "mask " + path;
        }

        @Override
        public String hint(int errno) {
            // The child binds /dev/null from its fd, and only a character device that is not a symlink.
            return errno == Errno.ENODEV || errno == Errno.ELOOP ? "/dev/null in the container is not a character device:"
                    + " something replaced it, and binding it would expose " + path + " instead of hiding it" : null;
        }
    }

    /** setns(2) into the namespace file at {@code path} (e.g. /proc/PID/ns/net). */
    record SetNs(Namespace namespace, String path) implements ChildOp {
        @Override
        public String step() {
            return "join " + namespace.procName() + " namespace " + path;
        }
    }

    /**
     * After joining a PID namespace (or unsharing one, after joining a user namespace): the child
     * forks once more so the rest of the program (and the exec) runs inside it; {@link ChildProcess}
     * then follows the grandchild (its pid and pidfd). {@link Launcher} adds this op itself.
     */
    record EnterPidNamespace() implements ChildOp {
        @Override
        public String step() {
            return "fork into the container's PID namespace";
        }

        @Override
        public String hint(int errno) {
            // The kernel refuses new members once a PID namespace's init has exited.
            return errno == Errno.ENOMEM ? "the namespace's init has exited; join a PID namespace that still has one" : null;
        }
    }

    /**
     * process.terminal: after pivot_root (or the join of the container's mount namespace), so
     * /dev/ptmx is the container's own devpts, and before credentials are dropped (fchown needs
     * CAP_CHOWN). Opens a pty, sets its size unless either is 0 (as runc), gives the slave to
     * {@code ownerUid} (-1: keep; the group stays what devpts assigns, tty with the default gid=5),
     * binds it onto /dev/console if {@code bindDevConsole} (a container's first process, not an
     * exec), sends the master with its name ("/dev/pts/0") over {@link LaunchPlan#consoleSocketFd()}
     * and closes it here, then starts a new session with the slave as controlling terminal and as
     * fds 0, 1 and 2 (the plan's {@link Stdio} is replaced). {@link ProcessSetup} places it.
     */
    record SetupTerminal(int rows, int cols, int ownerUid, boolean bindDevConsole) implements ChildOp {
        public SetupTerminal {
            if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
                throw new IllegalArgumentException("console size " + rows + "x" + cols
                        + " is out of range: rows and columns must be 0..65535 (0 0 leaves the size unset)");
            }
        }

        @Override
        public String step() {
            return "set up the terminal";
        }

        @Override
        public String hint(int errno) {
            if (errno == Errno.ENOENT) {
                return "the container needs devpts on /dev/pts with ptmxmode=0666 and /dev/ptmx -> pts/ptmx";
            }
            if (errno == Errno.EPIPE || errno == Errno.ECONNRESET || errno == Errno.ECONNREFUSED) {
                return "nobody reads the console socket: the caller must accept and receive the master";
            }
            if (errno == Errno.ELOOP && bindDevConsole) {
                return "/dev/console in the container is a symlink, directory or socket: the pty is bound only onto a"
                        + " regular file or device";
            }
            return null;
        }
    }

    /**
     * Installs a seccomp filter (seccomp(2), prctl(PR_SET_SECCOMP) where that is missing).
     * {@code beforeExec}: not here but after the start gate, right before execve, so the profile
     * need not allow the setup's and the gate's syscalls; that needs no_new_privs set earlier
     * (without it the kernel requires CAP_SYS_ADMIN, which the identity change drops: then place
     * it before). {@link ProcessSetup} chooses, as runc does. At most one per plan may be late.
     */
    record Seccomp(SeccompProgram program, boolean beforeExec) implements ChildOp {
        public Seccomp {
            Objects.requireNonNull(program, "program");
        }

        @Override
        public String step() {
            return "install the seccomp filter";
        }

        @Override
        public String hint(int errno) {
            if (errno == Errno.EACCES) {
                return "without no_new_privs installing a filter needs CAP_SYS_ADMIN";
            }
            if (errno == Errno.EINVAL) {
                return "the kernel refused the program or its flags (SECCOMP_FILTER_FLAG_LOG needs Linux 4.14, SPEC_ALLOW 4.17)";
            }
            return null;
        }
    }

    /**
     * Writes {@code value} to /proc/sys/{@code key with dots as slashes} in one write(2), inside the
     * container's namespaces; after pivot_root (so /proc is the container's) and before /proc/sys is
     * made read-only. Which keys are allowed is {@link io.berth.runtime.oci.SpecValidator}'s call.
     */
    record Sysctl(String key, String value) implements ChildOp {
        public Sysctl {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isEmpty() || key.contains("/") || key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
                throw new IllegalArgumentException("sysctl key \"" + key + "\" is malformed: give dotted names like net.ipv4.ip_forward");
            }
        }

        public String path() {
            return "/proc/sys/" + key.replace('.', '/');
        }

        @Override
        public String step() {
            return "sysctl " + key + "=" + value;
        }

        @Override
        public String hint(int errno) {
            if (errno == Errno.ENOENT) {
                return "this kernel has no such sysctl, or /proc is not mounted in the container";
            }
            if (errno == Errno.EXDEV || errno == Errno.ELOOP) {
                return "/proc in the container is not a procfs root, or a mount or symlink lies on the way to "
                        + path() + ": the value is only written into the container's own procfs";
            }
            if (errno == Errno.EINVAL) {
                return "the kernel refused the value";
            }
            return null;
        }
    }

    /** Runs {@code op}, treating ENOENT as success (masked and read-only paths the kernel may not have). */
    record IfExists(ChildOp op) implements ChildOp {
        public IfExists {
            Objects.requireNonNull(op, "op");
            if (op instanceof IfExists) {
                throw new IllegalArgumentException("IfExists cannot wrap IfExists");
            }
        }

        @Override
        public String step() {
            return op.step();
        }

        @Override
        public String hint(int errno) {
            return op.hint(errno);
        }
    }
}
