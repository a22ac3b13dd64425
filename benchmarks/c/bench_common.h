/*
 * What the two minimal C peers share: their options, the fixed HTTP answer and how requests are
 * found (CRLF CRLF, across reads), and the statistics the Java servers print (ServerStats): the
 * measured window starts --warmup seconds after the first connection; SIGTERM ends the run with
 *   SERVER impl=... mode=... loops=1 requests=... cpu_ns=... alloc_bytes=0 rss_kb=... window_ms=... total_requests=... warm=...
 * and SIGHUP prints COUNT requests=<total so far> (it frames the strace pass).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";
#define RESPONSE_LEN (sizeof(RESPONSE) - 1)

struct options {
    int port;
    int http;
    long size;
    double warmup;
    const char *mode;
};

struct stats {
    long first_conn, warm_at, warm_cpu, warm_served;
    int warm;
};

static volatile sig_atomic_t stop_requested, count_requested;

static long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void on_term(int s) { (void) s; stop_requested = 1; }
static void on_hup(int s) { (void) s; count_requested = 1; }

/* Reads --port, --mode (echo or http), --size, --warmup; --loops must be 1. Returns 0 or an exit status. */
static int parse_options(int argc, char **argv, const char *impl, struct options *o) {
    *o = (struct options) {.port = 9000, .size = 64, .warmup = 0, .mode = "echo"};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) o->port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--mode")) o->mode = argv[i + 1];
        else if (!strcmp(argv[i], "--size")) o->size = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) o->warmup = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--loops") && atoi(argv[i + 1]) != 1) {
            fprintf(stderr, "%s: only --loops 1\n", impl);
            return 2;
        }
    }
    if (strcmp(o->mode, "echo") && strcmp(o->mode, "http")) {
        fprintf(stderr, "%s: mode %s is not served (echo, http)\n", impl, o->mode);
        return 2;
    }
    o->http = !strcmp(o->mode, "http");
    signal(SIGTERM, on_term);
    signal(SIGHUP, on_hup);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/*
 * Appends an answer to out (at *len, capacity cap) for every request that ends in data[0, n);
 * *matched carries how much of CRLF CRLF the bytes before ended with. Returns the requests found,
 * or -1 when the answers do not fit.
 */
static long http_answers(int *matched, const char *data, size_t n, char *out, size_t *len, size_t cap) {
    static const char END[] = "\r\n\r\n";
    long found = 0;
    for (size_t i = 0; i < n; i++) {
        *matched = data[i] == END[*matched] ? *matched + 1 : data[i] == '\r' ? 1 : 0;
        if (*matched == 4) {
            *matched = 0;
            if (*len + RESPONSE_LEN > cap) return -1;
            memcpy(out + *len, RESPONSE, RESPONSE_LEN);
            *len += RESPONSE_LEN;
            found++;
        }
    }
    return found;
}

/* After each wait: starts the measured window once the warm-up has passed; answers SIGHUP. */
static void stats_tick(struct stats *s, double warmup, long served) {
    if (count_requested) {
        count_requested = 0;
        printf("COUNT requests=%ld\n", served);
        fflush(stdout);
    }
    if (s->first_conn && !s->warm && now_ns(CLOCK_MONOTONIC) - s->first_conn >= (long) (warmup * 1e9)) {
        s->warm = 1;
        s->warm_at = now_ns(CLOCK_MONOTONIC);
        s->warm_cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        s->warm_served = served;
    }
}

static long rss_hwm_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) v = strtol(line + 6, NULL, 10);
    }
    fclose(f);
    return v;
}

static void stats_print(const char *impl, const char *mode, struct stats *s, long served) {
    long end = now_ns(CLOCK_MONOTONIC), cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    if (!s->warm) s->warm_at = s->first_conn ? s->first_conn : end;
    printf("SERVER impl=%s mode=%s loops=1 requests=%ld cpu_ns=%ld alloc_bytes=0 rss_kb=%ld window_ms=%ld "
           "total_requests=%ld warm=%s\n", impl, mode, served - s->warm_served, cpu - s->warm_cpu, rss_hwm_kb(),
           (end - s->warm_at) / 1000000, served, s->warm ? "true" : "false");
    fflush(stdout);
}

/* A listener on 127.0.0.1:port (SO_REUSEADDR, TCP_NODELAY for the accepted sockets), or -1 after saying why. */
static int listen_on(int port, int type_flags, const char *impl) {
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | type_flags, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* inherited by accepted sockets */
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (l < 0 || bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 4096) < 0) {
        fprintf(stderr, "%s: listen on port %d: ", impl, port);
        perror(NULL);
        return -1;
    }
    return l;
}

#endif
