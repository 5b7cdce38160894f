package io.berth.image.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.berth.image.manifest.ManifestJson;
import io.berth.image.reference.ImageReference;
import tools.jackson.databind.JsonNode;

/**
 * HTTP to one registry API on behalf of RegistryClient: which scheme, retries with backoff, the
 * 401 -> challenge -> token -> retry dance, and redirects. Redirects are followed here rather than by
 * HttpClient because a blob redirect usually leaves the registry for object storage: the
 * Authorization header must not follow it, and a redirect to plain HTTP must be refused.
 */
final class RegistryTransport {
    private static final int MAX_REDIRECTS = 10;
    private static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(5);
    private static final Duration RETRY_AFTER_MAX = Duration.ofSeconds(30);
    /** Tokens are dropped this long before they expire, so a request never goes out with a dying one. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);
    private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);
    private static final int MAX_SMALL_BODY = 64 * 1024;

    private final RegistryConfig config;
    private final HttpClient http;
    /** Authorization header values by registry and scope ("127.0.0.1:5000|repository:busybox:pull"). */
    private final Map<String, CachedAuth> auth = new ConcurrentHashMap<>();

    private record CachedAuth(String header, Instant expires) {
        boolean valid() {
            return expires == null || Instant.now().isBefore(expires);
        }
    }

    RegistryTransport(RegistryConfig config) {
        this.config = config;
        // HTTP/1.1: parallel blob fetches get their own connections, and no h2c upgrade dance on plain HTTP.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    RegistryConfig config() {
        return config;
    }

    /** {@code http(s)://apiHost/v2/}: HTTPS unless the registry is on loopback or marked insecure. */
    URI base(ImageReference ref) {
        String scheme = plainHttpAllowed(ref.apiHost()) || plainHttpAllowed(ref.registry()) ? "http" : "https";
        return URI.create(scheme + "://" + ref.apiHost() + "/v2/");
    }

    /** Loopback addresses never leave the host; anything else gets plain HTTP only when the user said so. */
    boolean plainHttpAllowed(String authority) {
        String host = hostOf(authority);
        return isLoopback(host)
                || config.insecureRegistries().contains(authority)
                || config.insecureRegistries().contains(host);
    }

