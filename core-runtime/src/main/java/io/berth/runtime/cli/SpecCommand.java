package io.berth.runtime.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;

import io.berth.runtime.oci.DefaultSpec;
import io.berth.runtime.oci.Spec;
import io.berth.runtime.oci.SpecJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes Berth's default config.json into a bundle, like {@code runc spec}. */
@Command(name = "spec", description = "Create a new config.json (Docker's default capabilities, runc's layout).")
final class SpecCommand implements Callable<Integer> {
    @Option(names = {"-b", "--bundle"}, description = "bundle directory (default: current directory)", defaultValue = ".")
    Path bundle;

    @Option(names = "--rootfs", description = "root.path to write (default: ${DEFAULT-VALUE})", defaultValue = "rootfs")
    String rootfs;

    @Option(names = "--hostname", description = "hostname to write (default: berth)")
    String hostname;

    @Parameters(description = "process args (default: sh)")
    List<String> args;

    @Override
    public Integer call() throws IOException {
        Spec d = DefaultSpec.create();
        Spec.Process p = d.process();
        if (args != null && !args.isEmpty()) {
            p = new Spec.Process(p.terminal(), p.consoleSize(), p.user(), args, p.commandLine(), p.env(), p.cwd(),
                    p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                    p.selinuxLabel(), p.ioPriority(), p.scheduler(), p.execCpuAffinity());
        }
        Spec spec = new Spec(d.ociVersion(), p, new Spec.Root(rootfs, d.root().readonly()),
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
