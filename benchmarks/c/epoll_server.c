/*
 * A minimal C server on epoll: the benchmark's physical-limit peer (issue #12). Not part of the
 * library or its build: benchmarks/run.sh compiles it with gcc when it runs.
 *
 * Same protocol as the Java servers of benchmarks/: "echo" writes back what it reads; "http"
 * answers every request (ended by CRLF CRLF) with the same fixed response, the answers of one read
 * batch in one write; "mrc" serves the 1MRC (bench_common.h). One thread, edge-triggered, each socket registered once, no allocation after
 * a descriptor's first use (per-descriptor state, reused), no EAGAIN read after a short one.
 * Options and statistics: bench_common.h. Only --loops 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_common.h"

#define BUF 16384
#define MAX_FDS 65536

struct conn {
    char in[BUF];
    size_t in_len;       /* mrc: the bytes of an unfinished request at the front of in */
    int matched;         /* http: how much of CRLF CRLF the unfinished request ends with */
    char out[BUF * 2];
    size_t out_len, out_off; /* unsent answer bytes */
};

static struct conn *conns[MAX_FDS];
static struct options opt;
static long requests, echo_bytes;

static long served(void) { return opt.http || opt.mrc ? requests : echo_bytes / opt.size; }

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
        size_t room = BUF - c->in_len;
        ssize_t n = recv(fd, c->in + c->in_len, room, 0);
        if (n == 0) { close_conn(ep, fd); return; }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN) close_conn(ep, fd);
            return;
        }
        if (opt.mrc) {
            c->in_len += (size_t) n;
            long found = mrc_answers(c->in, &c->in_len, BUF, c->out, &c->out_len, sizeof c->out);
            if (found < 0) { close_conn(ep, fd); return; }
            requests += found;
        } else if (opt.http) {
            long found = http_answers(&c->matched, c->in, (size_t) n, c->out, &c->out_len, sizeof c->out);
            if (found < 0) { close_conn(ep, fd); return; }
            requests += found;
        } else {
            memcpy(c->out, c->in, (size_t) n);
            c->out_len = (size_t) n;
            echo_bytes += n;
        }
        r = flush_out(fd, c);
        if (r < 0) { close_conn(ep, fd); return; }
        if (r > 0) return; /* wait for EPOLLOUT before reading more */
        if ((size_t) n < room && !(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) return;
    }
}

int main(int argc, char **argv) {
    int r = parse_options(argc, argv, "c-epoll", &opt);
    if (r) return r;
    int l = listen_on(opt.port, SOCK_NONBLOCK, "c-epoll");
    if (l < 0) return 1;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
    printf("listening c-epoll 127.0.0.1:%d mode=%s loops=1\n", opt.port, opt.mode);
    fflush(stdout);

    struct epoll_event events[512];
    struct stats st = {0};
    while (!stop_requested) {
        int n = epoll_wait(ep, events, 512, 100);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == l) {
                for (;;) {
                    int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (s < 0) break;
                    if (s >= MAX_FDS) { close(s); continue; }
                    if (!conns[s] && !(conns[s] = malloc(sizeof(struct conn)))) { close(s); continue; }
                    conns[s]->out_len = conns[s]->out_off = 0;
                    conns[s]->matched = 0;
                    conns[s]->in_len = 0;
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = s};
                    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ce);
                    if (!st.first_conn) st.first_conn = now_ns(CLOCK_MONOTONIC);
                }
                continue;
            }
            serve(ep, fd, events[i].events);
        }
        stats_tick(&st, opt.warmup, served());
    }
    stats_print("c-epoll", opt.mode, &st, served());
    return 0;
}
