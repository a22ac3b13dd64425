package io.fasterapi.aio.bench;

import io.fasterapi.aio.servers.mrc.MrcClient;
import io.fasterapi.aio.servers.mrc.MrcResult;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * The 1MRC load for every server: {@link MrcClient} from the servers module (our library, one loop,
 * {@code --backend}, epoll by default as for {@link LoadClient}) sends {@code --requests} events
 * {@code POST /event} over {@code --connections} keep-alive connections, one event at a time per
 * connection, then checks {@code GET /stats} against the expected totals. Prints the line
 * {@link LoadClient} prints, with the check:
 * <pre>CLIENT backend=.. connections=.. requests=.. seconds=.. rps=.. p50_us=.. p99_us=.. p999_us=.. max_us=.. errors=.. correct=yes|no</pre>
 * ({@code requests} are the acknowledged events, {@code seconds} from the first connect to the last
 * answer), then one {@code PROBLEM} line per problem found.
 */
public final class MrcLoad {
    private MrcLoad() {
    }

    public static void main(String[] args) {
        Args a = new Args(args, "host", "port", "requests", "connections", "timeout", "backend");
        MrcClient client = new MrcClient(new InetSocketAddress(a.get("host", "127.0.0.1"), a.getInt("port", 9000)),
                Long.parseLong(a.get("requests", "1000000")), a.getInt("connections", 1000),
                Duration.ofSeconds(a.getInt("timeout", 300)), null, Duration.ofSeconds(1));
        MrcResult r = client.run(a.get("backend", "epoll"));
        System.out.println(String.format(Locale.ROOT,
                "CLIENT backend=%s connections=%d requests=%d seconds=%.3f rps=%.1f p50_us=%.1f p99_us=%.1f "
                        + "p999_us=%.1f max_us=%.1f errors=%d correct=%s",
                r.backend(), r.connections(), r.acknowledged(), r.elapsedNanos() / 1e9, r.requestsPerSecond(),
                r.latencyMicros(50), r.latencyMicros(99), r.latencyMicros(99.9), r.latency().getMaxValue() / 1e3,
                r.errors(), r.correct() ? "yes" : "no"));
        for (String p : r.problems()) {
            System.out.println("PROBLEM " + p);
        }
        System.out.flush();
    }
}