    /** Decided from the text alone: no DNS lookup, so a refused URL causes no traffic at all. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        return h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static String hostOf(String authority) {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? authority : authority.substring(0, end + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    /** Refuses a URL before any connection when it is neither HTTPS nor plain HTTP the config allows. */
    void checkTransport(URI uri, ImageReference ref) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return;
        }
        if (scheme.equals("http")) {
            if (uri.getRawAuthority() != null && plainHttpAllowed(uri.getRawAuthority())) {
                return;
            }
            throw new RegistryException("refusing plain HTTP to " + uri.getRawAuthority() + " (while pulling " + ref
                    + "): only loopback registries may use HTTP unless you add " + uri.getRawAuthority() + " to the insecure registries");
        }
        throw new RegistryException("registry " + ref.registry() + " pointed to unsupported URL '" + uri + "' for " + ref.repository()
                + ": only http and https are supported");
    }

    /**
     * GETs {@code uri} in {@code ref}'s repository. Only the final response is returned (after auth,
     * redirects and retries); its status may be anything but 401-from-the-registry, and the caller
     * must close its body.
     */
    HttpResponse<InputStream> get(ImageReference ref, URI uri, Map<String, String> headers) {
        String registryAuthority = base(ref).getRawAuthority();
        String scope = "repository:" + ref.repository() + ":pull";
        String authKey = ref.registry() + "|" + scope;
        boolean challenged = false;
        int redirects = 0;
        Retries retries = new Retries();
        URI target = uri;
        while (true) {
            checkTransport(target, ref);
            boolean toRegistry = registryAuthority.equalsIgnoreCase(target.getRawAuthority());
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(config.timeout()).GET();
            headers.forEach(request::header);
            if (toRegistry) {
                CachedAuth cached = auth.get(authKey);
                if (cached != null && cached.valid()) {
                    request.header("Authorization", cached.header());
                }
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (retries.again(null)) {
                    continue;
                }
                throw new RegistryException("cannot reach registry " + ref.registry() + " at " + target.getRawAuthority() + " after "
                        + retries.made() + " attempts (" + describe(e) + "): check that it is running and reachable", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while talking to registry " + ref.registry(), e);
            }
            int status = response.statusCode();
            if (status == 401 && toRegistry) {
                AuthChallenge challenge = AuthChallenge.pick(response.headers().allValues("WWW-Authenticate"));
                discard(response);
                if (challenged || challenge == null) {
                    auth.remove(authKey);
                    throw unauthorized(ref, 401);
                }
                challenged = true;
                auth.put(authKey, authenticate(ref, challenge, scope));
                continue;
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = response.headers().firstValue("Location").orElse(null);
                discard(response);
                if (location == null) {
                    throw new RegistryException("registry " + ref.registry() + " answered " + status + " without a Location for "
                            + ref.repository() + ": the registry is misconfigured");
                }
                if (++redirects > MAX_REDIRECTS) {
                    throw new RegistryException("registry " + ref.registry() + " redirected more than " + MAX_REDIRECTS + " times for "
                            + ref.repository() + ": the registry is misconfigured");
                }
                target = target.resolve(location);
                continue;
            }
            if ((status >= 500 || status == 429) && retries.left()) {
                Duration wait = retryAfter(response).orElse(null);
                discard(response);
                retries.again(wait);
                continue;
            }
            return response;
        }
    }

    RegistryException unauthorized(ImageReference ref, int status) {
        Credentials creds = credentialsFor(ref);
        String hint = creds == null
                ? "it needs credentials and none are configured for " + ref.registry()
                : "check credentials";
        if (status == 403) {
            hint = creds == null ? hint : "the user " + creds.username() + " has no pull access to it";
        }
        return new RegistryException("registry " + ref.registry() + " answered " + status + " for " + ref.repository() + ": " + hint);
    }

    Credentials credentialsFor(ImageReference ref) {
        Credentials c = config.credentials().get(ref.registry());
        return c != null ? c : config.credentials().get(ref.apiHost());
    }

    /** Answers a challenge: Basic with the configured login, Bearer by asking the token server for {@code scope}. */
    private CachedAuth authenticate(ImageReference ref, AuthChallenge challenge, String scope) {
        Credentials creds = credentialsFor(ref);
        if (challenge.isBasic()) {
            if (creds == null) {
                throw unauthorized(ref, 401);
            }
            return new CachedAuth(creds.basicHeader(), null);
        }
        String realm = challenge.param("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryException("registry " + ref.registry() + " sent a Bearer challenge without a realm: the registry is misconfigured");
        }
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new RegistryException("registry " + ref.registry() + " named an invalid token realm '" + realm + "': the registry is misconfigured");
        }
        // Credentials go to the token server, so it gets the same HTTPS rule as the registry.
        checkTransport(realmUri, ref);
        StringBuilder query = new StringBuilder();
        String service = challenge.param("service");
        if (service != null) {
            query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        String wanted = challenge.param("scope") != null ? challenge.param("scope") : scope;
        for (String s : wanted.split(" ")) {
            query.append(query.length() == 0 ? "" : "&").append("scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        String sep = realmUri.getRawQuery() == null ? "?" : "&";
        URI tokenUri = URI.create(realm + sep + query);
        Retries retries = new Retries();
        while (true) {
            HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).timeout(config.timeout()).GET();
            if (creds != null) {
                request.header("Authorization", creds.basicHeader());
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (retries.again(null)) {
                    continue;
                }
                throw new RegistryException("cannot reach the token server " + realmUri.getRawAuthority() + " of registry " + ref.registry()
                        + " (" + describe(e) + "): check that it is running and reachable", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while asking the token server of " + ref.registry(), e);
            }
            int status = response.statusCode();
            if ((status >= 500 || status == 429) && retries.left()) {
                discard(response);
                retries.again(null);
                continue;
            }
            byte[] body = readSmall(response);
            if (status == 401 || status == 403) {
                throw new RegistryException(creds == null
                        ? "registry " + ref.registry() + " answered " + status + " for " + ref.repository()
                                + ": its token server refused anonymous access; add credentials for " + ref.registry()
                        : "registry " + ref.registry() + " answered " + status + " for " + ref.repository()
                                + ": its token server refused the login of " + creds.username() + "; check credentials");
            }
            if (status != 200) {
                throw new RegistryException("the token server " + realmUri.getRawAuthority() + " of registry " + ref.registry()
                        + " answered " + status + " for " + ref.repository() + ": try again later or check the registry");
            }
            JsonNode json;
            try {
                json = ManifestJson.MAPPER.readTree(body);
            } catch (RuntimeException e) {
                json = null;
            }
            String token = json == null ? null : text(json, "token");
            if (token == null && json != null) {
                token = text(json, "access_token");
            }
            if (token == null || token.isEmpty()) {
                throw new RegistryException("the token server " + realmUri.getRawAuthority() + " of registry " + ref.registry()
                        + " sent no token: the registry's auth is misconfigured");
            }
            Duration lifetime = DEFAULT_TOKEN_LIFETIME;
            if (json.hasNonNull("expires_in") && json.get("expires_in").canConvertToLong() && json.get("expires_in").asLong() > 0) {
                lifetime = Duration.ofSeconds(json.get("expires_in").asLong());
            }
            return new CachedAuth("Bearer " + token, Instant.now().plus(lifetime).minus(TOKEN_MARGIN));
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n != null && n.isString() ? n.asString() : null;
    }

    /** A short "CODE: message" from a registry's JSON error body, or empty. Consumes and closes the body. */
    static String errorSummary(HttpResponse<InputStream> response) {
        byte[] body = readSmall(response);
        try {
            JsonNode errors = ManifestJson.MAPPER.readTree(body).get("errors");
            if (errors != null && errors.isArray() && !errors.isEmpty()) {
                JsonNode first = errors.get(0);
                String code = text(first, "code");
                String message = text(first, "message");
                return (code == null ? "" : code) + (message == null ? "" : (code == null ? "" : ": ") + message);
            }
        } catch (RuntimeException e) {
            // Not JSON: the status alone has to do.
        }
        return "";
    }

    static byte[] readSmall(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return in.readNBytes(MAX_SMALL_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    static void discard(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // Only the connection's reuse is lost.
        }
    }

    private static java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                long seconds = Long.parseLong(v.strip());
                return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Math.min(seconds, RETRY_AFTER_MAX.toSeconds()))));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        });
    }

    /**
     * One request's retry budget, shared by the failures it retries (an unreachable peer, 5xx, 429):
     * {@code maxRetries} further attempts, each after a backoff or the wait the server asked for.
     */
    private final class Retries {
        private int retried;

        boolean left() {
            return retried < config.maxRetries();
        }

        /** Sleeps before the next attempt and says true, or says false when the budget is spent. */
        boolean again(Duration wait) {
            if (!left()) {
                return false;
            }
            retried++;
            sleep(wait != null ? wait : backoff(retried));
            return true;
        }

        /** Attempts made so far, the first included. */
        int made() {
            return retried + 1;
        }
    }

    static Duration backoff(int attempt) {
        long base = BACKOFF_BASE.toMillis() << Math.min(attempt - 1, 10);
        long capped = Math.min(base, BACKOFF_MAX.toMillis());
        // Jitter keeps parallel blob fetches from retrying in lockstep.
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to retry");
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.replace('\n', ' '));
    }
}
