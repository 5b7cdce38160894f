package io.berth.shell.command;

import java.util.List;

import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.type.AnnotationMetadata;

/**
 * The one list of the console's command classes: imported as beans and registered with Spring
 * Shell from here, so no class-path scan runs at start-up. A new command class goes here.
 */
public final class Commands implements ImportSelector {
    public static final List<Class<?>> ALL = List.of(
            VersionCommand.class, HelpCommand.class,
            GetCommand.class, DescribeCommand.class,
            RunCommand.class, DeleteCommand.class, ApplyCommand.class, CreateCommand.class,
            LogsCommand.class, ExecCommand.class, AttachCommand.class, TopCommand.class, MetricsCommand.class, PortForwardCommand.class,
            ImageImportCommand.class, ImagePullCommand.class, ImageListCommand.class, ImageRemoveCommand.class, ImageInspectCommand.class);

    @Override
    public String[] selectImports(AnnotationMetadata metadata) {
        return ALL.stream().map(Class::getName).toArray(String[]::new);
    }
}
