// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Cleanup ops (uapi "Cleanup ops") in the kernel: they run however the
 * body ends, in the same call, back to back. The engine's rules are the
 * host tests' (tests/unit/test_engine.c); here, what only the kernel
 * executor can show:
 *
 *  - a descriptor the body opened is closed by the cleanup after the
 *    body failed, stopped, completed or ran out of budget, one-shot and
 *    registered; 1000 failing runs leave the descriptor count unchanged;
 *  - the cleanup's close releases the file before the ioctl returns (its
 *    IN_CLOSE_NOWRITE is there), though no op boundary follows it;
 *  - a body a signal interrupts (a blocking read, a handler without
 *    SA_RESTART) has not ended: -EINTR, nothing of the cleanup ran; the
 *    resumed run ends the body and runs the cleanup;
 *  - the rules: a body op after a cleanup op, a cleanup op with a
 *    condition, a jump past the body, RESUME at a cleanup op: -EINVAL
 *    naming the culprit, nothing runs.
 */
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include "guest.h"

#define DIR_PATH "/"

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/*
 * openat(dir); read it (-EISDIR, which stops the body under STOP_ON_ERROR);
 * getpid (never reached then); cleanup: close(the opened fd).
 */
static void build_open_fail_close(struct g_chain *c)
{
	static char buf[16];
	unsigned int o, x;

	g_init(c);
	o = g_opn(c, __NR_openat, AT_FDCWD, (uintptr_t)DIR_PATH,
		  O_RDONLY | O_CLOEXEC, 0);
	g_opn(c, __NR_read, 0, (uintptr_t)buf, sizeof(buf));
	g_ref(c, 1, 0, o, 0);
	g_op0(c, __NR_getpid);
	x = g_opn(c, __NR_close, 0);
	g_ref(c, x, 0, o, 0);
	c->ops[x].flags = SYSCHAIN_OP_CLEANUP;
}

static void assert_closed_after_failure(const struct g_chain *c)
{
	assert_int_equal(c->run.status, SYSCHAIN_STATUS_FAILED);
	assert_int_equal(c->run.stop_op, 1);
	assert_int_equal(c->run.steps, 3);
	assert_true(c->res[0].ret >= 0);
	assert_int_equal(c->res[1].ret, -EISDIR);
	assert_int_equal(c->res[2].count, 0);
	assert_int_equal(c->res[3].ret, 0);
	assert_int_equal(c->res[3].count, 1);
	assert_false(fd_open((int)c->res[0].ret));
}

static void test_failed_body_closes(void **state)
{
	struct g_chain c;
	int before, i;

	(void)state;
	G_BOUND(120);
	g_dev();	/* opened once, before the count */
	before = fd_count();
	for (i = 0; i < 1000; i++) {
		build_open_fail_close(&c);
		assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
		assert_closed_after_failure(&c);
	}
	assert_int_equal(fd_count(), before);
}

/* the same chain registered: 1000 runs by its descriptor */
static void test_registered_closes(void **state)
{
	struct syschain_register reg;
	struct syschain_exec ex;
	struct g_chain c;
	int before, i;

	(void)state;
	G_BOUND(120);
	build_open_fail_close(&c);
	memset(&reg, 0, sizeof(reg));
	reg.size = sizeof(reg);
	reg.flags = SYSCHAIN_REGISTER_CLOEXEC;
	reg.nr_ops = c.n;
	reg.op_size = sizeof(struct syschain_op);
	reg.cond_size = sizeof(struct syschain_cond);
	reg.ops_uptr = (uintptr_t)c.ops;
	assert_int_equal(g_ioctl(SYSCHAIN_REGISTER, &reg), 0);
	before = fd_count();
	for (i = 0; i < 1000; i++) {
		memset(&ex, 0, sizeof(ex));
		ex.size = sizeof(ex);
		ex.flags = SYSCHAIN_RUN_STOP_ON_ERROR;
		ex.results_uptr = (uintptr_t)c.res;
		assert_int_equal(ioctl((int)reg.fd, SYSCHAIN_EXEC, &ex), 0);
		c.run.status = ex.status;
		c.run.stop_op = ex.stop_op;
		c.run.steps = ex.steps;
		assert_closed_after_failure(&c);
	}
	assert_int_equal(fd_count(), before);
	close((int)reg.fd);
}

