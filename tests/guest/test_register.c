// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Registered chains (uapi "Registered chains"): SYSCHAIN_REGISTER and
 * SYSCHAIN_EXEC through the raw ABI. What a run does, what a patch may
 * change, the errors, and the descriptor's lifetime: closed while its chain
 * runs, run concurrently, inherited across fork, passed with SCM_RIGHTS,
 * bounded by RLIMIT_NOFILE, and no module memory left behind.
 */
#include "guest.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* Register chain @c; returns the descriptor or -errno (report in *@reg). */
static int reg_chain(const struct g_chain *c, uint32_t flags,
		     struct syschain_register *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->size = sizeof(*reg);
	reg->flags = flags;
	reg->nr_ops = c->n;
	reg->nr_conds = c->nc;
	reg->op_size = sizeof(struct syschain_op);
	reg->cond_size = sizeof(struct syschain_cond);
	reg->ops_uptr = (uintptr_t)c->ops;
	reg->conds_uptr = (uintptr_t)c->conds;
	reg->fd = -1;
	if (g_ioctl(SYSCHAIN_REGISTER, reg))
		return -errno;
	return reg->fd;
}

static int reg_ok(const struct g_chain *c)
{
	struct syschain_register reg;
	int fd = reg_chain(c, SYSCHAIN_REGISTER_CLOEXEC, &reg);

	assert_true(fd >= 0);
	assert_int_equal(reg.stop_op, SYSCHAIN_NO_INDEX);
	assert_int_equal(reg.stop_cond, SYSCHAIN_NO_INDEX);
	return fd;
}

static void exec_prepare(struct syschain_exec *ex, struct syschain_result *res,
			 const struct syschain_patch *p, uint32_t n)
{
	memset(ex, 0, sizeof(*ex));
	ex->size = sizeof(*ex);
	ex->flags = SYSCHAIN_RUN_STOP_ON_ERROR;
	ex->results_uptr = (uintptr_t)res;
	ex->nr_patches = n;
	ex->patch_size = n ? sizeof(*p) : 0;
	ex->patches_uptr = (uintptr_t)p;
}

/* SYSCHAIN_EXEC: 0 or -errno */
static int exec_chain(int fd, struct syschain_exec *ex)
{
	return ioctl(fd, SYSCHAIN_EXEC, ex) < 0 ? -errno : 0;
}

static int exec_simple(int fd, struct syschain_result *res,
		       const struct syschain_patch *p, uint32_t n,
		       struct syschain_exec *ex)
{
	exec_prepare(ex, res, p, n);
	return exec_chain(fd, ex);
}

/* The same chain, registered, run many times: the syscalls' results. */
static void test_exec_runs_the_chain(void **state)
{
	struct syschain_result res[3];
	struct syschain_exec ex;
	struct g_chain c;
	long total = g_module_counter("chains_total");
	int fd, i;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getppid);
	g_op0(&c, __NR_getpid);
	g_op0(&c, __NR_gettid);
	fd = reg_ok(&c);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	for (i = 0; i < 100; i++) {
		memset(res, 0xa5, sizeof(res));
		assert_int_equal(exec_simple(fd, res, NULL, 0, &ex), 0);
		assert_int_equal(ex.status, SYSCHAIN_STATUS_COMPLETED);
		assert_int_equal(ex.steps, 3);
		assert_int_equal(ex.stop_op, SYSCHAIN_NO_INDEX);
		assert_int_equal(ex.flags, SYSCHAIN_RUN_STOP_ON_ERROR);
		assert_int_equal(res[0].ret, getppid());
		assert_int_equal(res[1].ret, getpid());
		assert_int_equal(res[2].ret, gettid());
		assert_int_equal(res[0].count + res[1].count + res[2].count, 3);
	}
	assert_int_equal(g_module_counter("chains_total"), total + 100);
	close(fd);
}

