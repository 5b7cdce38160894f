package io.berth.shell;

import java.lang.reflect.Method;

import org.jline.reader.LineReader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.convert.support.ConfigurableConversionService;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.support.CommandFactoryBean;

import io.berth.shell.cli.BerthCommandParser;
import io.berth.shell.cli.ConsoleCompleter;
import io.berth.shell.cli.ConsoleRunner;
import io.berth.shell.cli.Dispatcher;
import io.berth.shell.cli.NoValidation;
import io.berth.shell.client.Daemon;
import io.berth.shell.command.Commands;
import io.berth.shell.command.ImageNames;
import io.berth.shell.command.PodNames;

/**
 * The console's beans. The commands are listed in {@link Commands#ALL} and registered from there:
 * Spring Shell's own registry scans the class path for them on every start.
 */
@Configuration(proxyBeanMethods = false)
@Import(Commands.class)
public class ConsoleConfiguration {
    @Bean
    public CommandRegistry commandRegistry(ApplicationContext context) {
        CommandRegistry registry = new CommandRegistry();
        for (Class<?> type : Commands.ALL) {
            for (Method method : type.getDeclaredMethods()) {
                if (AnnotatedElementUtils.hasAnnotation(method, Command.class)) {
                    CommandFactoryBean factory = new CommandFactoryBean(method);
                    factory.setApplicationContext(context);
                    registry.registerCommand(factory.getObject());
                }
            }
        }
        return registry;
    }

    /**
     * One conversion service for all commands' options: without this bean Spring Shell builds a
     * DefaultConversionService (some hundred converters) for every command at start-up.
     */
    @Bean
    public ConfigurableConversionService conversionService() {
        return new DefaultConversionService();
    }

    /** Replaces Spring Shell's completer (same bean type): arguments and option values too. */
    @Bean
    public ConsoleCompleter commandCompleter(CommandRegistry registry, ImageNames imageNames) {
        return new ConsoleCompleter(registry, imageNames);
    }

    @Bean(PodNames.BEAN)
    public PodNames podNames(Daemon daemon) {
        return new PodNames(daemon);
    }

    @Bean(ImageNames.BEAN)
    public ImageNames imageNames(Daemon daemon) {
        return new ImageNames(daemon);
    }

    @Bean
    public NoValidation validator() {
        return new NoValidation();
    }

    @Bean
    public BerthCommandParser commandParser(CommandRegistry registry) {
        return new BerthCommandParser(registry);
    }

    @Bean
    public Dispatcher dispatcher(CommandRegistry registry, BerthCommandParser parser, Console console) {
        return new Dispatcher(registry, parser, console);
    }

    @Bean
    public ConsoleRunner consoleRunner(Dispatcher dispatcher, Console console, ObjectProvider<LineReader> lineReader) {
        return new ConsoleRunner(dispatcher, console, lineReader);
    }

}
