/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * Honest counts for the guest tests. Force-included into every guest test
 * (the Makefile's -include), it wraps cmocka's group runners so that each
 * binary first declares, on a line of its own, how many tests it is about
 * to run:
 *
 *	syschain-test: declares N
 *
 * tests/vm/run.sh checks, per binary, that the declaration is there with
 * N > 0, that exactly one cmocka summary follows (a forked child must never
 * print its own: use guest_child_exit()), that it ran N tests and passed
 * them all, and that nothing was skipped unless the binary said why with
 * guest_may_skip() before running.
 */
#ifndef SYSCHAIN_COUNTED_H
#define SYSCHAIN_COUNTED_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

static inline int guest__run_group(const char *name,
				   const struct CMUnitTest *tests, size_t n,
				   CMFixtureFunction setup,
				   CMFixtureFunction teardown)
{
	printf("syschain-test: declares %zu\n", n);
	fflush(stdout);
	return _cmocka_run_group_tests(name, tests, n, setup, teardown);
}

#undef cmocka_run_group_tests
#define cmocka_run_group_tests(tests, setup, teardown)			\
	guest__run_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]), \
			 setup, teardown)
#undef cmocka_run_group_tests_name
#define cmocka_run_group_tests_name(name, tests, setup, teardown)	\
	guest__run_group(name, tests, sizeof(tests) / sizeof((tests)[0]), \
			 setup, teardown)

/* A binary whose tests may skip says why, before running them. */
static inline void guest_may_skip(const char *why)
{
	printf("syschain-test: may skip: %s\n", why);
	fflush(stdout);
}

/*
 * End a forked child: no cmocka summary, no atexit handlers, nothing
 * flushed twice. Its status is the parent's to check.
 */
static inline void __attribute__((noreturn)) guest_child_exit(int status)
{
	_exit(status);
}

#endif /* SYSCHAIN_COUNTED_H */
