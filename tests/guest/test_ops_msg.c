// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Socket ops: sendmsg and recvmsg, each through a chain against the plain
 * syscall on identical fresh unix sockets: result, errno, the data
 * buffer, the msghdr written back (msg_namelen, msg_controllen,
 * msg_flags), the returned address and control data, what is left in the
 * socket afterwards (data, address and ancillary data, read by the plain
 * syscall) and the next free descriptor (no descriptor leaked or lost).
 * Then SCM_RIGHTS across a socketpair with the chain on either side and
 * the received descriptor used, SIGPIPE (its handler running before the
 * next op), and a recvmsg blocked on an idle socket that a handler
 * interrupts, with and without SA_RESTART.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "guest.h"

#define BAD_PTR		((uint64_t)1)
/* a tmpfs mounted strictatime by the tests */
#define SOCK_DIR	"/tmp/sc-msg"
#define SOCK_TAG	"sc-msg"	/* its abstract names */
#include "sock.h"
#define MSG_COMPAT	0x80000000u	/* MSG_CMSG_COMPAT: compat syscalls only */
#define MSG_SPLICE	0x8000000	/* MSG_SPLICE_PAGES: kernel-internal */
#define CTL_SIZE	256

/* One side's sockets, buffers and what the op saw and left. */
struct inst {
	struct sock_fix s;		/* the sockets (sock.h) */
	char buf[64];			/* the op's data buffer */
	char buf2[64];			/* second iovec */
	struct iovec iov[2];
	struct sockaddr_un name;	/* recvmsg's address buffer */
	union {
		char b[CTL_SIZE];
		struct cmsghdr align;
	} ctl;				/* the op's control buffer */
	struct msghdr msg;
	/* what is left: drained with recvmsg() by the plain syscall */
	char rest[256];
	long restlen;
	union {
		char b[CTL_SIZE];
		struct cmsghdr align;
	} restctl;
	size_t restctllen;
	int restflags;
	int nextfd;
	struct g_obs obs;		/* what the op did to the files */
};

static int passcred(int fd)
{
	int one = 1;

	return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
}

/* send @n descriptors (a pipe's ends) and "fds" from @from */
static int send_rights(struct sock_fix *s, int from, int n)
{
	union {
		char b[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = "fds", .iov_len = 3 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.b, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	if (pipe2(s->pipe, O_CLOEXEC))
		return -1;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), s->pipe, n * sizeof(int));
	return sendmsg(from, &m, 0) == 3 ? 0 : -1;
}

/* setups besides sock.h's: s->fd is the socket the op works on */
static int seqpacket_pair(struct sock_fix *s) { return pair(s, SOCK_SEQPACKET); }

static int stream_pair_cred(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?: passcred(s->peer);
}

static int stream_pair_pipe(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?: pipe2(s->pipe, O_CLOEXEC);
}

static int stream_pair_cred_pipe(struct sock_fix *s)
{
	return stream_pair_cred(s) ?: pipe2(s->pipe, O_CLOEXEC);
}

static int stream_cred_data(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?: passcred(s->fd) ?:
		-(write(s->peer, "credentials", 11) != 11);
}

static int stream_rights1(struct sock_fix *s)
{
	return pair(s, SOCK_STREAM) ?: send_rights(s, s->peer, 1);
}

static int dgram_rights2(struct sock_fix *s)
{
	return pair(s, SOCK_DGRAM) ?: send_rights(s, s->peer, 2);
}

/* close the descriptors an SCM_RIGHTS message in @m installed */
static void close_rights(struct msghdr *m)
{
	struct cmsghdr *cm;

	if (m->msg_controllen > CTL_SIZE)
		return;
	for (cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
		size_t k, n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < n; k++)
			close(((int *)CMSG_DATA(cm))[k]);
	}
}

/* a pointer member of the msghdr */
enum { P_OK, P_NULL, P_BAD };
/* the control buffer */
enum { C_NONE, C_BUF, C_BAD, C_CREDS, C_BADCREDS, C_RIGHTS, C_BADFD,
       C_SHORT, C_UNKNOWN, C_BOTH };
/* the iovecs */
enum { V_ONE, V_TWO, V_NONE, V_BADARRAY, V_BADBASE, V_TOOMANY, V_NEGLEN };

