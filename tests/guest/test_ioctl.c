// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The ioctl contract of /dev/syschain: probe, extensible struct sizes,
 * validation before execution, errnos and the report.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/time.h>
#include "guest.h"

static void test_probe(void **state)
{
	struct syschain_probe p = { .size = sizeof(p) };
	uint32_t list[512];
	unsigned int i;

	(void)state;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	assert_int_equal(p.abi_version, SYSCHAIN_ABI_VERSION);
	assert_true(p.module_version > 0);
	assert_true(p.max_ops >= 1024);
	assert_true(p.max_steps >= 1000000);
	assert_int_equal(p.op_size, sizeof(struct syschain_op));
	assert_int_equal(p.cond_size, sizeof(struct syschain_cond));
	assert_int_equal(p.result_size, sizeof(struct syschain_result));
	assert_true(p.nr_syscalls >= 10);
	assert_true(p.nr_syscalls <= 512);

	/* capacity 0: the count only; then the list, ascending */
	memset(list, 0xff, sizeof(list));
	p.syscalls_uptr = (uintptr_t)list;
	p.nr_syscalls = 512;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	for (i = 1; i < p.nr_syscalls; i++)
		assert_true(list[i - 1] < list[i]);
	assert_int_equal(list[p.nr_syscalls], 0xffffffffu);
	for (i = 0; i < p.nr_syscalls; i++)
		if (list[i] == __NR_read)
			break;
	assert_true(i < p.nr_syscalls);

	/* a short array is filled up to its capacity, no further */
	memset(list, 0xff, sizeof(list));
	p.nr_syscalls = 2;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	assert_int_not_equal(list[1], 0xffffffffu);
	assert_int_equal(list[2], 0xffffffffu);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The probe lists exactly the ops of oplist.h, which the README lists. */
static void test_probe_matches_oplist(void **state)
{
	static uint32_t expect[] = {
#define SC_OP(name, nargs, check) __NR_##name,
#include "oplist.h"
#undef SC_OP
	};
	const unsigned int n = sizeof(expect) / sizeof(expect[0]);
	struct syschain_probe p = { .size = sizeof(p) };
	uint32_t list[512];

	(void)state;
	qsort(expect, n, sizeof(expect[0]), cmp_u32);
	p.syscalls_uptr = (uintptr_t)list;
	p.nr_syscalls = 512;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	assert_int_equal(p.nr_syscalls, n);
	assert_memory_equal(list, expect, sizeof(expect));
}

static void test_probe_errors(void **state)
{
	struct {
		struct syschain_probe p;
		uint64_t tail;
	} big = { .p = { .size = sizeof(big) } };
	struct syschain_probe p = { .size = sizeof(p) };

	(void)state;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, NULL), -EFAULT);
	p.size = 0;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), -EINVAL);
	p.size = sizeof(p) - 8;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), -EINVAL);
	p.size = sizeof(p);
	p.flags = 1;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), -EINVAL);
	p.flags = 0;
	p.nr_syscalls = 4;
	p.syscalls_uptr = 8;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), -EFAULT);

	/* a newer, larger struct: fine with a zero tail, E2BIG otherwise */
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &big), 0);
	assert_int_equal(big.p.abi_version, SYSCHAIN_ABI_VERSION);
	big.tail = 1;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &big), -E2BIG);
}

static void test_unknown_command(void **state)
{
	struct syschain_run r = { .size = sizeof(r) };

	(void)state;
	assert_int_equal(g_ioctl(_IO(SYSCHAIN_TYPE, 0x7f), &r), -ENOTTY);
	assert_int_equal(g_ioctl(_IOWR(SYSCHAIN_TYPE, SYSCHAIN_CMD_RUN,
				      struct syschain_run), &r), -ENOTTY);
	assert_int_equal(g_ioctl(_IO('x', SYSCHAIN_CMD_RUN), &r), -ENOTTY);
}

/* A chain that would leave a mark: write one byte into a pipe. */
static int marker_pipe[2];

