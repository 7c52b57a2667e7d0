// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libchain's registration (chain_run(3)): a chain run again unchanged is
 * registered with the module and runs by its descriptor; chain_set_arg()
 * then travels as a patch, other changes register anew; the results are
 * the user backend's in every case. A registered chain holds module
 * memory (chains_in_flight) until it changes or is freed, which is how
 * these tests see that it is registered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <libchain.h>
#include "guest.h"

/* Run @c on @backend: it completes, on that backend. */
static void run_on(struct chain *c, enum chain_backend backend)
{
	assert_int_equal(chain_set_backend(c, backend), 0);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(chain_report(c)->backend, backend);
}

static void test_registers_on_second_run(void **state)
{
	long base = g_module_counter("chains_in_flight");
	char kbuf[8], ubuf[8];
	int fa = open("/proc/version", O_RDONLY);
	int fb = open("/proc/self/comm", O_RDONLY);
	struct chain *c;
	int r, i;

	(void)state;
	assert_true(fa >= 0 && fb >= 0);
	assert_int_equal(chain_new(&c), 0);
	r = chain_pread64(c, fa, kbuf, sizeof(kbuf), 0).op;
	assert_int_equal(r, 0);
	assert_int_equal(chain_getppid(c).op, 1);

	run_on(c, CHAIN_BACKEND_KERNEL);	/* one-shot */
	assert_int_equal(g_module_counter("chains_in_flight"), base);
	for (i = 0; i < 3; i++) {
		memset(kbuf, 0, sizeof(kbuf));
		run_on(c, CHAIN_BACKEND_KERNEL);	/* registered */
		assert_int_equal(g_module_counter("chains_in_flight"), base + 1);
		assert_int_equal(chain_ret(c, 0), 8);
		assert_memory_equal(kbuf, "Linux ve", 8);
		assert_int_equal(chain_ret(c, 1), getppid());
	}

	/* a patch: the other file, into the other buffer, on both backends */
	assert_int_equal(chain_set_arg(c, 0, 0, fb), 0);
	assert_int_equal(chain_set_arg(c, 0, 1, ubuf), 0);
	memset(ubuf, 0, sizeof(ubuf));
	run_on(c, CHAIN_BACKEND_KERNEL);
	assert_int_equal(g_module_counter("chains_in_flight"), base + 1);
	memcpy(kbuf, ubuf, sizeof(kbuf));
	memset(ubuf, 0, sizeof(ubuf));
	run_on(c, CHAIN_BACKEND_USER);
	assert_int_equal(chain_ret(c, 0), 8);
	assert_memory_equal(kbuf, ubuf, 8);

	/* a new op changes the shape: the registration goes */
	assert_int_equal(chain_gettid(c).op, 2);
	assert_int_equal(g_module_counter("chains_in_flight"), base);
	run_on(c, CHAIN_BACKEND_KERNEL);
	run_on(c, CHAIN_BACKEND_KERNEL);
	assert_int_equal(g_module_counter("chains_in_flight"), base + 1);
	assert_int_equal(chain_ret(c, 2), gettid());

	/* one-shot on request */
	assert_int_equal(chain_set_register(c, false), 0);
	assert_int_equal(g_module_counter("chains_in_flight"), base);
	run_on(c, CHAIN_BACKEND_KERNEL);
	run_on(c, CHAIN_BACKEND_KERNEL);
	assert_int_equal(g_module_counter("chains_in_flight"), base);

	chain_free(c);
	assert_int_equal(g_module_counter("chains_in_flight"), base);
	close(fa);
	close(fb);
}

/*
 * A chain whose op fails on the kernel backend gives the same results on
 * the user backend, one-shot and registered.
 */
static void test_same_results_registered(void **state)
{
	struct chain *c;
	int64_t k[2], u[2];
	int i;

	(void)state;
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_set_stop_on_error(c, false), 0);
	assert_int_equal(chain_dup(c, 9999).op, 0);
	assert_int_equal(chain_getpid(c).op, 1);
	for (i = 0; i < 3; i++) {
		run_on(c, CHAIN_BACKEND_KERNEL);
		k[0] = chain_ret(c, 0);
		k[1] = chain_ret(c, 1);
		run_on(c, CHAIN_BACKEND_USER);
		u[0] = chain_ret(c, 0);
		u[1] = chain_ret(c, 1);
		assert_int_equal(k[0], -EBADF);
		assert_int_equal(k[0], u[0]);
		assert_int_equal(k[1], u[1]);
	}
	chain_free(c);
}

/*
 * The kernel backend knows the module's max_ops: the builder past it
 * fails with -E2BIG at once (the user backend takes more) and the chain
 * remembers it, and the chain of max_ops ops runs in the kernel.
 */
