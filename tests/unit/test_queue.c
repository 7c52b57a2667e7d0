// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Asynchronous runs (chain_submit(3)) on the host, where chains run on the
 * user backend: a hundred chains in flight from one thread, completion in
 * the order the chains end, cancellation, the descriptor to poll, a
 * submitted chain refused to its owner until chain_wait() gives it back,
 * and results identical to chain_run()'s. The guest's test_lc_register
 * does the same on the kernel backend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../fd_count.h"
#include "libchain.h"
#include "internal.h"		/* white-box: a chain's queue state */

/* Until a worker has taken @c (it is running). */
static void wait_running(struct chain *c)
{
	const struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		if (__atomic_load_n(&c->q_state, __ATOMIC_ACQUIRE) ==
		    LC_Q_RUNNING)
			return;
		nanosleep(&ms, NULL);
	}
	fail_msg("no worker took the chain in 5 s");
}

/* a file whose content is "<pid of this process> hello" */
static char data_path[64];

/* A chain that sleeps @ms, then reads data_path's first bytes. */
static struct chain *sleeper(long ms, char *buf, size_t len)
{
	static struct timespec ts[256];
	static unsigned int next;
	struct timespec *t = &ts[next++ % 256];
	struct chain *c;
	struct chain_handle fd;

	assert_int_equal(chain_new(&c), 0);
	t->tv_sec = ms / 1000;
	t->tv_nsec = (ms % 1000) * 1000000L;
	assert_int_equal(chain_nanosleep(c, t, NULL).op, 0);
	assert_int_equal(chain_getppid(c).op, 1);
	fd = chain_openat(c, AT_FDCWD, data_path, O_RDONLY | O_CLOEXEC, 0);
	assert_int_equal(fd.op, 2);
	assert_int_equal(chain_read(c, chain_res(fd), buf, len).op, 3);
	assert_int_equal(chain_close(c, chain_res(fd)).op, 4);
	return c;
}

static void test_hundred_in_flight(void **state)
{
	static char bufs[100][16];
	struct chain *cs[100];
	struct chain_queue *q;
	struct chain_completion cc;
	int seen[100] = { 0 };
	char want[16];
	int i, fds = fd_count();

	(void)state;
	snprintf(want, sizeof(want), "%d hello", (int)getpid());
	assert_int_equal(chain_queue_new(&q, 8), 0);
	for (i = 0; i < 100; i++) {
		cs[i] = sleeper(i % 7, bufs[i], sizeof(bufs[i]));
		assert_int_equal(chain_submit(q, cs[i], &seen[i]), 0);
	}
	for (i = 0; i < 100; i++) {
		int k;

		assert_int_equal(chain_wait(q, &cc, -1), 0);
		k = (int *)cc.user_data - seen;
		assert_true(k >= 0 && k < 100);
		assert_ptr_equal(cc.chain, cs[k]);
		assert_int_equal(seen[k]++, 0);
		assert_int_equal(cc.ret, 0);
		assert_int_equal(chain_report(cs[k])->status,
				 SYSCHAIN_STATUS_COMPLETED);
		assert_int_equal(chain_report(cs[k])->backend,
				 CHAIN_BACKEND_USER);
		assert_int_equal(chain_ret(cs[k], 1), getppid());
		assert_int_equal(chain_ret(cs[k], 3), strlen(want));
		assert_memory_equal(bufs[k], want, strlen(want));
	}
	/* nothing left: waiting would never end, so it says so */
	assert_int_equal(chain_wait(q, &cc, -1), -ENOENT);
	chain_queue_free(q);
	for (i = 0; i < 100; i++)
		chain_free(cs[i]);
	assert_int_equal(fd_count(), fds);
}

static void test_completion_order(void **state)
{
	char b[3][16];
	struct chain *slow = sleeper(300, b[0], sizeof(b[0]));
	struct chain *mid = sleeper(150, b[1], sizeof(b[1]));
	struct chain *fast = sleeper(0, b[2], sizeof(b[2]));
	struct chain_completion cc;
	struct chain_queue *q;

	(void)state;
	assert_int_equal(chain_queue_new(&q, 3), 0);
	assert_int_equal(chain_submit(q, slow, "slow"), 0);
	assert_int_equal(chain_submit(q, mid, "mid"), 0);
	assert_int_equal(chain_submit(q, fast, "fast"), 0);
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	assert_ptr_equal(cc.chain, fast);
	assert_string_equal(cc.user_data, "fast");
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	assert_ptr_equal(cc.chain, mid);
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	assert_ptr_equal(cc.chain, slow);
	chain_queue_free(q);
	chain_free(slow);
	chain_free(mid);
	chain_free(fast);
}

