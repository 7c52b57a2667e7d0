// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Socket ops: sendto and recvfrom, each through a chain against the plain
 * syscall on identical fresh sockets (unix stream and datagram, abstract
 * and /tmp addresses): result, errno, the data buffer, the returned
 * address and its length, and what is left in the socket afterwards.
 * Then SIGPIPE (ignored, and caught by a counting handler that runs
 * before the next op), and a recvfrom blocked on an idle socket that a
 * handler interrupts, with and without SA_RESTART.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "guest.h"

#define BAD_PTR		((uint64_t)1)
/* a tmpfs mounted strictatime by the tests */
#define SOCK_DIR	"/tmp/sc-net"
#define SOCK_TAG	"sc-net"	/* its abstract names */
#include "sock.h"
#define KERNEL_PTR	0xffff888000000000ULL	/* access_ok() fails */
#define MSG_SPLICE	0x8000000	/* MSG_SPLICE_PAGES: kernel-internal */

/* data: a user address that faults (NULL), or one access_ok() refuses */
static const char kptr[] = "kernel pointer";

/* One side's sockets, buffers and addresses. */
struct inst {
	struct sock_fix s;		/* the sockets (sock.h) */
	char buf[64];			/* the op's data buffer */
	struct sockaddr_un from;	/* recvfrom's address buffer */
	int fromlen;			/* recvfrom's address length */
	char rest[256];			/* what is left afterwards */
	long restlen;
	struct g_obs obs;		/* what the op did to the files */
};

/* setups besides sock.h's: s->fd is the socket the op works on */
static int stream_pair_nb(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM | SOCK_NONBLOCK);
}

static int stream_peer_closed(struct sock_fix *s)
{
	if (pair(s, SOCK_STREAM))
		return -1;
	close(s->peer);
	s->peer = -1;
	return 0;
}

static int dgram_to_nowhere(struct sock_fix *s)
{
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	s->dstlen = un_addr(&s->dst, SOCK_TAG "-nobody-listens", 1);
	return s->fd < 0 ? -1 : 0;
}

static int dgram_full(struct sock_fix *s)
{
	if (dgram_full_nb(s))
		return -1;
	return fcntl(s->fd, F_SETFL, 0);
}

static int stream_shut_rd(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?: shutdown(s->fd, SHUT_RD);
}

static int dgram_from_unbound(struct sock_fix *s)
{
	return dgram_from(s, SOCK_TAG "-rcv", NULL, 1);
}

enum { B_OK, B_BAD, B_NULL };	/* a pointer argument */
enum { A_NONE, A_DST, A_BAD };	/* sendto's address */

struct ncase {
	const char *what;
	uint32_t nr;
	int (*make)(struct sock_fix *s);
	const char *data;	/* sendto: what to send (NULL: bad pointer) */
	uint64_t len;
	uint64_t flags;
	int addr;		/* sendto: A_*; recvfrom: B_* for the address */
	int addrlen;		/* sendto: -1 = the setup's; recvfrom: *addrlen */
	int lenptr;		/* recvfrom: B_* for addrlen */
	long expect;
};