static void build_marked(struct g_chain *c)
{
	static const char x = 'x';

	g_init(c);
	g_opn(c, __NR_write, marker_pipe[1], (uintptr_t)&x, 1);
	g_op0(c, __NR_getpid);
}

static void assert_not_run(void)
{
	char b;

	assert_int_equal(read(marker_pipe[0], &b, 1), -1);
	assert_int_equal(errno, EAGAIN);
}

static void assert_run_once(void)
{
	char b;

	assert_int_equal(read(marker_pipe[0], &b, 1), 1);
	assert_not_run();
}

static int setup_pipe(void **state)
{
	(void)state;
	return pipe2(marker_pipe, O_NONBLOCK | O_CLOEXEC);
}

static int teardown_pipe(void **state)
{
	(void)state;
	close(marker_pipe[0]);
	close(marker_pipe[1]);
	return 0;
}

static void test_run_struct_sizes(void **state)
{
	struct {
		struct syschain_run r;
		uint8_t tail[8];
	} big;
	struct g_chain c;

	(void)state;
	build_marked(&c);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.run.steps, 2);
	assert_int_equal(c.run.stop_op, SYSCHAIN_NO_INDEX);
	assert_int_equal(c.res[0].ret, 1);
	assert_int_equal(c.res[1].ret, getpid());
	assert_run_once();

	/* size - 1 */
	g_prepare(&c, 0)->size = sizeof(struct syschain_run) - 1;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	g_prepare(&c, 0)->size = 0;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	assert_not_run();

	/* size + 1 and + 8 with a zero tail: runs */
	memset(&big, 0, sizeof(big));
	big.r = *g_prepare(&c, 0);
	big.r.size = sizeof(big.r) + 1;
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &big), 0);
	assert_int_equal(big.r.status, SYSCHAIN_STATUS_COMPLETED);
	assert_run_once();
	big.r.size = sizeof(big);
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &big), 0);
	assert_run_once();

	/* a non-zero tail the module does not know: E2BIG, nothing runs */
	big.tail[0] = 1;
	big.r.size = sizeof(big.r) + 1;
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &big), -E2BIG);
	big.tail[0] = 0;
	big.tail[7] = 1;
	big.r.size = sizeof(big);
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &big), -E2BIG);
	assert_not_run();
}

