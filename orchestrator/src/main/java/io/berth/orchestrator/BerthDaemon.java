package io.berth.orchestrator;

import io.berth.orchestrator.daemon.DaemonLock;
import io.berth.orchestrator.daemon.DaemonOptions;
import io.berth.orchestrator.daemon.HostNode;
import io.berth.orchestrator.daemon.StateRoot;
import io.berth.orchestrator.security.BearerToken;
import io.berth.orchestrator.security.CertificateAuthority;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jackson.JacksonEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.jvm.JvmMetricsAutoConfiguration;
import org.springframework.boot.servlet.autoconfigure.actuate.web.ServletManagementContextAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.actuate.endpoint.web.WebMvcHealthEndpointExtensionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * {@code berth daemon}: locks the state root, makes what a first start needs (database, CA and
 * serving certificate, token; the kubeconfig once the API listens), then runs the API and the
 * node side until stopped. Everything before Spring starts is plain Java, so a second daemon or a
 * bad flag is refused in milliseconds with one line.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ComponentScan
// The auto-configuration the daemon uses, named: Boot's 107 candidates cost start-up time to
// consider, and most (JMX, task executors, other registries, error pages...) would be dead weight.
@ImportAutoConfiguration({
        PropertyPlaceholderAutoConfiguration.class, ConfigurationPropertiesAutoConfiguration.class,
        ApplicationAvailabilityAutoConfiguration.class, SslAutoConfiguration.class,
        // HTTPS and Spring MVC
        TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class,
        HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class,
        // H2, its schema, transactions
        DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
        JdbcTemplateAutoConfiguration.class, JdbcClientAutoConfiguration.class, FlywayAutoConfiguration.class,
        // /actuator/health (liveness, readiness) and /actuator/prometheus
        EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class, JacksonEndpointAutoConfiguration.class,
        ManagementContextAutoConfiguration.class, ServletManagementContextAutoConfiguration.class,
        HealthEndpointAutoConfiguration.class, HealthContributorAutoConfiguration.class,
        HealthContributorRegistryAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class,
        AvailabilityHealthContributorAutoConfiguration.class, DataSourceHealthContributorAutoConfiguration.class,
        WebMvcHealthEndpointExtensionAutoConfiguration.class,
        MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
        PrometheusMetricsExportAutoConfiguration.class, JvmMetricsAutoConfiguration.class})
public class BerthDaemon {

    /** The node this daemon runs on, as the API names it (made when first needed). */
    @Bean
    static HostNode hostNode() {
        return HostNode.detect();
    }

    /** A running daemon: its Spring context, and what it holds until closed. */
    public record Running(ConfigurableApplicationContext context, StateRoot root) implements AutoCloseable {
        @Override
        public void close() {
            context.close();
        }
    }

    public static void main(String[] args) {
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(args, System.getenv("BERTH_HOME"));
        } catch (IllegalArgumentException e) {
            System.err.println("berth daemon: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            Running daemon = start(options);
            Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "berth-daemon-stop"));
        } catch (DaemonLock.AlreadyRunningException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("berth daemon: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Starts a daemon. {@code extra} are Spring sources added to the daemon's own (tests add the
     * node side they drive); the production node side is found by component scan.
     */
    public static Running start(DaemonOptions options, Class<?>... extra) {
        return start(options, ctx -> { }, extra);
    }

    public static Running start(DaemonOptions options, ApplicationContextInitializer<GenericApplicationContext> init,
                                Class<?>... extra) {
        StateRoot root = options.root();
        root.create();
        DaemonLock lock = DaemonLock.acquire(root);
        try {
            CertificateAuthority ca = CertificateAuthority.ensure(root, options.address());
            BearerToken token = BearerToken.ensure(root);
            Object[] sources = new Object[extra.length + 1];
            sources[0] = BerthDaemon.class;
            System.arraycopy(extra, 0, sources, 1, extra.length);
            SpringApplication app = new SpringApplication(Arrays.stream(sources).map(s -> (Class<?>) s).toArray(Class<?>[]::new));
            // Not the caller found on the stack (DaemonTraining, a test): in AOT mode the context's
            // initializer is looked up by this class's name.
            app.setMainApplicationClass(BerthDaemon.class);
            app.setDefaultProperties(properties(options));
            app.addInitializers(ctx -> {
                var beans = ((GenericApplicationContext) ctx);
                // Objects made before Spring starts, as singletons rather than bean definitions with
                // a supplier: Spring AOT (the build's process-aot) cannot generate code for those.
                var factory = beans.getDefaultListableBeanFactory();
                factory.registerSingleton("stateRoot", root);
                factory.registerSingleton("daemonOptions", options);
                factory.registerSingleton("certificateAuthority", ca);
                factory.registerSingleton("bearerToken", token);
                // Released last: disposable beans are destroyed in reverse order of registration.
                factory.registerDisposableBean("berthDaemonLock", lock::close);
                init.initialize(beans);
            });
            ConfigurableApplicationContext context = app.run();
            return new Running(context, root);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The settings that follow from the options: where the API listens, with which keys, which database. */
    private static Map<String, Object> properties(DaemonOptions o) {
        StateRoot root = o.root();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.address", o.address());
        p.put("server.port", o.port());
        p.put("server.ssl.bundle", "berth");
        p.put("server.ssl.client-auth", "want");
        p.put("spring.ssl.bundle.pem.berth.keystore.certificate", "file:" + root.servingCertificate());
        p.put("spring.ssl.bundle.pem.berth.keystore.private-key", "file:" + root.servingKey());
        p.put("spring.ssl.bundle.pem.berth.truststore.certificate", "file:" + root.caCertificate());
        // DB_CLOSE_ON_EXIT=FALSE: the pool closes H2 when Spring stops, after the last write.
        p.put("spring.datasource.url", "jdbc:h2:file:" + root.database() + ";DB_CLOSE_ON_EXIT=FALSE");
        p.put("spring.datasource.username", "berth");
        p.put("spring.datasource.password", "");
        return p;
    }
}
