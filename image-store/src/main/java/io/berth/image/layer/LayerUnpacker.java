package io.berth.image.layer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import io.berth.image.content.Digest;

/**
 * Unpacks one image layer (a tar, possibly gzip/zstd/xz compressed) into a fresh directory in
 * overlayfs lower-dir form (see {@link OverlayForm}), so that no entry can touch anything outside it.
 *
 * <p>The rules, each against a known attack on container runtimes:
 * <ul>
 * <li>{@code ..} components are refused; absolute names are taken relative to the layer root.</li>
 * <li>Every parent component is resolved here, one at a time, with symlinks evaluated as if the
 * layer root were {@code /} (a link to {@code /} or {@code ../../..} stays at the root), so writing
 * {@code link/file} where {@code link -> /tmp} lands in the layer's own {@code tmp}.</li>
 * <li>The final component is never followed: whatever is there (a symlink to {@code /etc/passwd},
 * a file, a directory) is removed and recreated, so a later entry of the same name cannot chmod,
 * chown or write through a link (CVE-2021-32760 shape). A directory over a directory keeps its
 * contents and takes the new metadata.</li>
 * <li>Hard links must name an existing non-directory inside the layer.</li>
 * <li>Ownership, modes and times are set with {@code NOFOLLOW_LINKS}; FIFOs and devices get their
 * mode from mknod (opening them to chmod could block or have side effects).</li>
 * <li>Bytes read, bytes written and entries are capped ({@link UnpackLimits}); when a limit trips,
 * or anything else fails, the destination directory is removed.</li>
 * </ul>
 * The destination is private to this unpack until the caller renames it into place (see
 * {@link LayerStore}), so there is no concurrent writer to race between check and use.
 */
public final class LayerUnpacker {
    private static final int MAX_SYMLINKS = 40;
    private static final int COPY_BUFFER = 1 << 17;

    private final UnpackLimits limits;
    private final boolean privileged;

    public LayerUnpacker(UnpackLimits limits) {
        this(limits, Privileges.isRoot());
    }

    LayerUnpacker(UnpackLimits limits, boolean privileged) {
        this.limits = limits;
        this.privileged = privileged;
    }

    /**
     * Unpacks {@code layer} into {@code dest}, which must not exist yet (its parent must). On any
     * failure {@code dest} is removed and the exception says which entry broke which rule.
     */
    public UnpackResult unpack(InputStream layer, Path dest) throws IOException {
        Files.createDirectory(dest);
        boolean done = false;
        try {
            UnpackResult result = new Run(dest).run(layer);
            done = true;
            return result;
        } finally {
            if (!done) {
                Trees.deleteQuietly(dest);
            }
        }
    }

    /** One unpack: the state that lives exactly as long as one layer. */
    private final class Run {
        private final Path root;
        /** Relative paths already known to be real directories (not symlinks) in this layer. */
        private final Set<String> knownDirs = new HashSet<>();
        /** Directory metadata applied last, so a read-only or timestamped dir is not disturbed by its children. */
        private final Map<Path, TarArchiveEntry> dirMeta = new LinkedHashMap<>();
        private final List<String> skipped = new ArrayList<>();
        private final byte[] buffer = new byte[COPY_BUFFER];
        private Path whiteoutTemplate;
        private long written;

        Run(Path root) {
            this.root = root;
        }

