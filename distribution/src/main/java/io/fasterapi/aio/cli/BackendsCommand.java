package io.fasterapi.aio.cli;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code aio backends}: every provider found, its rank and availability, and the one create() picks. */
@Command(name = "backends",
        header = "List the backends, whether each can run here, and which one is picked.",
        mixinStandardHelpOptions = true,
        version = "aio 0.1.0",
        description = "Lists every backend found on the module and class path: its rank, whether it can run"
                + " here and, if not, why; then the backend AsyncIo.create() picks (the best-ranked available one).")
final class BackendsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Main.guard(spec, this::list);
    }

    private int list() {
        PrintWriter out = spec.commandLine().getOut();
        List<BackendInfo> backends = AsyncIo.backends();
        if (backends.isEmpty()) {
            out.println("No backend found on the module or class path (add backend-epoll, backend-iouring...).");
            out.println("AsyncIo.create() would fail.");
            out.flush();
            return Main.OK;
        }
        Table t = new Table("BACKEND", ">RANK", "AVAILABLE", "REASON");
        for (BackendInfo b : backends) {
            t.row(b.name(), b.rank(), b.available() ? "yes" : "no", b.available() ? "" : b.reason());
        }
        t.print(out, "");
        out.println();
        out.println("Zero-copy sends (AsyncIoConfig.zeroCopy):");
        Table z = new Table("BACKEND", "HOW");
        for (BackendInfo b : backends) z.row(b.name(), b.zeroCopy());
        z.print(out, "  ");
        out.println();
        // AsyncIo.backends() is ordered as create() tries them: the first available one wins.
        BackendInfo chosen = backends.stream().filter(BackendInfo::available).findFirst().orElse(null);
        out.println(chosen != null
                ? "AsyncIo.create() picks: " + chosen.name()
                : "AsyncIo.create() would fail: no backend is available here.");
        out.flush();
        return Main.OK;
    }
}
