package io.berth.orchestrator.api;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /version}. The kubectl on this machine is a dispatcher that runs the kubectl of the
 * minor version reported here, so it is 1.32: the API Berth serves is 1.32's.
 */
@RestController
public class VersionApi {

    public static final String MAJOR = "1";
    public static final String MINOR = "32";
    public static final String GIT_VERSION = "v1.32.0-berth";

    private final ApiJson json;

    public VersionApi(ApiJson json) {
        this.json = json;
    }

    @GetMapping("/version")
    public ResponseEntity<byte[]> version() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("major", MAJOR);
        v.put("minor", MINOR);
        v.put("gitVersion", GIT_VERSION);
        v.put("gitCommit", "");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "");
        v.put("goVersion", "java" + Runtime.version().feature());
        v.put("compiler", "javac");
        v.put("platform", "linux/" + (System.getProperty("os.arch").equals("amd64") ? "amd64" : System.getProperty("os.arch")));
        return json.ok(v);
    }
}