struct mcase {
	const char *what;
	uint32_t nr;
	int (*make)(struct sock_fix *s);
	int msgp;		/* the msghdr pointer: P_* */
	int iov;		/* V_* */
	size_t len;		/* length of the first iovec */
	uint64_t flags;
	int name;		/* P_*; P_OK on a send: the setup's address */
	int namelen;		/* -1: the setup's (send) or sizeof (receive) */
	int ctl;		/* C_* */
	size_t ctllen;		/* 0 with C_BUF etc.: CTL_SIZE */
	long expect;
};

static struct iovec many[1025];

/* fill the control buffer of a send */
static size_t make_ctl(const struct mcase *t, struct inst *in)
{
	struct msghdr m = { .msg_control = in->ctl.b, .msg_controllen = CTL_SIZE };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	struct ucred cr = { getpid(), getuid(), getgid() };

	switch (t->ctl) {
	case C_CREDS:
	case C_BADCREDS:
		if (t->ctl == C_BADCREDS)
			cr.pid = 4000000;	/* no such process */
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(cr));
		memcpy(CMSG_DATA(cm), &cr, sizeof(cr));
		return CMSG_SPACE(sizeof(cr));
	case C_RIGHTS:
	case C_BADFD:
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(cm), in->s.pipe, 2 * sizeof(int));
		if (t->ctl == C_BADFD)
			((int *)CMSG_DATA(cm))[1] = 999;
		return CMSG_SPACE(2 * sizeof(int));
	case C_SHORT:
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = sizeof(*cm) - 1;
		return CMSG_SPACE(0);
	case C_BOTH:	/* credentials and rights: more than the stack buffer */
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(cr));
		memcpy(CMSG_DATA(cm), &cr, sizeof(cr));
		m.msg_controllen = CMSG_SPACE(sizeof(cr)) + CMSG_SPACE(8);
		cm = CMSG_NXTHDR(&m, cm);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(cm), in->s.pipe, 2 * sizeof(int));
		return m.msg_controllen;
	case C_UNKNOWN:
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = 77;
		cm->cmsg_len = CMSG_LEN(4);
		return CMSG_SPACE(4);
	}
	return CTL_SIZE;
}