/* Conditions, jumps and the budget work as in SYSCHAIN_RUN. */
static void test_exec_conditions_and_budget(void **state)
{
	struct syschain_result res[2];
	struct syschain_exec ex;
	struct g_chain c;
	int fd;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);			/* 0 */
	g_op0(&c, __NR_gettid);			/* 1: jumps back to 0 */
	g_cond(&c, 1, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 0);
	fd = reg_ok(&c);
	exec_prepare(&ex, res, NULL, 0);
	ex.max_steps = 7;
	assert_int_equal(exec_chain(fd, &ex), 0);
	assert_int_equal(ex.status, SYSCHAIN_STATUS_BUDGET);
	assert_int_equal(ex.steps, 7);
	assert_int_equal(ex.stop_op, 1);
	assert_int_equal(res[0].count, 4);
	assert_int_equal(res[1].count, 3);
	close(fd);
}

/* Registration refuses what SYSCHAIN_RUN refuses, naming the culprit. */
static void test_register_errors(void **state)
{
	struct syschain_register reg;
	struct g_chain c;
	long inflight = g_module_counter("chains_in_flight");

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_op0(&c, G_NR_NOT_OP);			/* not an op */
	assert_int_equal(reg_chain(&c, 0, &reg), -EOPNOTSUPP);
	assert_int_equal(reg.stop_op, 1);
	assert_int_equal(reg.fd, -1);

	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_opn(&c, __NR_close, 0);
	g_ref(&c, 1, 0, 1, 0);			/* a reference to itself */
	assert_int_equal(reg_chain(&c, 0, &reg), -EINVAL);
	assert_int_equal(reg.stop_op, 1);

	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_cond(&c, 0, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 5);
	assert_int_equal(reg_chain(&c, 0, &reg), -EINVAL);
	assert_int_equal(reg.stop_cond, 0);

	g_init(&c);
	g_op0(&c, __NR_getpid);
	assert_int_equal(reg_chain(&c, 1u << 5, &reg), -EINVAL);
	reg.flags = 0;
	reg.__reserved = 1;
	assert_int_equal(g_ioctl(SYSCHAIN_REGISTER, &reg), -EINVAL);
	reg.__reserved = 0;
	reg.nr_ops = 0;
	assert_int_equal(g_ioctl(SYSCHAIN_REGISTER, &reg), -EINVAL);
	reg.nr_ops = 1u << 20;
	assert_int_equal(g_ioctl(SYSCHAIN_REGISTER, &reg), -E2BIG);
	reg.nr_ops = 1;
	reg.ops_uptr = 8;
	assert_int_equal(g_ioctl(SYSCHAIN_REGISTER, &reg), -EFAULT);
	reg.ops_uptr = (uintptr_t)c.ops;
	reg.size = SYSCHAIN_REGISTER_SIZE_VER0 - 8;
	assert_int_equal(g_ioctl(SYSCHAIN_REGISTER, &reg), -EINVAL);
	assert_int_equal(g_module_counter("chains_in_flight"), inflight);
}

/* Each ioctl on its own descriptor only. */
static void test_wrong_descriptor(void **state)
{
	struct syschain_result res[1];
	struct syschain_register reg;
	struct syschain_exec ex;
	struct g_chain c;
	int fd;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);
	fd = reg_ok(&c);
	exec_prepare(&ex, res, NULL, 0);
	assert_int_equal(g_ioctl(SYSCHAIN_EXEC, &ex), -ENOTTY);
	g_prepare(&c, 0);
	assert_int_equal(ioctl(fd, SYSCHAIN_RUN, &c.run), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, SYSCHAIN_REGISTER, &reg), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, SYSCHAIN_PROBE, &reg), -1);
	assert_int_equal(errno, ENOTTY);
	/* without SYSCHAIN_REGISTER_CLOEXEC: inherited across exec */
	close(fd);
	fd = reg_chain(&c, 0, &reg);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
}

/*
 * read(fd, buf, 8) with fd and buf patched per run: one chain reads two
 * files; a patch stays for later runs.
 */