static void test_kernel_max_ops(void **state)
{
	struct chain_probe p;
	struct chain *c;
	unsigned int i;

	(void)state;
	assert_int_equal(chain_probe(&p), 0);
	assert_int_equal(chain_new(&c), 0);
	assert_int_equal(chain_set_backend(c, CHAIN_BACKEND_KERNEL), 0);
	for (i = 0; i < p.max_ops; i++)
		assert_int_equal(chain_getppid(c).op, (int)i);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_KERNEL);
	assert_int_equal(chain_getppid(c).op, -E2BIG);
	assert_int_equal(chain_nr_ops(c), p.max_ops);
	/* the op that did not fit is remembered: no run until a reset */
	assert_int_equal(chain_run(c), -E2BIG);
	assert_int_equal(chain_report(c)->stop_op, (int)p.max_ops);
	chain_reset(c);
	for (i = 0; i < p.max_ops; i++)
		assert_int_equal(chain_getppid(c).op, (int)i);
	assert_int_equal(chain_run(c), 0);
	assert_int_equal(chain_report(c)->backend, CHAIN_BACKEND_KERNEL);
	assert_int_equal(chain_report(c)->steps, p.max_ops);
	assert_int_equal(chain_ret(c, (int)p.max_ops - 1), getppid());
	assert_int_equal(chain_set_backend(c, CHAIN_BACKEND_USER), 0);
	assert_int_equal(chain_getppid(c).op, (int)p.max_ops);
	chain_free(c);
}

/*
 * Asynchronous runs (chain_submit(3)) on the kernel backend: 64 chains in
 * flight on 4 workers, each run twice (so that the second run is a
 * registered one), give chain_run()'s results on the same backend.
 */
static void test_submit_kernel(void **state)
{
	static char kbuf[64][32], ubuf[32];
	struct chain *cs[64], *ref;
	struct chain_completion cc;
	struct chain_queue *q;
	long base = g_module_counter("chains_in_flight");
	struct chain_handle o;
	int i, k, round;

	(void)state;
	assert_int_equal(chain_new(&ref), 0);
	o = chain_openat(ref, AT_FDCWD, "/proc/version", O_RDONLY | O_CLOEXEC, 0);
	chain_pread64(ref, o, ubuf, sizeof(ubuf), 0);
	chain_close(ref, o);
	chain_getppid(ref);
	run_on(ref, CHAIN_BACKEND_USER);
	assert_int_equal(chain_queue_new(&q, 4), 0);
	for (i = 0; i < 64; i++) {
		assert_int_equal(chain_new(&cs[i]), 0);
		assert_int_equal(chain_set_backend(cs[i], CHAIN_BACKEND_KERNEL), 0);
		o = chain_openat(cs[i], AT_FDCWD, "/proc/version",
				 O_RDONLY | O_CLOEXEC, 0);
		chain_pread64(cs[i], o, kbuf[i], sizeof(kbuf[i]), 0);
		chain_close(cs[i], o);
		assert_int_equal(chain_getppid(cs[i]).op, 3);
	}
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 64; i++)
			assert_int_equal(chain_submit(q, cs[i], kbuf[i]), 0);
		for (i = 0; i < 64; i++) {
			assert_int_equal(chain_wait(q, &cc, -1), 0);
			assert_int_equal(cc.ret, 0);
			for (k = 0; k < 64 && cs[k] != cc.chain; k++)
				;
			assert_true(k < 64);
			assert_ptr_equal(cc.user_data, kbuf[k]);
			assert_int_equal(chain_report(cs[k])->status,
					 SYSCHAIN_STATUS_COMPLETED);
			assert_int_equal(chain_report(cs[k])->backend,
					 CHAIN_BACKEND_KERNEL);
			assert_int_equal(chain_ret(cs[k], 1), chain_ret(ref, 1));
			assert_int_equal(chain_ret(cs[k], 2), 0);
			assert_int_equal(chain_ret(cs[k], 3), getppid());
			assert_memory_equal(kbuf[k], ubuf, sizeof(ubuf));
			memset(kbuf[k], 0, sizeof(kbuf[k]));
		}
		assert_int_equal(chain_wait(q, &cc, 0), -ENOENT);
	}
	/* the second round ran registered: each chain holds its registration */
	assert_int_equal(g_module_counter("chains_in_flight"), base + 64);
	chain_queue_free(q);
	for (i = 0; i < 64; i++)
		chain_free(cs[i]);
	chain_free(ref);
	assert_int_equal(g_module_counter("chains_in_flight"), base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers_on_second_run),
		cmocka_unit_test(test_same_results_registered),
		cmocka_unit_test(test_kernel_max_ops),
		cmocka_unit_test(test_submit_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