static long run_case(const struct mcase *t, struct inst *in, int chained)
{
	struct msghdr *m = &in->msg;
	struct msghdr d;
	struct iovec div;
	uint64_t msgp;
	long ret;
	int send = t->nr == __NR_sendmsg, from;

	memset(in, 0, sizeof(*in));
	sock_fix_init(&in->s);
	memset(in->buf, 'C', sizeof(in->buf));
	memset(in->buf2, 'D', sizeof(in->buf2));
	memset(&in->name, 'F', sizeof(in->name));
	memset(in->ctl.b, 'K', sizeof(in->ctl.b));
	if (t->make(&in->s))
		fail_msg("%s: setup failed: %s", t->what, strerror(errno));
	if (send) {
		memcpy(in->buf, "sendmsg-data", 12);
		memcpy(in->buf2, "-second", 7);
	}

	in->iov[0] = (struct iovec){ in->buf, t->len };
	in->iov[1] = (struct iovec){ in->buf2, 7 };
	m->msg_iov = in->iov;
	m->msg_iovlen = 1;
	switch (t->iov) {
	case V_TWO:
		m->msg_iovlen = 2;
		break;
	case V_NONE:
		m->msg_iov = NULL;
		m->msg_iovlen = 0;
		break;
	case V_BADARRAY:
		m->msg_iov = (struct iovec *)BAD_PTR;
		break;
	case V_BADBASE:
		in->iov[0].iov_base = (void *)BAD_PTR;
		break;
	case V_TOOMANY:
		m->msg_iov = many;
		m->msg_iovlen = 1025;
		break;
	case V_NEGLEN:
		in->iov[1].iov_len = (size_t)-1;
		m->msg_iovlen = 2;
		break;
	}
	if (t->name != P_NULL) {
		m->msg_name = t->name == P_BAD ? (void *)BAD_PTR :
			      send ? (void *)&in->s.dst : (void *)&in->name;
		m->msg_namelen = t->namelen != -1 ? (socklen_t)t->namelen :
				 send ? in->s.dstlen : sizeof(in->name);
	} else {
		m->msg_namelen = t->namelen == -1 ? 0 : t->namelen;
	}
	if (t->ctl != C_NONE) {
		size_t l = send ? make_ctl(t, in) : CTL_SIZE;

		m->msg_control = t->ctl == C_BAD ? (void *)BAD_PTR : in->ctl.b;
		m->msg_controllen = t->ctllen ? t->ctllen : l;
	}
	m->msg_flags = 0x5a5a;	/* ignored on input, written by recvmsg */
	msgp = t->msgp == P_OK ? (uintptr_t)m : t->msgp == P_BAD ? BAD_PTR : 0;

	sock_observe(&in->obs, SOCK_DIR, PATH_DST, PATH_SRC, in->s.fd);
	g_obs_begin(&in->obs);
	if (chained)
		ret = g_chain1(t->nr, in->s.fd, msgp, t->flags, 0, 0, 0);
	else
		ret = g_sys(t->nr, in->s.fd, msgp, t->flags, 0, 0, 0);
	g_obs_end(&in->obs);

	/* descriptors the op installed are closed after the comparison */
	if (!send && t->ctl == C_BUF)
		close_rights(m);

	/* what is left: at the peer after a send, in the socket after a recv */
	from = send ? in->s.peer : in->s.fd;
	memset(in->rest, 0, sizeof(in->rest));
	memset(in->restctl.b, 0, sizeof(in->restctl.b));
	if (from >= 0 && from != FD_CLOSED) {
		div = (struct iovec){ in->rest, sizeof(in->rest) };
		d = (struct msghdr){ .msg_iov = &div, .msg_iovlen = 1,
				     .msg_control = in->restctl.b,
				     .msg_controllen = sizeof(in->restctl.b) };
		in->restlen = recvmsg(from, &d, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (in->restlen < 0)
			in->restlen = -errno;
		in->restctllen = d.msg_controllen;
		in->restflags = d.msg_flags;
		close_rights(&d);
	} else {
		in->restlen = -2;
	}
	sock_fix_drop(&in->s);
	in->nextfd = fcntl(0, F_DUPFD, 0);
	close(in->nextfd);
	return ret;
}

static void check_case(const struct mcase *t)
{
	static struct inst c, s;
	long rc, rs;

	rc = run_case(t, &c, 1);
	rs = run_case(t, &s, 0);
	if (rc != rs || rc != t->expect)
		fail_msg("%s: chain %ld, syscall %ld, expected %ld", t->what, rc,
			 rs, t->expect);
	if (memcmp(c.buf, s.buf, sizeof(c.buf)) ||
	    memcmp(c.buf2, s.buf2, sizeof(c.buf2)))
		fail_msg("%s: data buffers differ", t->what);
	if (c.msg.msg_namelen != s.msg.msg_namelen)
		fail_msg("%s: msg_namelen chain %u, syscall %u", t->what,
			 c.msg.msg_namelen, s.msg.msg_namelen);
	if (c.msg.msg_controllen != s.msg.msg_controllen)
		fail_msg("%s: msg_controllen chain %zu, syscall %zu", t->what,
			 c.msg.msg_controllen, s.msg.msg_controllen);
	if (c.msg.msg_flags != s.msg.msg_flags)
		fail_msg("%s: msg_flags chain %#x, syscall %#x", t->what,
			 c.msg.msg_flags, s.msg.msg_flags);
	if (memcmp(&c.name, &s.name, sizeof(c.name)))
		fail_msg("%s: returned addresses differ", t->what);
	if (memcmp(c.ctl.b, s.ctl.b, sizeof(c.ctl.b)))
		fail_msg("%s: control buffers differ", t->what);
	if (c.restlen != s.restlen || memcmp(c.rest, s.rest, sizeof(c.rest)))
		fail_msg("%s: left in the socket: chain %ld, syscall %ld",
			 t->what, c.restlen, s.restlen);
	if (c.restctllen != s.restctllen || c.restflags != s.restflags ||
	    memcmp(c.restctl.b, s.restctl.b, sizeof(c.restctl.b)))
		fail_msg("%s: ancillary data left differ (len %zu/%zu)",
			 t->what, c.restctllen, s.restctllen);
	if (c.nextfd != s.nextfd)
		fail_msg("%s: next free descriptor chain %d, syscall %d",
			 t->what, c.nextfd, s.nextfd);
	g_obs_assert_same(&c.obs, &s.obs, t->what);
}

#define S(w, mk, ...) { w, __NR_sendmsg, mk, __VA_ARGS__ }
#define R(w, mk, ...) { w, __NR_recvmsg, mk, __VA_ARGS__ }

static void test_sendmsg_table(void **state)
{
	const struct mcase table[] = {
		/* what, setup, msgp, iov, len, flags, name, namelen, ctl, ctllen, expect */
		S("stream", stream_pair, P_OK, V_ONE, 12, 0, P_NULL, 0, C_NONE, 0, 12),
		S("stream two iovecs", stream_pair, P_OK, V_TWO, 12, 0, P_NULL, 0, C_NONE, 0, 19),
		S("stream no iovec", stream_pair, P_OK, V_NONE, 0, 0, P_NULL, 0, C_NONE, 0, 0),
		S("dgram pair", dgram_pair, P_OK, V_TWO, 12, 0, P_NULL, 0, C_NONE, 0, 19),
		S("seqpacket", seqpacket_pair, P_OK, V_ONE, 12, MSG_EOR, P_NULL, 0, C_NONE, 0, 12),
		S("dgram to abstract", dgram_to_abstract, P_OK, V_ONE, 8, 0, P_OK, -1, C_NONE, 0, 8),
		S("dgram to path", dgram_to_path, P_OK, V_ONE, 4, 0, P_OK, -1, C_NONE, 0, 4),
		S("name NULL, namelen ignored", dgram_pair, P_OK, V_ONE, 4, 0, P_NULL, -5, C_NONE, 0, 4),
		S("namelen 0, name ignored", dgram_pair, P_OK, V_ONE, 4, 0, P_BAD, 0, C_NONE, 0, 4),
		S("namelen over sockaddr_storage", dgram_to_abstract, P_OK, V_ONE, 4, 0, P_OK, 200, C_NONE, 0, -EINVAL),
		S("internal flag masked", stream_pair, P_OK, V_ONE, 5, MSG_SPLICE, P_NULL, 0, C_NONE, 0, 5),
		S("credentials", stream_pair_cred, P_OK, V_ONE, 5, 0, P_NULL, 0, C_CREDS, 0, 5),
		S("credentials of a missing pid", stream_pair_cred, P_OK, V_ONE, 5, 0, P_NULL, 0, C_BADCREDS, 0, -ESRCH),
		S("rights", stream_pair_pipe, P_OK, V_ONE, 5, 0, P_NULL, 0, C_RIGHTS, 0, 5),
		S("rights, closed descriptor", stream_pair_pipe, P_OK, V_ONE, 5, 0, P_NULL, 0, C_BADFD, 0, -EBADF),
		S("cmsg_len too short", stream_pair, P_OK, V_ONE, 5, 0, P_NULL, 0, C_SHORT, 0, -EINVAL),
		S("unknown cmsg type", stream_pair, P_OK, V_ONE, 5, 0, P_NULL, 0, C_UNKNOWN, 0, -EINVAL),
		S("control buffer kmalloc'ed", stream_pair_cred_pipe, P_OK, V_ONE, 5, 0, P_NULL, 0, C_BOTH, 0, 5),
		S("ENOBUFS controllen > INT_MAX", stream_pair, P_OK, V_ONE, 5, 0, P_NULL, 0, C_BUF, 0x80000000u, -ENOBUFS),
		S("ENOBUFS controllen over optmem_max", stream_pair, P_OK, V_ONE, 5, 0, P_NULL, 0, C_BAD, 1 << 30, -ENOBUFS),
		S("EBADF", closed_fd, P_OK, V_ONE, 1, 0, P_NULL, 0, C_NONE, 0, -EBADF),
		S("EBADF before EFAULT", closed_fd, P_BAD, V_ONE, 1, 0, P_NULL, 0, C_NONE, 0, -EBADF),
		S("ENOTSOCK", file_fd, P_OK, V_ONE, 1, 0, P_NULL, 0, C_NONE, 0, -ENOTSOCK),
		S("EINVAL MSG_CMSG_COMPAT", closed_fd, P_OK, V_ONE, 1, MSG_COMPAT, P_NULL, 0, C_NONE, 0, -EINVAL),
		S("EFAULT msghdr", stream_pair, P_BAD, V_ONE, 1, 0, P_NULL, 0, C_NONE, 0, -EFAULT),
		S("EFAULT NULL msghdr", stream_pair, P_NULL, V_ONE, 1, 0, P_NULL, 0, C_NONE, 0, -EFAULT),
		S("EFAULT iovec array", stream_pair, P_OK, V_BADARRAY, 1, 0, P_NULL, 0, C_NONE, 0, -EFAULT),
		S("EFAULT iovec base", stream_pair, P_OK, V_BADBASE, 4, 0, P_NULL, 0, C_NONE, 0, -EFAULT),
		S("EFAULT name", dgram_to_abstract, P_OK, V_ONE, 4, 0, P_BAD, 16, C_NONE, 0, -EFAULT),
		S("EFAULT control", stream_pair, P_OK, V_ONE, 4, 0, P_NULL, 0, C_BAD, 16, -EFAULT),
		S("EINVAL namelen < 0", dgram_to_abstract, P_OK, V_ONE, 4, 0, P_OK, -3, C_NONE, 0, -EINVAL),
		S("EMSGSIZE iovlen > UIO_MAXIOV", stream_pair, P_OK, V_TOOMANY, 4, 0, P_NULL, 0, C_NONE, 0, -EMSGSIZE),
		S("EINVAL negative iov_len", stream_pair, P_OK, V_NEGLEN, 4, 0, P_NULL, 0, C_NONE, 0, -EINVAL),
		S("ENOTCONN", dgram_unconnected, P_OK, V_ONE, 4, 0, P_NULL, 0, C_NONE, 0, -ENOTCONN),
		S("EAGAIN O_NONBLOCK", dgram_full_nb, P_OK, V_ONE, 4, 0, P_NULL, 0, C_NONE, 0, -EAGAIN),
		S("EPIPE", stream_shut_wr, P_OK, V_ONE, 4, MSG_NOSIGNAL, P_NULL, 0, C_NONE, 0, -EPIPE),
	};
	static struct inst in;
	size_t i;

	(void)state;
	G_BOUND(120);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_case(&table[i]);
	/* a send to a bound path moves the socket file's atime */
	assert_int_equal(run_case(&table[6], &in, 0), 4);
	assert_true(g_obs_saw(&in.obs, 1, G_ATIME, 0));
}

static void test_recvmsg_table(void **state)
{
	const struct mcase table[] = {
		/* what, setup, msgp, iov, len, flags, name, namelen, ctl, ctllen, expect */
		R("stream", stream_data, P_OK, V_ONE, 64, 0, P_NULL, 0, C_NONE, 0, 11),
		R("stream two iovecs", stream_data, P_OK, V_TWO, 4, 0, P_NULL, 0, C_NONE, 0, 11),
		R("stream peek", stream_data, P_OK, V_ONE, 64, MSG_PEEK, P_NULL, 0, C_NONE, 0, 11),
		R("stream with name", stream_data, P_OK, V_ONE, 64, 0, P_OK, -1, C_NONE, 0, 11),
		R("stream EOF", stream_eof, P_OK, V_ONE, 64, 0, P_NULL, 0, C_BUF, 0, 0),
		R("dgram from abstract", dgram_from_abstract, P_OK, V_ONE, 64, 0, P_OK, -1, C_NONE, 0, 12),
		R("dgram from path", dgram_from_path, P_OK, V_ONE, 64, 0, P_OK, -1, C_BUF, 0, 12),
		R("dgram truncated name", dgram_from_path, P_OK, V_ONE, 64, 0, P_OK, 5, C_NONE, 0, 12),
		R("dgram namelen 0", dgram_from_path, P_OK, V_ONE, 64, 0, P_OK, 0, C_NONE, 0, 12),
		R("dgram MSG_TRUNC returned", dgram_from_abstract, P_OK, V_ONE, 5, 0, P_OK, -1, C_NONE, 0, 5),
		R("dgram MSG_TRUNC asked", dgram_from_abstract, P_OK, V_ONE, 5, MSG_TRUNC, P_OK, -1, C_NONE, 0, 12),
		R("credentials", stream_cred_data, P_OK, V_ONE, 64, 0, P_NULL, 0, C_BUF, 0, 11),
		R("credentials MSG_CTRUNC", stream_cred_data, P_OK, V_ONE, 64, 0, P_NULL, 0, C_BUF, 20, 11),
		R("rights", stream_rights1, P_OK, V_ONE, 64, 0, P_NULL, 0, C_BUF, 0, 3),
		R("rights MSG_CMSG_CLOEXEC", stream_rights1, P_OK, V_ONE, 64, MSG_CMSG_CLOEXEC, P_NULL, 0, C_BUF, 0, 3),
		R("rights, no control buffer", stream_rights1, P_OK, V_ONE, 64, 0, P_NULL, 0, C_NONE, 0, 3),
		R("rights MSG_CTRUNC", dgram_rights2, P_OK, V_ONE, 64, 0, P_NULL, 0, C_BUF, CMSG_LEN(sizeof(int)), 3),
		R("rights MSG_CTRUNC, header only", dgram_rights2, P_OK, V_ONE, 64, 0, P_NULL, 0, C_BUF, CMSG_LEN(0), 3),
		R("rights, bad control buffer", dgram_rights2, P_OK, V_ONE, 64, 0, P_NULL, 0, C_BAD, 64, 3),
		R("EBADF", closed_fd, P_OK, V_ONE, 64, 0, P_NULL, 0, C_NONE, 0, -EBADF),
		R("ENOTSOCK", file_fd, P_OK, V_ONE, 64, 0, P_NULL, 0, C_NONE, 0, -ENOTSOCK),
		R("EINVAL MSG_CMSG_COMPAT", stream_data, P_OK, V_ONE, 64, MSG_COMPAT, P_NULL, 0, C_NONE, 0, -EINVAL),
		R("EFAULT msghdr", stream_data, P_BAD, V_ONE, 64, 0, P_NULL, 0, C_NONE, 0, -EFAULT),
		R("EFAULT iovec array", stream_data, P_OK, V_BADARRAY, 64, 0, P_NULL, 0, C_NONE, 0, -EFAULT),
		R("EFAULT iovec base", stream_data, P_OK, V_BADBASE, 64, 0, P_NULL, 0, C_NONE, 0, -EFAULT),
		R("EFAULT name", dgram_from_abstract, P_OK, V_ONE, 64, 0, P_BAD, 110, C_NONE, 0, -EFAULT),
		R("EINVAL namelen < 0", dgram_from_abstract, P_OK, V_ONE, 64, 0, P_OK, -1 - 0x7fffffff, C_NONE, 0, -EINVAL),
		R("EMSGSIZE iovlen > UIO_MAXIOV", stream_data, P_OK, V_TOOMANY, 64, 0, P_NULL, 0, C_NONE, 0, -EMSGSIZE),
		R("EINVAL negative iov_len", stream_data, P_OK, V_NEGLEN, 64, 0, P_NULL, 0, C_NONE, 0, -EINVAL),
		R("EAGAIN O_NONBLOCK", dgram_idle_nb, P_OK, V_ONE, 64, 0, P_OK, -1, C_BUF, 0, -EAGAIN),
		R("EAGAIN MSG_DONTWAIT", dgram_pair, P_OK, V_ONE, 64, MSG_DONTWAIT, P_NULL, 0, C_NONE, 0, -EAGAIN),
		R("stream nonblocking", stream_data_nb, P_OK, V_ONE, 64, 0, P_NULL, 0, C_NONE, 0, 5),
	};
	struct inst in;
	size_t i;

	(void)state;
	G_BOUND(120);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_case(&table[i]);

	/* some of the results themselves, not only chain == syscall */
	assert_int_equal(run_case(&table[5], &in, 1), 12);
	assert_int_equal(in.msg.msg_namelen,
			 offsetof(struct sockaddr_un, sun_path) + 11);
	assert_memory_equal(in.name.sun_path + 1, "sc-msg-snd", 10);
	assert_int_equal(in.msg.msg_flags, 0);
	assert_int_equal(in.msg.msg_controllen, 0);
	assert_int_equal(run_case(&table[9], &in, 1), 5);
	assert_int_equal(in.msg.msg_flags, MSG_TRUNC);
	assert_int_equal(run_case(&table[12], &in, 1), 11);
	assert_int_equal(in.msg.msg_flags, MSG_CTRUNC);
	assert_int_equal(run_case(&table[11], &in, 1), 11);
	assert_int_equal(in.msg.msg_controllen, CMSG_SPACE(sizeof(struct ucred)));
	assert_int_equal(in.msg.msg_flags, 0);
	assert_int_equal(run_case(&table[16], &in, 1), 3);
	assert_int_equal(in.msg.msg_flags, MSG_CTRUNC);
}

/* one SCM_RIGHTS transfer; @chain_send/@chain_recv: which side chains */
static void rights_case(int chain_send, int chain_recv, int cloexec)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} sctl, rctl;
	char data[8] = "fd!", got[8] = { 0 }, buf[8];
	struct iovec siov = { data, 3 }, riov = { got, sizeof(got) };
	struct msghdr sm = { .msg_iov = &siov, .msg_iovlen = 1,
			     .msg_control = sctl.b,
			     .msg_controllen = sizeof(sctl.b) };
	struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1,
			     .msg_control = rctl.b,
			     .msg_controllen = sizeof(rctl.b) };
	unsigned int rflags = cloexec ? MSG_CMSG_CLOEXEC : 0;
	struct cmsghdr *cm;
	int sv[2], p[2], fd;
	long r;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	cm = CMSG_FIRSTHDR(&sm);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
	if (chain_send && chain_recv) {
		struct g_chain c;

		g_init(&c);
		g_opn(&c, __NR_sendmsg, sv[0], (uintptr_t)&sm, 0);
		g_opn(&c, __NR_recvmsg, sv[1], (uintptr_t)&rm, rflags);
		assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
		assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
		assert_int_equal(c.res[0].ret, 3);
		r = c.res[1].ret;
	} else {
		r = chain_send ? g_chain1(__NR_sendmsg, sv[0], (uintptr_t)&sm, 0, 0, 0, 0) :
				 g_sys(__NR_sendmsg, sv[0], (uintptr_t)&sm, 0, 0, 0, 0);
		assert_int_equal(r, 3);
		/* the sender may close its copy: the message holds a reference */
		close(p[1]);
		p[1] = -1;
		r = chain_recv ? g_chain1(__NR_recvmsg, sv[1], (uintptr_t)&rm, rflags, 0, 0, 0) :
				 g_sys(__NR_recvmsg, sv[1], (uintptr_t)&rm, rflags, 0, 0, 0);
	}
	assert_int_equal(r, 3);
	assert_string_equal(got, "fd!");
	/* MSG_CMSG_CLOEXEC comes back in msg_flags, as from the syscall */
	assert_int_equal(rm.msg_flags, rflags);
	assert_int_equal(rm.msg_controllen, CMSG_SPACE(sizeof(int)));
	cm = CMSG_FIRSTHDR(&rm);
	assert_non_null(cm);
	assert_int_equal(cm->cmsg_level, SOL_SOCKET);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	assert_int_equal(cm->cmsg_len, CMSG_LEN(sizeof(int)));
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	assert_true(fd >= 0 && fd != p[1]);
	assert_int_equal(fcntl(fd, F_GETFD), cloexec ? FD_CLOEXEC : 0);
	/* the received descriptor is the pipe's write end */
	assert_int_equal(write(fd, "via", 3), 3);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "via", 3);
	close(fd);
	if (p[1] >= 0)
		close(p[1]);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_rights(void **state)
{
	(void)state;
	G_BOUND(120);
	rights_case(1, 0, 0);	/* the chain sends, the syscall receives */
	rights_case(0, 1, 0);	/* the syscall sends, the chain receives */
	rights_case(0, 1, 1);
	rights_case(1, 1, 0);	/* both in one chain */
	rights_case(1, 1, 1);
}