static long run_case(const struct ncase *t, struct inst *in, int chained)
{
	uint64_t a[6] = { 0 };
	long ret;

	memset(in, 0, sizeof(*in));
	sock_fix_init(&in->s);
	memset(in->buf, 'C', sizeof(in->buf));
	memset(&in->from, 'F', sizeof(in->from));
	if (t->make(&in->s))
		fail_msg("%s: setup failed: %s", t->what, strerror(errno));
	a[0] = (uint64_t)in->s.fd;
	a[2] = t->len;
	a[3] = t->flags;
	if (t->nr == __NR_sendto) {
		a[1] = !t->data ? BAD_PTR : t->data == kptr ? KERNEL_PTR :
		       (uintptr_t)t->data;
		if (t->addr == A_DST)
			a[4] = (uintptr_t)&in->s.dst;
		else if (t->addr == A_BAD)
			a[4] = BAD_PTR;
		a[5] = t->addrlen == -1 ? in->s.dstlen : (uint64_t)t->addrlen;
	} else {
		a[1] = !t->data ? BAD_PTR : t->data == kptr ? KERNEL_PTR :
		       (uintptr_t)in->buf;
		in->fromlen = t->addrlen;
		a[4] = t->addr == B_OK ? (uintptr_t)&in->from :
		       t->addr == B_BAD ? BAD_PTR : 0;
		a[5] = t->lenptr == B_OK ? (uintptr_t)&in->fromlen :
		       t->lenptr == B_BAD ? BAD_PTR : 0;
	}
	sock_observe(&in->obs, SOCK_DIR, PATH_DST, PATH_SRC, in->s.fd);
	g_obs_begin(&in->obs);
	if (chained)
		ret = g_chain1(t->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	else
		ret = g_sys(t->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	g_obs_end(&in->obs);

	/* what is left: at the peer after a send, in the socket after a recv */
	memset(in->rest, 0, sizeof(in->rest));
	{
		int from = t->nr == __NR_sendto ? in->s.peer : in->s.fd;

		in->restlen = from >= 0 && from != FD_CLOSED ?
			recv(from, in->rest, sizeof(in->rest), MSG_DONTWAIT) : -2;
		if (in->restlen < 0 && in->restlen != -2)
			in->restlen = -errno;
	}
	sock_fix_drop(&in->s);
	return ret;
}

static void check_case(const struct ncase *t)
{
	static struct inst c, s;
	long rc, rs;

	rc = run_case(t, &c, 1);
	rs = run_case(t, &s, 0);
	if (rc != rs || rc != t->expect)
		fail_msg("%s: chain %ld, syscall %ld, expected %ld", t->what, rc,
			 rs, t->expect);
	if (memcmp(c.buf, s.buf, sizeof(c.buf)))
		fail_msg("%s: data buffers differ", t->what);
	if (c.fromlen != s.fromlen)
		fail_msg("%s: address length chain %d, syscall %d", t->what,
			 c.fromlen, s.fromlen);
	if (memcmp(&c.from, &s.from, sizeof(c.from)))
		fail_msg("%s: returned addresses differ", t->what);
	if (c.restlen != s.restlen || memcmp(c.rest, s.rest, sizeof(c.rest)))
		fail_msg("%s: left in the socket: chain %ld, syscall %ld",
			 t->what, c.restlen, s.restlen);
	g_obs_assert_same(&c.obs, &s.obs, t->what);
}

static void test_sendto_table(void **state)
{
	const struct ncase table[] = {
		{ "stream", __NR_sendto, stream_pair, "hello", 5, 0, A_NONE, 0, 0, 5 },
		{ "stream 0 bytes", __NR_sendto, stream_pair, "", 0, 0, A_NONE, 0, 0, 0 },
		{ "dgram pair", __NR_sendto, dgram_pair, "hello", 5, 0, A_NONE, 0, 0, 5 },
		{ "dgram to abstract", __NR_sendto, dgram_to_abstract, "abstract", 8, 0, A_DST, -1, 0, 8 },
		{ "dgram to path", __NR_sendto, dgram_to_path, "path", 4, 0, A_DST, -1, 0, 4 },
		{ "internal flag masked", __NR_sendto, stream_pair, "hello", 5, MSG_SPLICE, A_NONE, 0, 0, 5 },
		{ "EBADF", __NR_sendto, closed_fd, "x", 1, 0, A_NONE, 0, 0, -EBADF },
		{ "ENOTSOCK", __NR_sendto, file_fd, "x", 1, 0, A_NONE, 0, 0, -ENOTSOCK },
		{ "EFAULT buffer", __NR_sendto, stream_pair, NULL, 4, 0, A_NONE, 0, 0, -EFAULT },
		{ "EFAULT kernel buffer", __NR_sendto, stream_pair, kptr, 4, 0, A_NONE, 0, 0, -EFAULT },
		{ "EFAULT before EBADF", __NR_sendto, closed_fd, kptr, 4, 0, A_NONE, 0, 0, -EFAULT },
		{ "EFAULT address", __NR_sendto, dgram_to_abstract, "x", 1, 0, A_BAD, 16, 0, -EFAULT },
		{ "EINVAL addrlen < 0", __NR_sendto, dgram_to_abstract, "x", 1, 0, A_DST, -1 - 0x7fffffff, 0, -EINVAL },
		{ "EINVAL addrlen too big", __NR_sendto, dgram_to_abstract, "x", 1, 0, A_DST, 200, 0, -EINVAL },
		{ "ECONNREFUSED", __NR_sendto, dgram_to_nowhere, "x", 1, 0, A_DST, -1, 0, -ECONNREFUSED },
		{ "ENOTCONN", __NR_sendto, dgram_unconnected, "x", 1, 0, A_NONE, 0, 0, -ENOTCONN },
		{ "EISCONN", __NR_sendto, stream_pair, "x", 1, 0, A_DST, 16, 0, -EISCONN },
		{ "EAGAIN O_NONBLOCK", __NR_sendto, dgram_full_nb, "x", 1, 0, A_NONE, 0, 0, -EAGAIN },
		{ "EAGAIN MSG_DONTWAIT", __NR_sendto, dgram_full, "x", 1, MSG_DONTWAIT, A_NONE, 0, 0, -EAGAIN },
		{ "EPIPE shut down", __NR_sendto, stream_shut_wr, "x", 1, 0, A_NONE, 0, 0, -EPIPE },
		{ "EPIPE peer closed", __NR_sendto, stream_peer_closed, "x", 1, MSG_NOSIGNAL, A_NONE, 0, 0, -EPIPE },
		{ "stream nonblocking", __NR_sendto, stream_pair_nb, "nb", 2, 0, A_NONE, 0, 0, 2 },
	};
	static struct inst in;
	size_t i;

	(void)state;
	G_BOUND(120);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_case(&table[i]);
	signal(SIGPIPE, SIG_DFL);
	/* a send to a bound path moves the socket file's atime */
	assert_int_equal(run_case(&table[4], &in, 0), 4);
	assert_true(g_obs_saw(&in.obs, 1, G_ATIME, 0));
}

static void test_recvfrom_table(void **state)
{
	const long un_abs = offsetof(struct sockaddr_un, sun_path) + 1 + 10;
	const long un_path = offsetof(struct sockaddr_un, sun_path) +
			     sizeof(PATH_SRC);
	const struct ncase table[] = {
		{ "stream", __NR_recvfrom, stream_data, "", 64, 0, B_NULL, 0, B_NULL, 11 },
		{ "stream short", __NR_recvfrom, stream_data, "", 4, 0, B_NULL, 0, B_NULL, 4 },
		{ "stream peek", __NR_recvfrom, stream_data, "", 64, MSG_PEEK, B_NULL, 0, B_NULL, 11 },
		{ "stream with address", __NR_recvfrom, stream_data, "", 64, 0, B_OK, 110, B_OK, 11 },
		{ "stream EOF", __NR_recvfrom, stream_eof, "", 64, 0, B_NULL, 0, B_NULL, 0 },
		{ "stream SHUT_RD", __NR_recvfrom, stream_shut_rd, "", 64, 0, B_NULL, 0, B_NULL, 0 },
		{ "dgram from abstract", __NR_recvfrom, dgram_from_abstract, "", 64, 0, B_OK, 110, B_OK, 12 },
		{ "dgram from path", __NR_recvfrom, dgram_from_path, "", 64, 0, B_OK, 110, B_OK, 12 },
		{ "dgram from unbound", __NR_recvfrom, dgram_from_unbound, "", 64, 0, B_OK, 110, B_OK, 12 },
		{ "dgram no address", __NR_recvfrom, dgram_from_abstract, "", 64, 0, B_NULL, 0, B_NULL, 12 },
		{ "no address, bad length ignored", __NR_recvfrom, dgram_from_abstract, "", 64, 0, B_NULL, 0, B_BAD, 12 },
		{ "dgram truncated address", __NR_recvfrom, dgram_from_path, "", 64, 0, B_OK, 5, B_OK, 12 },
		{ "dgram zero address length", __NR_recvfrom, dgram_from_path, "", 64, 0, B_OK, 0, B_OK, 12 },
		{ "dgram truncated data", __NR_recvfrom, dgram_from_abstract, "", 5, 0, B_OK, 110, B_OK, 5 },
		{ "dgram MSG_TRUNC", __NR_recvfrom, dgram_from_abstract, "", 5, MSG_TRUNC, B_OK, 110, B_OK, 12 },
		{ "EINVAL addrlen < 0", __NR_recvfrom, dgram_from_abstract, "", 64, 0, B_OK, -1, B_OK, -EINVAL },
		{ "EFAULT addrlen", __NR_recvfrom, dgram_from_abstract, "", 64, 0, B_OK, 0, B_BAD, -EFAULT },
		{ "EFAULT address", __NR_recvfrom, dgram_from_abstract, "", 64, 0, B_BAD, 110, B_OK, -EFAULT },
		{ "EFAULT buffer", __NR_recvfrom, stream_data, NULL, 64, 0, B_NULL, 0, B_NULL, -EFAULT },
		{ "EFAULT kernel buffer", __NR_recvfrom, stream_data, kptr, 64, 0, B_NULL, 0, B_NULL, -EFAULT },
		{ "EFAULT before EBADF", __NR_recvfrom, closed_fd, kptr, 64, 0, B_NULL, 0, B_NULL, -EFAULT },
		{ "EBADF", __NR_recvfrom, closed_fd, "", 64, 0, B_NULL, 0, B_NULL, -EBADF },
		{ "ENOTSOCK", __NR_recvfrom, file_fd, "", 64, 0, B_NULL, 0, B_NULL, -ENOTSOCK },
		{ "EAGAIN O_NONBLOCK", __NR_recvfrom, dgram_idle_nb, "", 64, 0, B_OK, 110, B_OK, -EAGAIN },
		{ "EAGAIN MSG_DONTWAIT", __NR_recvfrom, dgram_pair, "", 64, MSG_DONTWAIT, B_NULL, 0, B_NULL, -EAGAIN },
		{ "stream nonblocking", __NR_recvfrom, stream_data_nb, "", 64, 0, B_NULL, 0, B_NULL, 5 },
	};
	struct inst in;
	size_t i;

	(void)state;
	G_BOUND(120);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_case(&table[i]);

	/* the addresses themselves, not only chain == syscall */
	assert_int_equal(run_case(&table[6], &in, 1), 12);
	assert_int_equal(in.fromlen, un_abs);
	assert_int_equal(in.from.sun_path[0], 0);
	assert_memory_equal(in.from.sun_path + 1, "sc-net-snd", 10);
	assert_memory_equal(in.buf, "datagram-one", 12);
	assert_int_equal(in.restlen, 3);
	assert_int_equal(run_case(&table[7], &in, 1), 12);
	assert_int_equal(in.fromlen, un_path);
	assert_string_equal(in.from.sun_path, PATH_SRC);
	assert_int_equal(run_case(&table[8], &in, 1), 12);
	assert_int_equal(in.fromlen, 0);	/* an unbound sender has no name */
	assert_int_equal(run_case(&table[11], &in, 1), 12);
	assert_int_equal(in.fromlen, un_path);	/* the untruncated length */
	assert_memory_equal(&in.from, &(sa_family_t){ AF_UNIX }, 2);
	assert_memory_equal(in.from.sun_path, PATH_SRC, 3);
	assert_int_equal(in.from.sun_path[3], 'F');
}

/*
 * SIGPIPE from sendto as the syscall raises it, and its handler before
 * the next call, in the chain as between the syscalls (issue 12, item 15;
 * sock_sigpipe_case()).
 */
static void sigpipe_case(int handled, uint64_t flags)
{
	sock_sigpipe_case(handled, flags, __NR_sendto, 6,
			  (uint64_t[6]){ 0, (uintptr_t)"x", 1, flags });
}

static void test_sigpipe(void **state)
{
	(void)state;
	G_BOUND(30);
	sigpipe_case(1, 0);
	sigpipe_case(0, 0);
	sigpipe_case(1, MSG_NOSIGNAL);
}

/* SIGPIPE with the default action kills the caller, as the syscall does */
static void test_sigpipe_default(void **state)
{
	int sv[2], status;
	pid_t pid;

	(void)state;
	G_BOUND(120);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct g_chain c;

		signal(SIGPIPE, SIG_DFL);
		g_init(&c);
		g_opn(&c, __NR_sendto, sv[0], (uintptr_t)"x", 1, 0, 0, 0);
		g_op0(&c, __NR_getpid);
		g_run(&c, 0);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGPIPE);
	close(sv[0]);
}

/*
 * recvfrom blocked on an idle datagram socket; then SIGALRM, whose
 * handler sends "pong" to it. Without SA_RESTART the syscall returns EINTR
 * (the address length untouched) and so does the ioctl, the chain left at
 * the recvfrom; called again as it is, the recvfrom runs again and gets
 * "pong" as the retried syscall does; with RESUME_EINTR it returns -EINTR
 * and the chain goes on. With SA_RESTART the syscall restarts and gets
 * "pong", and so does the chain, in one ioctl that returns 0.
 */
struct rside {
	int sv[2];
	struct sockaddr_un from;
	int fromlen;
	char buf[16];
};

static void rside_init(struct rside *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				    r->sv), 0);
	r->fromlen = sizeof(r->from);
}

