package io.berth.image.reference;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

import io.berth.image.content.Digest;

/**
 * An image reference as Docker and containerd read it: {@code [registry/]repository[:tag][@digest]}.
 * It parses and validates itself, so code holding one never re-checks it.
 *
 * <p>Normalisation follows docker/distribution's reference package: without a registry the image is
 * on Docker Hub ({@code docker.io}), a one-component Hub name lives under {@code library/}, and a
 * reference with neither tag nor digest means {@code :latest}. The first component is a registry only
 * when it contains '.' or ':' or is {@code localhost}; otherwise {@code foo/bar} would be ambiguous.
 */
public final class ImageReference {
    public static final String DOCKER_HUB = "docker.io";
    /** Docker Hub's registry API does not answer on docker.io itself. */
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final String HUB_OFFICIAL_PREFIX = "library/";
    private static final int MAX_NAME_LENGTH = 255;

    // The grammar of docker/distribution/reference/regexp.go.
    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    private final String registry;
    private final String repository;
    private final String tag;
    private final Digest digest;

    private ImageReference(String registry, String repository, String tag, Digest digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses a reference the way {@code docker pull} does.
     *
     * @throws InvalidReferenceException with a one-line message naming the reference and the rule it breaks
     */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidReferenceException("invalid reference '': the image name is empty");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digestText = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!digestText.startsWith("sha256:")) {
                throw invalid(text, "digest '" + digestText + "' must be sha256:<64 lowercase hex characters>");
            }
            try {
                digest = Digest.parse(digestText);
            } catch (IllegalArgumentException e) {
                throw invalid(text, "digest '" + digestText + "' must be sha256:<64 lowercase hex characters>");
            }
        }
        String tag = null;
        // A ':' after the last '/' is a tag; one before it belongs to a registry port.
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(text, "tag '" + tag + "' must be 1-128 of [A-Za-z0-9_.-] and not start with '.' or '-'");
            }
        }
        if (rest.isEmpty()) {
            throw invalid(text, "the repository name is empty");
        }

        String registry;
        String repository;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? null : rest.substring(0, slash);
        if (first != null && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            registry = first;
            repository = rest.substring(slash + 1);
            if (!DOMAIN.matcher(registry).matches()) {
                throw invalid(text, "registry '" + registry + "' is not a valid host[:port]");
            }
        } else {
            registry = DOCKER_HUB;
            repository = rest;
        }
        if (registry.equals("index.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (repository.isEmpty()) {
            throw invalid(text, "the repository name is empty");
        }
        if (!repository.equals(repository.toLowerCase(Locale.ROOT))) {
            throw invalid(text, "repository name must be lowercase");
        }
        for (String component : repository.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw invalid(text, "repository path component '" + component
                        + "' must be lowercase letters and digits separated by '.', '_', '__' or '-'");
            }
        }
        if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
            repository = HUB_OFFICIAL_PREFIX + repository;
        }
        if ((registry + "/" + repository).length() > MAX_NAME_LENGTH) {
            throw invalid(text, "the name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    /** Builds a reference from parts, validating them as {@link #parse} would. */
    public static ImageReference of(String registry, String repository, String tag) {
        return parse(registry + "/" + repository + (tag == null ? "" : ":" + tag));
    }

    private static InvalidReferenceException invalid(String text, String why) {
        return new InvalidReferenceException("invalid reference '" + text + "': " + why);
    }

    /** The registry as written in the reference ({@code docker.io}, {@code 127.0.0.1:5000}). */
    public String registry() {
        return registry;
    }

    /** The host[:port] that serves the registry API; differs from {@link #registry()} only for Docker Hub. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API_HOST : registry;
    }

    /** The repository path within the registry ({@code library/busybox}). */
    public String repository() {
        return repository;
    }

    /** The tag, or null when the reference names only a digest. */
    public String tag() {
        return tag;
    }

    /** The digest, or null when the reference names only a tag. */
    public Digest digest() {
        return digest;
    }

    /** What the registry's manifest endpoint takes: the digest when there is one (it pins), else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    /** The same image pinned to {@code newDigest}, keeping the tag for display. */
    public ImageReference withDigest(Digest newDigest) {
        return new ImageReference(registry, repository, tag, Objects.requireNonNull(newDigest));
    }

    public ImageReference withTag(String newTag) {
        return parse(registry + "/" + repository + ":" + newTag + (digest == null ? "" : "@" + digest));
    }

    /** {@code registry/repository}, without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /** The shortest form {@code docker} would print: {@code busybox:latest}, {@code user/app:1}, {@code host:5000/x:y}. */
    public String familiar() {
        String familiarName;
        if (registry.equals(DOCKER_HUB)) {
            familiarName = repository.startsWith(HUB_OFFICIAL_PREFIX) && repository.indexOf('/', HUB_OFFICIAL_PREFIX.length()) < 0
                    ? repository.substring(HUB_OFFICIAL_PREFIX.length())
                    : repository;
        } else {
            familiarName = name();
        }
        return familiarName + suffix();
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    /** The canonical, fully qualified form: {@code docker.io/library/busybox:latest}. Parsing it gives an equal reference. */
    @Override
    public String toString() {
        return name() + suffix();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageReference other
                && registry.equals(other.registry)
                && repository.equals(other.repository)
                && Objects.equals(tag, other.tag)
                && Objects.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, repository, tag, digest);
    }
}