static void test_patches(void **state)
{
	char a[8] = { 0 }, b[8] = { 0 }, cbuf[8] = { 0 };
	int fa = open("/proc/self/comm", O_RDONLY);
	int fb = open("/proc/version", O_RDONLY);
	struct syschain_result res[2];
	struct syschain_patch p[2];
	struct syschain_exec ex;
	struct g_chain c;
	int fd;

	(void)state;
	assert_true(fa >= 0 && fb >= 0);
	g_init(&c);
	g_opn(&c, __NR_pread64, fa, a, sizeof(a), 0);
	g_op0(&c, __NR_getpid);
	fd = reg_ok(&c);
	assert_int_equal(exec_simple(fd, res, NULL, 0, &ex), 0);
	assert_int_equal(res[0].ret, g_sys(__NR_pread64, fa, (uintptr_t)cbuf,
					   8, 0, 0, 0));
	assert_memory_equal(a, cbuf, 8);

	p[0] = (struct syschain_patch){ .op = 0, .arg = 0, .value = fb };
	p[1] = (struct syschain_patch){ .op = 0, .arg = 1,
					.value = (uintptr_t)b };
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), 0);
	assert_int_equal(ex.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(res[0].ret, 8);
	assert_memory_equal(b, "Linux ve", 8);

	/* the patched chain stays patched */
	memset(b, 0, sizeof(b));
	assert_int_equal(exec_simple(fd, res, NULL, 0, &ex), 0);
	assert_int_equal(res[0].ret, 8);
	assert_memory_equal(b, "Linux ve", 8);
	close(fd);
	close(fa);
	close(fb);
}

/* A refused patch applies none of the run's patches and runs nothing. */
static void test_patch_errors(void **state)
{
	struct syschain_patch p[SYSCHAIN_MAX_PATCHES + 1];
	struct syschain_result res[3];
	struct syschain_exec ex;
	struct g_chain c;
	int fd;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_opn(&c, __NR_dup, 99);			/* 1: -EBADF */
	g_opn(&c, __NR_dup, 0);				/* 2: dup(res[1] + 0) */
	g_ref(&c, 2, 0, 1, 0);
	c.ops[1].flags = SYSCHAIN_OP_IGNORE_ERROR;
	c.ops[2].flags = SYSCHAIN_OP_IGNORE_ERROR;
	fd = reg_ok(&c);

	memset(p, 0, sizeof(p));
	p[0] = (struct syschain_patch){ .op = 1, .arg = 0, .value = 98 };
	p[1] = (struct syschain_patch){ .op = 3, .arg = 0 };	/* no op 3 */
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EINVAL);
	assert_int_equal(ex.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(ex.stop_op, SYSCHAIN_NO_INDEX);
	p[1] = (struct syschain_patch){ .op = 0, .arg = 0 };	/* getpid: 0 args */
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EINVAL);
	assert_int_equal(ex.stop_op, 0);
	p[1] = (struct syschain_patch){ .op = 2, .arg = 0 };	/* a reference */
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EINVAL);
	assert_int_equal(ex.stop_op, 2);
	p[1] = (struct syschain_patch){ .op = 1, .arg = 0,
					.flags = SYSCHAIN_PATCH_REF };
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EINVAL);
	assert_int_equal(ex.stop_op, 1);
	p[1] = (struct syschain_patch){ .op = 1, .arg = 0, .flags = 2 };
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EINVAL);
	assert_int_equal(exec_simple(fd, res, p, SYSCHAIN_MAX_PATCHES + 1,
				     &ex), -E2BIG);
	exec_prepare(&ex, res, p, 1);
	ex.patch_size = 12;
	assert_int_equal(exec_chain(fd, &ex), -EINVAL);
	exec_prepare(&ex, res, (void *)8, 1);
	assert_int_equal(exec_chain(fd, &ex), -EFAULT);
	exec_prepare(&ex, NULL, NULL, 0);
	assert_int_equal(exec_chain(fd, &ex), -EINVAL);

	/* nothing applied: op 1 still dups 99 */
	memset(res, 0xa5, sizeof(res));
	assert_int_equal(exec_simple(fd, res, NULL, 0, &ex), 0);
	assert_int_equal(ex.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(res[1].ret, -EBADF);
	assert_int_equal(res[2].ret, -EBADF);	/* dup(-EBADF + 0) */

	/* a reference's addend, with SYSCHAIN_PATCH_REF: dup(-EBADF + x) */
	p[0] = (struct syschain_patch){ .op = 2, .arg = 0,
					.value = (uint64_t)(fd + EBADF),
					.flags = SYSCHAIN_PATCH_REF };
	assert_int_equal(exec_simple(fd, res, p, 1, &ex), 0);
	assert_int_equal(res[1].ret, -EBADF);
	assert_true(res[2].ret >= 0);		/* dup(fd) */
	close((int)res[2].ret);
	close(fd);
}

