package io.berth.orchestrator.api;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import java.util.List;

/**
 * A failed API call, carried to {@link ApiErrors} which answers it as a metav1.Status: the one
 * place that knows each error's HTTP code and reason, as the apiserver spells them.
 */
public final class ApiException extends RuntimeException {

    private final transient Status status;

    private ApiException(Status status) {
        super(status.getMessage());
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public int code() {
        return status.getCode();
    }

    private static ApiException of(int code, String reason, String message, String kind, String name, List<StatusCause> causes) {
        StatusBuilder b = new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                .withStatus("Failure").withMessage(message).withReason(reason).withCode(code);
        if (kind != null || name != null || (causes != null && !causes.isEmpty())) {
            b.withNewDetails().withKind(kind).withName(name).withCauses(causes).endDetails();
        }
        return new ApiException(b.build());
    }

    public static ApiException badRequest(String message) {
        return of(400, "BadRequest", message, null, null, null);
    }

    public static ApiException unauthorized() {
        return of(401, "Unauthorized", "Unauthorized", null, null, null);
    }

    public static ApiException notFound(String resource, String name) {
        return of(404, "NotFound", resource + " \"" + name + "\" not found", resource, name, null);
    }

    public static ApiException notFoundPath(String path) {
        return of(404, "NotFound", "the server could not find the requested resource (" + path + ")", null, null, null);
    }

    public static ApiException methodNotAllowed(String method) {
        return of(405, "MethodNotAllowed", "the server does not allow this method on the requested resource (" + method + ")", null, null, null);
    }

    public static ApiException alreadyExists(String resource, String name) {
        return of(409, "AlreadyExists", resource + " \"" + name + "\" already exists", resource, name, null);
    }

    public static ApiException conflict(String resource, String name, String why) {
        return of(409, "Conflict", "Operation cannot be fulfilled on " + resource + " \"" + name + "\": " + why,
                resource, name, null);
    }

    public static ApiException gone(String message) {
        return of(410, "Expired", message, null, null, null);
    }

    /** 422 with a message only: a JSON patch that does not apply to the object (as the apiserver answers it). */
    public static ApiException unprocessable(String message) {
        return of(422, "Invalid", message, null, null, null);
    }

    public static ApiException tooLarge(long limit) {
        return of(413, "RequestEntityTooLarge", "the request body is larger than " + limit + " bytes", null, null, null);
    }

    public static ApiException unsupportedMediaType(String type, List<String> supported) {
        return of(415, "UnsupportedMediaType", "the body of the request was in an unknown format (" + type
                + "): accepted media types include: " + String.join(", ", supported), null, null, null);
    }

    /** 422 with one cause per field, the message in the apiserver's form: {@code Pod "x" is invalid: [a, b]}. */
    public static ApiException invalid(String kind, String name, List<StatusCause> causes) {
        List<String> parts = causes.stream().map(c -> c.getField() + ": " + c.getMessage()).toList();
        String joined = parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
        return of(422, "Invalid", kind + " \"" + (name == null ? "" : name) + "\" is invalid: " + joined, kind, name, causes);
    }

    public static ApiException internal(String message) {
        return of(500, "InternalError", "Internal error occurred: " + message, null, null, null);
    }
}
