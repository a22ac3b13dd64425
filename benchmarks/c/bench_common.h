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
#include <strings.h>
#include <time.h>

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";
#define RESPONSE_LEN (sizeof(RESPONSE) - 1)

struct options {
    int port;
    int http;
    int mrc;
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
    if (strcmp(o->mode, "echo") && strcmp(o->mode, "http") && strcmp(o->mode, "mrc")) {
        fprintf(stderr, "%s: mode %s is not served (echo, http, mrc)\n", impl, o->mode);
        return 2;
    }
    o->http = !strcmp(o->mode, "http");
    o->mrc = !strcmp(o->mode, "mrc");
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

/*
 * The 1MRC (mode mrc): POST /event with {"userId": "...", "value": <number>} counts the event,
 * its user in a set and its value in exact millionths, and answers {"status":"ok"}; GET /stats
 * answers {"totalRequests":..,"uniqueUsers":..,"sum":..,"avg":..}. Requests carry a
 * Content-Length body; a request split across reads waits in the connection's input. Minimal, as
 * the rest of this peer: the event's members are found by name, a user id with an escape or a
 * value with an exponent or more than 6 decimals is answered 400, like anything else it cannot read.
 */
static const char MRC_OK[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}";
static const char MRC_BAD[] = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"error\":\"malformed event\"}";
static const char MRC_NOT_FOUND[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

static long mrc_events;
static long long mrc_micros;

struct user { unsigned long long hash; char *id; size_t len; };
static struct user *users;
static size_t users_cap, users_size;

static unsigned long long fnv1a(const char *p, size_t n) {
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char) p[i]) * 1099511628211ULL;
    return h;
}

/* Adds a user id to the set (open addressing, at most half full). */
static void user_add(const char *id, size_t len) {
    if (2 * (users_size + 1) > users_cap) {
        size_t cap = users_cap ? 2 * users_cap : 1 << 16;
        struct user *t = calloc(cap, sizeof *t);
        if (!t) abort(); /* a benchmark peer: out of memory ends the run */
        for (size_t i = 0; i < users_cap; i++) {
            if (!users[i].id) continue;
            size_t j = users[i].hash & (cap - 1);
            while (t[j].id) j = (j + 1) & (cap - 1);
            t[j] = users[i];
        }
        free(users);
        users = t;
        users_cap = cap;
    }
    unsigned long long h = fnv1a(id, len);
    size_t j = h & (users_cap - 1);
    for (; users[j].id; j = (j + 1) & (users_cap - 1)) {
        if (users[j].hash == h && users[j].len == len && !memcmp(users[j].id, id, len)) return;
    }
    char *copy = malloc(len + 1);
    if (!copy) abort();
    users[j] = (struct user) {.hash = h, .id = memcpy(copy, id, len), .len = len};
    users_size++;
}

