package io.berth.orchestrator.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every error leaves the API as a metav1.Status body, never Spring's own error page. */
@RestControllerAdvice
public class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private final ApiJson json;

    public ApiErrors(ApiJson json) {
        this.json = json;
    }

    @ExceptionHandler(ApiException.class)
    public ResponseEntity<byte[]> api(ApiException e) {
        return json.respond(HttpStatus.valueOf(e.code()), e.status());
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    public ResponseEntity<byte[]> notFound(Exception e) {
        String path = e instanceof NoHandlerFoundException n ? n.getRequestURL() : ((NoResourceFoundException) e).getResourcePath();
        return api(ApiException.notFoundPath(path));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    public ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e) {
        return api(ApiException.methodNotAllowed(e.getMethod()));
    }

    @ExceptionHandler({MethodArgumentTypeMismatchException.class, MissingServletRequestParameterException.class})
    public ResponseEntity<byte[]> parameter(Exception e) {
        return api(ApiException.badRequest(e.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<byte[]> unexpected(Exception e) {
        log.error("API call failed", e);
        return api(ApiException.internal(String.valueOf(e.getMessage())));
    }
}