static void test_run_bad_pointers(void **state)
{
	struct g_chain c;
	void *none;
	long page = sysconf(_SC_PAGESIZE);

	(void)state;
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, NULL), -EFAULT);
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, (void *)16), -EFAULT);
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, (void *)0xffff888000000000ul),
			 -EFAULT);

	build_marked(&c);
	g_prepare(&c, 0)->ops_uptr = 0;
	assert_int_equal(g_run_prepared(&c), -EFAULT);
	g_prepare(&c, 0)->ops_uptr = 0xffff888000000000ul;
	assert_int_equal(g_run_prepared(&c), -EFAULT);

	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(none != MAP_FAILED);
	g_prepare(&c, 0)->ops_uptr = (uintptr_t)none;
	assert_int_equal(g_run_prepared(&c), -EFAULT);

	/* ops straddling into an inaccessible page */
	{
		char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct syschain_op *ops;

		assert_true(two != MAP_FAILED);
		assert_int_equal(mprotect(two + page, page, PROT_NONE), 0);
		ops = (void *)(two + page - sizeof(c.ops[0]));
		ops[0] = c.ops[0];
		g_prepare(&c, 0)->ops_uptr = (uintptr_t)ops;
		assert_int_equal(g_run_prepared(&c), -EFAULT);
		munmap(two, 2 * page);
	}

	/* results at a kernel address: refused before running */
	g_prepare(&c, 0)->results_uptr = 0xffff888000000000ul;
	assert_int_equal(g_run_prepared(&c), -EFAULT);
	/* conditions unreadable */
	g_prepare(&c, 0)->nr_conds = 1;
	c.run.conds_uptr = (uintptr_t)none;
	assert_int_equal(g_run_prepared(&c), -EFAULT);
	assert_not_run();

	/* results unwritable only at run time: the chain ran, status FAULT */
	g_prepare(&c, 0)->results_uptr = (uintptr_t)none;
	assert_int_equal(g_run_prepared(&c), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_FAULT);
	assert_int_equal(c.run.steps, 2);
	assert_run_once();

	/* no results wanted */
	g_prepare(&c, 0)->results_uptr = 0;
	assert_int_equal(g_run_prepared(&c), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_run_once();

	/* the run struct itself read-only: refused before running */
	{
		struct syschain_run *ro = mmap(NULL, page, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_true(ro != MAP_FAILED);
		*ro = *g_prepare(&c, 0);
		assert_int_equal(mprotect(ro, page, PROT_READ), 0);
		assert_int_equal(g_ioctl(SYSCHAIN_RUN, ro), -EFAULT);
		munmap(ro, page);
	}
	assert_not_run();
	munmap(none, page);
}

static void test_run_reserved_and_flags(void **state)
{
	struct g_chain c;

	(void)state;
	build_marked(&c);
	g_prepare(&c, 0)->__reserved = 1;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	g_prepare(&c, 0)->flags = 0x80000000u;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INVALID);
	g_prepare(&c, 0)->nr_ops = 0;
	assert_int_equal(g_run_prepared(&c), -EINVAL);

	c.ops[1].flags = 0x8000;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_op, 1);
	c.ops[1].flags = 0;

	/* an argument past the op's count (getpid takes none) */
	c.ops[1].args[0] = 1;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(c.run.stop_op, 1);
	assert_int_equal(c.run.stop_cond, SYSCHAIN_NO_INDEX);
	c.ops[1].args[0] = 0;
	c.ops[1].args[5] = 1;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_not_run();
}

static void test_run_op_and_cond_sizes(void **state)
{
	struct bigop {
		struct syschain_op op;
		uint64_t tail;
	} bops[2];
	struct g_chain c;

	(void)state;
	build_marked(&c);
	g_prepare(&c, 0)->op_size = sizeof(struct syschain_op) - 8;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	g_prepare(&c, 0)->op_size = sizeof(struct syschain_op) + 4;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	g_prepare(&c, 0)->cond_size = sizeof(struct syschain_cond) - 8;
	assert_int_equal(g_run_prepared(&c), -EINVAL);
	assert_not_run();

	/* larger ops with zero tails run; a non-zero tail names the op */
	memset(bops, 0, sizeof(bops));
	bops[0].op = c.ops[0];
	bops[1].op = c.ops[1];
	g_prepare(&c, 0)->op_size = sizeof(bops[0]);
	c.run.ops_uptr = (uintptr_t)bops;
	assert_int_equal(g_run_prepared(&c), 0);
	assert_int_equal(c.res[1].ret, getpid());
	assert_run_once();
	bops[1].tail = 1;
	assert_int_equal(g_run_prepared(&c), -E2BIG);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(c.run.stop_op, 1);
	assert_not_run();
}

static void test_run_too_many(void **state)
{
	struct syschain_probe p = { .size = sizeof(p) };
	struct syschain_op *ops;
	struct syschain_run r;
	uint32_t n, i;

	(void)state;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	n = p.max_ops + 1;
	ops = calloc(n, sizeof(*ops));
	assert_non_null(ops);
	for (i = 0; i < n; i++)
		ops[i].nr = __NR_getppid;
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.nr_ops = n;
	r.op_size = sizeof(*ops);
	r.cond_size = sizeof(struct syschain_cond);
	r.ops_uptr = (uintptr_t)ops;
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &r), -E2BIG);
	r.nr_ops = 0xffffffffu;
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &r), -E2BIG);

	/* exactly max_ops runs, in one call */
	r.nr_ops = p.max_ops;
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &r), 0);
	assert_int_equal(r.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(r.steps, p.max_ops);

	r.nr_conds = p.max_conds + 1;
	assert_int_equal(g_ioctl(SYSCHAIN_RUN, &r), -E2BIG);
	free(ops);
}

