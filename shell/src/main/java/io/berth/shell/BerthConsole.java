package io.berth.shell;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.shell.core.autoconfigure.SpringShellAutoConfiguration;

import io.berth.shell.client.Daemon;

/**
 * The console's entry point: {@code berth} opens the interactive console, {@code berth CMD ...}
 * runs one command and exits with its status.
 *
 * <p>Start-up is most of a one-shot command's time, so the context is kept small: only Spring
 * Shell's auto-configuration (not Boot's whole list, each condition of which costs at start),
 * the commands named in {@link ConsoleConfiguration} (no classpath scanning), every bean lazy,
 * no web server, no logging system, no banner. bin/berth adds the extracted jar's class path and
 * the JDK 25 AOT cache (docs/console.md).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration(SpringShellAutoConfiguration.class)
@Import(ConsoleConfiguration.class)
public class BerthConsole {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the console and returns its exit status (the tests and the AOT training call this). */
    public static int run(String[] args) {
        List<String> rest = new ArrayList<>();
        String kubeconfig = null;
        boolean debug = false;
        // Global options come before the command, as kubectl's; after it they belong to the command.
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--kubeconfig") && i + 1 < args.length) {
                kubeconfig = args[++i];
            } else if (a.startsWith("--kubeconfig=")) {
                kubeconfig = a.substring("--kubeconfig=".length());
            } else if (a.equals("--debug")) {
                debug = true;
            } else if (a.equals("--kubeconfig")) {
                System.err.println("error: --kubeconfig needs a file: berth --kubeconfig PATH COMMAND");
                return ConsoleException.USAGE;
            } else {
                break;
            }
        }
        for (; i < args.length; i++) {
            rest.add(args[i]);
        }
        ConsoleSettings settings;
        try {
            settings = ConsoleSettings.resolve(kubeconfig, System.getenv());
        } catch (ConsoleException e) {
            System.err.println("error: " + e.getMessage());
            return e.exitCode();
        }
        // Spring Boot's logging system would initialise a backend on every start; the console
        // reports its own errors and has no log.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        // Libraries that log through java.util.logging (JLine's "dumb terminal" warning, Hibernate
        // Validator's banner) would print into the console's output.
        java.util.logging.LogManager.getLogManager().reset();
        SpringApplication app = new SpringApplication(BerthConsole.class);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setLazyInitialization(true);
        app.setRegisterShutdownHook(false);
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.shell.interactive.enabled", String.valueOf(rest.isEmpty()));
        // Berth's own help and version replace Spring Shell's; `script` would run files of commands
        // past the console's error handling.
        properties.put("spring.shell.command.help.enabled", "false");
        properties.put("spring.shell.command.version.enabled", "false");
        properties.put("spring.shell.command.script.enabled", "false");
        properties.put("spring.shell.history.name", settings.home().resolve("console_history").toString());
        properties.put("spring.main.allow-bean-definition-overriding", "true");
        app.setDefaultProperties(properties);
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("consoleSettings", settings));
        Console console = new Console();
        console.setDebug(debug);
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("console", console));
        Daemon daemon = new Daemon(settings, console::err);
        // One-shot commands only: in the console the first prompt matters more than the first
        // command, and the client's build competed with the prompt's start for the CPU.
        if (!rest.isEmpty() && !rest.contains("help") && !rest.contains("--help") && !rest.contains("-h")) {
            daemon.prepareInBackground();
        }
        app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("daemon", daemon));
        ConfigurableApplicationContext context;
        try {
            context = app.run(rest.toArray(String[]::new));
        } catch (RuntimeException e) {
            PrintStream err = System.err;
            if (debug) {
                e.printStackTrace(err);
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            ConsoleException known = io.berth.shell.client.Failures.find(e, ConsoleException.class);
            err.println("error: " + (known != null ? known.getMessage()
                    : "the console could not start: " + root.getClass().getSimpleName() + ": " + root.getMessage()
                            + " (run again with --debug for the details)"));
            return known != null ? known.exitCode() : ConsoleException.FAILURE;
        }
        int code = context.getBean(io.berth.shell.cli.ConsoleRunner.class).exitCode();
        if (rest.isEmpty()) {
            // Only the console has something to close (the terminal's modes); a one-shot command
            // exits without the context's orderly shutdown, which would only cost time.
            context.close();
        }
        return code;
    }
}
