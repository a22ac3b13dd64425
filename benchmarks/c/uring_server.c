/*
 * A minimal C server on io_uring (liburing): the benchmark's physical-limit peer on io_uring
 * (issue #12). Not part of the library or its build: benchmarks/run.sh compiles it when it runs
 * (gcc, liburing-dev).
 *
 * Same protocol and statistics line as epoll_server.c (bench_common.h). One thread; the ring with SINGLE_ISSUER
 * and DEFER_TASKRUN; a multishot accept; per connection a multishot receive into a provided
 * buffer ring (a buffer goes back to the ring as soon as its bytes are copied to the answer);
 * one send at a time per connection, what arrives meanwhile follows in the next. Every
 * submission of a turn goes in the io_uring_enter that waits. Only --loops 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_common.h"

#define NBUF 1024          /* provided buffers, a power of two */
#define BUFSZ 4096
#define OUT 65536
#define MAX_FDS 65536
#define ACCEPT 1ULL
#define RECV 2ULL
#define SEND 3ULL

struct conn {
    char out[OUT];
    char in[BUFSZ * 4];     /* mrc: an unfinished request, across receives */
    size_t in_len;
    size_t out_len, out_off; /* bytes to send; [out_off, out_len) not yet acknowledged */
    int sending, closing, matched;
};

static struct io_uring ring;
static struct io_uring_buf_ring *br;
static char *buffers;
static struct conn *conns[MAX_FDS];
static struct options opt;
static long requests, echo_bytes;

static long served(void) { return opt.http || opt.mrc ? requests : echo_bytes / opt.size; }

/* An SQE; when the queue is full, submit what is queued first. */
static struct io_uring_sqe *sqe(void) {
    struct io_uring_sqe *e = io_uring_get_sqe(&ring);
    if (!e) {
        io_uring_submit(&ring);
        e = io_uring_get_sqe(&ring);
    }
    return e;
}