/*
 * SIGPIPE from sendmsg as the syscall raises it, its handler running
 * before the next call (a read of the pipe the handler writes to finds
 * its byte), in the chain as between the syscalls (sock_sigpipe_case()).
 */
static void sigpipe_case(int handled, uint64_t flags)
{
	struct iovec iov = { "x", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	sock_sigpipe_case(handled, flags, __NR_sendmsg, 3,
			  (uint64_t[6]){ 0, (uintptr_t)&m, flags });
}

static void test_sigpipe(void **state)
{
	(void)state;
	G_BOUND(30);
	sigpipe_case(1, 0);
	sigpipe_case(0, 0);
	sigpipe_case(1, MSG_NOSIGNAL);
}

/*
 * recvmsg blocked on an idle datagram socket; then SIGALRM, whose
 * handler sends "pong" to it. Without SA_RESTART: EINTR from the syscall
 * and from the ioctl, the msghdr untouched, the chain left at the recvmsg;
 * called again as it is, the recvmsg gets "pong" and writes the msghdr as
 * the retried syscall does; with RESUME_EINTR it returns -EINTR and the
 * chain goes on. With SA_RESTART, syscall and chain get "pong" at once.
 */
struct mside {
	int sv[2];
	struct sockaddr_un from;
	char buf[16], ctl[64];
	struct iovec iov;
	struct msghdr m;
};

static void mside_reset(struct mside *r)
{
	memset(r->buf, 0, sizeof(r->buf));
	r->iov.iov_base = r->buf;
	r->iov.iov_len = sizeof(r->buf);
	memset(&r->m, 0, sizeof(r->m));
	r->m.msg_name = &r->from;
	r->m.msg_namelen = sizeof(r->from);
	r->m.msg_iov = &r->iov;
	r->m.msg_iovlen = 1;
	r->m.msg_control = r->ctl;
	r->m.msg_controllen = sizeof(r->ctl);
	r->m.msg_flags = 0x5a;
}

static void mside_init(struct mside *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
				    r->sv), 0);
	mside_reset(r);
}