        UnpackResult run(InputStream layer) throws IOException {
            MessageDigest sha = Digest.newSha256();
            LimitedDigestStream tarBytes = new LimitedDigestStream(Compression.decompress(layer), sha, limits.maxBytes());
            long entries = 0;
            TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name());
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new LayerException("layer has more than " + limits.maxEntries() + " entries: refusing it as a "
                            + "possible decompression bomb (raise the entry limit if the image is genuine)");
                }
                try {
                    apply(e, tar);
                } catch (LayerException ex) {
                    throw ex;
                } catch (InvalidPathException ex) {
                    throw new LayerException("layer entry '" + e.getName() + "' has an invalid name: " + ex.getReason());
                } catch (IOException ex) {
                    throw new LayerException("layer entry '" + e.getName() + "': " + ex, ex);
                }
            }
            // The diff_id covers the whole uncompressed stream, including end-of-archive padding.
            tarBytes.transferTo(OutputStream.nullOutputStream());
            finishDirectories();
            return new UnpackResult(Digest.of(sha), tarBytes.count(), entries, skipped);
        }

        private void apply(TarArchiveEntry e, TarArchiveInputStream tar) throws IOException {
            String name = e.getName();
            List<String> parts = components(name, "layer entry");
            if (parts.isEmpty()) {
                return; // the root itself ("./"): the layer dir is ours, its metadata is not the image's
            }
            String base = parts.get(parts.size() - 1);
            Path parent = resolveDir(parts.subList(0, parts.size() - 1), name);
            String parentRel = relative(parent);
            if (base.startsWith(OverlayForm.WHITEOUT_PREFIX)) {
                whiteout(name, parent, parentRel, base);
                return;
            }
            Path target = parent.resolve(base);
            String rel = parentRel.isEmpty() ? base : parentRel + "/" + base;

            if (e.isDirectory()) {
                if (!clear(target, rel, true)) {
                    Files.createDirectory(target);
                }
                knownDirs.add(rel);
                ownAndXattrs(target, e);
                dirMeta.put(target, e);
            } else if (e.isSymbolicLink()) {
                clear(target, rel, false);
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                own(target, e);
                times(target, e);
            } else if (e.isLink()) {
                hardlink(e, target, rel);
            } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                device(e, target, rel);
            } else if (e.isFile()) {
                clear(target, rel, false);
                writeFile(target, tar, name);
                ownAndXattrs(target, e);
                mode(target, e);
                times(target, e);
            } else {
                skipped.add(name + ": tar entry type '" + (char) e.getLinkFlag() + "' is not supported");
            }
        }

        private void writeFile(Path target, InputStream in, String name) throws IOException {
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    written += n;
                    if (written > limits.maxBytes()) {
                        throw tooBig("writing '" + name + "'");
                    }
                    out.write(buffer, 0, n);
                }
            }
        }

        private void hardlink(TarArchiveEntry e, Path target, String rel) throws IOException {
            String name = e.getName();
            List<String> linkParts = components(e.getLinkName(), "hard link target of '" + name + "'");
            if (linkParts.isEmpty()) {
                throw new LayerException("layer entry '" + name + "' is a hard link to the layer root: refusing it");
            }
            Path linkParent = resolveExistingDir(linkParts.subList(0, linkParts.size() - 1), name, e.getLinkName());
            Path existing = linkParent.resolve(linkParts.get(linkParts.size() - 1));
            BasicFileAttributes a = lstat(existing);
            if (a == null) {
                throw new LayerException("layer entry '" + name + "' is a hard link to '" + e.getLinkName()
                        + "', which does not exist earlier in the layer");
            }
            if (a.isDirectory()) {
                throw new LayerException("layer entry '" + name + "' is a hard link to directory '" + e.getLinkName() + "': refusing it");
            }
            if (existing.equals(target)) {
                return; // a link to itself changes nothing
            }
            clear(target, rel, false);
            // link(2) does not follow a symlink at 'existing': it links the symlink itself, inside the layer.
            Files.createLink(target, existing);
        }

        private void device(TarArchiveEntry e, Path target, String rel) throws IOException {
            if (!privileged) {
                skipped.add(e.getName() + ": device nodes and FIFOs need root to create");
                return;
            }
            if (e.isCharacterDevice() && e.getDevMajor() == 0 && e.getDevMinor() == 0) {
                // Already overlayfs's whiteout form (some tools export layers this way): keep it.
                clear(target, rel, false);
                whiteoutNode(target);
                return;
            }
            clear(target, rel, false);
            String type = e.isFIFO() ? "p" : e.isCharacterDevice() ? "c" : "b";
            List<String> cmd = new ArrayList<>(List.of("mknod", "-m", Integer.toOctalString(e.getMode() & 07777), target.toString(), type));
            if (!e.isFIFO()) {
                cmd.add(Integer.toString(e.getDevMajor()));
                cmd.add(Integer.toString(e.getDevMinor()));
            }
            Privileges.run(cmd);
            own(target, e);
        }

        private void whiteout(String name, Path parent, String parentRel, String base) throws IOException {
            if (base.equals(OverlayForm.OPAQUE_MARKER)) {
                OverlayForm.markOpaque(parent);
                return;
            }
            String hidden = base.substring(OverlayForm.WHITEOUT_PREFIX.length());
            String decoded = java.net.URLDecoder.decode(hidden.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..") || decoded.contains("/")
                    || decoded.equals(".") || decoded.equals("..") || hidden.startsWith(OverlayForm.WHITEOUT_PREFIX)) {
                throw new LayerException("layer entry '" + name + "' is a whiteout for '" + hidden
                        + "', which is not a plain file name: refusing it");
            }
            if (!privileged) {
                throw new LayerException("layer entry '" + name + "' is a whiteout; creating overlayfs whiteouts "
                        + "(character device 0/0) needs root: run as root");
            }
            Path target = parent.resolve(hidden);
            clear(target, parentRel.isEmpty() ? hidden : parentRel + "/" + hidden, false);
            whiteoutNode(target);
        }

        /** Creates a 0/0 char device; after the first, a hard link to it (one process spawn per layer). */
        private void whiteoutNode(Path target) throws IOException {
            if (whiteoutTemplate != null) {
                try {
                    Files.createLink(target, whiteoutTemplate);
                    return;
                } catch (NoSuchFileException e) {
                    whiteoutTemplate = null; // a later entry replaced it; make a new one
                }
            }
            Privileges.run(List.of("mknod", "-m", "000", target.toString(), "c", "0", "0"));
            whiteoutTemplate = target;
        }

        /**
         * Makes room for a new entry at {@code target}: removes whatever is there without following it,
         * except a real directory when {@code keepDir} (returns true then). The entry's parent is a real
         * directory inside the root, so this never touches anything outside.
         */
        private boolean clear(Path target, String rel, boolean keepDir) throws IOException {
            BasicFileAttributes a = lstat(target);
            if (a == null) {
                return false;
            }
            if (a.isDirectory()) {
                if (keepDir) {
                    return true;
                }
                Trees.delete(target);
                knownDirs.removeIf(k -> k.equals(rel) || k.startsWith(rel + "/"));
                dirMeta.keySet().removeIf(p -> p.startsWith(target));
            } else {
                Files.delete(target);
            }
            if (target.equals(whiteoutTemplate)) {
                whiteoutTemplate = null;
            }
            return false;
        }

        /** Resolves (creating missing directories) the parent components of an entry, never leaving the root. */
        private Path resolveDir(List<String> parts, String entry) throws IOException {
            return walk(parts, entry, null);
        }

        /** Like {@link #resolveDir} but every component must exist (for hard link targets). */
        private Path resolveExistingDir(List<String> parts, String entry, String linkName) throws IOException {
            return walk(parts, entry, linkName);
        }

        private Path walk(List<String> parts, String entry, String mustExistFor) throws IOException {
            Deque<String> todo = new ArrayDeque<>(parts);
            Path cur = root;
            String rel = "";
            int links = 0;
            while (!todo.isEmpty()) {
                String c = todo.pollFirst();
                if (c.isEmpty() || c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    // Only symlink targets bring '..' here; like chroot, '..' of the root is the root.
                    if (!rel.isEmpty()) {
                        cur = cur.getParent();
                        int slash = rel.lastIndexOf('/');
                        rel = slash < 0 ? "" : rel.substring(0, slash);
                    }
                    continue;
                }
                Path next = cur.resolve(c);
                String nextRel = rel.isEmpty() ? c : rel + "/" + c;
                if (!knownDirs.contains(nextRel)) {
                    BasicFileAttributes a = lstat(next);
                    if (a == null) {
                        if (mustExistFor != null) {
                            throw new LayerException("layer entry '" + entry + "' is a hard link to '" + mustExistFor
                                    + "', which does not exist earlier in the layer");
                        }
                        Files.createDirectory(next);
                    } else if (a.isSymbolicLink()) {
                        if (++links > MAX_SYMLINKS) {
                            throw new LayerException("layer entry '" + entry + "': too many levels of symbolic links in its path");
                        }
                        String target = Files.readSymbolicLink(next).toString();
                        if (target.startsWith("/")) {
                            cur = root;
                            rel = "";
                        }
                        String[] tparts = target.split("/");
                        for (int i = tparts.length - 1; i >= 0; i--) {
                            todo.addFirst(tparts[i]);
                        }
                        continue;
                    } else if (!a.isDirectory()) {
                        throw new LayerException("layer entry '" + entry + "': its parent '" + nextRel
                                + "' is not a directory in this layer");
                    }
                    knownDirs.add(nextRel);
                }
                cur = next;
                rel = nextRel;
            }
            return cur;
        }

        private String relative(Path dir) {
            return root.relativize(dir).toString();
        }

        private void own(Path target, TarArchiveEntry e) throws IOException {
            if (!privileged) {
                return; // an unprivileged unpack owns everything itself, as rootless tools do
            }
            Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        }

        private void ownAndXattrs(Path target, TarArchiveEntry e) throws IOException {
            own(target, e);
            Map<String, String> pax = e.getExtraPaxHeaders();
            if (pax.isEmpty()) {
                return;
            }
            for (Map.Entry<String, String> h : pax.entrySet()) {
                String key = h.getKey();
                if (!key.startsWith("SCHILY.xattr.")) {
                    continue;
                }
                String xattr = key.substring("SCHILY.xattr.".length());
                if (xattr.startsWith("user." + OverlayForm.RESERVED_XATTR_PREFIX)) {
                    skipped.add(e.getName() + ": xattr " + xattr + " not set (user." + OverlayForm.RESERVED_XATTR_PREFIX
                            + "* is the store's own overlay markup, which a layer cannot set)");
                } else if (xattr.startsWith("user.")) {
                    UserDefinedFileAttributeView view = Files.getFileAttributeView(target, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                    // commons-compress decodes PAX values as UTF-8, so encoding back as UTF-8 restores the bytes.
                    view.write(xattr.substring("user.".length()), ByteBuffer.wrap(h.getValue().getBytes(StandardCharsets.UTF_8)));
                } else {
                    skipped.add(e.getName() + ": xattr " + xattr + " not set (only user.* xattrs are supported)");
                }
            }
        }

        private void mode(Path target, TarArchiveEntry e) throws IOException {
            // unix:mode carries setuid/setgid/sticky, which PosixFilePermission cannot express.
            Files.setAttribute(target, "unix:mode", e.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
        }

        private void times(Path target, TarArchiveEntry e) throws IOException {
            FileTime mtime = FileTime.from(e.getLastModifiedTime().toInstant());
            try {
                Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(mtime, null, null);
            } catch (IOException ex) {
                if (!Files.isSymbolicLink(target)) {
                    throw ex;
                }
                // Some filesystems cannot set a symlink's own time; nothing reads it.
            }
        }

        private void finishDirectories() throws IOException {
            List<Map.Entry<Path, TarArchiveEntry>> dirs = new ArrayList<>(dirMeta.entrySet());
            // Deepest first, so setting a parent's mtime comes after its children are final.
            for (int i = dirs.size() - 1; i >= 0; i--) {
                Path dir = dirs.get(i).getKey();
                BasicFileAttributes a = lstat(dir);
                if (a == null || !a.isDirectory()) {
                    continue;
                }
                mode(dir, dirs.get(i).getValue());
                times(dir, dirs.get(i).getValue());
            }
        }
    }

    /** Splits an entry name into components: leading '/' and '.' dropped, '..' refused. */
    static List<String> components(String name, String what) throws LayerException {
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                throw new LayerException(what + " '" + name + "' contains '..': refusing to write outside the layer root");
            }
            if (c.indexOf('\0') >= 0) {
                throw new LayerException(what + " '" + name.replace('\0', '?') + "' contains a NUL byte");
            }
            out.add(c);
        }
        return out;
    }

    static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static LayerException tooBig(String doing) {
        return new LayerException("layer exceeds the unpack size limit while " + doing
                + ": refusing it as a possible decompression bomb (raise the byte limit if the image is genuine)");
    }

    /** Hashes and counts the uncompressed tar, stopping once it passes the byte limit. */
    private static final class LimitedDigestStream extends FilterInputStream {
        private final MessageDigest sha;
        private final long max;
        private long count;

        LimitedDigestStream(InputStream in, MessageDigest sha, long max) {
            super(in);
            this.sha = sha;
            this.max = max;
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                if (count > max) {
                    throw tooBig("decompressing");
                }
                sha.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipping would leave bytes out of the digest: read them instead.
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
