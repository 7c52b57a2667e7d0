// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Syscall auditing and chains (issue 12, item 8): a task with an audit
 * context (any audit rule loaded) must not pile up the names of a chain's
 * path ops until the ioctl returns. The module leaves the ioctl at every
 * op boundary while the caller's audit context is not a dummy, through the
 * kernel's syscall restart (uapi "Op boundaries"), so each crossing ends
 * with its own audit syscall exit: one SYSCALL record whose PATH records
 * are that op's names alone, which the exit then frees.
 *
 * The test speaks NETLINK_AUDIT itself (no auditctl, no auditd): it
 * registers itself as the audit daemon, so that the records come to its
 * socket rather than the console, enables audit, and adds an exit rule on
 * ioctl for the children of this process. A child forked after that (its
 * audit context is allocated at fork) runs the chain; the parent reads the
 * records while the child runs and, once it is reaped, sends a user
 * message as a marker: the records come out of one queue in order, so
 * when the marker arrives every record of the child has too. No record
 * may be lost (the kernel's lost counter does not move), so the counts
 * are exact:
 *
 * - a chain of K newfstatat ops on K files runs through K ioctl syscalls
 *   (one op per entry: after op i < K-1 there is a next op, so a boundary,
 *   and an audit context always crosses it; after the last op the chain
 *   ends). Each gives one SYSCALL record (ioctl, SYSCHAIN_RUN) with exactly
 *   one PATH record, the name of its own op, in op order. The first K-1
 *   left with the restart code, which audit reports as exit=-4 (EINTR,
 *   audit_return_fixup()); the last one returned 0. Without the boundary:
 *   one SYSCALL record carrying K PATH records.
 * - a loop (lseek, newfstatat at a new name address each time, jump back)
 *   under a step budget of 2 N: the chain ends with BUDGET after exactly
 *   2 N steps and correct results; 2 N + 1 SYSCALL records, one per
 *   crossing (exit=-4) after each op, then the ioctl's return (exit=0);
 *   the N newfstatat crossings carry one PATH record each, the others
 *   none. Without the boundary: one SYSCALL record carrying N PATH
 *   records, N struct filename held until the ioctl returns.
 *
 * Whatever happens, the teardown deletes the rule and restores audit as it
 * found it (enabled, backlog limit, no daemon).
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include "guest.h"

#if defined(__x86_64__)
#define G_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define G_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#else
#error "test_audit: set the audit arch of this architecture"
#endif

#define K_OPS		50	/* the straight chain */
#define N_LOOP		3000	/* the loop's step budget */
#define BACKLOG		8192	/* audit backlog limit while testing */
#define CHILD_TIMEOUT_S	300
#define MARKER_TIMEOUT_S 60

/* ---- NETLINK_AUDIT -------------------------------------------------------- */

struct rec {
	int type;
	unsigned long serial;	/* the event's, 0 if none */
	char *text;
};

static struct {
	int sk;
	uint32_t seq;
	/* the request being answered */
	uint32_t wait_seq;
	int acked, ack_err, replied;
	struct audit_status reply;
	/* every record received since the test's setup */
	struct rec *recs;
	size_t nrecs, cap;
	/* what the setup changed, for the teardown */
	struct audit_status orig;
	int registered, enabled, rule_added;
	struct audit_rule_data rule;
	char dir[64];
} A = { .sk = -1 };

static void rec_add(int type, const char *data, size_t len)
{
	struct rec *r;

	if (A.nrecs == A.cap) {
		A.cap = A.cap ? 2 * A.cap : 4096;
		A.recs = realloc(A.recs, A.cap * sizeof(*A.recs));
		if (!A.recs)
			abort();
	}
	r = &A.recs[A.nrecs++];
	r->type = type;
	r->text = strndup(data, len);
	if (!r->text)
		abort();
	r->serial = 0;
	sscanf(r->text, "audit(%*[0-9.]:%lu)", &r->serial);
}

static void recs_free(void)
{
	size_t i;

	for (i = 0; i < A.nrecs; i++)
		free(A.recs[i].text);
	free(A.recs);
	A.recs = NULL;
	A.nrecs = A.cap = 0;
}

/*
 * One datagram from the kernel. Acks and replies carry a proper netlink
 * header; records (one per datagram) have an nlmsg_len without the header
 * (the audit length quirk), so their text is the rest of the datagram.
 */
static void nl_handle(const char *buf, size_t len)
{
	const struct nlmsghdr *h = (const void *)buf;

	if (len < NLMSG_HDRLEN)
		return;
	switch (h->nlmsg_type) {
	case NLMSG_ERROR: {
		const struct nlmsgerr *e = NLMSG_DATA(h);

		if (len >= NLMSG_LENGTH(sizeof(*e)) &&
		    e->msg.nlmsg_seq == A.wait_seq) {
			A.acked = 1;
			A.ack_err = e->error;
		}
		return;
	}
	case AUDIT_GET:
		if (h->nlmsg_seq == A.wait_seq) {
			size_t n = len - NLMSG_HDRLEN;

			memset(&A.reply, 0, sizeof(A.reply));
			memcpy(&A.reply, NLMSG_DATA(h),
			       n < sizeof(A.reply) ? n : sizeof(A.reply));
			A.replied = 1;
		}
		return;
	case NLMSG_DONE:
	case NLMSG_NOOP:
		return;
	}
	if (h->nlmsg_type == AUDIT_USER ||
	    h->nlmsg_type >= AUDIT_FIRST_USER_MSG)
		rec_add(h->nlmsg_type, buf + NLMSG_HDRLEN, len - NLMSG_HDRLEN);
}

/* Read what has come, waiting up to @ms for the first datagram. */
static void nl_pump(int ms)
{
	static char buf[65536] __attribute__((aligned(8)));
	struct pollfd p = { .fd = A.sk, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return;
	while ((n = recv(A.sk, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		nl_handle(buf, (size_t)n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Send a request and wait for its ack (and, for AUDIT_GET, its reply):
 * 0, or the kernel's -errno (-ETIMEDOUT without an answer in 10 s).
 */
static int nl_request(uint16_t type, const void *data, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	char buf[NLMSG_SPACE(sizeof(struct audit_rule_data) + 256)]
		__attribute__((aligned(8)));
	struct nlmsghdr *h = (void *)buf;
	double end;

	if (NLMSG_SPACE(len) > sizeof(buf))
		return -E2BIG;
	memset(buf, 0, sizeof(buf));
	h->nlmsg_len = NLMSG_LENGTH(len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++A.seq;
	if (len)
		memcpy(NLMSG_DATA(h), data, len);
	A.wait_seq = h->nlmsg_seq;
	A.acked = A.replied = 0;
	A.ack_err = 0;
	if (sendto(A.sk, buf, h->nlmsg_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -errno;
	end = now() + 10;
	while (!(A.acked && (type != AUDIT_GET || A.replied || A.ack_err)) &&
	       now() < end)
		nl_pump(100);
	if (!A.acked)
		return -ETIMEDOUT;
	return A.ack_err;
}

static int audit_get(struct audit_status *s)
{
	int ret = nl_request(AUDIT_GET, NULL, 0);

	if (!ret && !A.replied)
		ret = -ENODATA;
	if (!ret)
		*s = A.reply;
	return ret;
}

static int audit_set(uint32_t mask, uint32_t enabled, uint32_t pid,
		     uint32_t backlog_limit)
{
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = mask;
	s.enabled = enabled;
	s.pid = pid;
	s.backlog_limit = backlog_limit;
	return nl_request(AUDIT_SET, &s, sizeof(s));
}

/* Is there a record of @type, from index @from on, containing @needle? */
static int rec_find(size_t from, int type, const char *needle)
{
	size_t i;

	for (i = from; i < A.nrecs; i++)
		if (A.recs[i].type == type && strstr(A.recs[i].text, needle))
			return 1;
	return 0;
}

/* Read until a record like that has come, up to @secs: 0 or -ETIMEDOUT */
static int rec_wait(size_t from, int type, const char *needle, double secs)
{
	double end = now() + secs;

	while (!rec_find(from, type, needle)) {
		if (now() >= end)
			return -ETIMEDOUT;
		nl_pump(100);
	}
	return 0;
}

/*
 * Put a marker through the audit queue after everything logged so far
 * and read until it comes out: 0, or -errno.
 */
static int audit_sync(void)
{
	static unsigned int n;
	char text[64];
	size_t from = A.nrecs;
	int ret;

	snprintf(text, sizeof(text), "syschain-test-audit-marker-%d-%u",
		 (int)getpid(), ++n);
	ret = nl_request(AUDIT_USER, text, strlen(text) + 1);
	if (ret)
		return ret;
	return rec_wait(from, AUDIT_USER, text, MARKER_TIMEOUT_S);
}

/* ---- setup and teardown --------------------------------------------------- */

/* exit,always -F arch=<native> -S ioctl -F ppid=<this process> */
static void make_rule(struct audit_rule_data *r)
{
	memset(r, 0, sizeof(*r));
	r->flags = AUDIT_FILTER_EXIT;
	r->action = AUDIT_ALWAYS;
	r->mask[__NR_ioctl / 32] |= 1u << (__NR_ioctl % 32);
	r->field_count = 2;
	r->fields[0] = AUDIT_ARCH;
	r->fieldflags[0] = AUDIT_EQUAL;
	r->values[0] = G_AUDIT_ARCH;
	r->fields[1] = AUDIT_PPID;
	r->fieldflags[1] = AUDIT_EQUAL;
	r->values[1] = (uint32_t)getpid();
}

static void remove_dir(void)
{
	char p[96];
	int i;

	if (!A.dir[0])
		return;
	for (i = 0; i < K_OPS; i++) {
		snprintf(p, sizeof(p), "%s/f%02d", A.dir, i);
		unlink(p);
	}
	rmdir(A.dir);
	A.dir[0] = 0;
}

/*
 * Undo what the setup did, in an order that keeps records off the
 * console: the rule goes, the backlog limit and the enabled state are
 * restored while this process still receives the records of those
 * changes, and only then does it stop being the daemon. -1 if something
 * could not be undone.
 */
static int teardown(void **state)
{
	int ret = 0, err;

	(void)state;
	if (A.rule_added) {
		err = nl_request(AUDIT_DEL_RULE, &A.rule, sizeof(A.rule));
		if (err) {
			printf("audit: deleting the rule: %s\n", strerror(-err));
			ret = -1;
		} else {
			A.rule_added = 0;
		}
	}
	if (A.enabled) {
		size_t from = A.nrecs;
		char needle[48];

		err = audit_set(AUDIT_STATUS_BACKLOG_LIMIT, 0, 0,
				A.orig.backlog_limit);
		if (err) {
			printf("audit: restoring the backlog limit: %s\n",
			       strerror(-err));
			ret = -1;
		}
		err = audit_set(AUDIT_STATUS_ENABLED, A.orig.enabled, 0, 0);
		if (err) {
			printf("audit: restoring enabled=%u: %s\n",
			       A.orig.enabled, strerror(-err));
			ret = -1;
		} else {
			A.enabled = 0;
			/* its record comes here, not to the console */
			snprintf(needle, sizeof(needle), "audit_enabled=%u ",
				 A.orig.enabled);
			rec_wait(from, AUDIT_CONFIG_CHANGE, needle, 5);
		}
	}
	if (A.registered) {
		err = audit_set(AUDIT_STATUS_PID, 0, 0, 0);
		if (err) {
			printf("audit: unregistering: %s\n", strerror(-err));
			ret = -1;
		} else {
			A.registered = 0;
		}
	}
	if (A.sk >= 0)
		close(A.sk);
	A.sk = -1;
	recs_free();
	remove_dir();
	return ret;
}

/*
 * Become the audit daemon, enable audit with room in the backlog, and add
 * the rule; a temporary directory of K_OPS files, file i of i + 1 bytes.
 */
static int setup(void **state)
{
	static char bytes[K_OPS];
	int rcvbuf = 64 << 20, err, i;

	(void)state;
	memset(&A, 0, sizeof(A));
	A.sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (A.sk < 0) {
		printf("audit: NETLINK_AUDIT socket: %s\n", strerror(errno));
		return -1;
	}
	/* root: a receive buffer the records of a whole test fit in */
	if (setsockopt(A.sk, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		printf("audit: SO_RCVBUFFORCE: %s\n", strerror(errno));
	err = audit_get(&A.orig);
	if (err) {
		printf("audit: AUDIT_GET: %s\n", strerror(-err));
		goto fail;
	}
	printf("audit: found enabled=%u pid=%u backlog_limit=%u lost=%u\n",
	       A.orig.enabled, A.orig.pid, A.orig.backlog_limit, A.orig.lost);
	if (A.orig.pid) {
		printf("audit: an audit daemon (pid %u) is registered\n",
		       A.orig.pid);
		goto fail;
	}
	err = audit_set(AUDIT_STATUS_PID, 0, (uint32_t)getpid(), 0);
	if (err) {
		printf("audit: registering as the daemon: %s\n",
		       strerror(-err));
		goto fail;
	}
	A.registered = 1;
	err = audit_set(AUDIT_STATUS_ENABLED, 1, 0, 0);
	if (err) {
		printf("audit: enabling: %s\n", strerror(-err));
		goto fail;
	}
	A.enabled = 1;
	err = audit_set(AUDIT_STATUS_BACKLOG_LIMIT, 0, 0, BACKLOG);
	if (err) {
		printf("audit: backlog limit: %s\n", strerror(-err));
		goto fail;
	}
	make_rule(&A.rule);
	err = nl_request(AUDIT_ADD_RULE, &A.rule, sizeof(A.rule));
	if (err) {
		printf("audit: adding the rule: %s\n", strerror(-err));
		goto fail;
	}
	A.rule_added = 1;

	strcpy(A.dir, "/tmp/syschain-audit.XXXXXX");
	if (!mkdtemp(A.dir)) {
		A.dir[0] = 0;
		goto fail;
	}
	for (i = 0; i < K_OPS; i++) {
		char p[96];
		int fd;

		snprintf(p, sizeof(p), "%s/f%02d", A.dir, i);
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, bytes, i + 1) != i + 1) {
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		close(fd);
	}
	/* open the device now: the child uses the descriptor */
	g_dev();
	return 0;
fail:
	teardown(NULL);
	return -1;
}

/* ---- the chain in a child, the records in the parent ---------------------- */

struct shared {
	struct g_chain c;
	struct stat st[K_OPS];
	long rc;
};

static struct shared *shared_new(void)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	memset(sh->st, 0x5a, sizeof(sh->st));
	return sh;
}

/*
 * Run the prepared chain of @sh in a child forked now (after the rule
 * exists, so with a non-dummy audit context), reading the records while
 * it runs; then put a marker through the queue. Returns the child's pid.
 */
static pid_t run_in_child(struct shared *sh, struct audit_status *before)
{
	int status = 0;
	double end;
	pid_t pid, w;

	assert_int_equal(audit_get(before), 0);
	memset(sh->c.res, 0xa5, sizeof(sh->c.res));
	sh->rc = 1;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		sh->rc = g_ioctl(SYSCHAIN_RUN, &sh->c.run);
		guest_child_exit(0);
	}
	end = now() + CHILD_TIMEOUT_S;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now() < end)
		nl_pump(20);
	if (w != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("the chain did not end in %d s", CHILD_TIMEOUT_S);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(audit_sync(), 0);
	return pid;
}

/* The no-loss check: nothing was dropped while the child ran. */
static void assert_none_lost(const struct audit_status *before)
{
	struct audit_status after;

	assert_int_equal(audit_get(&after), 0);
	assert_int_equal(after.lost, before->lost);
}

/* One audit event of the child: its SYSCALL record and its PATH records. */
struct event {
	unsigned long serial;
	int success;		/* 1 yes, 0 no */
	long exit;
	int npath;
	char name[96];		/* the name of its first PATH record */
};

/* The value of " @key=" in @text, as a string up to the next space. */
static int field(const char *text, const char *key, char *out, size_t n)
{
	char k[32];
	const char *p;
	size_t len;

	snprintf(k, sizeof(k), " %s=", key);
	p = strstr(text, k);
	if (!p)
		return -1;
	p += strlen(k);
	len = strcspn(p, " ");
	if (len >= n)
		return -1;
	memcpy(out, p, len);
	out[len] = 0;
	return 0;
}

static int event_cmp(const void *key, const void *elem)
{
	unsigned long s = *(const unsigned long *)key;
	const struct event *e = elem;

	return s < e->serial ? -1 : s > e->serial;
}

/*
 * The events of @pid's ioctl syscalls: every SYSCALL record of @pid is one
 * (the rule audits ioctl only) and must be a SYSCHAIN_RUN on the device,
 * in increasing serial order; PATH records are counted per event.
 */
static size_t child_events(pid_t pid, struct event **out)
{
	char want_pid[24], want_a1[24], want_a0[24], v[64];
	struct event *ev = calloc(A.nrecs + 1, sizeof(*ev));
	size_t i, n = 0;

	assert_non_null(ev);
	snprintf(want_pid, sizeof(want_pid), "%d", (int)pid);
	snprintf(want_a0, sizeof(want_a0), "%x", (unsigned int)g_dev());
	snprintf(want_a1, sizeof(want_a1), "%lx",
		 (unsigned long)SYSCHAIN_RUN);
	for (i = 0; i < A.nrecs; i++) {
		const struct rec *r = &A.recs[i];
		struct event *e;

		if (r->type != AUDIT_SYSCALL)
			continue;
		if (field(r->text, "pid", v, sizeof(v)) || strcmp(v, want_pid))
			continue;
		e = &ev[n++];
		e->serial = r->serial;
		assert_true(e->serial > 0);
		if (n > 1)
			assert_true(e->serial > ev[n - 2].serial);
		assert_int_equal(field(r->text, "syscall", v, sizeof(v)), 0);
		assert_int_equal(strtol(v, NULL, 10), __NR_ioctl);
		assert_int_equal(field(r->text, "a0", v, sizeof(v)), 0);
		assert_string_equal(v, want_a0);
		assert_int_equal(field(r->text, "a1", v, sizeof(v)), 0);
		assert_string_equal(v, want_a1);
		assert_int_equal(field(r->text, "success", v, sizeof(v)), 0);
		assert_true(!strcmp(v, "yes") || !strcmp(v, "no"));
		e->success = !strcmp(v, "yes");
		assert_int_equal(field(r->text, "exit", v, sizeof(v)), 0);
		e->exit = strtol(v, NULL, 10);
	}
	for (i = 0; i < A.nrecs; i++) {
		const struct rec *r = &A.recs[i];
		struct event *e;
		const char *p;
		size_t len;

		if (r->type != AUDIT_PATH)
			continue;
		e = bsearch(&r->serial, ev, n, sizeof(*ev), event_cmp);
		if (!e)
			continue;
		if (e->npath++)
			continue;
		p = strstr(r->text, " name=\"");
		assert_non_null(p);
		p += strlen(" name=\"");
		len = strcspn(p, "\"");
		assert_true(len < sizeof(e->name));
		memcpy(e->name, p, len);
		e->name[len] = 0;
	}
	*out = ev;
	return n;
}

/* ---- the tests ------------------------------------------------------------ */

/*
 * K newfstatat ops: K crossings, each its own SYSCALL record with the one
 * PATH record of its op; the results as stat(2) gives them.
 */
static void test_one_event_per_op(void **state)
{
	struct shared *sh = shared_new();
	struct audit_status before;
	struct event *ev;
	char paths[K_OPS][96];
	size_t n;
	pid_t pid;
	int i;

	(void)state;
	g_init(&sh->c);
	for (i = 0; i < K_OPS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/f%02d", A.dir, i);
		g_opn(&sh->c, __NR_newfstatat, AT_FDCWD, (uintptr_t)paths[i],
		      (uintptr_t)&sh->st[i], 0);
	}
	g_prepare(&sh->c, 0);
	pid = run_in_child(sh, &before);

	/* the chain */
	assert_int_equal(sh->rc, 0);
	assert_int_equal(sh->c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(sh->c.run.steps, K_OPS);
	assert_int_equal(sh->c.run.stop_op, SYSCHAIN_NO_INDEX);
	assert_int_equal(sh->c.run.flags & SYSCHAIN_RUN_RESUME, 0);
	for (i = 0; i < K_OPS; i++) {
		struct stat ref;

		assert_int_equal(stat(paths[i], &ref), 0);
		assert_int_equal(sh->c.res[i].ret, 0);
		assert_int_equal(sh->c.res[i].count, 1);
		assert_int_equal(sh->st[i].st_dev, ref.st_dev);
		assert_int_equal(sh->st[i].st_ino, ref.st_ino);
		assert_int_equal(sh->st[i].st_mode, ref.st_mode);
		assert_int_equal(sh->st[i].st_size, i + 1);
	}

	/* the records */
	assert_none_lost(&before);
	n = child_events(pid, &ev);
	printf("audit: %d ops: %zu SYSCALL records, PATH records per record:",
	       K_OPS, n);
	for (i = 0; i < (int)n && i < 60; i++)
		printf(" %d", ev[i].npath);
	printf("\n");
	assert_int_equal(n, K_OPS);
	for (i = 0; i < K_OPS; i++) {
		assert_int_equal(ev[i].npath, 1);
		assert_string_equal(ev[i].name, paths[i]);
		if (i < K_OPS - 1) {	/* a crossing: the restart code */
			assert_int_equal(ev[i].success, 0);
			assert_int_equal(ev[i].exit, -EINTR);
		} else {		/* the ioctl's return */
			assert_int_equal(ev[i].success, 1);
			assert_int_equal(ev[i].exit, 0);
		}
	}
	free(ev);
	munmap(sh, sizeof(*sh));
}

/*
 * A newfstatat loop under a step budget, each step with a name at a new
 * address: op 0, lseek(fd, STRIDE, SEEK_CUR), returns STRIDE, 2 STRIDE,
 * ...; op 1, newfstatat, takes its name at that offset (minus STRIDE) into
 * a table of copies of one path, and jumps back to op 0. A fixed address
 * would not do: getname() reuses a name the audit context already holds
 * for the same user pointer (audit_reusename(), 6.1 and 6.12), so a loop
 * on one pointer keeps one name; new pointers keep a name each, for as
 * long as the syscall lasts. With 2 N steps of budget: N of each op, then
 * the budget stops the chain at op 0; every one of the 2 N ops is followed
 * by a boundary (the next op exists), so 2 N crossings, then the ioctl's
 * return that finds the budget spent: 2 N + 1 SYSCALL records, alternately
 * without a name (lseek) and with exactly one (newfstatat), the last one
 * without.
 */
#define STRIDE	64

static void test_loop_names_do_not_pile_up(void **state)
{
	struct shared *sh = shared_new();
	struct audit_status before;
	struct stat ref;
	struct event *ev;
	char path[96], *table;
	size_t n, i, total_path = 0, most = 0;
	pid_t pid;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/f%02d", A.dir, 7);
	assert_true(strlen(path) < STRIDE);
	table = malloc((size_t)N_LOOP * STRIDE);
	assert_non_null(table);
	for (i = 0; i < N_LOOP; i++)
		snprintf(table + i * STRIDE, STRIDE, "%s", path);
	/* the child's lseek moves this offset; the parent leaves it alone */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);

	g_init(&sh->c);
	g_opn(&sh->c, __NR_lseek, fd, STRIDE, SEEK_CUR);
	g_opn(&sh->c, __NR_newfstatat, AT_FDCWD, 0, (uintptr_t)&sh->st[0], 0);
	g_ref(&sh->c, 1, 1, 0, (int64_t)((uintptr_t)table - STRIDE));
	g_cond(&sh->c, 1, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 0);
	g_prepare(&sh->c, 0)->max_steps = 2 * N_LOOP;
	pid = run_in_child(sh, &before);
	close(fd);

	/* the chain */
	assert_int_equal(sh->rc, 0);
	assert_int_equal(sh->c.run.status, SYSCHAIN_STATUS_BUDGET);
	assert_int_equal(sh->c.run.steps, 2 * N_LOOP);
	assert_int_equal(sh->c.run.stop_op, 0);
	assert_int_equal(sh->c.run.flags & SYSCHAIN_RUN_RESUME, 0);
	assert_int_equal(sh->c.res[0].ret, (int64_t)N_LOOP * STRIDE);
	assert_int_equal(sh->c.res[0].count, N_LOOP);
	assert_int_equal(sh->c.res[1].ret, 0);
	assert_int_equal(sh->c.res[1].count, N_LOOP);
	assert_int_equal(stat(path, &ref), 0);
	assert_int_equal(sh->st[0].st_dev, ref.st_dev);
	assert_int_equal(sh->st[0].st_ino, ref.st_ino);
	assert_int_equal(sh->st[0].st_size, 8);

	/* the records */
	assert_none_lost(&before);
	n = child_events(pid, &ev);
	for (i = 0; i < n; i++) {
		total_path += ev[i].npath;
		if ((size_t)ev[i].npath > most)
			most = ev[i].npath;
	}
	printf("audit: loop of %d steps with a new name address each "
	       "newfstatat: %zu SYSCALL records, %zu PATH records, at most "
	       "%zu in one\n", 2 * N_LOOP, n, total_path, most);
	assert_int_equal(total_path, N_LOOP);
	assert_int_equal(most, 1);
	assert_int_equal(n, 2 * N_LOOP + 1);
	for (i = 0; i < 2 * N_LOOP; i++) {
		/* the crossing after op i % 2 */
		assert_int_equal(ev[i].npath, (int)(i % 2));
		if (i % 2)
			assert_string_equal(ev[i].name, path);
		assert_int_equal(ev[i].success, 0);
		assert_int_equal(ev[i].exit, -EINTR);
	}
	assert_int_equal(ev[2 * N_LOOP].npath, 0);
	assert_int_equal(ev[2 * N_LOOP].success, 1);
	assert_int_equal(ev[2 * N_LOOP].exit, 0);
	free(ev);
	free(table);
	munmap(sh, sizeof(*sh));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_event_per_op, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loop_names_do_not_pile_up,
						setup, teardown),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests_name("syschain-audit", tests, NULL,
					   NULL);
}