static void test_cancel(void **state)
{
	char b[3][16];
	struct chain *run = sleeper(200, b[0], sizeof(b[0]));
	struct chain *queued = sleeper(0, b[1], sizeof(b[1]));
	struct chain *other = sleeper(0, b[2], sizeof(b[2]));
	struct chain_completion cc;
	struct chain_queue *q;
	struct timespec t0, t1;

	(void)state;
	assert_int_equal(chain_queue_new(&q, 1), 0);
	assert_int_equal(chain_submit(q, run, NULL), 0);
	wait_running(run);	/* the one worker runs it */
	assert_int_equal(chain_cancel(q, other), -ENOENT);
	assert_int_equal(chain_submit(q, queued, "queued"), 0);
	assert_int_equal(chain_cancel(q, queued), 0);
	/* a cancelled chain completes at once, and did not run */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_ptr_equal(cc.chain, queued);
	assert_int_equal(cc.ret, -ECANCELED);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000 < 150);
	assert_int_equal(chain_report(queued)->status, CHAIN_STATUS_NOT_RUN);
	assert_int_equal(chain_cancel(q, queued), -ENOENT);
	assert_int_equal(chain_cancel(q, run), -EALREADY);
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	assert_ptr_equal(cc.chain, run);
	assert_int_equal(cc.ret, 0);
	chain_queue_free(q);
	chain_free(run);
	chain_free(queued);
	chain_free(other);
}

