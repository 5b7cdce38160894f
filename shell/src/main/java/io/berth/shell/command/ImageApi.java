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

    JsonNode pull(String reference) {
        String object = JSON.createObjectNode().put("apiVersion", "berth.io/v1").put("kind", "Image")
                .set("spec", JSON.createObjectNode().put("pull", reference)).toString();
        byte[] bytes = object.getBytes(StandardCharsets.UTF_8);
        return send("POST", PATH, "application/json", new java.io.ByteArrayInputStream(bytes), bytes.length, "pull " + reference);
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
        HttpResponse<String> response = daemon.call(c -> {
            HttpClient http = c.getHttpClient();
            HttpRequest.Builder b = http.newHttpRequestBuilder().uri(c.getMasterUrl().toString().replaceAll("/$", "") + path)
                    .timeout(LONG_CALL_MINUTES, TimeUnit.MINUTES);
            if (body != null) {
                b.method(method, contentType, body, length);
            } else if (!"GET".equals(method)) {
                b.method(method, "application/json", "");
            }
            try {
                return http.sendAsync(b.build(), String.class).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConsoleException("interrupted: the daemon may still " + what);
            } catch (ExecutionException e) {
                throw KubernetesClientException.launderThrowable(e.getCause());
            }
        });
        JsonNode answer;
        try {
            answer = response.body() == null || response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new ConsoleException("the daemon answered " + response.code() + " to " + what + " with something that is not JSON");
        }
        if (response.code() >= 300) {
            String message = answer.path("message").asString("");
            if (message.isEmpty()) {
                message = "the daemon answered " + response.code();
            }
            if (response.code() == 404 && answer.path("details").isMissingNode()) {
                message += ": the daemon does not serve images (an older daemon?)";
            }
            throw new ConsoleException("cannot " + what + ": " + Failures.oneLine(message));
        }
        return answer;
    }
}