/* completed, stopped, out of budget: the cleanup runs each time */
static void test_every_ending_closes(void **state)
{
	struct g_chain c;
	unsigned int o, x;
	int i;

	(void)state;
	G_BOUND(60);
	for (i = 0; i < 3; i++) {
		g_init(&c);
		o = g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)DIR_PATH,
			  O_RDONLY | O_CLOEXEC, 0);
		g_op0(&c, __NR_getppid);
		if (i == 1)	/* stop after getppid */
			g_cond(&c, 1, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_STOP,
			       0);
		if (i == 2)	/* loop on getppid until the budget ends */
			g_cond(&c, 1, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP,
			       1);
		x = g_opn(&c, __NR_close, 0);
		g_ref(&c, x, 0, o, 0);
		c.ops[x].flags = SYSCHAIN_OP_CLEANUP;
		g_prepare(&c, 0);
		c.run.max_steps = 50;
		assert_int_equal(g_run_prepared(&c), 0);
		assert_int_equal(c.run.status, i == 0 ? SYSCHAIN_STATUS_COMPLETED :
				 i == 1 ? SYSCHAIN_STATUS_STOPPED :
				 SYSCHAIN_STATUS_BUDGET);
		/* the budget's 50 steps, then the cleanup's */
		assert_int_equal(c.run.steps, i == 2 ? 51 : 3);
		assert_int_equal(c.res[x].ret, 0);
		assert_int_equal(c.res[x].count, 1);
		assert_false(fd_open((int)c.res[o].ret));
	}
}

/* the close's release happens before the ioctl returns */
static void test_cleanup_close_released(void **state)
{
	char path[] = "/tmp/sc-cleanup-XXXXXX", ev[256];
	struct inotify_event *e = (struct inotify_event *)ev;
	struct g_chain c;
	unsigned int o, x;
	int in, f;

	(void)state;
	G_BOUND(30);
	f = mkstemp(path);
	assert_true(f >= 0);
	close(f);
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(in >= 0);
	assert_true(inotify_add_watch(in, path, IN_CLOSE_NOWRITE) >= 0);
	g_init(&c);
	o = g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)path,
		  O_RDONLY | O_CLOEXEC, 0);
	x = g_opn(&c, __NR_close, 0);
	g_ref(&c, x, 0, o, 0);
	c.ops[x].flags = SYSCHAIN_OP_CLEANUP;
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[x].ret, 0);
	assert_true(read(in, ev, sizeof(ev)) >= (ssize_t)sizeof(*e));
	assert_true(e->mask & IN_CLOSE_NOWRITE);
	close(in);
	unlink(path);
}

/*
 * A body a signal interrupts has not ended: -EINTR, the cleanup has not
 * run; resumed, the body ends and the cleanup runs.
 */
static void test_interrupted_body(void **state)
{
	static char buf[8];
	struct g_chain c;
	int sv[2];
	unsigned int r, x;
	pid_t pid;

	(void)state;
	G_BOUND(30);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	g_init(&c);
	r = g_opn(&c, __NR_read, sv[0], (uintptr_t)buf, sizeof(buf));
	x = g_op0(&c, __NR_getppid);
	c.ops[x].flags = SYSCHAIN_OP_CLEANUP;
	pid = g_alarm_when_blocked(__NR_ioctl, 0, 0, sv[1], "pong");
	assert_int_equal(g_run(&c, 0), -EINTR);
	assert_int_equal(g_reap(pid), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INTERRUPTED);
	assert_int_equal(c.run.stop_op, r);
	assert_int_equal(c.res[x].count, 0);
	assert_int_equal(g_run_again(&c), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[r].ret, 4);
	assert_int_equal(c.res[x].ret, getppid());
	assert_int_equal(c.res[x].count, 1);
	g_alarm_off();
	close(sv[0]);
	close(sv[1]);
}

/* -EINVAL naming the culprit, nothing run */
static void test_rules(void **state)
{
	struct g_chain c;

	(void)state;
	G_BOUND(30);
	/* a body op after a cleanup op */
	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_op0(&c, __NR_getppid);
	g_op0(&c, __NR_gettid);
	c.ops[1].flags = SYSCHAIN_OP_CLEANUP;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(c.run.stop_op, 2);
	/* a cleanup op with a condition */
	c.ops[2].flags = SYSCHAIN_OP_CLEANUP;
	g_cond(&c, 2, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_STOP, 0);
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_op, 2);
	/* a jump past the body: into the cleanup, or to the chain's end */
	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_op0(&c, __NR_getppid);
	c.ops[1].flags = SYSCHAIN_OP_CLEANUP;
	g_cond(&c, 0, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 2);
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_cond, 0);
	c.conds[0].target = 1;	/* the end of the body: fine */
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[1].count, 1);
	/* RESUME at a cleanup op */
	g_prepare(&c, SYSCHAIN_RUN_RESUME);
	c.run.stop_op = 1;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	assert_int_equal(c.res[0].count, 0xa5a5a5a5a5a5a5a5ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_body_closes),
		cmocka_unit_test(test_registered_closes),
		cmocka_unit_test(test_every_ending_closes),
		cmocka_unit_test(test_cleanup_close_released),
		cmocka_unit_test(test_interrupted_body),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests_name("syschain-cleanup", tests, NULL,
					   NULL);
}