/* A patch cannot give an op what registration would have refused. */
static void test_patch_rechecked(void **state)
{
	struct syschain_result res[1];
	struct syschain_patch p[2];
	struct syschain_exec ex;
	struct timespec ts;
	struct g_chain c;
	int fd;

	(void)state;
	g_init(&c);
	g_opn(&c, __NR_clock_gettime, CLOCK_MONOTONIC, (uintptr_t)&ts);
	fd = reg_ok(&c);
	/* a CPU-time clock: README's "Refused" */
	p[0] = (struct syschain_patch){ .op = 0, .arg = 0,
					.value = CLOCK_PROCESS_CPUTIME_ID };
	assert_int_equal(exec_simple(fd, res, p, 1, &ex), -EOPNOTSUPP);
	assert_int_equal(ex.stop_op, 0);
	/* a second patch of the same op does not hide the first */
	p[1] = (struct syschain_patch){ .op = 0, .arg = 1,
					.value = (uintptr_t)&ts };
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EOPNOTSUPP);
	/*
	 * A later patch of a checked op past its arguments is refused before
	 * the op is checked with the patches applied (a fuzzer found the
	 * copy written out of bounds).
	 */
	p[0] = (struct syschain_patch){ .op = 0, .arg = 1,
					.value = (uintptr_t)&ts };
	p[1] = (struct syschain_patch){ .op = 0, .arg = 65535 };
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EINVAL);
	assert_int_equal(ex.stop_op, 0);
	p[1].arg = 9;
	assert_int_equal(exec_simple(fd, res, p, 2, &ex), -EINVAL);
	assert_int_equal(exec_simple(fd, res, NULL, 0, &ex), 0);
	assert_int_equal(res[0].ret, 0);
	close(fd);
}

/* A chain cannot close its own descriptor (nor another chain's). */
static void test_close_own_descriptor(void **state)
{
	struct syschain_result res[1];
	struct syschain_exec ex;
	struct g_chain c;
	int fd;

	(void)state;
	g_init(&c);
	g_opn(&c, __NR_close, 0);
	fd = reg_ok(&c);
	c.ops[0].args[0] = fd;
	close(fd);
	fd = reg_ok(&c);
	assert_int_equal(c.ops[0].args[0], fd);	/* same number again */
	assert_int_equal(exec_simple(fd, res, NULL, 0, &ex), 0);
	assert_int_equal(ex.status, SYSCHAIN_STATUS_FAILED);
	assert_int_equal(res[0].ret, -EBADF);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
}

/* ---- a chain blocked in read(2) on an empty pipe ---------------------- */

struct blocked {
	int fd;
	int pipe[2];
	char buf[4];
	struct syschain_result res[1];
	struct syschain_exec ex;
	int ret;
};

static void *blocked_run(void *arg)
{
	struct blocked *b = arg;

	b->ret = exec_simple(b->fd, b->res, NULL, 0, &b->ex);
	return NULL;
}

static void blocked_start(struct blocked *b, pthread_t *t)
{
	struct g_chain c;

	assert_int_equal(pipe(b->pipe), 0);
	g_init(&c);
	g_opn(&c, __NR_read, b->pipe[0], b->buf, sizeof(b->buf));
	b->fd = reg_ok(&c);
	assert_int_equal(pthread_create(t, NULL, blocked_run, b), 0);
	/* the reader is in its read once the pipe has a waiter: give it time */
	usleep(200 * 1000);
}

