package io.berth.shell;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the console's AOT cache (bin/berth-console --build-aot-cache, at
 * {@code mvn package}): one JVM goes through the console's start and its commands, so that the
 * cache holds the classes they load and link. No daemon is needed: first the kubeconfig names a
 * port where nothing listens, so each command builds its client, reads its files and fails as it
 * would with no daemon; then the read-only commands run against {@link TrainingServer}, a
 * stand-in that speaks TLS and answers with documents shaped like the daemon's.
 */
public final class ConsoleTraining {
    private ConsoleTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("berth-console-training");
        TrainingServer server = null;
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            // -Dberth.training.live=false: the closed port only, as before the stand-in (to measure what it brings).
            server = Boolean.parseBoolean(System.getProperty("berth.training.live", "true")) ? TrainingServer.start(dir) : null;
            if (server != null) {
                Files.writeString(dir.resolve("live.kubeconfig"), kubeconfig(server.port(), "certificate-authority-data: " + server.caData()));
            }
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, kubeconfig(port, "insecure-skip-tls-verify: true"));
            Path pods = dir.resolve("pods.yaml");
            Files.writeString(pods, """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: web, labels: {app: web}}
                    spec:
                      restartPolicy: Always
                      containers:
                      - name: web
                        image: busybox
                        command: [sleep, "3600"]
                        resources: {limits: {memory: 64Mi, cpu: 500m}}
                    ---
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "job"}, "spec": {"containers": [{"name": "job", "image": "busybox"}]}}
                    """);
            String k = kubeconfig.toString();
            List<List<String>> calls = List.of(
                    List.of("help"),
                    List.of("help", "get pods"),
                    List.of("--kubeconfig", k, "version"),
                    List.of("--kubeconfig", k, "get", "pods"),
                    List.of("--kubeconfig", k, "get", "pods", "-o", "wide", "-l", "app=web"),
                    List.of("--kubeconfig", k, "get", "po", "web", "-o", "yaml"),
                    List.of("--kubeconfig", k, "get", "events"),
                    List.of("--kubeconfig", k, "get", "nodes"),
                    List.of("--kubeconfig", k, "describe", "pod", "web"),
                    List.of("--kubeconfig", k, "run", "web", "--image", "busybox", "--memory", "64Mi", "--env", "A=b", "--", "sleep", "10"),
                    List.of("--kubeconfig", k, "run", "Bad_Name", "--image", "busybox"),
                    List.of("--kubeconfig", k, "apply", "-f", pods.toString()),
                    List.of("--kubeconfig", k, "create", "-f", pods.toString()),
                    List.of("--kubeconfig", k, "delete", "-f", pods.toString()),
                    List.of("--kubeconfig", k, "delete", "pod", "web", "--now"),
                    List.of("--kubeconfig", k, "logs", "web", "--tail", "10"),
                    List.of("get", "pods", "--no-such-option"));
            for (List<String> call : calls) {
                BerthConsole.run(call.toArray(String[]::new));
            }
            if (server != null) {
                String live = dir.resolve("live.kubeconfig").toString();
                for (List<String> call : List.of(List.of("get", "pods"), List.of("get", "pods", "-o", "wide"), List.of("get", "pods", "web"),
                        List.of("get", "events"), List.of("get", "nodes"), List.of("describe", "pod", "web"), List.of("version"),
                        List.of("logs", "web"), List.of("top", "pods"), List.of("metrics"), List.of("image", "ls"))) {
                    List<String> argv = new java.util.ArrayList<>(List.of("--kubeconfig", live));
                    argv.addAll(call);
                    BerthConsole.run(argv.toArray(String[]::new));
                }
            }
            TrainingDocuments.parseAndPrint();
            // The interactive console's start: with no terminal and no input it reads EOF and ends.
            BerthConsole.run(new String[0]);
        } finally {
            if (server != null) {
                server.close();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A kubeconfig like the daemon's for a server on loopback; {@code trust} is the cluster's TLS line. */
    private static String kubeconfig(int port, String trust) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: berth
                  cluster:
                    server: https://127.0.0.1:%d
                    %s
                users:
                - name: admin
                  user:
                    token: training
                contexts:
                - name: berth
                  context: {cluster: berth, user: admin, namespace: default}
                current-context: berth
                """.formatted(port, trust);
    }
}