static void test_run_unsupported_op(void **state)
{
	struct g_chain c;

	(void)state;
	build_marked(&c);
	g_op0(&c, __NR_fork);
	assert_int_equal(g_run(&c, 0), -EOPNOTSUPP);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(c.run.stop_op, 2);

	build_marked(&c);
	g_op0(&c, 100000);
	assert_int_equal(g_run(&c, 0), -EOPNOTSUPP);
	assert_int_equal(c.run.stop_op, 2);

	/* openat relative to a directory descriptor is refused up front */
	build_marked(&c);
	g_opn(&c, __NR_openat, 3, (uintptr_t)"x", O_RDONLY, 0);
	assert_int_equal(g_run(&c, 0), -EOPNOTSUPP);
	assert_int_equal(c.run.stop_op, 2);
	assert_not_run();
}

static void test_run_bad_reference(void **state)
{
	struct g_chain c;

	(void)state;
	/* to itself */
	build_marked(&c);
	g_ref(&c, 1, 0, 1, 0);
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_op, 1);
	/* to a later op */
	build_marked(&c);
	g_ref(&c, 0, 2, 1, 0);
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_op, 0);
	/* an arg_ref without the ref bit */
	build_marked(&c);
	c.ops[0].arg_ref[2] = 1;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_op, 0);
	/* a ref bit past the op's arguments */
	build_marked(&c);
	c.ops[1].ref_mask = 1;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_op, 1);
	assert_not_run();
}

static void test_run_bad_jump(void **state)
{
	struct g_chain c;
	unsigned int ci;

	(void)state;
	build_marked(&c);
	ci = g_cond(&c, 1, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 3);
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(c.run.stop_cond, ci);

	c.conds[ci].target = 2;		/* the end: fine */
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_run_once();

	c.conds[ci].cmp = 0;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	c.conds[ci].cmp = SYSCHAIN_CMP_UGE + 1;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	c.conds[ci].cmp = SYSCHAIN_CMP_ALWAYS;
	c.conds[ci].action = 0;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	c.conds[ci].action = SYSCHAIN_ACT_JUMP;
	c.conds[ci].__reserved = 1;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	c.conds[ci].__reserved = 0;
	/* the op's condition range past the array */
	c.ops[1].cond_count = 2;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_int_equal(c.run.stop_op, 1);
	c.ops[1].cond_index = 0xffffffffu;
	assert_int_equal(g_run(&c, 0), -EINVAL);
	assert_not_run();
}

static void test_budget(void **state)
{
	struct g_chain c;

	(void)state;
	g_init(&c);
	g_op0(&c, __NR_getppid);
	g_cond(&c, 0, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 0);
	g_prepare(&c, 0)->max_steps = 1000;
	assert_int_equal(g_run_prepared(&c), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_BUDGET);
	assert_int_equal(c.run.steps, 1000);
	assert_int_equal(c.run.stop_op, 0);
	assert_int_equal(c.res[0].count, 1000);
	assert_int_equal(c.res[0].ret, getppid());

	/* 0 means the module's cap: an endless loop still ends */
	g_prepare(&c, 0)->max_steps = 0;
	assert_int_equal(g_run_prepared(&c), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_BUDGET);
	assert_true(c.run.steps >= 1000000);
}

static void test_stop_and_fail(void **state)
{
	struct g_chain c;

	(void)state;
	g_init(&c);
	g_opn(&c, __NR_close, -1);
	g_op0(&c, __NR_getpid);
	assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_FAILED);
	assert_int_equal(c.run.stop_op, 0);
	assert_int_equal(c.res[0].ret, -EBADF);
	assert_int_equal(c.res[1].count, 0);
	assert_int_equal(c.res[1].ret, 0);

	c.ops[0].flags = SYSCHAIN_OP_IGNORE_ERROR;
	assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[1].ret, getpid());
	c.ops[0].flags = 0;

	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);

	g_cond(&c, 0, SYSCHAIN_CMP_EQ, (uint64_t)-EBADF, SYSCHAIN_ACT_STOP, 0);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_STOPPED);
	assert_int_equal(c.run.stop_op, 0);
	assert_int_equal(c.run.stop_cond, 0);
	assert_int_equal(c.run.steps, 1);
}

