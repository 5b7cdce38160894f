package io.berth.image.content;

/** Bytes done and total per blob, for the console's progress bars. Called from the transferring thread. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (digest, done, total) -> { };

    void update(Digest digest, long done, long total);
}
