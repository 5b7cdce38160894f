package io.berth.runtime.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecBuilder;
import io.berth.runtime.oci.SpecJson;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Writes Berth's default config.json into a bundle, like {@code runc spec}. */
final class SpecCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Invocation.command(this, "spec", "Create a new config.json (Docker's default capabilities, runc's layout).");
        spec.addOption(Invocation.bundleOption());
        spec.addOption(Invocation.string("<rootfs>", "root.path to write (default: ${DEFAULT-VALUE})", "--rootfs").defaultValue("rootfs").build());
        spec.addOption(Invocation.string("<hostname>", "hostname to write (default: berth)", "--hostname").build());
        spec.addPositional(PositionalParamSpec.builder().index("0..*").arity("0..*").type(List.class).auxiliaryTypes(String.class)
                .paramLabel("<args>").description("process args (default: sh)").build());
        return spec;
    }

    @Override
    public int run(Invocation call) throws IOException {
        List<String> args = call.positionalList(0);
        String hostname = call.option("--hostname");
        Path bundle = call.option("--bundle");
        SpecBuilder b = DefaultSpec.builder().rootPath(call.<String>option("--rootfs"));
        if (!args.isEmpty()) {
            b.args(args);
        }
        if (hostname != null) {
            b.hostname(hostname);
        }
        Spec spec = b.build();
        Path config = bundle.resolve("config.json");
        try {
            Files.writeString(config, SpecJson.write(spec) + "\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(config + " exists: remove it first");
        }
        return 0;
    }
}
