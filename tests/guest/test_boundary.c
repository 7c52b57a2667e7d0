// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Op boundaries, issue 12 (items 3, 4, 13, 14, 15, 16 and "The design
 * change"): a chain must cross from one op to the next as a program making
 * the same syscalls crosses from one call to the next. A syscall returns
 * to user mode after every call, and the kernel does real work there: the
 * final fput of a closed file (task work), signal delivery, the restart of
 * an interrupted call. The chain must show the same effects at its op
 * boundaries: a close releases the file before the next op, a handled
 * signal runs its handler between the ops and the chain goes on, an op
 * interrupted where the syscall would restart (SA_RESTART, no handler,
 * SIGSTOP/SIGCONT) completes, and an op a handler without SA_RESTART
 * interrupts returns -EINTR and the chain goes on with its conditions and
 * the next op, as read() returns EINTR to a program that then goes on.
 *
 * Each test runs one sequence of calls several ways, each in a forked
 * process of its own:
 *  - syscalls: plain syscall(2)s, the reference. Its results are checked
 *    against what the syscalls' documentation says, so a reference that
 *    did not exercise the case (a signal that never came, a helper that
 *    never saw the call block) fails the test instead of passing it;
 *  - user backend: the same calls as a libchain chain forced onto
 *    CHAIN_BACKEND_USER;
 *  - kernel backend: the same chain on CHAIN_BACKEND_KERNEL (/dev/syschain);
 *  - raw ioctl (one test): the chain in the ABI's own structs, SYSCHAIN_RUN.
 * Every way records the same named values, in the same order: each op's
 * result and how many times it ran, the bytes the ops read, what the
 * signal handlers saw and when, the inotify events in order, what is left
 * unread in pipes and sockets, timings reduced to what the syscalls
 * guarantee. Every value of a chain way must equal the syscalls' (not only
 * the other backend's), and a chain must complete with one step per call
 * the program made. A table of all values, per way, is printed.
 *
 * The order of a handler and the ops: the handler writes a letter to a
 * non-blocking "mark" pipe, and the op after the one that raised the
 * signal reads that pipe. If the handler ran between the two, that read
 * returns the letter; if it runs later (or never), -EAGAIN.
 *
 * Blocking: a helper process, the way's child, waits until the way's
 * process sleeps in the call (/proc/PID/stat state S, /proc/PID/syscall
 * the call's number, or ioctl's for a chain), then signals it (SIGALRM;
 * SIGSTOP, then SIGCONT once it is stopped) and, once the handler ran or
 * the process was continued and sleeps again (or finished), writes the
 * data the call waits for. Nothing here can hang the suite: the test
 * process kills a way that outlives its time limit (and the helper dies
 * with it), the close-then-read case is bounded by alarm() as well, and the
 * helper gives up waiting after a few seconds.
 *
 * BOUNDARY_SELFTEST=1 (refused in the guest) runs only the syscalls and
 * the user backend, to check the test itself on a host without the module.
 *
 * Until the module implements the design change these tests fail on the
 * kernel backend (and the -EINTR-continues ones on the user backend too:
 * the shared engine, module/engine.c, stops every chain at an -EINTR).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <libchain.h>

#include "guest.h"

enum way { SYS, USER, KERNEL, RAW, NR_WAYS };

#define W_SYS		(1u << SYS)
#define W_LIB		((1u << SYS) | (1u << USER) | (1u << KERNEL))
#define W_RAW		((1u << SYS) | (1u << RAW))

static const char *const way_name[NR_WAYS] = {
	"syscalls", "user backend", "kernel backend", "raw ioctl",
};

/* ---- What a way records ------------------------------------------------ */

#define REC_MAX		48
#define KEY_LEN		32
#define STR_LEN		48
#define NOTE_LEN	512

struct rec {
	char key[KEY_LEN];
	long long v;
	char s[STR_LEN];
	bool str;
};

struct obs {
	int n;
	struct rec r[REC_MAX];
	bool done;			/* the way ran to its end */
	bool chain;			/* a chain way: the fields below */
	int run_ret;			/* chain_run() or the ioctl */
	uint32_t status;
	uint64_t steps;
	int stop_op;
	int backend;			/* chain_report()->backend */
	char harness[256];		/* a problem of the test's machinery */
	char note[NOTE_LEN];		/* printed, not compared */
	/* written by the helper process */
	int h_blocked;			/* saw the call sleep, then signalled */
	int h_event;			/* the handler ran / the process stopped */
	int h_reblocked;		/* slept again before the data came */
	long h_ms;			/* when it signalled, ms after its start */
};

static struct obs *obs;			/* NR_WAYS of them, shared */
static struct obs *cur;			/* this way's, in its process */
static pid_t test_pid;			/* every way's parent */

static struct rec *rec_new(const char *key)
{
	struct rec *r;

	if (cur->n == REC_MAX) {
		snprintf(cur->harness, sizeof(cur->harness),
			 "more than %d values recorded", REC_MAX);
		return NULL;
	}
	r = &cur->r[cur->n++];
	snprintf(r->key, sizeof(r->key), "%s", key);
	return r;
}

static void rec(const char *key, long long v)
{
	struct rec *r = rec_new(key);

	if (r)
		r->v = v;
}

/* bytes as a string, non-printable ones escaped */
static void rec_bytes(const char *key, const void *buf, long len)
{
	const unsigned char *b = buf;
	struct rec *r = rec_new(key);
	size_t used = 0;
	long i;

	if (!r)
		return;
	r->str = true;
	r->s[0] = 0;
	for (i = 0; i < len && used + 5 < sizeof(r->s); i++)
		used += snprintf(r->s + used, sizeof(r->s) - used,
				 b[i] >= 0x20 && b[i] < 0x7f ? "%c" : "\\x%02x",
				 b[i]);
}

static void rec_op(const char *name, long long ret, unsigned long long count)
{
	char key[KEY_LEN];

	snprintf(key, sizeof(key), "%s.ret", name);
	rec(key, ret);
	snprintf(key, sizeof(key), "%s.count", name);
	rec(key, (long long)count);
}

/* an op whose exact result may differ between ways: whether it is > 0 */
static void rec_op_positive(const char *name, long long ret,
			    unsigned long long count)
{
	char key[KEY_LEN];

	snprintf(key, sizeof(key), "%s.ret>0", name);
	rec(key, ret > 0);
	snprintf(key, sizeof(key), "%s.count", name);
	rec(key, (long long)count);
}

static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	size_t used = strlen(cur->note);
	va_list ap;

	if (used + 2 >= sizeof(cur->note))
		return;
	if (used)
		cur->note[used++] = ';', cur->note[used++] = ' ';
	va_start(ap, fmt);
	vsnprintf(cur->note + used, sizeof(cur->note) - used, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) harness(const char *fmt, ...)
{
	va_list ap;

	if (cur->harness[0])
		return;		/* the first problem */
	va_start(ap, fmt);
	vsnprintf(cur->harness, sizeof(cur->harness), fmt, ap);
	va_end(ap);
}

/* ---- Signals ----------------------------------------------------------- */

static volatile sig_atomic_t nsig[_NSIG];
static int mark_w = -1;		/* the handler writes its letter here */
static int notify_w = -1;	/* and here, for the helper */

static void on_signal(int sig)
{
	int e = errno;
	char ch = sig == SIGPIPE ? 'P' : sig == SIGALRM ? 'A' : '?';

	nsig[sig]++;
	if (mark_w >= 0 && write(mark_w, &ch, 1) < 0) {
		/* nothing to do: the op that reads the mark sees it missing */
	}
	if (notify_w >= 0 && write(notify_w, &ch, 1) < 0) {
		/* the helper times out and says so */
	}
	errno = e;
}

static void install(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		harness("sigaction(%d): %s", sig, strerror(errno));
}

/* a non-blocking pipe the handler marks; the read end in *rd */
static void mark_pipe(int *rd)
{
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
		harness("mark pipe: %s", strerror(errno));
		*rd = -1;
		return;
	}
	*rd = p[0];
	mark_w = p[1];
}

/* ---- Helpers for the ways ---------------------------------------------- */

