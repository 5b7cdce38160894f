package io.berth.image.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Says "this is not a tar archive" up front: commons-compress would read any file as a tar and
 * fail on the first header with "Corrupted TAR archive.", naming neither the file nor what to give.
 */
final class TarCheck {
    /** One tar header block; its magic (ustar, GNU or POSIX) is at offset 257. */
    private static final int HEADER = 512;

    /** What a compressed file may be wrapped in: the layer formats {@code Compression} detects. */
    static final String COMPRESSIONS = "plain or compressed with gzip, zstd or xz";

    private TarCheck() {
    }

    /**
     * {@code plain} (already decompressed), checked to start with a tar header; the returned stream
     * reads it from its start.
     *
     * @param source   the file as messages name it ("archive /tmp/x.tar")
     * @param accepted what to give instead, ending the message
     */
    static InputStream requireTar(InputStream plain, String source, String accepted) throws IOException {
        InputStream in = plain.markSupported() ? plain : new BufferedInputStream(plain);
        in.mark(HEADER);
        byte[] header = in.readNBytes(HEADER);
        in.reset();
        if (!TarArchiveInputStream.matches(header, header.length)) {
            String what = header.length == 0 ? "is empty" : header.length < HEADER ? "is too short to be a tar archive ("
                    + header.length + " bytes)" : "is not a tar archive";
            throw new NotATarException(source + " " + what + ": " + accepted);
        }
        return in;
    }

    /** Already names the file and what to give: callers pass it on as it is. */
    static final class NotATarException extends IOException {
        private static final long serialVersionUID = 1L;

        NotATarException(String message) {
            super(message);
        }
    }
}
