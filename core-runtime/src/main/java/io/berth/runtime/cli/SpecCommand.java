package io.berth.runtime.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
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
        Spec d = DefaultSpec.create();
        Spec.Process p = d.process();
        if (!args.isEmpty()) {
            p = new Spec.Process(p.terminal(), p.consoleSize(), p.user(), args, p.commandLine(), p.env(), p.cwd(),
                    p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                    p.selinuxLabel(), p.ioPriority(), p.scheduler(), p.execCpuAffinity());
        }
        Spec spec = new Spec(d.ociVersion(), p, new Spec.Root(call.<String>option("--rootfs"), d.root().readonly()),
                hostname == null ? d.hostname() : hostname, d.domainname(), d.mounts(), d.hooks(), d.annotations(), d.linux());
        Path config = bundle.resolve("config.json");
        try {
            Files.writeString(config, SpecJson.write(spec) + "\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new CliException(config + " exists: remove it first");
        }
        return 0;
    }
}
