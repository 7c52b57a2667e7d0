/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * AF_UNIX addresses, bound datagram sockets and the socket fixtures of the
 * socket op tests (test_ops_net, test_ops_msg). The includer defines
 * SOCK_DIR, the directory of the path-bound sockets (a tmpfs it mounts
 * strictatime), and SOCK_TAG, the prefix of its abstract names.
 */
#ifndef SYSCHAIN_GUEST_SOCK_H
#define SYSCHAIN_GUEST_SOCK_H

#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "guest.h"

#if !defined(SOCK_DIR) || !defined(SOCK_TAG)
#error "define SOCK_DIR and SOCK_TAG before including sock.h"
#endif
#define PATH_DST	SOCK_DIR "/dst"
#define PATH_SRC	SOCK_DIR "/src"
#define FD_CLOSED	1000	/* a descriptor number no test has open */

/* Fill @a with @name (in the abstract namespace if @abstract); its length */
static inline socklen_t un_addr(struct sockaddr_un *a, const char *name,
				int abstract)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(a->sun_path + 1, name, strlen(name));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	}
	strcpy(a->sun_path, name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1;
}

/* A datagram socket bound to @name; its address in @a/@len if wanted */
static inline int bound_dgram(const char *name, int abstract,
			      struct sockaddr_un *a, socklen_t *len)
{
	struct sockaddr_un tmp;
	socklen_t l;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!a)
		a = &tmp;
	if (!abstract)
		unlink(name);
	l = un_addr(a, name, abstract);
	if (len)
		*len = l;
	if (fd < 0 || bind(fd, (struct sockaddr *)a, l))
		return -1;
	return fd;
}

/*
 * What a socket op is compared on besides its results: the directory of
 * the path-bound sockets (a tmpfs mounted strictatime: a send to a bound
 * path moves the socket file's atime), the sockets bound to @dst and @src
 * (each side binds its own), and the descriptor the op works on.
 */
static inline void sock_observe(struct g_obs *o, const char *dir,
				const char *dst, const char *src, int fd)
{
	g_obs_init(o);
	g_obs_add(o, dir, 0);
	g_obs_add(o, dst, G_OBJ_PER_SIDE);
	g_obs_add(o, src, G_OBJ_PER_SIDE);
	if (fd >= 0 && fd != FD_CLOSED)
		g_obs_add_fd(o, fd);
}

/*
 * ---- Fixtures: the sockets one side of a case works on ----------------
 *
 * A setup makes them and returns 0 (or -1, errno set); fd is the socket
 * the op works on; peer its other end or the bound receiver; extra a
 * sender; pipe a pipe whose ends a send passes (SCM_RIGHTS); dst/dstlen
 * where a send sends. sock_fix_init() before, sock_fix_drop() after.
 */
struct sock_fix {
	int fd, peer, extra, pipe[2];
	struct sockaddr_un dst;
	socklen_t dstlen;
};

static inline void sock_fix_init(struct sock_fix *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->peer = s->extra = s->pipe[0] = s->pipe[1] = -1;
}

static inline void sock_fix_drop(struct sock_fix *s)
{
	int *fds[] = { &s->fd, &s->peer, &s->extra, &s->pipe[0], &s->pipe[1] };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0 && *fds[i] != FD_CLOSED)
			close(*fds[i]);
	unlink(PATH_DST);
	unlink(PATH_SRC);
}

static inline int pair(struct sock_fix *s, int type)
{
	int sv[2];

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv))
		return -1;
	s->fd = sv[0];
	s->peer = sv[1];
	return 0;
}

/* send setups */
static inline int stream_pair(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM);
}

static inline int dgram_pair(struct sock_fix *s)
{
	return pair(s, SOCK_DGRAM);
}

static inline int stream_shut_wr(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?: shutdown(s->fd, SHUT_WR);
}

/* an unbound datagram socket and a receiver bound to an abstract name */
static inline int dgram_to_abstract(struct sock_fix *s)
{
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s->peer = bound_dgram(SOCK_TAG "-dst", 1, &s->dst, &s->dstlen);
	return s->fd < 0 || s->peer < 0 ? -1 : 0;
}

static inline int dgram_to_path(struct sock_fix *s)
{
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s->peer = bound_dgram(PATH_DST, 0, &s->dst, &s->dstlen);
	return s->fd < 0 || s->peer < 0 ? -1 : 0;
}

static inline int dgram_unconnected(struct sock_fix *s)
{
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return s->fd < 0 ? -1 : 0;
}

/* a non-blocking datagram pair whose peer's queue is full */
static inline int dgram_full_nb(struct sock_fix *s)
{
	int i;

	if (pair(s, SOCK_DGRAM | SOCK_NONBLOCK))
		return -1;
	for (i = 0; i < 10000; i++)
		if (send(s->fd, "fill", 4, 0) < 0)
			return errno == EAGAIN ? 0 : -1;
	return -1;
}

/* not a socket; not a descriptor */
static inline int file_fd(struct sock_fix *s)
{
	s->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	return s->fd < 0 ? -1 : 0;
}