/* The value of "name" in body[0, n), after its colon and blanks, or NULL. */
static const char *json_member(const char *body, size_t n, const char *name) {
    size_t k = strlen(name);
    for (const char *p = body; p + k + 2 <= body + n; p++) {
        if (*p == '"' && !memcmp(p + 1, name, k) && p[k + 1] == '"') {
            p += k + 2;
            while (p < body + n && (*p == ' ' || *p == ':' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
            return p < body + n ? p : NULL;
        }
    }
    return NULL;
}

/* Counts the event in body[0, n); 0, or -1 when it is not one this peer reads. */
static int mrc_event(const char *body, size_t n) {
    const char *end = body + n, *u = json_member(body, n, "userId"), *v = json_member(body, n, "value");
    if (!u || !v || *u != '"') return -1;
    const char *q = ++u;
    while (q < end && *q != '"' && *q != '\\') q++;
    if (q >= end || *q != '"') return -1;
    int neg = v < end && *v == '-';
    if (neg) v++;
    long long whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    for (; v < end && *v >= '0' && *v <= '9'; v++) {
        if (++digits > 9) return -1;
        whole = whole * 10 + (*v - '0');
    }
    if (v < end && *v == '.') {
        for (v++; v < end && *v >= '0' && *v <= '9'; v++, decimals++) {
            if (decimals == 6) return -1;
            frac = frac * 10 + (*v - '0');
        }
    }
    if (!digits || (v < end && (*v == 'e' || *v == 'E'))) return -1;
    for (int d = decimals; d < 6; d++) frac *= 10;
    user_add(u, (size_t) (q - u));
    mrc_micros += (neg ? -1 : 1) * (whole * 1000000 + frac);
    mrc_events++;
    return 0;
}

/* The statistics answer, into out (at *len); -1 when it does not fit. */
static int mrc_stats(char *out, size_t *len, size_t cap) {
    char body[256], frac[8];
    long long m = mrc_micros < 0 ? -mrc_micros : mrc_micros;
    int f = snprintf(frac, sizeof frac, "%06lld", m % 1000000);
    while (f > 0 && frac[f - 1] == '0') frac[--f] = 0;
    int b = snprintf(body, sizeof body, "{\"totalRequests\":%ld,\"uniqueUsers\":%zu,\"sum\":%s%lld%s%s,\"avg\":%.17g}",
                     mrc_events, users_size, mrc_micros < 0 ? "-" : "", m / 1000000, f ? "." : "", frac,
                     mrc_events ? (double) mrc_micros / 1e6 / (double) mrc_events : 0.0);
    int w = snprintf(out + *len, cap - *len, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                     b, body);
    if (w < 0 || (size_t) w >= cap - *len) return -1;
    *len += (size_t) w;
    return 0;
}

static int mrc_put(char *out, size_t *len, size_t cap, const char *s, size_t n) {
    if (*len + n > cap) return -1;
    memcpy(out + *len, s, n);
    *len += n;
    return 0;
}

/*
 * Answers every complete request in in[0, *have) into out (at *len), and moves what is left of
 * an unfinished one to the front. Returns the requests answered, or -1 (close the connection): a
 * request that cannot fit in cap, a Content-Length that is not digits, or answers that do not fit
 * in out (a client that pipelines hundreds of GET /stats at once; the 1MRC load has one request
 * in flight per connection).
 */
static long mrc_answers(char *in, size_t *have, size_t cap, char *out, size_t *len, size_t out_cap) {
    size_t at = 0;
    long found = 0;
    for (;;) {
        char *head_end = memmem(in + at, *have - at, "\r\n\r\n", 4);
        if (!head_end) break;
        size_t head = (size_t) (head_end - (in + at)) + 4, body = 0;
        for (char *p = in + at; p < head_end; p++) {
            if (*p != '\n' || head_end - p <= 15 || strncasecmp(p + 1, "content-length:", 15)) continue;
            const char *d = p + 16;
            while (*d == ' ' || *d == '\t') d++;
            if (*d < '0' || *d > '9') return -1; /* digits only: no sign, no empty value */
            for (body = 0; *d >= '0' && *d <= '9'; d++) {
                body = body * 10 + (size_t) (*d - '0');
                if (body > cap) return -1; /* larger than any request this peer holds */
            }
        }
        if (body > cap - head) return -1;
        if (at + head + body > *have) break;
        const char *req = in + at;
        int r;
        if (!strncmp(req, "POST /event ", 12)) {
            r = mrc_event(req + head, body) == 0 ? mrc_put(out, len, out_cap, MRC_OK, sizeof MRC_OK - 1)
                                                 : mrc_put(out, len, out_cap, MRC_BAD, sizeof MRC_BAD - 1);
        } else if (!strncmp(req, "GET /stats ", 11)) {
            r = mrc_stats(out, len, out_cap);
        } else {
            r = mrc_put(out, len, out_cap, MRC_NOT_FOUND, sizeof MRC_NOT_FOUND - 1);
        }
        if (r < 0) return -1;
        at += head + body;
        found++;
    }
    if (at > 0) memmove(in, in + at, *have - at);
    *have -= at;
    if (*have == cap) return -1; /* a head larger than the buffer */
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