/* The plain syscall, -errno on failure: SYS(nr, args...), SYS0(nr) */
static long sys_n(long nr, int n, const uint64_t *a)
{
	uint64_t v[6] = { 0 };
	int k;

	for (k = 0; k < n && k < 6; k++)
		v[k] = a[k];
	return g_sys(nr, v[0], v[1], v[2], v[3], v[4], v[5]);
}

#define SYS(nr, ...) sys_n((nr), G_ARGC(__VA_ARGS__), \
	(uint64_t[]){ G_MAP_U64(__VA_ARGS__) })
#define SYS0(nr) sys_n((nr), 0, NULL)

static int raw_fd = -1;

/*
 * The same descriptors in every way: libchain's device descriptor (opened
 * by chain_probe()) and the raw ioctl's, whether the way uses them or
 * not, so that descriptor numbers the ops return can be compared.
 */
static bool selftest;	/* BOUNDARY_SELFTEST=1: no device, see main() */

static void way_setup(void)
{
	struct chain_probe p;
	int ret;

	if (selftest) {
		/* the same descriptor layout without the device */
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) < 0)
			harness("open /dev/null: %s", strerror(errno));
		raw_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (raw_fd < 0)
			harness("open /dev/null: %s", strerror(errno));
		return;
	}
	ret = chain_probe(&p);
	if (ret < 0)
		harness("chain_probe: %s", strerror(-ret));
	raw_fd = open("/dev/syschain", O_RDWR | O_CLOEXEC);
	if (raw_fd < 0)
		harness("open /dev/syschain: %s", strerror(errno));
}

#define MAX_OPS 16

/* a libchain chain and the names of its ops */
struct cb {
	struct chain *c;
	const char *name[MAX_OPS];
	bool positive[MAX_OPS];		/* record only whether ret > 0 */
	long long ret[MAX_OPS];		/* the results, after cb_run() */
	int n;
};

static void cb_begin(struct cb *b, enum way w)
{
	int ret;

	memset(b, 0, sizeof(*b));
	ret = chain_new(&b->c);
	if (ret < 0) {
		harness("chain_new: %s", strerror(-ret));
		b->c = NULL;
		return;
	}
	ret = chain_set_backend(b->c, w == KERNEL ? CHAIN_BACKEND_KERNEL :
						    CHAIN_BACKEND_USER);
	if (ret < 0)
		harness("chain_set_backend: %s", strerror(-ret));
}

/* name the op a builder added (its handle @h: index or error) */
static int cb_op(struct cb *b, struct chain_handle h, const char *name)
{
	int idx = h.op;

	if (idx < 0 || idx >= MAX_OPS || idx != b->n) {
		harness("building op %s: %d", name, idx);
		return -1;
	}
	b->name[b->n++] = name;
	return idx;
}

/* the same, for an op recorded with rec_op_positive() */
static int cb_op_positive(struct cb *b, struct chain_handle h,
			  const char *name)
{
	if (cb_op(b, h, name) >= 0)
		b->positive[h.op] = true;
	return h.op;
}

static void cb_check(struct cb *b, int ret, const char *what)
{
	(void)b;
	if (ret < 0)
		harness("%s: %s", what, strerror(-ret));
}

/* run it, record the report and every op's result and count */
static void cb_run(struct cb *b)
{
	const struct chain_report *rep;
	int i;

	if (!b->c)
		return;
	cur->chain = true;
	cur->run_ret = chain_run(b->c);
	rep = chain_report(b->c);
	cur->status = rep->status;
	cur->steps = rep->steps;
	cur->stop_op = rep->stop_op;
	cur->backend = rep->backend;
	for (i = 0; i < b->n; i++) {
		b->ret[i] = chain_ret(b->c, i);
		(b->positive[i] ? rec_op_positive : rec_op)(b->name[i],
			b->ret[i], chain_count(b->c, i));
	}
	chain_free(b->c);
	b->c = NULL;
}

/* the raw form: run @c with SYSCHAIN_RUN, record like cb_run() */
static void raw_run(struct g_chain *c, const char *const *names)
{
	unsigned int i;

	g_prepare(c, SYSCHAIN_RUN_STOP_ON_ERROR);
	memset(c->res, 0xa5, sizeof(c->res));
	cur->chain = true;
	cur->run_ret = ioctl(raw_fd, SYSCHAIN_RUN, &c->run) < 0 ? -errno : 0;
	cur->status = c->run.status;
	cur->steps = c->run.steps;
	cur->stop_op = c->run.stop_op == SYSCHAIN_NO_INDEX ? -1 :
		       (int)c->run.stop_op;
	cur->backend = CHAIN_BACKEND_KERNEL;
	for (i = 0; i < c->n; i++)
		rec_op(names[i], c->res[i].ret, c->res[i].count);
}

/* bytes waiting to be read in a pipe or a stream socket */
static void rec_unread(const char *key, int fd)
{
	int n = -1;

	if (ioctl(fd, FIONREAD, &n))
		n = -errno;
	rec(key, n);
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* ---- The helper process ------------------------------------------------- */

enum helper_kind {
	H_SIGNAL,		/* SIGALRM once the call sleeps */
	H_STOP_CONT,		/* SIGSTOP once it sleeps, SIGCONT once stopped */
};

struct helper {
	pid_t pid;
	int done_w;		/* the way says here that its calls are done */
};

/* state (S, T, R...) and syscall number (-1: running) of @pid */
static int proc_state(pid_t pid, char *state, long *nr)
{
	char path[64], buf[512], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	*nr = strncmp(buf, "running", 7) ? strtol(buf, NULL, 10) : -1;
	return 0;
}

/* whether @fd is readable within @ms */
static int readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

#define H_WAIT_MS 10000

/*
 * Wait until @pid sleeps in state @want (and, for 'S', in syscall @nr):
 * 1; 0 if the way said it is done (@done_r readable) or after @ms.
 */
static int wait_for(pid_t pid, char want, long nr, int done_r, int ms)
{
	long long end = now_ns() + ms * 1000000LL;
	long got_nr;
	char st;

	while (now_ns() < end) {
		if (!proc_state(pid, &st, &got_nr) && st == want &&
		    (want != 'S' || got_nr == nr ||
		     (nr >= 0 && got_nr == __NR_restart_syscall)))
			return 1;
		if (readable(done_r, 1))
			return 0;
	}
	return 0;
}

/* the letter the handler writes, within @ms: 1, or 0 */
static int wait_letter(int notify_r, int ms)
{
	char ch;

	return readable(notify_r, ms) && read(notify_r, &ch, 1) == 1;
}

/* until @pid is no longer in the stopped state (bounded) */
static void wait_not_stopped(pid_t pid)
{
	long long end = now_ns() + H_WAIT_MS * 1000000LL;
	long nr;
	char st;

	while (now_ns() < end && !proc_state(pid, &st, &nr) && st == 'T')
		usleep(1000);
}

/*
 * Start the helper: it waits for this process to sleep in syscall @nr,
 * then does @kind, then writes @len bytes of @data to @data_fd (if
 * @data_fd >= 0), once the process sleeps in the call again, or finished,
 * or after a few seconds.
 */
static void helper_start(struct helper *h, enum helper_kind kind, long nr,
			 int data_fd, const char *data, size_t len)
{
	int done[2], notify[2];
	pid_t way = getpid();
	long long t0 = now_ns();

	h->pid = -1;
	h->done_w = -1;
	/* a socket: telling a helper that is gone must raise no SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, done) ||
	    pipe2(notify, O_NONBLOCK | O_CLOEXEC)) {
		harness("helper pipes: %s", strerror(errno));
		return;
	}
	h->pid = fork();
	if (h->pid < 0) {
		harness("fork: %s", strerror(errno));
		return;
	}
	if (!h->pid) {
		int ok;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != way)
			_exit(1);
		close(done[1]);
		close(notify[1]);
		ok = wait_for(way, 'S', nr, done[0], H_WAIT_MS);
		cur->h_blocked = ok;
		cur->h_ms = (long)((now_ns() - t0) / 1000000);
		if (ok && kind == H_SIGNAL) {
			kill(way, SIGALRM);
			/* the handler ran: the call is no longer asleep */
			cur->h_event = wait_letter(notify[0], H_WAIT_MS);
		} else if (ok) {
			kill(way, SIGSTOP);
			cur->h_event = wait_for(way, 'T', 0, done[0],
						H_WAIT_MS);
			kill(way, SIGCONT);
			/* it sleeps in the call again only once continued */
			wait_not_stopped(way);
		}
		/* (a restarted sleep sleeps in restart_syscall) */
		if (ok && cur->h_event)
			cur->h_reblocked = wait_for(way, 'S', nr, done[0], 5000);
		if (data_fd >= 0 && write(data_fd, data, len) != (ssize_t)len)
			_exit(2);
		_exit(0);
	}
	close(done[0]);
	close(notify[0]);
	h->done_w = done[1];
	notify_w = notify[1];
}