static void blocked_finish(struct blocked *b, pthread_t t)
{
	assert_int_equal(write(b->pipe[1], "abc", 3), 3);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(b->ret, 0);
	assert_int_equal(b->ex.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(b->res[0].ret, 3);
	assert_memory_equal(b->buf, "abc", 3);
	close(b->pipe[0]);
	close(b->pipe[1]);
}

/* One run at a time: a second, concurrent one is refused with EBUSY. */
static void test_concurrent_run_busy(void **state)
{
	struct syschain_result res[1];
	struct syschain_exec ex;
	struct blocked b;
	pthread_t t;

	(void)state;
	blocked_start(&b, &t);
	assert_int_equal(exec_simple(b.fd, res, NULL, 0, &ex), -EBUSY);
	blocked_finish(&b, t);
	close(b.fd);
}

/*
 * Closed by another thread while its chain runs: the run finishes, and the
 * chain's memory goes when it returns.
 */
static void test_close_while_running(void **state)
{
	long inflight = g_module_counter("chains_in_flight");
	struct blocked b;
	pthread_t t;

	(void)state;
	blocked_start(&b, &t);
	assert_int_equal(g_module_counter("chains_in_flight"), inflight + 1);
	assert_int_equal(close(b.fd), 0);
	assert_int_equal(g_module_counter("chains_in_flight"), inflight + 1);
	blocked_finish(&b, t);
	assert_int_equal(g_module_counter("chains_in_flight"), inflight);
}

/* getpid through @fd, in a child: the child's pid, not the registrar's. */
static void child_runs(int fd, int sock)
{
	struct syschain_result res[1];
	struct syschain_exec ex;
	struct msghdr msg = { 0 };
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct cmsghdr *cm;

	if (sock >= 0) {
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		if (recvmsg(sock, &msg, 0) != 1)
			guest_child_exit(2);
		cm = CMSG_FIRSTHDR(&msg);
		if (!cm || cm->cmsg_type != SCM_RIGHTS)
			guest_child_exit(3);
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	}
	if (exec_simple(fd, res, NULL, 0, &ex) ||
	    ex.status != SYSCHAIN_STATUS_COMPLETED || res[0].ret != getpid())
		guest_child_exit(4);
	guest_child_exit(0);
}

static void wait_child(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Inherited across fork, passed with SCM_RIGHTS: it runs in the runner. */
static void test_fork_and_scm_rights(void **state)
{
	struct g_chain c;
	char cbuf[CMSG_SPACE(sizeof(int))], byte = 'x';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	int fd, sv[2];
	pid_t pid;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);
	fd = reg_ok(&c);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		child_runs(fd, -1);
	wait_child(pid);

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(fd);			/* its own copy goes */
		child_runs(-1, sv[1]);
	}
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	assert_int_equal(sendmsg(sv[0], &msg, 0), 1);
	close(fd);			/* the message holds the chain now */
	wait_child(pid);
	close(sv[0]);
	close(sv[1]);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * A handler without SA_RESTART interrupts a registered chain's blocking
 * op: -EINTR with the progress in the struct, and the same call with
 * SYSCHAIN_RUN_RESUME_EINTR goes on, as for SYSCHAIN_RUN; also (state 1)
 * after another run of the chain, from a copy of the struct.
 */
static struct syschain_exec x2;
static int plain = 0, meddled = 1;

static void test_interrupted_and_resumed(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct syschain_result res[3];
	struct syschain_exec ex;
	struct g_chain c;
	int p[2], fd;
	char buf[4];

	(void)state;
	assert_int_equal(pipe(p), 0);
	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_opn(&c, __NR_read, p[0], buf, sizeof(buf));
	g_op0(&c, __NR_gettid);
	c.ops[1].flags = SYSCHAIN_OP_IGNORE_ERROR;
	fd = reg_ok(&c);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	alarms = 0;
	alarm(1);
	exec_prepare(&ex, res, NULL, 0);
	assert_int_equal(exec_chain(fd, &ex), -EINTR);
	assert_int_equal(alarms, 1);
	assert_int_equal(ex.status, SYSCHAIN_STATUS_INTERRUPTED);
	assert_int_equal(ex.stop_op, 1);
	assert_true(ex.flags & SYSCHAIN_RUN_RESUME);
	assert_int_equal(res[0].ret, getpid());
	assert_int_equal(res[0].count, 1);
	assert_int_equal(res[1].count, 0);
	ex.flags |= SYSCHAIN_RUN_RESUME_EINTR;
	if (*(int *)state) {
		/*
		 * Another run of the chain in between, and the resume from a
		 * copy of the struct: the module reads the results back.
		 */
		struct syschain_result other[3];
		struct syschain_exec ex2 = ex;

		assert_int_equal(write(p[1], "x", 1), 1);
		assert_int_equal(exec_simple(fd, other, NULL, 0, &x2), 0);
		assert_int_equal(other[1].ret, 1);
		assert_int_equal(exec_chain(fd, &ex2), 0);
		ex = ex2;
	} else {
		assert_int_equal(exec_chain(fd, &ex), 0);
	}
	assert_int_equal(ex.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(ex.flags, SYSCHAIN_RUN_STOP_ON_ERROR);
	assert_int_equal(res[1].ret, -EINTR);
	assert_int_equal(res[2].ret, gettid());
	assert_int_equal(ex.steps, 3);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	close(fd);
	close(p[0]);
	close(p[1]);
}

/* Descriptors: RLIMIT_NOFILE bounds the chains a process holds. */
static void test_nofile_bound(void **state)
{
	long inflight = g_module_counter("chains_in_flight");
	struct rlimit old, lim;
	struct syschain_register reg;
	struct g_chain c;
	int fds[64], n = 0, fd;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = 32;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	while ((fd = reg_chain(&c, 0, &reg)) >= 0) {
		assert_true(n < 64);
		fds[n++] = fd;
	}
	assert_int_equal(fd, -EMFILE);
	assert_true(n > 1 && n < 32);
	/* a descriptor for reading the counter */
	close(fds[--n]);
	assert_int_equal(g_module_counter("chains_in_flight"), inflight + n);
	while (n)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(g_module_counter("chains_in_flight"), inflight);
}

/* A struct that cannot be written: -EFAULT before anything runs. */
static void test_exec_struct_readonly(void **state)
{
	struct syschain_result res[1] = { { 0x77, 0x77 } };
	long total = g_module_counter("chains_total");
	struct syschain_exec *ex;
	struct g_chain c;
	int fd;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);
	fd = reg_ok(&c);
	ex = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ex != MAP_FAILED);
	exec_prepare(ex, res, NULL, 0);
	assert_int_equal(mprotect(ex, 4096, PROT_READ), 0);
	assert_int_equal(exec_chain(fd, ex), -EFAULT);
	assert_int_equal(res[0].ret, 0x77);
	assert_int_equal(res[0].count, 0x77);
	assert_int_equal(g_module_counter("chains_total"), total);
	munmap(ex, 4096);
	close(fd);
}

