package io.berth.shell.command;

import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.berth.shell.ConsoleException;
import io.berth.shell.client.Daemon;
import io.berth.shell.client.Failures;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The daemon's berth.io/v1 images, for the {@code image} commands: fabric8 has no typed client for
 * a group of Berth's own, so these are plain requests over fabric8's HTTP client (its TLS and
 * token). Every failure becomes one console line with the daemon's own message.
 */
final class ImageApi {
    static final String PATH = "/apis/berth.io/v1/images";
    /** The API's object names: a reference is not a valid one. */
    private static final Pattern OBJECT_NAME = Pattern.compile("sha256-[0-9a-f]{12}");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Imports and pulls of large images take minutes; fabric8's default request timeout is 10 s. */
    private static final long LONG_CALL_MINUTES = 60;

    private final Daemon daemon;

    ImageApi(Daemon daemon) {
        this.daemon = daemon;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    List<JsonNode> list(String reference) {
        JsonNode list = send("GET", PATH + (reference == null ? "" : "?reference=" + encode(reference)), null, null, -1, "list the images");
        List<JsonNode> out = new ArrayList<>();
        list.path("items").forEach(out::add);
        return out;
    }

    /** The image {@code name} denotes: its object name (sha256-...) or any of its references, in any form. */
    JsonNode find(String name) {
        List<JsonNode> found = OBJECT_NAME.matcher(name).matches()
                ? list(null).stream().filter(i -> name.equals(objectName(i))).toList() : list(name);
        if (found.isEmpty()) {
            throw new ConsoleException("image \"" + name + "\" not found: `berth image ls` lists the images there are");
        }
        return found.get(0);
    }

    JsonNode upload(InputStream body, long length, String name) {
        return send("POST", PATH + (name == null ? "" : "?name=" + encode(name)), "application/octet-stream", body, length, "import the image");
    }

    /**
     * Pulls {@code reference}, hearing the daemon's progress as it goes: {@code progress} gets each
     * of its {@code {"type":"Progress","digest":..,"done":..,"total":..}} lines; the answer is the
     * image pulled. A daemon without the progress stream answers the plain request's way, which
     * is taken as well.
     */
    JsonNode pull(String reference, java.util.function.Consumer<JsonNode> progress) {
        String object = JSON.createObjectNode().put("apiVersion", "berth.io/v1").put("kind", "Image")
                .set("spec", JSON.createObjectNode().put("pull", reference)).toString();
        byte[] bytes = object.getBytes(StandardCharsets.UTF_8);
        String what = "pull " + reference;
        HttpResponse<InputStream> response = request("POST", PATH + "?progress=true", "application/json",
                new java.io.ByteArrayInputStream(bytes), bytes.length, what, InputStream.class);
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.code() != 200) {
                return answer(response.code(), lines.lines().collect(java.util.stream.Collectors.joining("\n")), what);
            }
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                switch (event.path("type").asString("")) {
                    case "Progress" -> progress.accept(event);
                    case "Pulled" -> {
                        return event.path("object");
                    }
                    case "Failed" -> {
                        return answer(event.path("object").path("code").asInt(500), event.path("object").toString(), what);
                    }
                    default -> {
                        // a kind of line this console does not know yet
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof ConsoleException ce) {
                throw ce;
            }
            throw new ConsoleException("the daemon's answer to " + what + " broke off (" + Failures.oneLine(e.getMessage())
                    + "): `berth image ls` shows whether the image arrived");
        }
        throw new ConsoleException("the daemon's answer to " + what + " ended without its result: `berth image ls` shows whether the image arrived");
    }

    void delete(String objectName, String reference) {
        send("DELETE", PATH + "/" + encode(objectName) + (reference == null ? "" : "?reference=" + encode(reference)), null, null, -1,
                "remove the image");
    }

    static String objectName(JsonNode image) {
        return image.path("metadata").path("name").asString();
    }

    static List<String> references(JsonNode image) {
        List<String> out = new ArrayList<>();
        image.path("status").path("references").forEach(r -> out.add(r.asString()));
        return out;
    }

    private JsonNode send(String method, String path, String contentType, InputStream body, long length, String what) {
        HttpResponse<String> response = request(method, path, contentType, body, length, what, String.class);
        return answer(response.code(), response.body(), what);
    }

    private <T> HttpResponse<T> request(String method, String path, String contentType, InputStream body, long length, String what,
            Class<T> type) {
        return daemon.call(c -> {
            HttpClient http = c.getHttpClient();
            HttpRequest.Builder b = http.newHttpRequestBuilder().uri(c.getMasterUrl().toString().replaceAll("/$", "") + path)
                    .timeout(LONG_CALL_MINUTES, TimeUnit.MINUTES);
            if (body != null) {
                b.method(method, contentType, body, length);
            } else if (!"GET".equals(method)) {
                b.method(method, "application/json", "");
            }
            try {
                return http.sendAsync(b.build(), type).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConsoleException("interrupted: the daemon may still " + what);
            } catch (ExecutionException e) {
                throw KubernetesClientException.launderThrowable(e.getCause());
            }
        });
    }

    /** The answer as JSON, or the one-line failure its status and message say. */
    private static JsonNode answer(int code, String body, String what) {
        JsonNode answer;
        try {
            answer = body == null || body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (RuntimeException e) {
            throw new ConsoleException("the daemon answered " + code + " to " + what + " with something that is not JSON");
        }
        if (code >= 300) {
            String message = answer.path("message").asString("");
            if (message.isEmpty()) {
                message = "the daemon answered " + code;
            }
            if (code == 404 && answer.path("details").isMissingNode()) {
                message += ": the daemon does not serve images (an older daemon?)";
            }
            throw new ConsoleException("cannot " + what + ": " + Failures.oneLine(message));
        }
        return answer;
    }
}