/* the way's calls are done: let the helper finish, record what it saw */
static void helper_finish(struct helper *h, const char *event)
{
	int status;

	if (h->pid < 0)
		return;
	/* the helper may have finished already: then nobody reads it */
	send(h->done_w, "d", 1, MSG_NOSIGNAL);
	if (waitpid(h->pid, &status, 0) != h->pid)
		harness("waitpid helper: %s", strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		harness("helper ended with status %#x", status);
	close(h->done_w);
	if (notify_w >= 0)
		close(notify_w);
	notify_w = -1;
	rec("helper.saw_call_asleep", cur->h_blocked);
	rec(event, cur->h_event);
	note("helper signalled after %ld ms, saw the call asleep again: %s",
	     cur->h_ms, cur->h_reblocked ? "yes" : "no");
}

/* the syscall number the process sleeps in: the op's, or ioctl's */
static long asleep_nr(enum way w, long nr)
{
	return w == SYS || w == USER ? nr : __NR_ioctl;
}

/* ---- The cases ----------------------------------------------------------- */

#define ALARM_S		3	/* bounds a read the module would leave blocked */

/*
 * Item 3: pipe(p); close(p[1]); read(p[0], buf, 1) returns 0 (end of file):
 * the close released the last write end before the read. Bounded with
 * alarm(): a read left blocking is interrupted (the handler counts it) and
 * the test fails instead of hanging.
 */
static void seq_close_then_read(enum way w)
{
	char buf[4] = "";
	int p[2];

	install(SIGALRM, 0);
	if (pipe2(p, O_CLOEXEC)) {
		harness("pipe: %s", strerror(errno));
		return;
	}
	alarm(ALARM_S);
	if (w == SYS) {
		rec_op("close", SYS(__NR_close, p[1]), 1);
		rec_op("read", SYS(__NR_read, p[0], (uintptr_t)buf, 1), 1);
	} else if (w == RAW) {
		static const char *const names[] = { "close", "read" };
		struct g_chain c;

		g_init(&c);
		g_opn(&c, __NR_close, p[1]);
		g_opn(&c, __NR_read, p[0], (uintptr_t)buf, 1);
		raw_run(&c, names);
	} else {
		struct cb b;

		cb_begin(&b, w);
		cb_op(&b, chain_close(b.c, p[1]), "close");
		cb_op(&b, chain_read(b.c, p[0], buf, 1), "read");
		cb_run(&b);
	}
	alarm(0);
	rec("sigalrm.handled", nsig[SIGALRM]);
	rec("write_end.open", fcntl(p[1], F_GETFD) >= 0);
	close(p[0]);
}

/*
 * Items 13 and 15: close one end of a socket pair or a pipe, write to the
 * other: -EPIPE and SIGPIPE, whose handler runs before the next call; the
 * calls after it run. @close_first: the end is closed by the chain's first
 * op; otherwise before the chain (item 15 alone).
 */
enum peer { SOCKET_PEER, PIPE_READER };

static void close_then_write(enum way w, enum peer kind, bool close_first)
{
	char mbuf[8] = "";
	int fds[2], wfd, cfd, mark_r;
	struct cb b;

	install(SIGPIPE, 0);
	mark_pipe(&mark_r);
	if (kind == SOCKET_PEER ?
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) :
	    pipe2(fds, O_CLOEXEC)) {
		harness("socketpair/pipe: %s", strerror(errno));
		return;
	}
	/* the end written, and the one closed */
	wfd = kind == SOCKET_PEER ? fds[0] : fds[1];
	cfd = kind == SOCKET_PEER ? fds[1] : fds[0];
	if (!close_first)
		close(cfd);
	if (w == SYS) {
		if (close_first)
			rec_op("close", SYS(__NR_close, cfd), 1);
		rec_op("write", SYS(__NR_write, wfd, (uintptr_t)"x", 1), 1);
		rec_op("read_mark", SYS(__NR_read, mark_r, (uintptr_t)mbuf,
					sizeof(mbuf)), 1);
		rec_op("getppid", SYS0(__NR_getppid), 1);
	} else {
		int wr;

		cb_begin(&b, w);
		if (close_first)
			cb_op(&b, chain_close(b.c, cfd), "close");
		wr = cb_op(&b, chain_write(b.c, wfd, "x", 1), "write");
		/* a program goes on after EPIPE: so does the chain */
		cb_check(&b, chain_ignore_error(b.c, wr), "chain_ignore_error");
		cb_op(&b, chain_read(b.c, mark_r, mbuf, sizeof(mbuf)),
		      "read_mark");
		cb_op(&b, chain_getppid(b.c), "getppid");
		cb_run(&b);
	}
	rec_bytes("mark.data", mbuf, strnlen(mbuf, sizeof(mbuf)));
	rec("sigpipe.handled", nsig[SIGPIPE]);
	if (close_first)
		rec("closed_end.open", fcntl(cfd, F_GETFD) >= 0);
	close(wfd);
}

static void seq_socket_close_then_write(enum way w)
{
	close_then_write(w, SOCKET_PEER, true);
}

static void seq_pipe_close_then_write(enum way w)
{
	close_then_write(w, PIPE_READER, true);
}

static void seq_sigpipe_between_ops(enum way w)
{
	close_then_write(w, SOCKET_PEER, false);
}

/*
 * Item 13: a non-blocking read end whose writer the chain closed: end of
 * file (0), not -EAGAIN. A pipe (read) or a stream socket (recvfrom).
 */
static void nonblock_eof(enum way w, enum peer kind)
{
	char buf[4] = "";
	int fds[2], rfd, cfd;
	long nr = kind == SOCKET_PEER ? __NR_recvfrom : __NR_read;

	if (kind == SOCKET_PEER ?
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       fds) :
	    pipe2(fds, O_NONBLOCK | O_CLOEXEC)) {
		harness("socketpair/pipe: %s", strerror(errno));
		return;
	}
	rfd = fds[0];
	cfd = fds[1];
	if (w == SYS) {
		rec_op("close", SYS(__NR_close, cfd), 1);
		rec_op("read", nr == __NR_read ?
		       SYS(__NR_read, rfd, (uintptr_t)buf, 1) :
		       SYS(__NR_recvfrom, rfd, (uintptr_t)buf, 1, 0, 0, 0), 1);
	} else {
		struct cb b;

		cb_begin(&b, w);
		cb_op(&b, chain_close(b.c, cfd), "close");
		cb_op(&b, nr == __NR_read ? chain_read(b.c, rfd, buf, 1) :
		      chain_recvfrom(b.c, rfd, buf, 1, 0, NULL, NULL), "read");
		cb_run(&b);
	}
	rec("closed_end.open", fcntl(cfd, F_GETFD) >= 0);
	close(rfd);
}

static void seq_nonblock_pipe_eof(enum way w)
{
	nonblock_eof(w, PIPE_READER);
}

static void seq_nonblock_socket_eof(enum way w)
{
	nonblock_eof(w, SOCKET_PEER);
}

/*
 * Items 4 and 16: a call blocked on an empty pipe (read) or stream socket
 * (recvfrom), interrupted while it sleeps, and then given 4 bytes:
 *  - RESTART_HANDLER: SIGALRM with a handler installed with SA_RESTART;
 *    the syscall restarts transparently and returns 4;
 *  - STOP_CONT: SIGSTOP then SIGCONT, no handler; the syscall keeps
 *    waiting and returns 4.
 * Then getppid, the next call. Nothing is left unread.
 */
enum interruption { RESTART_HANDLER, STOP_CONT };