static void mside_close(struct mside *r)
{
	close(r->sv[0]);
	close(r->sv[1]);
}

static long sys_recvmsg(struct mside *r)
{
	return g_sys(__NR_recvmsg, r->sv[1], (uintptr_t)&r->m, 0, 0, 0, 0);
}

static void build_recvmsg(struct g_chain *c, struct mside *r)
{
	static struct iovec siov = { "ping", 4 };
	static struct msghdr sm = { .msg_iov = &siov, .msg_iovlen = 1 };

	mside_reset(r);
	g_init(c);
	g_op0(c, __NR_getpid);
	g_opn(c, __NR_sendmsg, r->sv[1], (uintptr_t)&sm, 0);
	g_opn(c, __NR_recvmsg, r->sv[1], (uintptr_t)&r->m, 0);
	g_op0(c, __NR_gettid);
}

static void assert_msghdr_untouched(const struct mside *r)
{
	assert_int_equal(r->m.msg_namelen, sizeof(r->from));
	assert_int_equal(r->m.msg_controllen, sizeof(r->ctl));
	assert_int_equal(r->m.msg_flags, 0x5a);
}

/* the msghdr and data as the syscall's side @s has them */
static void assert_msghdr_same(const struct mside *r, const struct mside *s)
{
	assert_int_equal(r->m.msg_namelen, s->m.msg_namelen);
	assert_memory_equal(&r->from, &s->from, s->m.msg_namelen);
	assert_int_equal(r->m.msg_controllen, s->m.msg_controllen);
	assert_int_equal(r->m.msg_flags, s->m.msg_flags);
	assert_memory_equal(r->buf, s->buf, sizeof(r->buf));
}

