package io.fasterapi.aio.cli;

import io.fasterapi.aio.AsyncIoException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code aio}: the command line of FasterAPI Async I/O.
 *
 * <pre>
 * aio backends                         which backends exist here, and which one create() picks
 * aio echo-server --port 7000          a TCP echo server on one loop, until Ctrl-C
 * aio 1mrc [--backend B]               the 1 Million Request Challenge on every backend (server + client)
 * aio demo [--all-backends]            echo round trips on one loop, every byte verified
 * </pre>
 *
 * Exit status: 0 success, 1 the demo found wrong bytes or lost a connection, 2 bad command line,
 * 3 an error (no backend available, address in use...). Errors print one line on standard error;
 * {@code -Daio.debug=true} adds the stack trace.
 */
@Command(name = "aio",
        mixinStandardHelpOptions = true,
        version = {"aio 0.1.0", "Java ${java.version} (${java.vendor}) on ${os.name} ${os.arch}"},
        description = "Asynchronous socket I/O for the JVM (FasterAPI Async I/O): backends, 1MRC, echo server, demo.",
        subcommands = {BackendsCommand.class, MrcCommand.class, ServeCommand.class, EchoServerCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class},
        usageHelpAutoWidth = true,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                " 0:success",
                " 1:the demo or the 1MRC failed (wrong bytes or totals, lost connection, timeout)",
                " 2:invalid command line",
                " 3:error (no backend available, address in use, ...)"})
public final class Main implements Runnable {

    /** Success. */
    static final int OK = 0;
    /** The demo ran but its checks failed. */
    static final int FAILED = 1;
    /** A run-time error, reported in one line. */
    static final int ERROR = 3;

    @Spec
    CommandSpec spec;

    /** Runs {@code aio} and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The {@code aio} command, ready to {@link CommandLine#execute execute}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> report(cmd.getErr(), e));
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing command: choose one of " + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * Runs a command's body, turning an exception into a one-line message on standard error and
     * exit status {@link #ERROR}, so that a command behaves the same however its
     * {@link CommandLine} was built.
     */
    static int guard(CommandSpec spec, Callable<Integer> body) {
        try {
            return body.call();
        } catch (Exception e) {
            return report(spec.commandLine().getErr(), e);
        }
    }

    static int report(PrintWriter err, Throwable e) {
        return report(err, null, e);
    }

    /** {@link #report(PrintWriter, Throwable)} with where it was caught, when not null, before the message. */
    static int report(PrintWriter err, String where, Throwable e) {
        synchronized (err) { // loop threads report here too: one whole entry at a time
            err.println("aio: " + (where != null ? where + ": " : "") + message(e));
            if (Boolean.getBoolean("aio.debug")) {
                e.printStackTrace(err);
            }
            err.flush();
        }
        return ERROR;
    }

    /** A one-line message: an {@link AsyncIoException}'s own text, otherwise also the kind of error. */
    static String message(Throwable e) {
        String text = e.getMessage();
        if (text == null || text.isBlank()) {
            text = e.getClass().getSimpleName();
        } else if (!(e instanceof AsyncIoException || e instanceof IllegalArgumentException)) {
            text = e.getClass().getSimpleName() + ": " + text;
        }
        // "no available backend:\n  epoll: why\n  io_uring: why" -> "no available backend: epoll: why; io_uring: why"
        return text.strip().replaceFirst(":\\s*\\R\\s*", ": ").replaceAll("\\s*\\R\\s*", "; ");
    }
}