static void restarted(enum way w, enum peer kind, enum interruption how)
{
	long nr = kind == SOCKET_PEER ? __NR_recvfrom : __NR_read;
	char buf[16] = "";
	struct helper h;
	int fds[2];

	if (how == RESTART_HANDLER)
		install(SIGALRM, SA_RESTART);
	if (kind == SOCKET_PEER ?
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) :
	    pipe2(fds, O_CLOEXEC)) {
		harness("socketpair/pipe: %s", strerror(errno));
		return;
	}
	helper_start(&h, how == RESTART_HANDLER ? H_SIGNAL : H_STOP_CONT,
		     asleep_nr(w, nr), fds[1], "data", 4);
	if (w == SYS) {
		rec_op("read", nr == __NR_read ?
		       SYS(__NR_read, fds[0], (uintptr_t)buf, sizeof(buf)) :
		       SYS(__NR_recvfrom, fds[0], (uintptr_t)buf, sizeof(buf),
			   0, 0, 0), 1);
		rec_op("getppid", SYS0(__NR_getppid), 1);
	} else {
		struct cb b;

		cb_begin(&b, w);
		cb_op(&b, nr == __NR_read ?
		      chain_read(b.c, fds[0], buf, sizeof(buf)) :
		      chain_recvfrom(b.c, fds[0], buf, sizeof(buf), 0, NULL,
				     NULL), "read");
		cb_op(&b, chain_getppid(b.c), "getppid");
		cb_run(&b);
	}
	helper_finish(&h, how == RESTART_HANDLER ? "helper.handler_ran" :
						   "helper.saw_it_stopped");
	rec_bytes("read.data", buf, strnlen(buf, sizeof(buf)));
	if (how == RESTART_HANDLER)
		rec("sigalrm.handled", nsig[SIGALRM]);
	rec_unread("unread", fds[0]);
	close(fds[0]);
	close(fds[1]);
}

static void seq_sa_restart_read(enum way w)
{
	restarted(w, PIPE_READER, RESTART_HANDLER);
}

static void seq_sa_restart_recvfrom(enum way w)
{
	restarted(w, SOCKET_PEER, RESTART_HANDLER);
}

static void seq_stop_cont_read(enum way w)
{
	restarted(w, PIPE_READER, STOP_CONT);
}

/*
 * Items 4 and 16: a relative sleep of 300 ms across SIGSTOP/SIGCONT (no
 * handler): the syscall restarts with the time left and sleeps the full
 * time (measured with CLOCK_MONOTONIC; slack allowed upward only) and
 * returns 0; rem holds the time that was left when the stop came (the
 * syscall writes it before restarting).
 */
#define SLEEP_NS	300000000LL
enum { REM_UNTOUCHED, REM_TIME_LEFT, REM_OTHER };	/* recorded as "rem" */
#define SLEEP_SLACK_NS	10000000000LL

static void stop_cont_sleep(enum way w, long nr)
{
	struct timespec req = { 0, SLEEP_NS }, rem, untouched;
	struct helper h;
	long long t0, t;

	memset(&rem, 0x5a, sizeof(rem));
	memcpy(&untouched, &rem, sizeof(rem));
	helper_start(&h, H_STOP_CONT, asleep_nr(w, nr), -1, NULL, 0);
	t0 = now_ns();
	if (w == SYS) {
		rec_op("sleep", nr == __NR_nanosleep ?
		       SYS(__NR_nanosleep, (uintptr_t)&req, (uintptr_t)&rem) :
		       SYS(__NR_clock_nanosleep, CLOCK_MONOTONIC, 0,
			   (uintptr_t)&req, (uintptr_t)&rem), 1);
		t = now_ns() - t0;
		rec_op("getppid", SYS0(__NR_getppid), 1);
	} else {
		struct cb b;

		cb_begin(&b, w);
		cb_op(&b, nr == __NR_nanosleep ?
		      chain_nanosleep(b.c, &req, &rem) :
		      chain_clock_nanosleep(b.c, CLOCK_MONOTONIC, 0, &req, &rem),
		      "sleep");
		cb_op(&b, chain_getppid(b.c), "getppid");
		cb_run(&b);
		t = now_ns() - t0;
	}
	helper_finish(&h, "helper.saw_it_stopped");
	rec("slept_full_time", t >= SLEEP_NS);
	rec("slept_less_than_10s_more", t < SLEEP_NS + SLEEP_SLACK_NS);
	/*
	 * The syscall writes the time left to rem when the stop interrupts
	 * it, before it restarts: a value below req, whatever it is.
	 */
	rec("rem", !memcmp(&rem, &untouched, sizeof(rem)) ? REM_UNTOUCHED :
	    rem.tv_sec == 0 && rem.tv_nsec >= 0 && rem.tv_nsec < SLEEP_NS ?
	    REM_TIME_LEFT : REM_OTHER);
	note("elapsed %lld ms", t / 1000000);
}

static void seq_stop_cont_nanosleep(enum way w)
{
	stop_cont_sleep(w, __NR_nanosleep);
}

static void seq_stop_cont_clock_nanosleep(enum way w)
{
	stop_cont_sleep(w, __NR_clock_nanosleep);
}

/*
 * Item 15 and the design change: a handler WITHOUT SA_RESTART interrupts a
 * blocking read: the read returns -EINTR, the handler has run once before
 * the next call, and the calls after it run. @cond: a condition on the
 * -EINTR result jumps over a getpid (a program: if (r == -EINTR) skip);
 * otherwise the read ignores its error (a program goes on).
 */
static void eintr_continues(enum way w, bool cond)
{
	char buf[8] = "", mbuf[8] = "";
	int p[2], mark_r;
	struct helper h;

	install(SIGALRM, 0);
	mark_pipe(&mark_r);
	if (pipe2(p, O_CLOEXEC)) {
		harness("pipe: %s", strerror(errno));
		return;
	}
	helper_start(&h, H_SIGNAL, asleep_nr(w, __NR_read), -1, NULL, 0);
	if (w == SYS) {
		long r = SYS(__NR_read, p[0], (uintptr_t)buf, sizeof(buf));

		rec_op("read", r, 1);
		if (cond && r == -EINTR)
			rec_op("getpid", 0, 0);	/* jumped over */
		else if (cond)
			rec_op("getpid", SYS0(__NR_getpid), 1);
		rec_op("read_mark", SYS(__NR_read, mark_r, (uintptr_t)mbuf,
					sizeof(mbuf)), 1);
		rec_op("getppid", SYS0(__NR_getppid), 1);
	} else {
		struct cb b;
		int rd, mk;

		cb_begin(&b, w);
		rd = cb_op(&b, chain_read(b.c, p[0], buf, sizeof(buf)), "read");
		if (cond)
			cb_op(&b, chain_getpid(b.c), "getpid");
		mk = cb_op(&b, chain_read(b.c, mark_r, mbuf, sizeof(mbuf)),
			   "read_mark");
		cb_op(&b, chain_getppid(b.c), "getppid");
		if (cond)
			cb_check(&b, chain_jump_if(b.c, rd, CHAIN_EQ, -EINTR, mk),
				 "chain_jump_if");
		else
			cb_check(&b, chain_ignore_error(b.c, rd),
				 "chain_ignore_error");
		cb_run(&b);
	}
	helper_finish(&h, "helper.handler_ran");
	rec_bytes("mark.data", mbuf, strnlen(mbuf, sizeof(mbuf)));
	rec("sigalrm.handled", nsig[SIGALRM]);
	close(p[0]);
	close(p[1]);
}

static void seq_eintr_next_op_runs(enum way w)
{
	eintr_continues(w, false);
}

static void seq_eintr_condition_applies(enum way w)
{
	eintr_continues(w, true);
}

/*
 * Item 14: inotify events of a watched directory come in the order of the
 * calls: IN_CLOSE_* at the close, before the next call's events.
 */
#define IDIR "/tmp/syschain-boundary"

enum inotify_seq {
	OPEN_CLOSE_OPEN_CLOSE,	/* openat A, close A, openat B, close B */
	OPEN_OPEN_CLOSE_CLOSE,	/* openat A, openat B, close A, close B */
	CREATE_WRITE_CLOSE,	/* creat A, write A, close A, creat B, close B */
};

static void rm_idir(void)
{
	unlink(IDIR "/A");
	unlink(IDIR "/B");
	rmdir(IDIR);
}

