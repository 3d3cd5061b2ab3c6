/*
 * probe-floor — the reference for ProbeLoadBenchmark: a minimal prober of N HTTP/1.1 keep-alive
 * targets once a second. One thread, one epoll set (edge-triggered, as Netty's), one non-blocking
 * socket per target with TCP_NODELAY, the same request bytes as the director's HTTP check, one send
 * and one receive per probe; no timer per target (targets sit on a 10 ms grid over the second, as the
 * director's starts do) and no allocation after start. What it costs is the kernel's TCP work plus the
 * fewest system calls, so the director's probe thread is compared against it in the same run.
 *
 * Usage: probe-floor NODES PORT NET WARMUP_SECONDS WINDOW_SECONDS
 *   targets NET.(i / 250).(i % 250 + 1):PORT, as PingServer.addresses(net, n)
 * Prints "probe-floor: window" as the window starts, and after it:
 *   probe-floor: probes=P failed=F cpu=C % of one core (U % user), S system calls per probe
 * A probe fails when its answer is not a complete "HTTP/1.1 200" by the next second, or its connection
 * fails (it is then reconnected at its next turn). Exit 0 when the window ran, 1 on a usage or
 * start-up error, 2 when more than 1 % of the window's probes failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 100 /* the second's grid: 10 ms, the director's start grid at a 1 s interval (HealthProber) */

struct target {
    struct sockaddr_in addr;
    int fd;          /* -1: not connected */
    int connecting;  /* connect() in progress: the request goes out when it is writable */
    int owed;        /* a request is out and its answer not yet complete */
    int got;         /* bytes of the answer so far */
    char req[128];
    int req_len;
    char ans[512];
};

static struct target *targets;
static long probes, failed, syscalls;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: not a system call */
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void drop(struct target *t) {
    if (t->fd >= 0) {
        close(t->fd);
        syscalls++;
    }
    t->fd = -1;
    t->connecting = t->owed = t->got = 0;
}

static void send_request(struct target *t) {
    ssize_t n = send(t->fd, t->req, t->req_len, MSG_NOSIGNAL);
    syscalls++;
    if (n != t->req_len) { /* a fresh request on an idle connection fits its buffer, or it failed */
        failed++;
        drop(t);
        return;
    }
    t->owed = 1;
    t->got = 0;
}

static void start(int ep, struct target *t) {
    probes++;
    if (t->owed) { /* last second's answer never came: that probe failed, the connection goes */
        failed++;
        drop(t);
    }
    if (t->fd >= 0) {
        send_request(t);
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = t};
    if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0
            || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        perror("probe-floor: socket");
        exit(1);
    }
    t->fd = fd;
    syscalls += 3;
    if (connect(fd, (struct sockaddr *)&t->addr, sizeof t->addr) == 0) {
        send_request(t);
    } else if (errno == EINPROGRESS) {
        t->connecting = 1;
        t->owed = 1; /* owed from now: a connect that never completes fails the probe */
    } else {
        failed++;
        drop(t);
    }
    syscalls++;
}

/* The answer is complete: status line, headers and Content-Length bytes of body. */
static int complete(struct target *t, int *ok) {
    char *end = memmem(t->ans, t->got, "\r\n\r\n", 4);
    if (end == NULL) {
        return 0;
    }
    *ok = t->got >= 12 && memcmp(t->ans, "HTTP/1.1 200", 12) == 0;
    long body = 0;
    char *cl = memmem(t->ans, end - t->ans, "\r\nContent-Length:", 17);
    if (cl != NULL) {
        body = strtol(cl + 17, NULL, 10);
    }
    return t->got >= (end + 4 - t->ans) + body;
}

