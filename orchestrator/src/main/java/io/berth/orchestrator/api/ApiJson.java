package io.berth.orchestrator.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Bodies in and out of the API: the one mapper (Jackson 3, as fabric8's model and Boot 4), the
 * request size limit, and the parse errors with line and column.
 */
@Component
public class ApiJson {

    /** The apiserver's own limit for a request body (3 MiB): larger is 413. */
    public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

    private final JsonMapper json = JsonMapper.builder().build();
    private final YAMLMapper yaml = YAMLMapper.builder().build();

    public JsonMapper mapper() {
        return json;
    }

    public byte[] write(Object value) {
        return json.writeValueAsBytes(value);
    }

    public ResponseEntity<byte[]> ok(Object value) {
        return respond(HttpStatus.OK, value);
    }

    public ResponseEntity<byte[]> respond(HttpStatus code, Object value) {
        return ResponseEntity.status(code).contentType(MediaType.APPLICATION_JSON).body(write(value));
    }

    public ResponseEntity<byte[]> respond(HttpStatus code, String contentType, Object value) {
        return ResponseEntity.status(code).header(HttpHeaders.CONTENT_TYPE, contentType).body(write(value));
    }

    /** Reads at most {@link #MAX_BODY_BYTES}; one byte more is a 413, before anything is parsed. */
    public byte[] readBody(InputStream in) {
        try {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw ApiException.tooLarge(MAX_BODY_BYTES);
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    /** JSON, or YAML when the content type says so; a syntax error is a 400 naming line and column. */
    public JsonNode parse(byte[] body, String contentType) {
        boolean isYaml = contentType != null && contentType.toLowerCase(Locale.ROOT).contains("yaml");
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty");
        }
        try {
            JsonNode node = isYaml ? yaml.readTree(body) : json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("the request body is empty");
            }
            return node;
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw ApiException.badRequest("malformed " + (isYaml ? "YAML" : "JSON") + where + ": " + firstLine(e.getOriginalMessage()));
        }
    }

    public <T> T convert(JsonNode node, Class<T> type) {
        try {
            return json.treeToValue(node, type);
        } catch (JacksonException e) {
            throw ApiException.badRequest("cannot decode the " + type.getSimpleName() + ": " + firstLine(e.getOriginalMessage()));
        }
    }

    public JsonNode tree(Object value) {
        return json.valueToTree(value);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