static void rec_events(int in)
{
	char buf[4096] __attribute__((aligned(8)));
	char key[KEY_LEN], m[96], ev[STR_LEN];
	ssize_t len;
	int n = 0;

	while ((len = read(in, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + len) {
			struct inotify_event *e = (void *)p;

			p += sizeof(*e) + e->len;
			snprintf(ev, sizeof(ev), "%s %s",
				 g_mask_str(e->mask, m, sizeof(m)),
				 e->len ? e->name : "-");
			snprintf(key, sizeof(key), "event%d", n++);
			rec_bytes(key, ev, strlen(ev));
		}
	}
	rec("events", n);
}

static void inotify_order(enum way w, enum inotify_seq s)
{
	const char *a = IDIR "/A", *b_ = IDIR "/B";
	int in, fd, rd = O_RDONLY | O_CLOEXEC;
	int cr = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;

	rm_idir();
	if (mkdir(IDIR, 0755)) {
		harness("mkdir %s: %s", IDIR, strerror(errno));
		return;
	}
	if (s != CREATE_WRITE_CLOSE) {
		fd = open(a, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
		fd = open(b_, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (in < 0 || inotify_add_watch(in, IDIR, IN_ALL_EVENTS) < 0) {
		harness("inotify: %s", strerror(errno));
		return;
	}
	if (w == SYS) {
		long fa, fb;

		switch (s) {
		case OPEN_CLOSE_OPEN_CLOSE:
			fa = SYS(__NR_openat, AT_FDCWD, (uintptr_t)a, rd, 0);
			rec_op("open_A", fa, 1);
			rec_op("close_A", SYS(__NR_close, fa), 1);
			fb = SYS(__NR_openat, AT_FDCWD, (uintptr_t)b_, rd, 0);
			rec_op("open_B", fb, 1);
			rec_op("close_B", SYS(__NR_close, fb), 1);
			break;
		case OPEN_OPEN_CLOSE_CLOSE:
			fa = SYS(__NR_openat, AT_FDCWD, (uintptr_t)a, rd, 0);
			rec_op("open_A", fa, 1);
			fb = SYS(__NR_openat, AT_FDCWD, (uintptr_t)b_, rd, 0);
			rec_op("open_B", fb, 1);
			rec_op("close_A", SYS(__NR_close, fa), 1);
			rec_op("close_B", SYS(__NR_close, fb), 1);
			break;
		case CREATE_WRITE_CLOSE:
			fa = SYS(__NR_openat, AT_FDCWD, (uintptr_t)a, cr, 0644);
			rec_op("creat_A", fa, 1);
			rec_op("write_A", SYS(__NR_write, fa, (uintptr_t)"x", 1),
			       1);
			rec_op("close_A", SYS(__NR_close, fa), 1);
			fb = SYS(__NR_openat, AT_FDCWD, (uintptr_t)b_, cr, 0644);
			rec_op("creat_B", fb, 1);
			rec_op("close_B", SYS(__NR_close, fb), 1);
			break;
		}
	} else {
		struct cb b;
		int oa, ob;

		cb_begin(&b, w);
		switch (s) {
		case OPEN_CLOSE_OPEN_CLOSE:
			oa = cb_op(&b, chain_openat(b.c, AT_FDCWD, a, rd, 0),
				   "open_A");
			cb_op(&b, chain_close(b.c, chain_res(oa)), "close_A");
			ob = cb_op(&b, chain_openat(b.c, AT_FDCWD, b_, rd, 0),
				   "open_B");
			cb_op(&b, chain_close(b.c, chain_res(ob)), "close_B");
			break;
		case OPEN_OPEN_CLOSE_CLOSE:
			oa = cb_op(&b, chain_openat(b.c, AT_FDCWD, a, rd, 0),
				   "open_A");
			ob = cb_op(&b, chain_openat(b.c, AT_FDCWD, b_, rd, 0),
				   "open_B");
			cb_op(&b, chain_close(b.c, chain_res(oa)), "close_A");
			cb_op(&b, chain_close(b.c, chain_res(ob)), "close_B");
			break;
		case CREATE_WRITE_CLOSE:
			oa = cb_op(&b, chain_openat(b.c, AT_FDCWD, a, cr, 0644),
				   "creat_A");
			cb_op(&b, chain_write(b.c, chain_res(oa), "x", 1),
			      "write_A");
			cb_op(&b, chain_close(b.c, chain_res(oa)), "close_A");
			ob = cb_op(&b, chain_openat(b.c, AT_FDCWD, b_, cr, 0644),
				   "creat_B");
			cb_op(&b, chain_close(b.c, chain_res(ob)), "close_B");
			break;
		}
		cb_run(&b);
	}
	rec_events(in);
	close(in);
	rm_idir();
}

static void seq_inotify_open_close_open_close(enum way w)
{
	inotify_order(w, OPEN_CLOSE_OPEN_CLOSE);
}

static void seq_inotify_two_closes(enum way w)
{
	inotify_order(w, OPEN_OPEN_CLOSE_CLOSE);
}

static void seq_inotify_create_write_close(enum way w)
{
	inotify_order(w, CREATE_WRITE_CLOSE);
}

/*
 * Item 3: a loop openat; close; lseek counter; jump back, 20000 times,
 * under RLIMIT_NOFILE 64. Each close releases its file, as the syscall
 * does: the first field of /proc/sys/fs/file-nr (allocated struct files)
 * read by the chain's own ops right after the loop, and by the process
 * right after the run, is within a small margin of what it was before the
 * loop, and the loop completes. The counter is per-CPU and approximate
 * (an idle guest reads 0: the global part is clamped at 0), so a control
 * first checks that it does see 2000 files held open.
 */
#define LOOPS		20000
#define FILE_NR		"/proc/sys/fs/file-nr"
#define LOOP_FILE	"/tmp/syschain-boundary-loop"
#define COUNTER_FILE	"/tmp/syschain-boundary-counter"
#define FILES_MARGIN	512
#define CONTROL_FILES	2000

static long file_nr_of(const char *buf, long len)
{
	char tmp[64];

	if (len <= 0 || len >= (long)sizeof(tmp))
		return -1;
	memcpy(tmp, buf, len);
	tmp[len] = 0;
	return strtol(tmp, NULL, 10);
}

static long file_nr(void)
{
	char buf[64];
	long len;
	int fd = open(FILE_NR, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return file_nr_of(buf, len);
}

/* that file-nr sees CONTROL_FILES files held open */
static void rec_file_nr_control(void)
{
	struct rlimit big = { CONTROL_FILES + 64, CONTROL_FILES + 64 };
	static int fds[CONTROL_FILES];
	long before, after;
	int i, n = 0;

	if (setrlimit(RLIMIT_NOFILE, &big))
		harness("setrlimit: %s", strerror(errno));
	before = file_nr();
	for (i = 0; i < CONTROL_FILES; i++) {
		fds[i] = open(LOOP_FILE, O_RDONLY | O_CLOEXEC);
		n += fds[i] >= 0;
	}
	after = file_nr();
	for (i = 0; i < CONTROL_FILES; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	rec("file_nr_sees_open_files", n == CONTROL_FILES && before >= 0 &&
	    after - before > CONTROL_FILES - FILES_MARGIN);
	note("control: file-nr %ld, then %ld with %d files open", before,
	     after, n);
}

static void seq_open_close_loop(enum way w)
{
	struct rlimit rl = { 64, 64 };
	char before[64] = "", after[64] = "";
	long long r_before_read, r_after_read;
	long user_before, user_after, in_before, in_after;
	int cfd, lf, rd = O_RDONLY | O_CLOEXEC;

	lf = open(LOOP_FILE, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cfd = open(COUNTER_FILE, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (lf < 0 || cfd < 0) {
		harness("scratch files: %s", strerror(errno));
		return;
	}
	close(lf);
	rec_file_nr_control();
	if (setrlimit(RLIMIT_NOFILE, &rl))
		harness("setrlimit: %s", strerror(errno));
	user_before = file_nr();
	if (w == SYS) {
		long fd, r = 0, pos = 0, n = 0;

		fd = SYS(__NR_openat, AT_FDCWD, (uintptr_t)FILE_NR, rd, 0);
		rec_op("open_file_nr", fd, 1);
		r_before_read = SYS(__NR_read, fd, (uintptr_t)before,
				    sizeof(before) - 1);
		rec_op_positive("read_file_nr", r_before_read, 1);
		rec_op("close_file_nr", SYS(__NR_close, fd), 1);
		do {
			fd = SYS(__NR_openat, AT_FDCWD, (uintptr_t)LOOP_FILE,
				 rd, 0);
			r = SYS(__NR_close, fd);
			pos = SYS(__NR_lseek, cfd, 1, SEEK_CUR);
			n++;
		} while (pos >= 0 && pos < LOOPS);
		rec_op("open", fd, n);
		rec_op("close", r, n);
		rec_op("lseek", pos, n);
		fd = SYS(__NR_openat, AT_FDCWD, (uintptr_t)FILE_NR, rd, 0);
		rec_op("open_file_nr2", fd, 1);
		r_after_read = SYS(__NR_read, fd, (uintptr_t)after,
				   sizeof(after) - 1);
		rec_op_positive("read_file_nr2", r_after_read, 1);
		rec_op("close_file_nr2", SYS(__NR_close, fd), 1);
	} else {
		struct cb b;
		int o1, r1, o2, c2, o3, r3, ls;

		cb_begin(&b, w);
		o1 = cb_op(&b, chain_openat(b.c, AT_FDCWD, FILE_NR, rd, 0),
			   "open_file_nr");
		r1 = cb_op_positive(&b, chain_read(b.c, chain_res(o1), before,
						   sizeof(before) - 1),
				    "read_file_nr");
		cb_op(&b, chain_close(b.c, chain_res(o1)), "close_file_nr");
		o2 = cb_op(&b, chain_openat(b.c, AT_FDCWD, LOOP_FILE, rd, 0),
			   "open");
		c2 = cb_op(&b, chain_close(b.c, chain_res(o2)), "close");
		ls = cb_op(&b, chain_lseek(b.c, cfd, 1, SEEK_CUR), "lseek");
		cb_check(&b, chain_jump_if(b.c, ls, CHAIN_LT, LOOPS, o2),
			 "chain_jump_if");
		o3 = cb_op(&b, chain_openat(b.c, AT_FDCWD, FILE_NR, rd, 0),
			   "open_file_nr2");
		r3 = cb_op_positive(&b, chain_read(b.c, chain_res(o3), after,
						   sizeof(after) - 1),
				    "read_file_nr2");
		cb_op(&b, chain_close(b.c, chain_res(o3)), "close_file_nr2");
		(void)c2;
		cb_run(&b);
		r_before_read = r1 >= 0 ? b.ret[r1] : -1;
		r_after_read = r3 >= 0 ? b.ret[r3] : -1;
	}
	user_after = file_nr();
	in_before = file_nr_of(before, r_before_read);
	in_after = file_nr_of(after, r_after_read);
	rec("file_nr_read_in_run", in_before >= 0 && in_after >= 0);
	rec("files_left_by_loop_ok", in_before >= 0 && in_after >= 0 &&
	    labs(in_after - in_before) < FILES_MARGIN);
	rec("files_left_after_run_ok", user_before >= 0 && user_after >= 0 &&
	    labs(user_after - user_before) < FILES_MARGIN);
	note("file-nr: %ld before the loop, %ld right after it (in the run), "
	     "%ld before the run, %ld after it", in_before, in_after,
	     user_before, user_after);
	close(cfd);
	unlink(LOOP_FILE);
	unlink(COUNTER_FILE);
}

/* ---- Running the ways and comparing them --------------------------------- */

struct expect {
	const char *key;
	long long v;
	const char *s;		/* a string value, or NULL */
};

#define EXP(k, val)	{ (k), (val), NULL }
#define EXPS(k, str)	{ (k), 0, (str) }
#define EXP_MAX		24

struct bcase {
	const char *name;
	void (*fn)(enum way w);
	unsigned int ways;
	int timeout_s;		/* a way still running then is killed */
	uint64_t steps;		/* a chain's steps: one per call */
	struct expect exp[EXP_MAX];
};

static char outcome[NR_WAYS][96];	/* how each way's process ended */

static void run_way(const struct bcase *k, enum way w)
{
	struct obs *o = &obs[w];
	long long end = now_ns() + k->timeout_s * 1000000000LL;
	int status = 0;
	pid_t pid, got = 0;

	memset(o, 0, sizeof(*o));
	outcome[w][0] = 0;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(outcome[w], sizeof(outcome[w]), "fork: %s",
			 strerror(errno));
		return;
	}
	if (!pid) {
		cur = o;
		way_setup();
		k->fn(w);
		o->done = true;
		guest_child_exit(0);
	}
	while (now_ns() < end && !(got = waitpid(pid, &status, WNOHANG)))
		usleep(10000);
	if (!got) {
		kill(pid, SIGKILL);
		end = now_ns() + 10000000000LL;
		while (now_ns() < end && !(got = waitpid(pid, &status, WNOHANG)))
			usleep(10000);
		snprintf(outcome[w], sizeof(outcome[w]),
			 "still running after %d s: killed%s", k->timeout_s,
			 got > 0 ? "" : " (and not reaped within 10 s)");
		return;
	}
	if (got < 0)
		snprintf(outcome[w], sizeof(outcome[w]), "waitpid: %s",
			 strerror(errno));
	else if (WIFSIGNALED(status))
		snprintf(outcome[w], sizeof(outcome[w]),
			 "killed by signal %d", WTERMSIG(status));
	else if (WEXITSTATUS(status) || !o->done)
		snprintf(outcome[w], sizeof(outcome[w]),
			 "exited with %d before its end", WEXITSTATUS(status));
}

static const char *errno_name(long long v)
{
	switch (v) {
	case -EPERM: return "EPERM";
	case -ENOENT: return "ENOENT";
	case -EINTR: return "EINTR";
	case -EBADF: return "EBADF";
	case -EAGAIN: return "EAGAIN";
	case -EFAULT: return "EFAULT";
	case -EEXIST: return "EEXIST";
	case -EINVAL: return "EINVAL";
	case -ENFILE: return "ENFILE";
	case -EMFILE: return "EMFILE";
	case -EPIPE: return "EPIPE";
	case -ENOTCONN: return "ENOTCONN";
	default: return NULL;
	}
}

static void fmt_rec(const struct rec *r, char *out, size_t len)
{
	const char *e = strstr(r->key, ".ret") && !strstr(r->key, ">0") ?
			errno_name(r->v) : NULL;

	if (r->str)
		snprintf(out, len, "\"%s\"", r->s);
	else if (e)
		snprintf(out, len, "%lld %s", r->v, e);
	else
		snprintf(out, len, "%lld", r->v);
}

static bool rec_same(const struct rec *a, const struct rec *b)
{
	return !strcmp(a->key, b->key) && a->str == b->str &&
	       (a->str ? !strcmp(a->s, b->s) : a->v == b->v);
}

static const struct rec *find_rec(const struct obs *o, const char *key)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->r[i].key, key))
			return &o->r[i];
	return NULL;
}

static bool exp_holds(const struct expect *e, const struct rec *r)
{
	if (!r)
		return false;
	return e->s ? r->str && !strcmp(r->s, e->s) : !r->str && r->v == e->v;
}

/* the expectation on @key, or NULL */
static const struct expect *find_exp(const struct bcase *k, const char *key)
{
	int i;

	for (i = 0; i < EXP_MAX && k->exp[i].key; i++)
		if (!strcmp(k->exp[i].key, key))
			return &k->exp[i];
	return NULL;
}

#define COLW 21

static void print_cell(const char *s, const char *mark)
{
	int n = printf(" %s%s", s, mark);

	if (n > 0 && n < COLW + 1)
		printf("%*s", COLW + 1 - n, "");
}

/*
 * The table: one row per value the syscalls recorded, one column per
 * way. "!" marks a reference value that is not what the syscalls must
 * give, "*" a chain value that differs from the syscalls'.
 */
static int report(const struct bcase *k)
{
	const struct obs *ref = &obs[SYS];
	int w, i, bad_ref = 0, bad[NR_WAYS] = { 0 };
	char v[64], run[64];

	printf("%s:\n  %-26s", k->name, "value");
	for (w = 0; w < NR_WAYS; w++)
		if (k->ways & (1u << w))
			printf(" %-*s", COLW, way_name[w]);
	printf("\n");
	for (i = 0; i < ref->n; i++) {
		const struct rec *r = &ref->r[i];
		const struct expect *e = find_exp(k, r->key);
		bool ok = !e || exp_holds(e, r);

		bad_ref |= !ok;
		printf("  %-26s", r->key);
		fmt_rec(r, v, sizeof(v));
		print_cell(v, ok ? "" : " !");
		for (w = USER; w < NR_WAYS; w++) {
			const struct obs *o = &obs[w];
			bool same;

			if (!(k->ways & (1u << w)))
				continue;
			if (i >= o->n) {
				bad[w] = 1;
				print_cell("(none)", " *");
				continue;
			}
			same = rec_same(&o->r[i], r);
			bad[w] |= !same;
			if (strcmp(o->r[i].key, r->key))
				snprintf(v, sizeof(v), "%s?", o->r[i].key);
			else
				fmt_rec(&o->r[i], v, sizeof(v));
			print_cell(v, same ? "" : " *");
		}
		printf("\n");
	}
	/* expectations the reference did not even record */
	for (i = 0; i < EXP_MAX && k->exp[i].key; i++)
		if (!find_rec(ref, k->exp[i].key)) {
			printf("  %-26s (not recorded) !\n", k->exp[i].key);
			bad_ref = 1;
		}
	/* the chain's own report: completed, one step per call */
	printf("  %-26s", "chain: status/steps");
	print_cell("-", "");
	for (w = USER; w < NR_WAYS; w++) {
		const struct obs *o = &obs[w];
		bool ok;

		if (!(k->ways & (1u << w)))
			continue;
		ok = o->run_ret == 0 && o->status == SYSCHAIN_STATUS_COMPLETED &&
		     o->steps == k->steps &&
		     o->backend == (w == USER ? CHAIN_BACKEND_USER :
						CHAIN_BACKEND_KERNEL);
		if (o->run_ret)
			snprintf(run, sizeof(run), "run: %s",
				 strerror(-o->run_ret));
		else if (o->status == SYSCHAIN_STATUS_COMPLETED)
			snprintf(run, sizeof(run), "%s/%llu",
				 chain_status_str(o->status),
				 (unsigned long long)o->steps);
		else
			snprintf(run, sizeof(run), "%s@%d/%llu",
				 chain_status_str(o->status), o->stop_op,
				 (unsigned long long)o->steps);
		bad[w] |= !ok;
		print_cell(run, ok ? "" : " *");
	}
	printf("\n  (a chain must complete in %llu steps)\n",
	       (unsigned long long)k->steps);
	/* how each way ended, its notes, problems of the machinery */
	for (w = 0; w < NR_WAYS; w++) {
		const struct obs *o = &obs[w];

		if (!(k->ways & (1u << w)))
			continue;
		if (outcome[w][0] || !o->done) {
			printf("  %s: %s\n", way_name[w],
			       outcome[w][0] ? outcome[w] : "did not finish");
			if (w == SYS)
				bad_ref = 1;
			else
				bad[w] = 1;
		}
		if (o->harness[0]) {
			printf("  %s: test machinery: %s\n", way_name[w],
			       o->harness);
			bad_ref = 1;
		}
		if (o->note[0])
			printf("  %s: %s\n", way_name[w], o->note);
	}
	for (w = USER; w < NR_WAYS; w++)
		if (k->ways & (1u << w))
			printf("  => %s: %s\n", way_name[w], bad[w] ?
			       "DIFFERS from the syscalls" :
			       "same as the syscalls");
	if (bad_ref)
		printf("  => syscalls: the reference is not what the test "
		       "expects: the test proves nothing\n");
	fflush(stdout);
	return bad_ref ? -1 :
	       (bad[USER] ? 1 << USER : 0) | (bad[KERNEL] ? 1 << KERNEL : 0) |
	       (bad[RAW] ? 1 << RAW : 0);
}

static void run_case(const struct bcase *k)
{
	char which[128] = "";
	int w, bad;

	for (w = 0; w < NR_WAYS; w++)
		if (k->ways & (1u << w))
			run_way(k, w);
	if (selftest) {
		/* the kernel's ways are left out: only the rest is judged */
		struct bcase host = *k;

		host.ways &= W_SYS | (1u << USER);
		bad = report(&host);
	} else {
		bad = report(k);
	}
	if (bad < 0)
		fail_msg("%s: the syscalls' reference is wrong", k->name);
	for (w = USER; w < NR_WAYS; w++)
		if (bad & (1 << w))
			snprintf(which + strlen(which),
				 sizeof(which) - strlen(which), "%s%s",
				 which[0] ? ", " : "", way_name[w]);
	if (bad)
		fail_msg("%s: %s differ%s from the syscalls", k->name, which,
			 strchr(which, ',') ? "" : "s");
}

/* ---- The tests ----------------------------------------------------------- */

#define PPID ((long long)test_pid)

static void test_item3_close_then_read(void **state)
{
	const struct bcase k = {
		"item3_close_then_read", seq_close_then_read, W_LIB, 30, 2, {
			EXP("close.ret", 0), EXP("close.count", 1),
			EXP("read.ret", 0), EXP("read.count", 1),
			EXP("sigalrm.handled", 0), EXP("write_end.open", 0),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item3_close_then_read_raw_ioctl(void **state)
{
	const struct bcase k = {
		"item3_close_then_read_raw_ioctl", seq_close_then_read, W_RAW,
		30, 2, {
			EXP("close.ret", 0), EXP("close.count", 1),
			EXP("read.ret", 0), EXP("read.count", 1),
			EXP("sigalrm.handled", 0), EXP("write_end.open", 0),
		},
	};

	(void)state;
	run_case(&k);
}

#define EXP_SIGPIPE_CONTINUES						\
	EXP("write.ret", -EPIPE), EXP("write.count", 1),		\
	EXP("read_mark.ret", 1), EXP("read_mark.count", 1),		\
	EXP("getppid.ret", PPID), EXP("getppid.count", 1),		\
	EXPS("mark.data", "P"), EXP("sigpipe.handled", 1)

static void test_item13_15_socket_close_then_write_sigpipe(void **state)
{
	const struct bcase k = {
		"item13_15_socket_close_then_write_sigpipe",
		seq_socket_close_then_write, W_LIB, 30, 4, {
			EXP("close.ret", 0), EXP("close.count", 1),
			EXP_SIGPIPE_CONTINUES, EXP("closed_end.open", 0),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item13_15_pipe_close_then_write_sigpipe(void **state)
{
	const struct bcase k = {
		"item13_15_pipe_close_then_write_sigpipe",
		seq_pipe_close_then_write, W_LIB, 30, 4, {
			EXP("close.ret", 0), EXP("close.count", 1),
			EXP_SIGPIPE_CONTINUES, EXP("closed_end.open", 0),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item15_sigpipe_handler_between_ops(void **state)
{
	const struct bcase k = {
		"item15_sigpipe_handler_between_ops", seq_sigpipe_between_ops,
		W_LIB, 30, 3, { EXP_SIGPIPE_CONTINUES },
	};

	(void)state;
	run_case(&k);
}

static void test_item13_nonblock_pipe_read_eof(void **state)
{
	const struct bcase k = {
		"item13_nonblock_pipe_read_eof", seq_nonblock_pipe_eof, W_LIB,
		30, 2, {
			EXP("close.ret", 0), EXP("read.ret", 0),
			EXP("read.count", 1), EXP("closed_end.open", 0),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item13_nonblock_recvfrom_eof(void **state)
{
	const struct bcase k = {
		"item13_nonblock_recvfrom_eof", seq_nonblock_socket_eof, W_LIB,
		30, 2, {
			EXP("close.ret", 0), EXP("read.ret", 0),
			EXP("read.count", 1), EXP("closed_end.open", 0),
		},
	};

	(void)state;
	run_case(&k);
}

#define EXP_RESTARTED(event)						\
	EXP("read.ret", 4), EXP("read.count", 1),			\
	EXP("getppid.ret", PPID), EXP("getppid.count", 1),		\
	EXP("helper.saw_call_asleep", 1), EXP(event, 1),		\
	EXPS("read.data", "data"), EXP("unread", 0)

static void test_item4_16_sa_restart_read(void **state)
{
	const struct bcase k = {
		"item4_16_sa_restart_read", seq_sa_restart_read, W_LIB, 60, 2, {
			EXP_RESTARTED("helper.handler_ran"),
			EXP("sigalrm.handled", 1),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item4_16_sa_restart_recvfrom(void **state)
{
	const struct bcase k = {
		"item4_16_sa_restart_recvfrom", seq_sa_restart_recvfrom, W_LIB,
		60, 2, {
			EXP_RESTARTED("helper.handler_ran"),
			EXP("sigalrm.handled", 1),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item4_16_sigstop_sigcont_read(void **state)
{
	const struct bcase k = {
		"item4_16_sigstop_sigcont_read", seq_stop_cont_read, W_LIB,
		60, 2, { EXP_RESTARTED("helper.saw_it_stopped") },
	};

	(void)state;
	run_case(&k);
}

#define EXP_FULL_SLEEP							\
	EXP("sleep.ret", 0), EXP("sleep.count", 1),			\
	EXP("getppid.ret", PPID), EXP("getppid.count", 1),		\
	EXP("helper.saw_call_asleep", 1),				\
	EXP("helper.saw_it_stopped", 1), EXP("slept_full_time", 1),	\
	EXP("slept_less_than_10s_more", 1), EXP("rem", REM_TIME_LEFT)

static void test_item4_16_sigstop_sigcont_nanosleep(void **state)
{
	const struct bcase k = {
		"item4_16_sigstop_sigcont_nanosleep", seq_stop_cont_nanosleep,
		W_LIB, 60, 2, { EXP_FULL_SLEEP },
	};

	(void)state;
	run_case(&k);
}

static void test_item4_16_sigstop_sigcont_clock_nanosleep(void **state)
{
	const struct bcase k = {
		"item4_16_sigstop_sigcont_clock_nanosleep",
		seq_stop_cont_clock_nanosleep, W_LIB, 60, 2, { EXP_FULL_SLEEP },
	};

	(void)state;
	run_case(&k);
}

#define EXP_EINTR_CONTINUES						\
	EXP("read.ret", -EINTR), EXP("read.count", 1),			\
	EXP("read_mark.ret", 1), EXP("read_mark.count", 1),		\
	EXP("getppid.ret", PPID), EXP("getppid.count", 1),		\
	EXP("helper.saw_call_asleep", 1), EXP("helper.handler_ran", 1),	\
	EXPS("mark.data", "A"), EXP("sigalrm.handled", 1)

static void test_item15_eintr_next_op_runs(void **state)
{
	const struct bcase k = {
		"item15_eintr_next_op_runs", seq_eintr_next_op_runs, W_LIB,
		60, 3, { EXP_EINTR_CONTINUES },
	};

	(void)state;
	run_case(&k);
}

static void test_item15_eintr_condition_applies(void **state)
{
	const struct bcase k = {
		"item15_eintr_condition_applies", seq_eintr_condition_applies,
		W_LIB, 60, 3, {
			EXP_EINTR_CONTINUES,
			EXP("getpid.ret", 0), EXP("getpid.count", 0),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item14_inotify_open_close_order(void **state)
{
	const struct bcase k = {
		"item14_inotify_open_close_order",
		seq_inotify_open_close_open_close, W_LIB, 30, 4, {
			EXP("close_A.ret", 0), EXP("close_B.ret", 0),
			EXP("events", 4),
			EXPS("event0", "OPEN A"),
			EXPS("event1", "CLOSE_NOWRITE A"),
			EXPS("event2", "OPEN B"),
			EXPS("event3", "CLOSE_NOWRITE B"),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item14_inotify_two_closes_order(void **state)
{
	const struct bcase k = {
		"item14_inotify_two_closes_order", seq_inotify_two_closes,
		W_LIB, 30, 4, {
			EXP("close_A.ret", 0), EXP("close_B.ret", 0),
			EXP("events", 4),
			EXPS("event0", "OPEN A"),
			EXPS("event1", "OPEN B"),
			EXPS("event2", "CLOSE_NOWRITE A"),
			EXPS("event3", "CLOSE_NOWRITE B"),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item14_inotify_create_write_close_order(void **state)
{
	const struct bcase k = {
		"item14_inotify_create_write_close_order",
		seq_inotify_create_write_close, W_LIB, 30, 5, {
			EXP("write_A.ret", 1), EXP("close_A.ret", 0),
			EXP("close_B.ret", 0), EXP("events", 7),
			EXPS("event0", "CREATE A"),
			EXPS("event1", "OPEN A"),
			EXPS("event2", "MODIFY A"),
			EXPS("event3", "CLOSE_WRITE A"),
			EXPS("event4", "CREATE B"),
			EXPS("event5", "OPEN B"),
			EXPS("event6", "CLOSE_WRITE B"),
		},
	};

	(void)state;
	run_case(&k);
}

static void test_item3_open_close_loop_releases_files(void **state)
{
	const struct bcase k = {
		"item3_open_close_loop_releases_files", seq_open_close_loop,
		W_LIB, 300, 3 + 3 * LOOPS + 3, {
			EXP("read_file_nr.ret>0", 1),
			EXP("open.count", LOOPS), EXP("close.ret", 0),
			EXP("close.count", LOOPS), EXP("lseek.ret", LOOPS),
			EXP("lseek.count", LOOPS),
			EXP("read_file_nr2.ret>0", 1),
			EXP("file_nr_sees_open_files", 1),
			EXP("file_nr_read_in_run", 1),
			EXP("files_left_by_loop_ok", 1),
			EXP("files_left_after_run_ok", 1),
		},
	};

	(void)state;
	run_case(&k);
}

static int group_setup(void **state)
{
	(void)state;
	test_pid = getpid();
	/*
	 * A host check of the test itself, where the module is not loaded:
	 * the syscalls and the user backend only (the kernel's ways are run,
	 * fail on the missing device, and are not judged). Never in the
	 * guest suite.
	 */
	selftest = getenv("BOUNDARY_SELFTEST") && !getenv("SYSCHAIN_VM");
	if (selftest)
		printf("test_boundary: BOUNDARY_SELFTEST: syscalls and user "
		       "backend only\n");
	/* each chain says which backend runs it: no override */
	if (getenv("SYSCHAIN_BACKEND")) {
		printf("test_boundary: ignoring SYSCHAIN_BACKEND=%s\n",
		       getenv("SYSCHAIN_BACKEND"));
		unsetenv("SYSCHAIN_BACKEND");
	}
	obs = mmap(NULL, NR_WAYS * sizeof(*obs), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (obs == MAP_FAILED)
		return -1;
	return chdir("/tmp") ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	munmap(obs, NR_WAYS * sizeof(*obs));
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item3_close_then_read),
		cmocka_unit_test(test_item3_close_then_read_raw_ioctl),
		cmocka_unit_test(test_item3_open_close_loop_releases_files),
		cmocka_unit_test(test_item13_15_socket_close_then_write_sigpipe),
		cmocka_unit_test(test_item13_15_pipe_close_then_write_sigpipe),
		cmocka_unit_test(test_item15_sigpipe_handler_between_ops),
		cmocka_unit_test(test_item13_nonblock_pipe_read_eof),
		cmocka_unit_test(test_item13_nonblock_recvfrom_eof),
		cmocka_unit_test(test_item4_16_sa_restart_read),
		cmocka_unit_test(test_item4_16_sa_restart_recvfrom),
		cmocka_unit_test(test_item4_16_sigstop_sigcont_read),
		cmocka_unit_test(test_item4_16_sigstop_sigcont_nanosleep),
		cmocka_unit_test(test_item4_16_sigstop_sigcont_clock_nanosleep),
		cmocka_unit_test(test_item15_eintr_next_op_runs),
		cmocka_unit_test(test_item15_eintr_condition_applies),
		cmocka_unit_test(test_item14_inotify_open_close_order),
		cmocka_unit_test(test_item14_inotify_two_closes_order),
		cmocka_unit_test(test_item14_inotify_create_write_close_order),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