/* Results that cannot be written end the run with FAULT, after it ran. */
static void test_results_unwritable(void **state)
{
	struct syschain_exec ex;
	struct g_chain c;
	int fd;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getpid);
	fd = reg_ok(&c);
	exec_prepare(&ex, (void *)4096, NULL, 0);
	assert_int_equal(exec_chain(fd, &ex), 0);
	assert_int_equal(ex.status, SYSCHAIN_STATUS_FAULT);
	assert_int_equal(ex.steps, 1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_runs_the_chain),
		cmocka_unit_test(test_exec_conditions_and_budget),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_wrong_descriptor),
		cmocka_unit_test(test_patches),
		cmocka_unit_test(test_patch_errors),
		cmocka_unit_test(test_patch_rechecked),
		cmocka_unit_test(test_close_own_descriptor),
		cmocka_unit_test(test_concurrent_run_busy),
		cmocka_unit_test(test_close_while_running),
		cmocka_unit_test(test_fork_and_scm_rights),
		cmocka_unit_test_prestate(test_interrupted_and_resumed, &plain),
		cmocka_unit_test_prestate(test_interrupted_and_resumed,
					  &meddled),
		cmocka_unit_test(test_nofile_bound),
		cmocka_unit_test(test_exec_struct_readonly),
		cmocka_unit_test(test_results_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