static void test_unresolved_reference(void **state)
{
	struct g_chain c;

	(void)state;
	/* op 0 jumps over op 1, op 2 uses op 1's result */
	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_cond(&c, 0, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 2);
	g_opn(&c, __NR_lseek, -1, 0, 0);
	g_opn(&c, __NR_close, 0);
	g_ref(&c, 2, 0, 1, 0);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_UNRESOLVED);
	assert_int_equal(c.run.stop_op, 2);
	assert_int_equal(c.run.steps, 1);
	assert_int_equal(c.res[2].count, 0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_signal_between_ops(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 5000 } };
	struct g_chain c;
	sigset_t set, old;

	(void)state;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	/* A blocked signal does not stop a chain. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1);
	g_init(&c);
	g_op0(&c, __NR_getpid);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* A signal arriving during an endless loop stops it between ops. */
	g_init(&c);
	g_op0(&c, __NR_getppid);
	g_cond(&c, 0, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INTERRUPTED);
	assert_int_equal(c.run.stop_op, 0);
	assert_true(c.run.steps > 0);
	assert_int_equal(c.res[0].count, c.run.steps);
	assert_int_equal(c.res[0].ret, getppid());
	signal(SIGUSR1, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
}

/*
 * Every chain's memory is freed whether the chain fails midway or is
 * rejected at validation. The module counts chains that hold memory and
 * chains that ran.
 */
static void test_no_leak(void **state)
{
	long total = g_module_counter("chains_total");
	struct g_chain c;
	int i;

	(void)state;
	assert_int_equal(g_module_counter("chains_in_flight"), 0);
	for (i = 0; i < 1000; i++) {
		g_init(&c);
		g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)"/", O_RDONLY, 0);
		g_opn(&c, __NR_read, 0, 1, 10);		/* EISDIR or EFAULT */
		g_ref(&c, 1, 0, 0, 0);
		g_opn(&c, __NR_close, 0);
		g_ref(&c, 2, 0, 0, 0);
		c.ops[1].flags = SYSCHAIN_OP_IGNORE_ERROR;
		assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
		assert_int_equal(c.res[2].ret, 0);	/* closed again */
		g_op0(&c, 99999);			/* unsupported */
		assert_int_equal(g_run(&c, 0), -EOPNOTSUPP);
	}
	assert_int_equal(g_module_counter("chains_in_flight"), 0);
	assert_int_equal(g_module_counter("chains_total"), total + 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_probe_matches_oplist),
		cmocka_unit_test(test_probe_errors),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test_setup_teardown(test_run_struct_sizes,
						setup_pipe, teardown_pipe),
		cmocka_unit_test_setup_teardown(test_run_bad_pointers,
						setup_pipe, teardown_pipe),
		cmocka_unit_test_setup_teardown(test_run_reserved_and_flags,
						setup_pipe, teardown_pipe),
		cmocka_unit_test_setup_teardown(test_run_op_and_cond_sizes,
						setup_pipe, teardown_pipe),
		cmocka_unit_test(test_run_too_many),
		cmocka_unit_test_setup_teardown(test_run_unsupported_op,
						setup_pipe, teardown_pipe),
		cmocka_unit_test_setup_teardown(test_run_bad_reference,
						setup_pipe, teardown_pipe),
		cmocka_unit_test_setup_teardown(test_run_bad_jump,
						setup_pipe, teardown_pipe),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_stop_and_fail),
		cmocka_unit_test(test_unresolved_reference),
		cmocka_unit_test(test_signal_between_ops),
		cmocka_unit_test(test_no_leak),
	};

	return cmocka_run_group_tests_name("syschain-ioctl", tests, NULL, NULL);
}
