/*
 * A minimal C server on epoll: the benchmark's physical-limit peer (issue #12). Not part of the
 * library or its build: benchmarks/run.sh compiles it with gcc when it runs.
 *
 * Same protocol as the Java servers of benchmarks/: "echo" writes back what it reads; "http"
 * answers every request (ended by CRLF CRLF) with the same fixed response, the answers of one read
 * batch in one write. One thread, edge-triggered, each socket registered once, no allocation after
 * a descriptor's first use (per-descriptor state, reused), no EAGAIN read after a short one. Same statistics line as ServerStats:
 * the measured window starts --warmup seconds after the first connection; SIGTERM prints
 *   SERVER impl=c-epoll mode=... requests=... cpu_ns=... alloc_bytes=0 rss_kb=... window_ms=... total_requests=... warm=...
 * and SIGHUP prints COUNT requests=<total>. Only --loops 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 16384
#define MAX_FDS 65536

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";
#define RESPONSE_LEN (sizeof(RESPONSE) - 1)

struct conn {
    char in[BUF];
    size_t in_len;       /* http: bytes of an unfinished request */
    int matched;         /* http: how much of CRLF CRLF the unfinished request ends with */
    char out[BUF * 2];
    size_t out_len, out_off; /* unsent answer bytes */
};

static struct conn *conns[MAX_FDS];
static int http_mode;
static long size = 64;
static volatile sig_atomic_t stop_requested, count_requested;
static long requests, echo_bytes;

static long now_ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static long served(void) { return http_mode ? requests : echo_bytes / size; }

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

static void on_term(int s) { (void) s; stop_requested = 1; }
static void on_hup(int s) { (void) s; count_requested = 1; }

/* Writes what is pending; returns 0 when all went out, 1 when the socket is full, -1 on error. */
static int flush_out(int fd, struct conn *c) {
    while (c->out_off < c->out_len) {
        ssize_t w = send(fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w < 0) return errno == EAGAIN ? 1 : errno == EINTR ? 0 : -1;
        c->out_off += (size_t) w;
    }
    c->out_len = c->out_off = 0;
    return 0;
}

/* Counts the requests ended in data[0, n) (CRLF CRLF, across reads) and queues their answers. */
static void answer(struct conn *c, const char *data, size_t n) {
    static const char END[] = "\r\n\r\n";
    for (size_t i = 0; i < n; i++) {
        c->matched = data[i] == END[c->matched] ? c->matched + 1 : data[i] == '\r' ? 1 : 0;
        if (c->matched == 4) {
            c->matched = 0;
            requests++;
            if (c->out_len + RESPONSE_LEN <= sizeof c->out) {
                memcpy(c->out + c->out_len, RESPONSE, RESPONSE_LEN);
                c->out_len += RESPONSE_LEN;
            }
        }
    }
}

static void close_conn(int ep, int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
}

/*
 * The socket is readable (or writable with answers pending): serve until it runs dry. A read that
 * fills less than the buffer means the socket is drained (edge-triggered: new data raises a new
 * edge), which saves the EAGAIN call, as our readiness engine does; unless the peer's FIN was seen
 * (no edge comes after it): then read on to the 0.
 */
static void serve(int ep, int fd, unsigned events) {
    struct conn *c = conns[fd];
    int r = flush_out(fd, c);
    if (r < 0) { close_conn(ep, fd); return; }
    if (r > 0) return; /* still full: EPOLLOUT resumes */
    for (;;) {
        ssize_t n = recv(fd, c->in, BUF, 0);
        if (n == 0) { close_conn(ep, fd); return; }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) close_conn(ep, fd);
            return;
        }
        if (http_mode) {
            answer(c, c->in, (size_t) n);
        } else {
            memcpy(c->out, c->in, (size_t) n);
            c->out_len = (size_t) n;
            echo_bytes += n;
        }
        r = flush_out(fd, c);
        if (r < 0) { close_conn(ep, fd); return; }
        if (r > 0) return; /* wait for EPOLLOUT before reading more */
        if (n < BUF && !(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
    }
}

int main(int argc, char **argv) {
    int port = 9000;
    double warmup = 0;
    const char *mode = "echo";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--mode")) mode = argv[i + 1];
        else if (!strcmp(argv[i], "--size")) size = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--loops") && atoi(argv[i + 1]) != 1) {
            fprintf(stderr, "c-epoll: only --loops 1\n");
            return 2;
        }
    }
    if (strcmp(mode, "echo") && strcmp(mode, "http")) {
        fprintf(stderr, "c-epoll: mode %s is not served (echo, http)\n", mode);
        return 2;
    }
    http_mode = !strcmp(mode, "http");
    signal(SIGTERM, on_term);
    signal(SIGHUP, on_hup);
    signal(SIGPIPE, SIG_IGN);

    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* inherited by accepted sockets */
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 4096) < 0) {
        perror("c-epoll: bind/listen");
        return 1;
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
    printf("listening c-epoll 127.0.0.1:%d mode=%s loops=1\n", port, mode);
    fflush(stdout);

    struct epoll_event events[512];
    long first_conn = 0, warm_at = 0, warm_cpu = 0, warm_served = 0;
    int warm = 0;
    while (!stop_requested) {
        int n = epoll_wait(ep, events, 512, 100);
        if (count_requested) {
            count_requested = 0;
            printf("COUNT requests=%ld\n", served());
            fflush(stdout);
        }
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == l) {
                for (;;) {
                    int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (s < 0) break;
                    if (s >= MAX_FDS) { close(s); continue; }
                    if (!conns[s] && !(conns[s] = malloc(sizeof(struct conn)))) { close(s); continue; }
                    conns[s]->in_len = conns[s]->out_len = conns[s]->out_off = 0;
                    conns[s]->matched = 0;
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = s};
                    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ce);
                    if (!first_conn) first_conn = now_ns(CLOCK_MONOTONIC);
                }
                continue;
            }
            serve(ep, fd, events[i].events);
        }
        if (first_conn && !warm && now_ns(CLOCK_MONOTONIC) - first_conn >= (long) (warmup * 1e9)) {
            warm = 1;
            warm_at = now_ns(CLOCK_MONOTONIC);
            warm_cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
            warm_served = served();
        }
    }
    long end = now_ns(CLOCK_MONOTONIC), cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    if (!warm) warm_at = first_conn ? first_conn : end;
    printf("SERVER impl=c-epoll mode=%s loops=1 requests=%ld cpu_ns=%ld alloc_bytes=0 rss_kb=%ld window_ms=%ld "
           "total_requests=%ld warm=%s\n", mode, served() - warm_served, cpu - warm_cpu, rss_hwm_kb(),
           (end - warm_at) / 1000000, served(), warm ? "true" : "false");
    fflush(stdout);
    return 0;
}
