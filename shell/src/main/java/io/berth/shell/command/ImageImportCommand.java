package io.berth.shell.command;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;

import io.berth.shell.Console;
import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.format.Colors;
import io.berth.shell.format.ProgressBar;
import tools.jackson.databind.JsonNode;

/**
 * {@code image import FILE|- --name NAME}: sends a root filesystem tarball, an oci-archive or a
 * docker-archive (any compression: the daemon reads what it is) to the daemon, streamed. A
 * progress bar on a terminal when the file is large; nothing but the result otherwise.
 */
public class ImageImportCommand {
    /** Below this the upload is over before a bar would be read. */
    static final long BAR_FROM_BYTES = 16L << 20;

    private final Daemon daemon;
    private final Console console;

    public ImageImportCommand(Daemon daemon, Console console) {
        this.daemon = daemon;
        this.console = console;
    }

    @Command(name = "image import", group = "Images", description = "Import an image from a tarball (a root filesystem, an oci-archive or a docker-archive)",
            help = "image import FILE|- [--name NAME]")
    public void importImage(@Arguments List<String> arguments,
            @Option(longName = "name", description = "the image's name, e.g. busybox (an archive's own tag when absent)") String name) {
        if (arguments.size() != 1) {
            throw ConsoleException.usage(arguments.isEmpty() ? "image import needs a file: berth image import FILE|- --name NAME"
                    : "image import takes one file, got " + arguments);
        }
        String file = arguments.get(0);
        ImageApi api = new ImageApi(daemon);
        JsonNode image;
        if (file.equals("-")) {
            image = api.upload(System.in, -1, name);
        } else {
            Path path = Path.of(file);
            long size;
            InputStream in;
            try {
                if (Files.isDirectory(path)) {
                    throw new ConsoleException(file + " is a directory: import a tarball of it (tar -C " + file + " -c . | berth image import - --name NAME)");
                }
                size = Files.size(path);
                in = Files.newInputStream(path);
            } catch (NoSuchFileException e) {
                throw new ConsoleException(file + " does not exist: give the path of an image tarball, or - for standard input");
            } catch (IOException e) {
                throw new ConsoleException("cannot read " + file + ": " + e.getMessage());
            }
            boolean bar = size >= BAR_FROM_BYTES && Colors.stdoutIsTerminal();
            try (InputStream body = bar ? new Bar(in, size, path.getFileName().toString(), console.err()) : in) {
                image = api.upload(body, size, name);
            } catch (IOException e) {
                throw new ConsoleException("cannot read " + file + ": " + e.getMessage());
            } finally {
                if (bar) {
                    new ProgressBar(console.err(), "").clear();
                }
            }
        }
        console.out().println("Imported " + String.join(", ", ImageApi.references(image)) + " (" + ImageApi.objectName(image) + ", "
                + ImageListCommand.size(image.path("status").path("size").asLong()) + ")");
        console.out().flush();
    }

    /** Counts what the HTTP client reads and draws it as a progress bar. */
    private static final class Bar extends FilterInputStream {
        private final long total;
        private final ProgressBar bar;
        private long done;

        Bar(InputStream in, long total, String label, PrintWriter err) {
            super(in);
            this.total = total;
            this.bar = new ProgressBar(err, "Importing " + label);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                bar.update(++done, total);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                done += n;
                bar.update(done, total);
            }
            return n;
        }
    }
}