static void test_poll_fd(void **state)
{
	char b[16];
	struct chain *c = sleeper(50, b, sizeof(b));
	struct chain_completion cc;
	struct chain_queue *q;
	struct pollfd pfd;

	(void)state;
	assert_int_equal(chain_queue_new(&q, 2), 0);
	pfd.fd = chain_queue_fd(q);
	pfd.events = POLLIN;
	assert_true(pfd.fd >= 0);
	assert_true(fcntl(pfd.fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(chain_submit(q, c, NULL), 0);
	assert_int_equal(poll(&pfd, 1, 10), 0);	/* still asleep */
	assert_int_equal(chain_wait(q, &cc, 0), -EAGAIN);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_true(pfd.revents & POLLIN);
	assert_int_equal(chain_wait(q, &cc, 0), 0);
	assert_ptr_equal(cc.chain, c);
	/* drained: no longer readable */
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* a timeout that expires */
	assert_int_equal(chain_submit(q, c, NULL), 0);
	assert_int_equal(chain_wait(q, &cc, 1), -ETIME);
	assert_int_equal(chain_wait(q, &cc, 5000), 0);
	chain_queue_free(q);
	chain_free(c);
}

static void test_in_flight_refused(void **state)
{
	char b[16];
	struct chain *c = sleeper(100, b, sizeof(b));
	struct chain_completion cc;
	struct chain_queue *q, *q2;
	int64_t r;

	(void)state;
	assert_int_equal(chain_queue_new(&q, 1), 0);
	assert_int_equal(chain_queue_new(&q2, 1), 0);
	assert_int_equal(chain_submit(q, c, NULL), 0);
	wait_running(c);
	/* not the caller's while in flight, in any queue */
	assert_int_equal(chain_submit(q, c, NULL), -EBUSY);
	assert_int_equal(chain_submit(q2, c, NULL), -EBUSY);
	assert_int_equal(chain_run(c), -EBUSY);
	assert_int_equal(chain_getpid(c).op, -EBUSY);
	assert_int_equal(chain_set_arg(c, 3, 2, 8), -EBUSY);
	assert_int_equal(chain_stop_if(c, 0, CHAIN_NE, 0), -EBUSY);
	assert_int_equal(chain_set_backend(c, CHAIN_BACKEND_USER), -EBUSY);
	assert_int_equal(chain_cancel(q2, c), -ENOENT);
	chain_reset(c);			/* left as it is */
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	assert_int_equal(cc.ret, 0);
	/* the caller's again, built as it was and not refused since */
	assert_int_equal(chain_nr_ops(c), 5);
	assert_int_equal(chain_build_error(c, NULL), 0);
	assert_int_equal(chain_result(c, 4, &r), 0);
	assert_int_equal(r, 0);
	assert_int_equal(chain_getpid(c).op, 5);
	/* a queue freed with chains not started gives them back unrun */
	assert_int_equal(chain_submit(q2, c, NULL), 0);
	chain_queue_free(q2);
	assert_int_equal(chain_run(c), 0);
	chain_queue_free(q);
	chain_free(c);
}

static void test_same_as_run(void **state)
{
	char b1[64], b2[64];
	struct chain *a = sleeper(0, b1, sizeof(b1));
	struct chain *s = sleeper(0, b2, sizeof(b2));
	struct chain_completion cc;
	struct chain_queue *q;
	unsigned int i;

	(void)state;
	/* a chain that stops early: the report and results must agree too */
	assert_int_equal(chain_stop_if(a, 3, CHAIN_GT, 4), 0);
	assert_int_equal(chain_stop_if(s, 3, CHAIN_GT, 4), 0);
	assert_int_equal(chain_run(a), 0);
	assert_int_equal(chain_queue_new(&q, 1), 0);
	assert_int_equal(chain_submit(q, s, NULL), 0);
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	assert_int_equal(cc.ret, 0);
	assert_memory_equal(chain_report(a), chain_report(s),
			    sizeof(struct chain_report));
	assert_int_equal(chain_report(s)->status, SYSCHAIN_STATUS_STOPPED);
	for (i = 0; i < chain_nr_ops(a); i++) {
		if (i == 2)	/* descriptors may differ */
			continue;
		assert_int_equal(chain_ret(a, (int)i), chain_ret(s, (int)i));
		assert_int_equal(chain_count(a, (int)i), chain_count(s, (int)i));
	}
	assert_memory_equal(b1, b2, (size_t)chain_ret(a, 3));
	/* stopped before its close */
	assert_int_equal(close((int)chain_ret(a, 2)), 0);
	assert_int_equal(close((int)chain_ret(s, 2)), 0);
	chain_queue_free(q);
	chain_free(a);
	chain_free(s);
}

static void test_bad_args(void **state)
{
	struct chain_completion cc;
	struct chain_queue *q;
	struct chain *c;

	(void)state;
	assert_int_equal(chain_queue_new(NULL, 1), -EINVAL);
	assert_int_equal(chain_queue_new(&q, 0), -EINVAL);
	assert_int_equal(chain_queue_new(&q, CHAIN_QUEUE_MAX_WORKERS + 1),
			 -EINVAL);
	assert_int_equal(chain_queue_new(&q, 1), 0);
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_submit(NULL, c, NULL), -EINVAL);
	assert_int_equal(chain_submit(q, NULL, NULL), -EINVAL);
	assert_int_equal(chain_cancel(NULL, c), -EINVAL);
	assert_int_equal(chain_cancel(q, NULL), -EINVAL);
	assert_int_equal(chain_queue_fd(NULL), -EINVAL);
	assert_int_equal(chain_wait(NULL, &cc, 0), -EINVAL);
	assert_int_equal(chain_wait(q, NULL, 0), -EINVAL);
	assert_int_equal(chain_wait(q, &cc, 0), -ENOENT);
	/* an empty chain completes with chain_run()'s error */
	assert_int_equal(chain_submit(q, c, NULL), 0);
	assert_int_equal(chain_wait(q, &cc, -1), 0);
	assert_int_equal(cc.ret, -EINVAL);
	assert_int_equal(chain_run(c), -EINVAL);
	chain_queue_free(q);
	chain_queue_free(NULL);
	chain_free(c);
}

static int make_data(void **state)
{
	FILE *f;

	(void)state;
	snprintf(data_path, sizeof(data_path), "/tmp/libchain-queue-%d",
		 (int)getpid());
	f = fopen(data_path, "w");
	if (!f)
		return -1;
	fprintf(f, "%d hello", (int)getpid());
	return fclose(f);
}

static int remove_data(void **state)
{
	(void)state;
	return unlink(data_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hundred_in_flight),
		cmocka_unit_test(test_completion_order),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_poll_fd),
		cmocka_unit_test(test_in_flight_refused),
		cmocka_unit_test(test_same_as_run),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, make_data, remove_data);
}
