package io.berth.runtime.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * mount(8)-style options split the way mount(2) wants them: {@code flags} to set, a
 * {@code propagation} change to apply after mounting (0: none), whether this is a (recursive)
 * bind, and the filesystem's own {@code data} string ("mode=755,size=65536k").
 */
public record MountOptions(long flags, long propagation, boolean bind, boolean recursive, String data) {

    /** Options that set (true) or clear (false) a flag, as runc's table. */
    private static final Map<String, Object[]> FLAGS = Map.ofEntries(
            Map.entry("defaults", new Object[] {false, 0L}),
            Map.entry("ro", new Object[] {true, MountFlags.RDONLY}),
            Map.entry("rw", new Object[] {false, MountFlags.RDONLY}),
            Map.entry("nosuid", new Object[] {true, MountFlags.NOSUID}),
            Map.entry("suid", new Object[] {false, MountFlags.NOSUID}),
            Map.entry("nodev", new Object[] {true, MountFlags.NODEV}),
            Map.entry("dev", new Object[] {false, MountFlags.NODEV}),
            Map.entry("noexec", new Object[] {true, MountFlags.NOEXEC}),
            Map.entry("exec", new Object[] {false, MountFlags.NOEXEC}),
            Map.entry("sync", new Object[] {true, MountFlags.SYNCHRONOUS}),
            Map.entry("async", new Object[] {false, MountFlags.SYNCHRONOUS}),
            Map.entry("dirsync", new Object[] {true, MountFlags.DIRSYNC}),
            Map.entry("mand", new Object[] {true, MountFlags.MANDLOCK}),
            Map.entry("nomand", new Object[] {false, MountFlags.MANDLOCK}),
            Map.entry("noatime", new Object[] {true, MountFlags.NOATIME}),
            Map.entry("atime", new Object[] {false, MountFlags.NOATIME}),
            Map.entry("nodiratime", new Object[] {true, MountFlags.NODIRATIME}),
            Map.entry("diratime", new Object[] {false, MountFlags.NODIRATIME}),
            Map.entry("relatime", new Object[] {true, MountFlags.RELATIME}),
            Map.entry("norelatime", new Object[] {false, MountFlags.RELATIME}),
            Map.entry("strictatime", new Object[] {true, MountFlags.STRICTATIME}),
            Map.entry("nostrictatime", new Object[] {false, MountFlags.STRICTATIME}),
            Map.entry("nosymfollow", new Object[] {true, MountFlags.NOSYMFOLLOW}));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MountFlags.PRIVATE, "rprivate", MountFlags.PRIVATE | MountFlags.REC,
            "shared", MountFlags.SHARED, "rshared", MountFlags.SHARED | MountFlags.REC,
            "slave", MountFlags.SLAVE, "rslave", MountFlags.SLAVE | MountFlags.REC,
            "unbindable", MountFlags.UNBINDABLE, "runbindable", MountFlags.UNBINDABLE | MountFlags.REC);

    /** Filesystem options without a value that go into the data string. */
    private static final Set<String> BARE_DATA = Set.of("newinstance", "nouser_xattr", "user_xattr", "acl", "noacl",
            "inode64", "inode32", "huge", "metacopy", "redirect_dir", "userxattr", "volatile");

    public static MountOptions parse(List<String> options) {
        long flags = 0;
        long propagation = 0;
        boolean bind = false;
        boolean recursive = false;
        List<String> data = new ArrayList<>();
        for (String raw : options) {
            String o = raw.trim();
            Object[] f = FLAGS.get(o);
            if (f != null) {
                long bit = (Long) f[1];
                flags = (Boolean) f[0] ? flags | bit : flags & ~bit;
            } else if (PROPAGATION.containsKey(o)) {
                propagation = PROPAGATION.get(o);
            } else if (o.equals("bind")) {
                bind = true;
            } else if (o.equals("rbind")) {
                bind = true;
                recursive = true;
            } else if (o.contains("=") && o.indexOf('=') > 0 || BARE_DATA.contains(o)) {
                data.add(o);
            } else {
                throw new IllegalArgumentException("unknown mount option \"" + raw + "\": use a mount(8) flag such as"
                        + " ro, nosuid, nodev, noexec, bind, rbind, rprivate, or a filesystem option as key=value");
            }
        }
        return new MountOptions(flags, propagation, bind, recursive, data.isEmpty() ? null : String.join(",", data));
    }
}