static void ready(struct target *t, unsigned events) {
    if (t->fd < 0) {
        return;
    }
    if (t->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        syscalls++;
        t->connecting = 0;
        if (err != 0) {
            failed++;
            drop(t);
            return;
        }
        send_request(t);
        return;
    }
    if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))) {
        return;
    }
    for (;;) {
        ssize_t n = recv(t->fd, t->ans + t->got, sizeof t->ans - t->got, 0);
        syscalls++;
        if (n > 0) {
            t->got += n;
            int ok = 0;
            if (t->owed && complete(t, &ok)) {
                t->owed = 0;
                t->got = 0;
                if (!ok) {
                    failed++;
                }
                return; /* one answer per request: nothing else is owed, so no read until EAGAIN */
            }
            if (t->got == sizeof t->ans) { /* an answer this probe does not expect */
                failed++;
                drop(t);
                return;
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (t->owed) { /* closed or failed with an answer owed */
            failed++;
        }
        drop(t);
        return;
    }
}

static double cpu_seconds(double *user) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    return *user + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: probe-floor NODES PORT NET WARMUP_SECONDS WINDOW_SECONDS\n");
        return 1;
    }
    int n = atoi(argv[1]), port = atoi(argv[2]), warmup = atoi(argv[4]), window = atoi(argv[5]);
    const char *net = argv[3];
    if (n <= 0 || n > 62500 || port <= 0 || port > 65535 || warmup < 0 || window <= 0) {
        fprintf(stderr, "probe-floor: bad argument\n");
        return 1;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)n + 16) {
        fprintf(stderr, "probe-floor: %d targets need %d descriptors, the limit is %ld\n", n, n + 16,
                (long)rl.rlim_cur);
        return 1;
    }
    targets = calloc(n, sizeof *targets);
    for (int i = 0; i < n; i++) {
        struct target *t = &targets[i];
        char ip[64];
        snprintf(ip, sizeof ip, "%s.%d.%d", net, i / 250, i % 250 + 1);
        t->addr.sin_family = AF_INET;
        t->addr.sin_port = htons(port);
        if (inet_pton(AF_INET, ip, &t->addr.sin_addr) != 1) {
            fprintf(stderr, "probe-floor: bad address %s\n", ip);
            return 1;
        }
        /* HttpProbe's request for the benchmark's check: path /ping, Host address:port. */
        t->req_len = snprintf(t->req, sizeof t->req,
                "GET /ping HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: lvs-director\r\nAccept: */*\r\n\r\n", ip, port);
        t->fd = -1;
    }
    int ep = epoll_create1(0);
    struct epoll_event evs[512];
    long long t0 = now_ns(), window_start = t0 + warmup * 1000000000LL,
              window_end = window_start + window * 1000000000LL;
    long long slot_ns = 1000000000LL / SLOTS;
    long long next = t0; /* the next slot's time */
    long slot = 0;       /* slots started since t0 */
    int in_window = 0;
    double u0 = 0, c0 = 0;
    long p0 = 0, f0 = 0, s0 = 0;
    for (;;) {
        long long now = now_ns();
        while (next <= now) { /* every slot that is due, late ones included */
            int s = slot % SLOTS;
            for (int i = (int)((long long)s * n / SLOTS); i < (int)((long long)(s + 1) * n / SLOTS); i++) {
                start(ep, &targets[i]);
            }
            slot++;
            next = t0 + slot * slot_ns;
        }
        if (!in_window && now >= window_start) {
            in_window = 1;
            printf("probe-floor: window\n"); /* for the benchmark's own readings of the window */
            fflush(stdout);
            c0 = cpu_seconds(&u0);
            p0 = probes;
            f0 = failed;
            s0 = syscalls;
            window_start = now;
        }
        if (in_window && now >= window_end) {
            double u1, c1 = cpu_seconds(&u1);
            double wall = (now - window_start) / 1e9;
            long p = probes - p0, f = failed - f0;
            printf("probe-floor: probes=%ld failed=%ld cpu=%.1f %% of one core (%.0f %% user), %.2f system calls per probe\n",
                    p, f, 100.0 * (c1 - c0) / wall, 100.0 * (u1 - u0) / (c1 - c0 > 0 ? c1 - c0 : 1),
                    (double)(syscalls - s0) / (p > 0 ? p : 1));
            return f * 100 > p ? 2 : 0;
        }
        int timeout = (int)((next - now + 999999) / 1000000);
        int k = epoll_wait(ep, evs, 512, timeout);
        syscalls++;
        for (int i = 0; i < k; i++) {
            ready(evs[i].data.ptr, evs[i].events);
        }
    }
}