static void rside_close(struct rside *r)
{
	close(r->sv[0]);
	close(r->sv[1]);
}

static long sys_recvfrom(struct rside *r)
{
	return g_sys(__NR_recvfrom, r->sv[1], (uintptr_t)r->buf,
		     sizeof(r->buf), 0, (uintptr_t)&r->from,
		     (uintptr_t)&r->fromlen);
}

static void build_recvfrom(struct g_chain *c, struct rside *r)
{
	r->fromlen = sizeof(r->from);
	g_init(c);
	g_op0(c, __NR_getpid);
	g_opn(c, __NR_sendto, r->sv[1], (uintptr_t)"ping", 4, 0, 0, 0);
	g_opn(c, __NR_recvfrom, r->sv[1], (uintptr_t)r->buf, sizeof(r->buf), 0,
	      (uintptr_t)&r->from, (uintptr_t)&r->fromlen);
	g_op0(c, __NR_gettid);
}

static int from_fd(const void *side, int end)
{
	return ((const struct rside *)side)->sv[end];
}

static void from_untouched(const void *side)
{
	const struct rside *r = side;

	assert_int_equal(r->fromlen, sizeof(r->from));
}

/* "pong", from the same address as the syscall's side @sys */
static void from_same(const void *chain, const void *sys)
{
	const struct rside *r = chain, *s = sys;

	assert_memory_equal(s->buf, "pong", 4);
	assert_memory_equal(r->buf, "pong", 4);
	assert_int_equal(r->fromlen, s->fromlen);
	assert_memory_equal(&r->from, &s->from, s->fromlen);
}