static void arm_accept(int l) {
    struct io_uring_sqe *e = sqe();
    io_uring_prep_multishot_accept(e, l, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(e, ACCEPT << 32 | (unsigned) l);
}

static void arm_recv(int fd) {
    struct io_uring_sqe *e = sqe();
    io_uring_prep_recv_multishot(e, fd, NULL, 0, 0);
    e->flags |= IOSQE_BUFFER_SELECT;
    e->buf_group = 0;
    io_uring_sqe_set_data64(e, RECV << 32 | (unsigned) fd);
}

static void send_rest(int fd, struct conn *c) {
    struct io_uring_sqe *e = sqe();
    io_uring_prep_send(e, fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(e, SEND << 32 | (unsigned) fd);
    c->sending = 1;
}

static void close_conn(int fd, struct conn *c) {
    if (c->sending) { /* close once the send in flight is back */
        c->closing = 1;
        return;
    }
    close(fd);
}

/* Appends the answers to data[0, n): the data itself (echo), or a response per request (http). */
static int answer(struct conn *c, const char *data, size_t n) {
    if (opt.mrc) {
        while (n > 0) { /* what fits, answered, makes room for the rest */
            size_t take = sizeof c->in - c->in_len < n ? sizeof c->in - c->in_len : n;
            memcpy(c->in + c->in_len, data, take);
            c->in_len += take;
            data += take;
            n -= take;
            long found = mrc_answers(c->in, &c->in_len, sizeof c->in, c->out, &c->out_len, OUT);
            if (found < 0) return -1;
            requests += found;
        }
        return 0;
    }
    if (!opt.http) {
        if (c->out_len + n > OUT) return -1;
        memcpy(c->out + c->out_len, data, n);
        c->out_len += n;
        echo_bytes += (long) n;
        return 0;
    }
    long found = http_answers(&c->matched, data, n, c->out, &c->out_len, OUT);
    if (found < 0) return -1;
    requests += found;
    return 0;
}

static void received(int fd, int res, unsigned flags) {
    struct conn *c = conns[fd];
    if (res > 0) {
        unsigned b = flags >> IORING_CQE_BUFFER_SHIFT;
        int bad = c->closing || answer(c, buffers + (size_t) b * BUFSZ, (size_t) res) < 0;
        io_uring_buf_ring_add(br, buffers + (size_t) b * BUFSZ, BUFSZ, (unsigned short) b, io_uring_buf_ring_mask(NBUF), 0);
        io_uring_buf_ring_advance(br, 1);
        if (bad) { /* past the answer buffer: end the connection; the receive then ends with 0 and closes it */
            c->closing = 1;
            shutdown(fd, SHUT_RDWR);
            return;
        }
        if (!c->sending && c->out_len > c->out_off) send_rest(fd, c);
    }
    if (flags & IORING_CQE_F_MORE) return;
    if (res == -ENOBUFS || (res > 0 && !c->closing)) {
        arm_recv(fd); /* the multishot ended (no free buffer, or the CQ was full): again */
    } else {
        c->closing = 0;
        close_conn(fd, c); /* the peer's FIN, an error, or the end asked above */
    }
}

static void sent(int fd, int res) {
    struct conn *c = conns[fd];
    c->sending = 0;
    if (res <= 0 || c->closing) {
        c->closing = 0;
        close(fd);
        return;
    }
    c->out_off += (size_t) res;
    if (c->out_off < c->out_len) {
        send_rest(fd, c); /* a partial send, or what arrived while it was out */
    } else {
        c->out_len = c->out_off = 0;
    }
}

int main(int argc, char **argv) {
    int r = parse_options(argc, argv, "c-io_uring", &opt);
    if (r) return r;
    struct io_uring_params p = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE,
                                .cq_entries = 16384};
    r = io_uring_queue_init_params(4096, &ring, &p);
    if (r < 0) {
        fprintf(stderr, "c-io_uring: io_uring_queue_init: %s\n", strerror(-r));
        return 1;
    }
    if (posix_memalign((void **) &br, 4096, NBUF * sizeof(struct io_uring_buf)) || posix_memalign((void **) &buffers, 4096, (size_t) NBUF * BUFSZ)) {
        return 1;
    }
    io_uring_buf_ring_init(br);
    struct io_uring_buf_reg reg = {.ring_addr = (unsigned long) br, .ring_entries = NBUF, .bgid = 0};
    if ((r = io_uring_register_buf_ring(&ring, &reg, 0)) < 0) {
        fprintf(stderr, "c-io_uring: io_uring_register_buf_ring: %s\n", strerror(-r));
        return 1;
    }
    for (int b = 0; b < NBUF; b++) {
        io_uring_buf_ring_add(br, buffers + (size_t) b * BUFSZ, BUFSZ, (unsigned short) b, io_uring_buf_ring_mask(NBUF), b);
    }
    io_uring_buf_ring_advance(br, NBUF);

    int l = listen_on(opt.port, 0, "c-io_uring");
    if (l < 0) return 1;
    arm_accept(l);
    printf("listening c-io_uring 127.0.0.1:%d mode=%s loops=1\n", opt.port, opt.mode);
    fflush(stdout);

    struct stats st = {0};
    struct __kernel_timespec wait = {.tv_sec = 0, .tv_nsec = 100000000};
    while (!stop_requested) {
        struct io_uring_cqe *cqe;
        io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &wait, NULL);
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            unsigned long long ud = io_uring_cqe_get_data64(cqe);
            int fd = (int) (ud & 0xffffffffu);
            switch (ud >> 32) {
                case ACCEPT:
                    if (cqe->res >= 0 && cqe->res < MAX_FDS) {
                        int s = cqe->res;
                        if (!conns[s] && !(conns[s] = malloc(sizeof(struct conn)))) { close(s); break; }
                        conns[s]->out_len = conns[s]->out_off = 0;
                        conns[s]->sending = conns[s]->closing = conns[s]->matched = 0;
                        conns[s]->in_len = 0;
                        arm_recv(s);
                        if (!st.first_conn) st.first_conn = now_ns(CLOCK_MONOTONIC);
                    } else if (cqe->res >= 0) {
                        close(cqe->res);
                    }
                    if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept(l);
                    break;
                case RECV:
                    received(fd, cqe->res, cqe->flags);
                    break;
                case SEND:
                    sent(fd, cqe->res);
                    break;
            }
        }
        io_uring_cq_advance(&ring, seen);
        stats_tick(&st, opt.warmup, served());
    }
    stats_print("c-io_uring", opt.mode, &st, served());
    return 0;
}
