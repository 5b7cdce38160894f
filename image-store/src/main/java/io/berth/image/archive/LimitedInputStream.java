package io.berth.image.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails once more than {@code max} bytes have been read: imports must not fill the disk from a small bomb. */
final class LimitedInputStream extends FilterInputStream {
    private final long max;
    private final String what;
    private long count;

    LimitedInputStream(InputStream in, long max, String what) {
        super(in);
        this.max = max;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = in.skip(n);
        if (s > 0) {
            count(s);
        }
        return s;
    }

    private void count(long n) throws IOException {
        count += n;
        if (count > max) {
            throw new IOException(what + " is larger than the import limit of " + max + " bytes: refusing it as a possible "
                    + "decompression bomb (raise the limit if the image is genuine)");
        }
    }
}