static void from_init(void *side) { rside_init(side); }
static void from_close(void *side) { rside_close(side); }
static long from_sys(void *side) { return sys_recvfrom(side); }
static void from_build(struct g_chain *c, void *side) { build_recvfrom(c, side); }

static const struct g_recv_kind recvfrom_kind = {
	.nr = __NR_recvfrom, .init = from_init, .close = from_close,
	.fd = from_fd, .sys = from_sys, .build = from_build,
	.untouched = from_untouched, .same = from_same,
};

static void test_interrupted_recvfrom(void **state)
{
	struct rside rs, rc;

	(void)state;
	G_BOUND(30);
	g_interrupted_recv(&recvfrom_kind, &rs, &rc);
}

static void test_restarted_recvfrom(void **state)
{
	struct rside rs, rc;

	(void)state;
	G_BOUND(30);
	g_restarted_recv(&recvfrom_kind, &rs, &rc);
}

/* a round trip in one call: send, receive with the sender's address */
static void test_round_trip(void **state)
{
	struct sockaddr_un dst, from;
	int fromlen = sizeof(from);
	socklen_t dstlen;
	struct g_chain c;
	char buf[32] = { 0 };
	int rcv, snd;

	(void)state;
	G_BOUND(120);
	rcv = bound_dgram("sc-net-rt-rcv", 1, &dst, &dstlen);
	snd = bound_dgram("sc-net-rt-snd", 1, NULL, NULL);
	assert_true(rcv >= 0 && snd >= 0);
	g_init(&c);
	g_opn(&c, __NR_sendto, snd, (uintptr_t)"round trip", 10, 0,
	      (uintptr_t)&dst, dstlen);
	g_opn(&c, __NR_recvfrom, rcv, (uintptr_t)buf, 0, 0, (uintptr_t)&from,
	      (uintptr_t)&fromlen);
	g_ref(&c, 1, 2, 0, 0);	/* receive as much as was sent */
	assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[0].ret, 10);
	assert_int_equal(c.res[1].ret, 10);
	assert_string_equal(buf, "round trip");
	assert_int_equal(fromlen, offsetof(struct sockaddr_un, sun_path) + 14);
	assert_memory_equal(from.sun_path + 1, "sc-net-rt-snd", 13);
	close(rcv);
	close(snd);
}

/* the directory of the path-bound sockets: a strictatime tmpfs */
static int setup(void **state)
{
	(void)state;
	return g_mount_strictatime(SOCK_DIR);
}

static int teardown(void **state)
{
	(void)state;
	return umount2(SOCK_DIR, MNT_DETACH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sendto_table),
		cmocka_unit_test(test_recvfrom_table),
		cmocka_unit_test(test_sigpipe),
		cmocka_unit_test(test_sigpipe_default),
		cmocka_unit_test(test_interrupted_recvfrom),
		cmocka_unit_test(test_restarted_recvfrom),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests_name("syschain-ops-net", tests, setup,
					   teardown);
}