static inline int closed_fd(struct sock_fix *s)
{
	s->fd = FD_CLOSED;
	return 0;
}

/* receive setups: data waiting in s->fd */
static inline int stream_data(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?:
		-(write(s->peer, "hello world", 11) != 11);
}

static inline int stream_data_nb(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM | SOCK_NONBLOCK) ?:
		-(write(s->peer, "hello", 5) != 5);
}

static inline int stream_eof(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?: shutdown(s->peer, SHUT_WR);
}

/*
 * A receiver bound to @dst, sent two datagrams from a sender bound to @src
 * (NULL: an unbound one)
 */
static inline int dgram_from(struct sock_fix *s, const char *dst,
			     const char *src, int abstract)
{
	struct sockaddr_un d;
	socklen_t dl;
	int snd;

	s->fd = bound_dgram(dst, abstract, &d, &dl);
	snd = src ? bound_dgram(src, abstract, NULL, NULL) :
		    socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || snd < 0)
		return -1;
	s->extra = snd;
	if (sendto(snd, "datagram-one", 12, 0, (struct sockaddr *)&d, dl) != 12 ||
	    sendto(snd, "dg2", 3, 0, (struct sockaddr *)&d, dl) != 3)
		return -1;
	return 0;
}

static inline int dgram_from_abstract(struct sock_fix *s)
{
	return dgram_from(s, SOCK_TAG "-rcv", SOCK_TAG "-snd", 1);
}

static inline int dgram_from_path(struct sock_fix *s)
{
	return dgram_from(s, PATH_DST, PATH_SRC, 0);
}

static inline int dgram_idle_nb(struct sock_fix *s)
{
	return pair(s, SOCK_DGRAM | SOCK_NONBLOCK);
}

/*
 * ---- SIGPIPE between ops -------------------------------------------------
 *
 * SIGPIPE as the syscall raises it, and its handler before the next call:
 * the send op @nr (@nargs arguments @a; a[0], the socket, set here) on a
 * stream socket shut for writing gets -EPIPE; a counting handler (@handled)
 * writes a byte to a non-blocking pipe, and a read of that pipe finds it.
 * The chain does the same: the handler runs at the boundary after the
 * send, and the chain goes on. Ignored, or with MSG_NOSIGNAL in @flags
 * (the send's flags, also in @a), nothing runs in between and the read
 * gets EAGAIN.
 */
static volatile sig_atomic_t sock_sigs;
static int sock_hand_fd = -1;

static inline void sock_count_sig(int sig)
{
	(void)sig;
	sock_sigs++;
	if (sock_hand_fd >= 0 && write(sock_hand_fd, "h", 1) != 1)
		sock_sigs += 100;
}

static inline void sock_sigpipe_case(int handled, uint64_t flags, uint32_t nr,
				     int nargs, uint64_t a[6])
{
	struct sigaction sa = {
		.sa_handler = handled ? sock_count_sig : SIG_IGN
	};
	struct g_chain c;
	int sv[2], hp[2], n;
	char b[2];
	long rs;

	sigaction(SIGPIPE, &sa, NULL);
	assert_int_equal(pipe2(hp, O_NONBLOCK | O_CLOEXEC), 0);
	sock_hand_fd = hp[1];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(shutdown(sv[0], SHUT_WR), 0);
	a[0] = (uint64_t)sv[0];
	sock_sigs = 0;
	assert_int_equal(g_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]), -EPIPE);
	rs = g_sys(__NR_read, hp[0], (uintptr_t)b, 2, 0, 0, 0);
	n = sock_sigs;
	assert_int_equal(n, handled && !(flags & MSG_NOSIGNAL) ? 1 : 0);
	assert_int_equal(rs, n ? 1 : -EAGAIN);

	sock_sigs = 0;
	g_init(&c);
	g_op_u64(&c, nr, nargs, a);
	g_opn(&c, __NR_read, hp[0], (uintptr_t)b, 2);
	g_op0(&c, __NR_getpid);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(sock_sigs, n);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.run.steps, 3);
	assert_int_equal(c.run.flags, 0);
	assert_int_equal(c.res[0].ret, -EPIPE);
	assert_int_equal(c.res[0].count, 1);
	assert_int_equal(c.res[1].ret, rs);	/* the handler ran before it */
	assert_int_equal(c.res[2].ret, getpid());
	close(sv[0]);
	close(sv[1]);
	sock_hand_fd = -1;
	close(hp[0]);
	close(hp[1]);
	signal(SIGPIPE, SIG_DFL);
}

/*
 * A blocking receive that a signal interrupts, the syscall against the
 * chain getpid, sendto "ping" to itself, <receive>, gettid (op 2 blocks
 * until the child writes "pong" to the peer). One receiving op's
 * fixtures: its side (socket pair and buffers) is opaque here.
 */