/* as the syscall's side received "pong" */
static void msg_same(const void *chain, const void *sys)
{
	const struct mside *s = sys;

	assert_memory_equal(s->buf, "pong", 4);
	assert_msghdr_same(chain, s);
}

static int msg_fd(const void *side, int end)
{
	return ((const struct mside *)side)->sv[end];
}

static void msg_init(void *side) { mside_init(side); }
static void msg_close(void *side) { mside_close(side); }
static long msg_sys(void *side) { return sys_recvmsg(side); }
static void msg_build(struct g_chain *c, void *side) { build_recvmsg(c, side); }
static void msg_untouched(const void *side) { assert_msghdr_untouched(side); }

static const struct g_recv_kind recvmsg_kind = {
	.nr = __NR_recvmsg, .init = msg_init, .close = msg_close,
	.fd = msg_fd, .sys = msg_sys, .build = msg_build,
	.untouched = msg_untouched, .same = msg_same,
};

static void test_interrupted_recvmsg(void **state)
{
	static struct mside rs, rc;

	(void)state;
	G_BOUND(30);
	g_interrupted_recv(&recvmsg_kind, &rs, &rc);
}

static void test_restarted_recvmsg(void **state)
{
	static struct mside rs, rc;

	(void)state;
	G_BOUND(30);
	g_restarted_recv(&recvmsg_kind, &rs, &rc);
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
		cmocka_unit_test(test_sendmsg_table),
		cmocka_unit_test(test_recvmsg_table),
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_sigpipe),
		cmocka_unit_test(test_interrupted_recvmsg),
		cmocka_unit_test(test_restarted_recvmsg),
	};

	g_dev();	/* opened first: both sides see the same free fds */
	return cmocka_run_group_tests_name("syschain-ops-msg", tests, setup,
					   teardown);
}
