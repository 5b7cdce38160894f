package io.berth.orchestrator.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import io.berth.image.layer.Compression;

/**
 * What an uploaded image archive is: a root filesystem tarball, an oci-archive or a
 * docker-archive. ImageStore has one importer per kind and the API takes any of them in one
 * request body, so the kind is read from the files inside (an {@code oci-layout} file, or a
 * top-level {@code manifest.json}, which {@code docker save} writes last: every header is read).
 */
enum ImageArchiveKind {
    ROOTFS("rootfs"), OCI_ARCHIVE("oci-archive"), DOCKER_ARCHIVE("docker-archive");

    /** The one sentence that says what an import accepts; every refusal of a body ends with it. */
    static final String ACCEPTED = "give a root filesystem tarball, an oci-archive or a docker-archive"
            + " (plain or compressed with gzip, zstd or xz)";

    private static final int TAR_HEADER = 512;

    final String word;

    ImageArchiveKind(String word) {
        this.word = word;
    }

    /** The {@code format} query parameter: absent or "auto" means read it from the file. */
    static ImageArchiveKind parse(String word) {
        for (ImageArchiveKind k : values()) {
            if (k.word.equals(word.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw ApiException.badRequest("unknown image archive format \"" + word + "\": use rootfs, oci-archive, docker-archive or auto");
    }

    /** Reads {@code file}'s tar headers; a body that is not a tar (after decompression) is a 400 naming the formats. */
    static ImageArchiveKind detect(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file); InputStream plain = Compression.decompress(raw)) {
            InputStream in = plain.markSupported() ? plain : new java.io.BufferedInputStream(plain);
            in.mark(TAR_HEADER);
            byte[] header = in.readNBytes(TAR_HEADER);
            in.reset();
            if (header.length == 0) {
                throw ApiException.badRequest("the request body is empty: " + ACCEPTED);
            }
            if (header.length < TAR_HEADER || !TarArchiveInputStream.matches(header, header.length)) {
                throw ApiException.badRequest("the request body is not a tar archive: " + ACCEPTED);
            }
            boolean manifest = false;
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                while (name.startsWith("./")) {
                    name = name.substring(2);
                }
                if (name.equals("oci-layout")) {
                    return OCI_ARCHIVE;
                }
                manifest |= name.equals("manifest.json") && e.isFile();
            }
            return manifest ? DOCKER_ARCHIVE : ROOTFS;
        } catch (ApiException e) {
            throw e;
        } catch (IOException e) {
            throw ApiException.badRequest("the request body cannot be read as a tar archive (" + e.getMessage() + "): " + ACCEPTED);
        }
    }
}