struct g_recv_kind {
	long nr;				/* __NR_recvmsg, __NR_recvfrom */
	void (*init)(void *side);		/* a fresh pair and buffers */
	void (*close)(void *side);
	int (*fd)(const void *side, int end);	/* sv[end] */
	long (*sys)(void *side);		/* the receive as a syscall */
	void (*build)(struct g_chain *c, void *side);	/* the chain */
	void (*untouched)(const void *side);	/* nothing received */
	void (*same)(const void *chain, const void *sys); /* same output */
};

/* where the chain left: at op 2, the sent datagram there, unread */
static inline void g_assert_left_at_recv(const struct g_recv_kind *k,
					 const struct g_chain *c,
					 const void *side)
{
	char b[8];

	assert_int_equal(c->run.status, SYSCHAIN_STATUS_INTERRUPTED);
	assert_int_equal(c->run.flags, SYSCHAIN_RUN_RESUME);
	assert_int_equal(c->run.stop_op, 2);
	assert_int_equal(c->run.steps, 2);
	assert_int_equal(c->res[0].ret, getpid());
	assert_int_equal(c->res[1].ret, 4);
	assert_int_equal(c->res[2].ret, 0);
	assert_int_equal(c->res[2].count, 0);
	assert_int_equal(c->res[3].count, 0);
	k->untouched(side);
	assert_int_equal(recv(k->fd(side, 0), b, sizeof(b), MSG_DONTWAIT), 4);
}

static inline void g_assert_completed_recv(const struct g_chain *c, long ret)
{
	assert_int_equal(c->run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c->run.flags, 0);
	assert_int_equal(c->run.steps, 4);
	assert_int_equal(c->res[2].ret, ret);
	assert_int_equal(c->res[2].count, 1);
	assert_int_equal(c->res[3].ret, syscall(__NR_gettid));
	assert_int_equal(c->res[3].count, 1);
}

/*
 * A handler without SA_RESTART: the syscall returns -EINTR, and is called
 * again for "pong". The chain leaves at the receive; run again as it is,
 * it receives "pong" as the syscall did; with RESUME_EINTR the receive
 * completes with -EINTR and "pong" stays unread. @rs, @rc: two sides.
 */
static inline void g_interrupted_recv(const struct g_recv_kind *k,
				      void *rs, void *rc)
{
	struct g_chain c;
	long sys, sys2;
	char b[8];
	pid_t pid;

	k->init(rs);
	pid = g_alarm_when_blocked(k->nr, 0, 0, k->fd(rs, 0), "pong");
	sys = k->sys(rs);
	assert_int_equal(g_reap(pid), 0);
	assert_int_equal(sys, -EINTR);
	assert_int_equal(g_alarms, 1);
	k->untouched(rs);
	sys2 = k->sys(rs);
	assert_int_equal(sys2, 4);

	k->init(rc);
	k->build(&c, rc);
	pid = g_alarm_when_blocked(__NR_ioctl, 0, 0, k->fd(rc, 0), "pong");
	assert_int_equal(g_run(&c, 0), -EINTR);
	assert_int_equal(g_reap(pid), 0);
	assert_int_equal(g_alarms, 1);
	g_assert_left_at_recv(k, &c, rc);
	assert_int_equal(g_run_again(&c), 0);
	g_assert_completed_recv(&c, sys2);
	k->same(rc, rs);

	k->build(&c, rc);
	pid = g_alarm_when_blocked(__NR_ioctl, 0, 0, k->fd(rc, 0), "pong");
	assert_int_equal(g_run(&c, 0), -EINTR);
	assert_int_equal(g_reap(pid), 0);
	g_assert_left_at_recv(k, &c, rc);
	c.run.flags |= SYSCHAIN_RUN_RESUME_EINTR;
	assert_int_equal(g_run_again(&c), 0);
	g_assert_completed_recv(&c, -EINTR);
	k->untouched(rc);
	assert_int_equal(recv(k->fd(rc, 1), b, sizeof(b), MSG_DONTWAIT), 4);
	assert_int_equal(g_alarms, 1);
	k->close(rs);
	k->close(rc);
	g_alarm_off();
}

/* A handler with SA_RESTART: the syscall and the chain both get "pong". */
static inline void g_restarted_recv(const struct g_recv_kind *k,
				    void *rs, void *rc)
{
	struct g_chain c;
	long sys;
	pid_t pid;

	k->init(rs);
	pid = g_alarm_when_blocked(k->nr, 0, SA_RESTART, k->fd(rs, 0), "pong");
	sys = k->sys(rs);
	assert_int_equal(g_reap(pid), 0);
	assert_int_equal(sys, 4);
	assert_int_equal(g_alarms, 1);

	k->init(rc);
	k->build(&c, rc);
	pid = g_alarm_when_blocked(__NR_ioctl, 0, SA_RESTART, k->fd(rc, 0),
				   "pong");
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(g_reap(pid), 0);
	assert_int_equal(g_alarms, 1);
	g_assert_completed_recv(&c, sys);
	k->same(rc, rs);
	k->close(rs);
	k->close(rc);
	g_alarm_off();
}

#endif /* SYSCHAIN_GUEST_SOCK_H */
