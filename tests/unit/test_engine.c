// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Host unit tests of the chain interpreter (module/engine.c).
 *
 * The engine is driven through sc_validate()/sc_run() with a fake op table:
 * no syscall runs. Every op records its resolved arguments in a call log,
 * and the trace hook every finished op, so the tests see exactly which ops
 * ran, in which order, with what. The boundary hook answers from a script,
 * and any op call can be made to return a kernel restart code instead of
 * running (call_inject), as a signal interrupting it would.
 *
 * The expected behaviour is the one documented in uapi/linux/syschain.h
 * and module/engine.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <linux/errno.h>

#include "engine.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NO SYSCHAIN_NO_INDEX

/* Kernel-internal codes, not in the uapi errno.h. */
#define K_ERESTARTSYS		512
#define K_ERESTARTNOINTR	513
#define K_ERESTARTNOHAND	514
#define K_ENOIOCTLCMD		515
#define K_ERESTART_RESTARTBLOCK	516

#define RESUME		SYSCHAIN_RUN_RESUME
#define RESUME_EINTR	SYSCHAIN_RUN_RESUME_EINTR

/* The restart codes an op may return, and what a suspension reports. */
static const __s64 restart_codes[] = {
	-K_ERESTARTSYS, -K_ERESTARTNOINTR, -K_ERESTARTNOHAND,
	-K_ERESTART_RESTARTBLOCK,
};
#define BOUNDARY_RESTART (-K_ERESTARTNOINTR)

/* ------------------------------------------------------------------ */
/* The fake op table                                                    */
/* ------------------------------------------------------------------ */

enum {
	NR_RET = 10,		/* 1 arg: returns args[0] */
	NR_ADD2,		/* 2 args: returns args[0] + args[1] */
	NR_FAIL,		/* 0 args: returns -ENOENT */
	NR_COUNT,		/* 0 args: returns how often it ran (state) */
	NR_CHECKED,		/* 1 arg: returns args[0]; check() rejects 13, 14 */
	NR_RESTART,		/* 0 args: returns -ERESTARTSYS (-512) */
	NR_SIX,			/* 6 args: returns their sum */
	NR_ZERO,		/* 0 args: returns 0 */
	NR_BUF,			/* 2 args, a buffer and its length: returns the length */
	NR_UNKNOWN = 999,	/* not in the table */
};

#define LOG_MAX 4096

static struct call {
	__u32 nr;
	__u64 args[SYSCHAIN_MAX_ARGS];
} call_log[LOG_MAX];
static unsigned int n_calls;

/*
 * call_inject[i], if non-zero, is what op call i (0-based, counted in
 * n_calls) returns instead of running: the op does nothing (NR_COUNT does
 * not count), as a syscall a signal interrupted before it did anything.
 */
static __s64 call_inject[128];

/* What the trace hook saw: every op the engine reports as finished. */
static struct trace {
	__u32 idx, nr;
	__u64 args[SYSCHAIN_MAX_ARGS];
	__s64 ret;
} trace_log[LOG_MAX];
static unsigned int n_traces;

static __u64 counter;		/* NR_COUNT's state */

static unsigned int check_calls;
/* What iteration of a table test is running, for failure messages. */
static char ctx[160];

static const struct syschain_op *check_last;

/* An engine that loops forever fails the test instead of hanging it. */
#define RUNAWAY_CALLS 100000

/*
 * The executor state the engine carries: every op must be handed the
 * chain's (sc_chain.exec), as the kernel's sleeps need theirs.
 */
struct sc_exec {
	int unused;
};
static struct sc_exec fake_exec;

static void check_exec(struct sc_exec *x)
{
	assert_ptr_equal(x, &fake_exec);
}

/* Log an op call; non-zero if it is to return *forced instead of running. */
static int log_call(__u32 nr, const __u64 *args, __s64 *forced)
{
	unsigned int i = n_calls;

	if (n_calls >= RUNAWAY_CALLS)
		fail_msg("runaway chain: %u op calls", n_calls);
	if (n_calls < LOG_MAX) {
		call_log[n_calls].nr = nr;
		memcpy(call_log[n_calls].args, args,
		       sizeof(call_log[n_calls].args));
	}
	n_calls++;
	if (i < ARRAY_SIZE(call_inject) && call_inject[i]) {
		*forced = call_inject[i];
		return 1;
	}
	return 0;
}

#define LOG_CALL(nr, a) do {					\
		__s64 forced_;					\
		if (log_call((nr), (a), &forced_))		\
			return forced_;				\
	} while (0)

static __s64 fn_ret(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_RET, a);
	return (__s64)a[0];
}

static __s64 fn_add2(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_ADD2, a);
	return (__s64)(a[0] + a[1]);
}

static __s64 fn_fail(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_FAIL, a);
	return -ENOENT;
}

static __s64 fn_count(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_COUNT, a);
	counter++;
	return (__s64)counter;
}

static __s64 fn_checked(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_CHECKED, a);
	return (__s64)a[0];
}

static int check_checked(const struct syschain_op *op)
{
	check_calls++;
	check_last = op;
	if (op->args[0] == 13)
		return -EOPNOTSUPP;
	if (op->args[0] == 14)
		return -EINVAL;
	return 0;
}

static __s64 fn_restart(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_RESTART, a);
	return -K_ERESTARTSYS;
}

static __s64 fn_six(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_SIX, a);
	return (__s64)(a[0] + a[1] + a[2] + a[3] + a[4] + a[5]);
}

static __s64 fn_zero(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_ZERO, a);
	return 0;
}

static __s64 fn_buf(const __u64 *a, struct sc_exec *x)
{
	check_exec(x);
	LOG_CALL(NR_BUF, a);
	return (__s64)a[1];
}

static const struct sc_opdef fake_ops[] = {
	[NR_RET] = { NR_RET, 1, "ret", fn_ret, NULL },
	[NR_ADD2] = { NR_ADD2, 2, "add2", fn_add2, NULL },
	[NR_FAIL] = { NR_FAIL, 0, "fail", fn_fail, NULL },
	[NR_COUNT] = { NR_COUNT, 0, "count", fn_count, NULL },
	[NR_CHECKED] = { NR_CHECKED, 1, "checked", fn_checked, check_checked },
	[NR_RESTART] = { NR_RESTART, 0, "restart", fn_restart, NULL },
	[NR_SIX] = { NR_SIX, 6, "six", fn_six, NULL },
	[NR_ZERO] = { NR_ZERO, 0, "zero", fn_zero, NULL },
	[NR_BUF] = { NR_BUF, 2, "buf", fn_buf, NULL, .fixed_arg = 1 },
};

#define BOUNDARY_MAX 128

struct fake_env {
	/* boundary(): calls so far (over every run of a test) */
	unsigned int boundary_calls;
	/* answer on call i (0-based) if non-zero, else boundary_all */
	int boundary_answer[BOUNDARY_MAX];
	int boundary_all;
	unsigned int suspends;		/* SC_BOUNDARY_SUSPEND answers */
	/* at boundary call i: op calls made, ops traced, sum of the counts */
	struct bsnap {
		unsigned int calls, traces;
		__u64 counts;
	} bsnap[BOUNDARY_MAX];
};

static int fake_boundary(void *priv);
static void fake_trace(void *priv, __u32 idx, __u32 nr, const __u64 *args,
		       __s64 ret);

static const struct sc_opdef *def_of(__u32 nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fake_ops); i++)
		if (fake_ops[i].nr == nr)
			return &fake_ops[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Fixture                                                              */
/* ------------------------------------------------------------------ */

#define MAXOPS 16
#define GARBAGE 0x5a

static struct {
	struct fake_env fe;
	struct sc_env env;
	const struct sc_opdef *defs[MAXOPS];
	struct syschain_result res[MAXOPS];
	struct sc_report rep;
	struct sc_chain chain;	/* the chain last run, for resume() */
} fx;

static int fake_boundary(void *priv)
{
	struct fake_env *fe = priv;
	unsigned int i = fe->boundary_calls++;
	int answer = fe->boundary_all;

	assert_ptr_equal(priv, &fx.fe);
	if (i < BOUNDARY_MAX) {
		__u64 counts = 0;
		__u32 k;

		for (k = 0; k < fx.chain.nr_ops; k++)
			counts += fx.res[k].count;
		fe->bsnap[i].calls = n_calls;
		fe->bsnap[i].traces = n_traces;
		fe->bsnap[i].counts = counts;
		if (fe->boundary_answer[i])
			answer = fe->boundary_answer[i];
	}
	if (answer == SC_BOUNDARY_SUSPEND)
		fe->suspends++;
	return answer;
}

static void fake_trace(void *priv, __u32 idx, __u32 nr, const __u64 *args,
		       __s64 ret)
{
	assert_ptr_equal(priv, &fx.fe);
	if (n_traces < LOG_MAX) {
		trace_log[n_traces].idx = idx;
		trace_log[n_traces].nr = nr;
		memcpy(trace_log[n_traces].args, args,
		       sizeof(trace_log[n_traces].args));
		trace_log[n_traces].ret = ret;
	}
	n_traces++;
}

static int reset(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.env.table = fake_ops;
	fx.env.table_len = ARRAY_SIZE(fake_ops);
	fx.env.boundary = fake_boundary;
	fx.env.trace = fake_trace;
	fx.env.priv = &fx.fe;
	memset(call_log, 0, sizeof(call_log));
	n_calls = 0;
	memset(call_inject, 0, sizeof(call_inject));
	memset(trace_log, 0, sizeof(trace_log));
	n_traces = 0;
	counter = 0;
	check_calls = 0;
	check_last = NULL;
	ctx[0] = 0;
	return 0;
}

static void make_chain(struct sc_chain *c, const struct syschain_op *ops,
		       __u32 nr_ops, const struct syschain_cond *conds,
		       __u32 nr_conds, __u32 flags, __u64 max_steps)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->conds = conds;
	c->defs = fx.defs;
	c->results = fx.res;
	c->nr_ops = nr_ops;
	c->nr_conds = nr_conds;
	c->flags = flags;
	c->max_steps = max_steps;
	c->exec = &fake_exec;
	c->body_end = nr_ops;	/* as sc_validate() finds it without cleanup */
}

static int do_validate_from(const struct syschain_op *ops, __u32 nr_ops,
			    const struct syschain_cond *conds, __u32 nr_conds,
			    __u32 flags, __u32 start)
{
	struct sc_chain c;

	make_chain(&c, ops, nr_ops, conds, nr_conds, flags, 1000);
	c.start = start;
	memset(&fx.rep, 0xa5, sizeof(fx.rep));
	return sc_validate(&c, &fx.env, &fx.rep);
}

static int do_validate(const struct syschain_op *ops, __u32 nr_ops,
		       const struct syschain_cond *conds, __u32 nr_conds,
		       __u32 flags)
{
	return do_validate_from(ops, nr_ops, conds, nr_conds, flags, 0);
}

/*
 * Validate (must succeed, without running anything or calling a hook), fill
 * the report with garbage, run. The results are the caller's business: a
 * fresh run gets them filled with garbage (do_run()), a resumed one as the
 * last run left them.
 */
static void run_chain(const struct sc_chain *chain)
{
	struct sc_chain c = *chain;
	unsigned int calls = n_calls, bcalls = fx.fe.boundary_calls;
	unsigned int traces = n_traces;
	const unsigned char *p;
	size_t i;

	assert_true(c.nr_ops <= MAXOPS);
	memset(&fx.rep, 0xa5, sizeof(fx.rep));
	assert_int_equal(sc_validate(&c, &fx.env, &fx.rep), 0);
	assert_int_equal(n_calls, calls);
	assert_int_equal(fx.fe.boundary_calls, bcalls);
	assert_int_equal(n_traces, traces);
	for (i = 0; i < c.nr_ops; i++)
		assert_ptr_equal(fx.defs[i], def_of(c.ops[i].nr));

	memset(&fx.rep, 0xa5, sizeof(fx.rep));
	fx.chain = c;
	sc_run(&c, &fx.env, &fx.rep);

	/* The engine never writes past nr_ops results. */
	p = (const unsigned char *)&fx.res[c.nr_ops];
	for (i = 0; i < (MAXOPS - c.nr_ops) * sizeof(fx.res[0]); i++)
		assert_int_equal(p[i], GARBAGE);
}

/* A fresh run, on results filled with garbage. */
static void do_run(const struct syschain_op *ops, __u32 nr_ops,
		   const struct syschain_cond *conds, __u32 nr_conds,
		   __u32 flags, __u64 max_steps)
{
	struct sc_chain c;

	make_chain(&c, ops, nr_ops, conds, nr_conds, flags,
		   max_steps ? max_steps : 1000);
	memset(fx.res, GARBAGE, sizeof(fx.res));
	run_chain(&c);
}

#define RUN(ops, conds, flags, max) \
	do_run(ops, ARRAY_SIZE(ops), conds, ARRAY_SIZE(conds), flags, max)
#define RUN_NC(ops, flags, max) \
	do_run(ops, ARRAY_SIZE(ops), NULL, 0, flags, max)

/*
 * A resumed run of the chain last run (its flags, without the resume flags,
 * plus %SYSCHAIN_RUN_RESUME and @extra), from op @start with @steps made,
 * on the results as they are.
 */
static void resume_at(__u32 start, __u64 steps, __u32 extra)
{
	struct sc_chain c = fx.chain;

	c.flags = (c.flags & ~(RESUME | RESUME_EINTR)) | RESUME | extra;
	c.start = start;
	c.start_steps = steps;
	run_chain(&c);
}

/* Go on where the last run left the chain, as an executor does. */
static void resume(__u32 extra)
{
	assert_int_equal(fx.rep.status, SYSCHAIN_STATUS_INTERRUPTED);
	resume_at(fx.rep.stop_op, fx.rep.steps, extra);
}

/*
 * Checks that report the caller's line, and ctx, on failure.
 */
static void check_eq(const char *what, unsigned long long got,
		     unsigned long long want, const char *file, int line)
{
	if (got == want)
		return;
	print_error("%s = %#llx (%lld), want %#llx (%lld)%s%s\n", what, got,
		    (long long)got, want, (long long)want,
		    ctx[0] ? " in " : "", ctx);
	_fail(file, line);
}

static void expect_rep_at(const char *file, int line, __s32 restart,
			  __u32 status, __u64 steps, __u32 stop_op,
			  __u32 stop_cond)
{
	check_eq("status", fx.rep.status, status, file, line);
	check_eq("steps", fx.rep.steps, steps, file, line);
	check_eq("stop_op", fx.rep.stop_op, stop_op, file, line);
	check_eq("stop_cond", fx.rep.stop_cond, stop_cond, file, line);
	check_eq("restart", (__u64)(__s64)fx.rep.restart, (__u64)restart,
		 file, line);
}

static void expect_res_at(const char *file, int line, __u32 i, __s64 ret,
			  __u64 count)
{
	char what[48];

	snprintf(what, sizeof(what), "results[%u].ret", i);
	check_eq(what, (__u64)fx.res[i].ret, (__u64)ret, file, line);
	snprintf(what, sizeof(what), "results[%u].count", i);
	check_eq(what, fx.res[i].count, count, file, line);
}

/* Any ending but a suspension: restart 0. */
#define expect_rep(...)	expect_rep_at(__FILE__, __LINE__, 0, __VA_ARGS__)
/* Left at an op boundary, to go on at op @next with @restart. */
#define expect_susp(steps, next, restart) \
	expect_rep_at(__FILE__, __LINE__, (restart), \
		      SYSCHAIN_STATUS_INTERRUPTED, (steps), (next), NO)
#define expect_res(...)	expect_res_at(__FILE__, __LINE__, __VA_ARGS__)
#define expect_count(what, got, want) \
	check_eq((what), (got), (want), __FILE__, __LINE__)

/* Op and condition builders, for designated initializers. */
#define RET(v)		.nr = NR_RET, .args = { (__u64)(v) }
#define RETREF(j, add)	.nr = NR_RET, .ref_mask = 1, \
			.args = { (__u64)(add) }, .arg_ref = { (j) }
#define CONDS(i, n)	.cond_index = (i), .cond_count = (n)

#define C_STOP(c, r) \
	{ .cmp = SYSCHAIN_CMP_##c, .action = SYSCHAIN_ACT_STOP, \
	  .rhs = (__u64)(r) }
#define C_JUMP(c, r, t) \
	{ .cmp = SYSCHAIN_CMP_##c, .action = SYSCHAIN_ACT_JUMP, \
	  .target = (t), .rhs = (__u64)(r) }
#define C_STOP_REF(c, j, add) \
	{ .cmp = SYSCHAIN_CMP_##c, .action = SYSCHAIN_ACT_STOP, \
	  .flags = SYSCHAIN_COND_RHS_REF, .rhs_ref = (j), .rhs = (__u64)(add) }
#define C_JUMP_REF(c, j, add, t) \
	{ .cmp = SYSCHAIN_CMP_##c, .action = SYSCHAIN_ACT_JUMP, \
	  .flags = SYSCHAIN_COND_RHS_REF, .rhs_ref = (j), .target = (t), \
	  .rhs = (__u64)(add) }

static void expect_call(unsigned int i, __u32 nr, __u64 a0)
{
	assert_true(i < n_calls);
	assert_int_equal(call_log[i].nr, nr);
	assert_int_equal(call_log[i].args[0], a0);
}

/* ------------------------------------------------------------------ */
/* References and addends                                               */
/* ------------------------------------------------------------------ */

static void test_ref_addends(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(10) },
		{ RETREF(0, 5) },
		{ RETREF(0, -3) },
		{ RETREF(1, 0) },
		{ RETREF(2, -7) },
		{ RETREF(0, -10) },
	};

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 6, NO, NO);
	expect_res(0, 10, 1);
	expect_res(1, 15, 1);
	expect_res(2, 7, 1);
	expect_res(3, 15, 1);
	expect_res(4, 0, 1);
	expect_res(5, 0, 1);
	assert_int_equal(n_calls, 6);
	expect_call(1, NR_RET, 15);
	expect_call(2, NR_RET, 7);
	expect_call(4, NR_RET, 0);
	/* A reference with addend 0 passes the result unchanged. */
	expect_call(3, NR_RET, 15);
}

static void test_ref_wraparound(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(UINT64_MAX) },		/* 0: -1 */
		{ RETREF(0, 1) },		/* 1: 0 (wraps) */
		{ RET(INT64_MIN) },		/* 2 */
		{ RETREF(2, -1) },		/* 3: INT64_MAX */
		{ RETREF(3, 1) },		/* 4: INT64_MIN */
		{ RETREF(0, INT64_MIN) },	/* 5: INT64_MAX */
		{ RET(5) },			/* 6 */
		{ RETREF(6, -10) },		/* 7: -5 */
		{ RETREF(0, UINT64_MAX) },	/* 8: -2 */
		{ RETREF(3, INT64_MAX) },	/* 9: -2 (wraps) */
	};

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 10, NO, NO);
	expect_res(0, -1, 1);
	expect_res(1, 0, 1);
	expect_res(2, INT64_MIN, 1);
	expect_res(3, INT64_MAX, 1);
	expect_res(4, INT64_MIN, 1);
	expect_res(5, INT64_MAX, 1);
	expect_res(7, -5, 1);
	expect_res(8, -2, 1);
	expect_res(9, -2, 1);
	expect_call(1, NR_RET, 0);
	expect_call(3, NR_RET, (__u64)INT64_MAX);
	expect_call(4, NR_RET, (__u64)INT64_MIN);
	expect_call(7, NR_RET, (__u64)-5);
	expect_call(9, NR_RET, UINT64_MAX - 1);
}

static void test_ref_several_in_one_op(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(100) },
		{ RET(1000) },
		{ .nr = NR_ADD2, .ref_mask = 3, .args = { 1, (__u64)-2 },
		  .arg_ref = { 0, 1 } },				/* 101 + 998 */
		/* refs in args 0, 2, 5; plain args 1, 3, 4 */
		{ .nr = NR_SIX, .ref_mask = 0x25,
		  .args = { 7, 11, (__u64)-100, 13, 17, 0 },
		  .arg_ref = { 2, 0, 1, 0, 0, 0 } },
		/* the same op referenced twice, and every arg a reference */
		{ .nr = NR_SIX, .ref_mask = 0x3f,
		  .args = { 0, 1, 2, 3, 4, 5 },
		  .arg_ref = { 0, 0, 1, 1, 2, 3 } },
	};
	const __u64 want3[6] = { 1099 + 7, 11, 900, 13, 17, 100 };
	__u64 sum3 = 0, sum4;
	const __u64 want4[6] = { 100, 101, 1002, 1003, 1099 + 4, 0 };
	int k;

	(void)state;
	for (k = 0; k < 6; k++)
		sum3 += want3[k];
	sum4 = 100 + 101 + 1002 + 1003 + 1103 + sum3 + 5;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 5, NO, NO);
	expect_res(2, 1099, 1);
	assert_int_equal(call_log[2].args[0], 101);
	assert_int_equal(call_log[2].args[1], 998);
	for (k = 0; k < 6; k++)
		assert_int_equal(call_log[3].args[k], want3[k]);
	expect_res(3, (__s64)sum3, 1);
	for (k = 0; k < 5; k++)
		assert_int_equal(call_log[4].args[k], want4[k]);
	assert_int_equal(call_log[4].args[5], sum3 + 5);
	expect_res(4, (__s64)sum4, 1);
}

/* A reference reads the latest result of an op that ran several times. */
static void test_ref_latest_result_in_loop(void **state)
{
	static const struct syschain_op ops[] = {
		{ .nr = NR_COUNT },
		{ RETREF(0, 100), CONDS(0, 1) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(LT, 103, 0),
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 6, NO, NO);
	expect_res(0, 3, 3);
	expect_res(1, 103, 3);
	expect_call(1, NR_RET, 101);
	expect_call(3, NR_RET, 102);
	expect_call(5, NR_RET, 103);
}

/* Jumping over op 1 leaves op 2's reference to it unresolved. */
static void test_ref_unresolved_forward_jump(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 1) },
		{ RET(5) },
		{ RETREF(1, 1) },
		{ RET(9) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ALWAYS, 0, 2),
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_UNRESOLVED, 1, 2, NO);
	expect_res(0, 1, 1);
	expect_res(1, 0, 0);
	expect_res(2, 0, 0);
	expect_res(3, 0, 0);
	assert_int_equal(n_calls, 1);
}

/*
 * A reference to an op that ran in an earlier iteration but was jumped
 * over in this one resolves to its latest result.
 */
static void test_ref_resolved_after_skip(void **state)
{
	static const struct syschain_op ops[] = {
		{ .nr = NR_COUNT, CONDS(0, 2) },
		{ RET(40) },
		{ .nr = NR_ADD2, .ref_mask = 3, .arg_ref = { 0, 1 },
		  CONDS(2, 1) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(EQ, 1, 1),	/* 1st pass: run op 1 */
		C_JUMP(ALWAYS, 0, 2),	/* later passes: skip op 1 */
		C_JUMP(EQ, 41, 0),	/* 1 + 40: go round once more */
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 5, NO, NO);
	expect_res(0, 2, 2);
	expect_res(1, 40, 1);
	expect_res(2, 42, 2);
	assert_int_equal(call_log[4].nr, NR_ADD2);
	assert_int_equal(call_log[4].args[0], 2);
	assert_int_equal(call_log[4].args[1], 40);
}

/* A condition whose RHS references an op that has not run yet. */
static void test_cond_rhs_ref_unresolved(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 2) },
		{ RET(2) },
	};
	static const struct syschain_cond conds[] = {
		C_STOP(EQ, 7),			/* does not hold */
		C_STOP_REF(EQ, 1, 0),		/* op 1 has not run */
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_UNRESOLVED, 1, 0, 1);
	expect_res(0, 1, 1);
	expect_res(1, 0, 0);
	assert_int_equal(n_calls, 1);
}

/* A condition's RHS may reference the op itself (it just ran) or another
 * op, with a negative addend. */
static void test_cond_rhs_ref_self_and_other(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(5), CONDS(0, 1) },
		{ .nr = NR_COUNT, CONDS(1, 2) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP_REF(EQ, 0, 0, 1),	/* 5 == 5: jump to 1 */
		C_JUMP_REF(ULT, 0, -2, 1),	/* count < 5 - 2 */
		C_STOP_REF(EQ, 1, 0),		/* self: always */
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 4, 1, 2);
	expect_res(0, 5, 1);
	expect_res(1, 3, 3);
}

/* ------------------------------------------------------------------ */
/* Comparisons                                                          */
/* ------------------------------------------------------------------ */

#define NCMP 11	/* ALWAYS .. UGE */

struct cmp_row {
	__u64 lhs, rhs;
	/* EQ NE LT LE GT GE ULT ULE UGT UGE */
	unsigned char want[10];
};

#define S(x) ((__u64)(__s64)(x))
static const struct cmp_row cmp_rows[] = {
	/*                          EQ NE LT LE GT GE ULT ULE UGT UGE */
	{ 0, 0,                   { 1, 0, 0, 1, 0, 1, 0, 1, 0, 1 } },
	{ 1, 0,                   { 0, 1, 0, 0, 1, 1, 0, 0, 1, 1 } },
	{ 0, 1,                   { 0, 1, 1, 1, 0, 0, 1, 1, 0, 0 } },
	{ S(-1), 0,               { 0, 1, 1, 1, 0, 0, 0, 0, 1, 1 } },
	{ 0, S(-1),               { 0, 1, 0, 0, 1, 1, 1, 1, 0, 0 } },
	{ S(-1), S(-1),           { 1, 0, 0, 1, 0, 1, 0, 1, 0, 1 } },
	{ S(-2), S(-1),           { 0, 1, 1, 1, 0, 0, 1, 1, 0, 0 } },
	{ S(-1), S(-2),           { 0, 1, 0, 0, 1, 1, 0, 0, 1, 1 } },
	{ S(INT64_MIN), S(INT64_MAX), { 0, 1, 1, 1, 0, 0, 0, 0, 1, 1 } },
	{ S(INT64_MAX), S(INT64_MIN), { 0, 1, 0, 0, 1, 1, 1, 1, 0, 0 } },
	{ S(INT64_MIN), S(INT64_MIN), { 1, 0, 0, 1, 0, 1, 0, 1, 0, 1 } },
	{ S(INT64_MAX), S(INT64_MAX), { 1, 0, 0, 1, 0, 1, 0, 1, 0, 1 } },
	{ S(INT64_MIN), 0,        { 0, 1, 1, 1, 0, 0, 0, 0, 1, 1 } },
	{ 0, S(INT64_MIN),        { 0, 1, 0, 0, 1, 1, 1, 1, 0, 0 } },
	{ S(INT64_MAX), 0,        { 0, 1, 0, 0, 1, 1, 0, 0, 1, 1 } },
	{ 0, S(INT64_MAX),        { 0, 1, 1, 1, 0, 0, 1, 1, 0, 0 } },
	{ UINT64_MAX, S(INT64_MAX), { 0, 1, 1, 1, 0, 0, 0, 0, 1, 1 } },
	{ S(INT64_MAX), UINT64_MAX, { 0, 1, 0, 0, 1, 1, 1, 1, 0, 0 } },
	{ UINT64_MAX, S(INT64_MIN), { 0, 1, 0, 0, 1, 1, 0, 0, 1, 1 } },
	{ S(INT64_MIN), UINT64_MAX, { 0, 1, 1, 1, 0, 0, 1, 1, 0, 0 } },
	{ S(INT64_MIN + 1), S(INT64_MIN), { 0, 1, 0, 0, 1, 1, 0, 0, 1, 1 } },
	{ S(INT64_MAX - 1), S(INT64_MAX), { 0, 1, 1, 1, 0, 0, 1, 1, 0, 0 } },
	{ 0x100000000ULL, 0xffffffffULL, { 0, 1, 0, 0, 1, 1, 0, 0, 1, 1 } },
	{ 0xffffffffULL, S(-1),   { 0, 1, 0, 0, 1, 1, 1, 1, 0, 0 } },
};

static void test_cond_holds_table(void **state)
{
	size_t r;
	int c;

	(void)state;
	for (r = 0; r < ARRAY_SIZE(cmp_rows); r++) {
		const struct cmp_row *row = &cmp_rows[r];

		assert_int_equal(sc_cond_holds(SYSCHAIN_CMP_ALWAYS, row->lhs,
					       row->rhs), 1);
		for (c = 0; c < 10; c++) {
			int got = sc_cond_holds(SYSCHAIN_CMP_EQ + c, row->lhs,
						row->rhs);
			if (got != row->want[c])
				fail_msg("row %zu: cmp %d (%#llx, %#llx) = %d, want %d",
					 r, SYSCHAIN_CMP_EQ + c,
					 (unsigned long long)row->lhs,
					 (unsigned long long)row->rhs, got,
					 row->want[c]);
		}
	}
}

/* Cross product of boundary values against an independent oracle: the
 * signed order is the unsigned order with the sign bit flipped. */
static void test_cond_holds_oracle(void **state)
{
	static const __u64 v[] = {
		0, 1, 2, S(-1), S(-2), S(INT64_MIN), S(INT64_MIN + 1),
		S(INT64_MAX), S(INT64_MAX - 1), 0xffffffffULL,
		0x100000000ULL, 0xffffffff00000000ULL, 0x80000000ULL,
		S(-4), S(-512),
	};
	const __u64 flip = 1ULL << 63;
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		for (j = 0; j < ARRAY_SIZE(v); j++) {
			__u64 a = v[i], b = v[j];
			__u64 fa = a ^ flip, fb = b ^ flip;
			int want[NCMP + 1] = {
				[SYSCHAIN_CMP_ALWAYS] = 1,
				[SYSCHAIN_CMP_EQ] = a == b,
				[SYSCHAIN_CMP_NE] = !(a == b),
				[SYSCHAIN_CMP_LT] = fa < fb,
				[SYSCHAIN_CMP_LE] = !(fb < fa),
				[SYSCHAIN_CMP_GT] = fb < fa,
				[SYSCHAIN_CMP_GE] = !(fa < fb),
				[SYSCHAIN_CMP_ULT] = a < b,
				[SYSCHAIN_CMP_ULE] = !(b < a),
				[SYSCHAIN_CMP_UGT] = b < a,
				[SYSCHAIN_CMP_UGE] = !(a < b),
			};
			int c;

			for (c = SYSCHAIN_CMP_ALWAYS; c <= SYSCHAIN_CMP_UGE;
			     c++) {
				int got = sc_cond_holds(c, a, b);

				if (got != want[c])
					fail_msg("cmp %d (%#llx, %#llx) = %d, want %d",
						 c, (unsigned long long)a,
						 (unsigned long long)b, got,
						 want[c]);
			}
		}
	}
}

static void test_cond_holds_unknown_cmp(void **state)
{
	static const __u8 bad[] = { 0, 12, 13, 128, 255 };
	size_t i;

	(void)state;
	/* Unknown comparisons are rejected by validation; evaluated anyway,
	 * they never hold. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(sc_cond_holds(bad[i], 0, 0), 0);
		assert_int_equal(sc_cond_holds(bad[i], 1, 0), 0);
		assert_int_equal(sc_cond_holds(bad[i], 0, 1), 0);
	}
}

/*
 * Every row and comparison through whole chains: once with a constant RHS
 * and a STOP action, once with the RHS by reference (op result + addend,
 * wrapping) and a JUMP to the end.
 */
static void test_cond_in_chain_table(void **state)
{
	const __u64 addend = 1000;
	size_t r;
	int c;

	(void)state;
	for (r = 0; r < ARRAY_SIZE(cmp_rows); r++) {
		const struct cmp_row *row = &cmp_rows[r];

		for (c = SYSCHAIN_CMP_ALWAYS; c <= SYSCHAIN_CMP_UGE; c++) {
			int want = c == SYSCHAIN_CMP_ALWAYS ? 1 :
				   row->want[c - SYSCHAIN_CMP_EQ];
			int always = c == SYSCHAIN_CMP_ALWAYS;
			struct syschain_op ops1[2] = {
				{ RET(row->lhs), CONDS(0, 1) },
				{ RET(7) },
			};
			struct syschain_cond conds1[1] = { {
				.cmp = c, .action = SYSCHAIN_ACT_STOP,
				.rhs = always ? 0 : row->rhs,
			} };
			struct syschain_op ops2[3] = {
				{ RET(row->rhs - addend) },
				{ RET(row->lhs), CONDS(0, 1) },
				{ RET(7) },
			};
			struct syschain_cond conds2[1] = { {
				.cmp = c, .action = SYSCHAIN_ACT_JUMP,
				.target = 3,
				.flags = always ? 0 : SYSCHAIN_COND_RHS_REF,
				.rhs = always ? 0 : addend,
			} };

			reset(NULL);
			snprintf(ctx, sizeof(ctx),
				 "row %zu cmp %d, constant rhs", r, c);
			RUN(ops1, conds1, 0, 0);
			if (want) {
				expect_rep(SYSCHAIN_STATUS_STOPPED, 1, 0, 0);
				expect_res(1, 0, 0);
			} else {
				expect_rep(SYSCHAIN_STATUS_COMPLETED, 2, NO,
					   NO);
				expect_res(1, 7, 1);
			}
			expect_res(0, (__s64)row->lhs, 1);

			reset(NULL);
			snprintf(ctx, sizeof(ctx),
				 "row %zu cmp %d, rhs by reference", r, c);
			RUN(ops2, conds2, 0, 0);
			expect_rep(SYSCHAIN_STATUS_COMPLETED, want ? 2 : 3,
				   NO, NO);
			expect_res(0, (__s64)(row->rhs - addend), 1);
			expect_res(1, (__s64)row->lhs, 1);
			expect_res(2, want ? 0 : 7, want ? 0 : 1);
		}
	}
}

/* Conditions are checked in order; the first that holds fires. */
static void test_cond_order(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(5), CONDS(0, 4) },
		{ RET(1) },
		{ RET(2), CONDS(4, 3) },
		{ RET(3) },
	};
	static const struct syschain_cond conds[] = {
		C_STOP(EQ, 4),		/* 0: no */
		C_STOP(LT, 0),		/* 1: no */
		C_JUMP(GT, 3, 2),	/* 2: fires */
		C_STOP(GE, 0),		/* 3: would hold, not reached */
		C_STOP(NE, 2),		/* 4: no */
		C_STOP(ALWAYS, 0),	/* 5: fires */
		C_JUMP(ALWAYS, 0, 3),	/* 6: would hold, not reached */
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 2, 2, 5);
	expect_res(0, 5, 1);
	expect_res(1, 0, 0);
	expect_res(2, 2, 1);
	expect_res(3, 0, 0);
}

/* Ops may share conditions; stop_cond is the global condition index. */
static void test_cond_shared(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(1, 1) },
		{ RET(2), CONDS(1, 1) },
		{ RET(3), CONDS(0, 2) },
	};
	static const struct syschain_cond conds[] = {
		C_STOP(EQ, 3),
		C_STOP(EQ, 3),
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 3, 2, 0);
}

/* ------------------------------------------------------------------ */
/* Jumps, loops and the step budget                                     */
/* ------------------------------------------------------------------ */

static void test_jump_forward_and_end(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 1) },
		{ RET(2) },
		{ RET(3), CONDS(1, 1) },
		{ RET(4) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(EQ, 1, 2),
		C_JUMP(EQ, 3, 4),	/* jump to nr_ops: completed */
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 2, NO, NO);
	expect_res(0, 1, 1);
	expect_res(1, 0, 0);
	expect_res(2, 3, 1);
	expect_res(3, 0, 0);
	assert_int_equal(n_calls, 2);
	expect_call(0, NR_RET, 1);
	expect_call(1, NR_RET, 3);
}

/* Jump to the op itself (target 0 from op 0 is a valid jump, not "none"). */
static void test_jump_to_zero(void **state)
{
	static const struct syschain_op ops[] = {
		{ .nr = NR_COUNT, CONDS(0, 1) },
		{ RET(9) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ULT, 4, 0),
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 5, NO, NO);
	expect_res(0, 4, 4);
	expect_res(1, 9, 1);
}

/* A backward loop whose bound comes from an op by reference. */
static void test_loop_until_condition(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(3) },				/* limit */
		{ RET(50) },				/* loop body start */
		{ .nr = NR_COUNT, CONDS(0, 1) },
		{ RETREF(2, 10) },			/* after the loop */
	};
	static const struct syschain_cond conds[] = {
		C_JUMP_REF(LT, 0, 0, 1),		/* count < limit: again */
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 1 + 3 * 2 + 1, NO, NO);
	expect_res(0, 3, 1);
	expect_res(1, 50, 3);
	expect_res(2, 3, 3);
	expect_res(3, 13, 1);
	assert_int_equal(n_calls, 8);
	assert_int_equal(call_log[1].nr, NR_RET);
	assert_int_equal(call_log[2].nr, NR_COUNT);
	assert_int_equal(call_log[3].nr, NR_RET);
	assert_int_equal(call_log[4].nr, NR_COUNT);
	expect_call(7, NR_RET, 13);
}

static void test_budget_single_op_loop(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 1) },
		{ RET(2) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ALWAYS, 0, 0),
	};

	(void)state;
	RUN(ops, conds, 0, 10);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 10, 0, NO);
	expect_res(0, 1, 10);
	expect_res(1, 0, 0);
	assert_int_equal(n_calls, 10);
}

static void test_budget_two_op_loop(void **state)
{
	static const struct syschain_op ops[] = {
		{ .nr = NR_COUNT },
		{ RET(7), CONDS(0, 1) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ALWAYS, 0, 0),
	};

	(void)state;
	/* count, ret, count, ret, count | ret would be next */
	RUN(ops, conds, 0, 5);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 5, 1, NO);
	expect_res(0, 3, 3);
	expect_res(1, 7, 2);

	/* Budget 4: count, ret, count, ret | count would be next. */
	reset(NULL);
	RUN(ops, conds, 0, 4);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 4, 0, NO);
	expect_res(0, 2, 2);
	expect_res(1, 7, 2);
}

/* A budget that exactly suffices completes; one less stops. */
static void test_budget_exact(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) },
	};

	(void)state;
	RUN_NC(ops, 0, 3);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	expect_res(2, 3, 1);

	reset(NULL);
	RUN_NC(ops, 0, 2);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 2, 2, NO);
	expect_res(1, 2, 1);
	expect_res(2, 0, 0);

	reset(NULL);
	RUN_NC(ops, 0, 1);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 1, 1, NO);
	expect_res(0, 1, 1);
	expect_res(1, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Errors and stop-on-error                                             */
/* ------------------------------------------------------------------ */

static const struct syschain_op err_ops[] = {
	{ RET(1) },
	{ .nr = NR_FAIL },
	{ RET(3) },
};

/*
 * Registered buffers: SYSCHAIN_OP_FIXED_BUF only on an op with a data
 * buffer, in a chain with buffers; at run time the range, references
 * resolved, must lie in one buffer, else -EFAULT without a call.
 */
static void test_fixed_buf_validation(void **state)
{
	static const struct sc_buf bufs[1] = { { 1000, 100, NULL } };
	const struct syschain_op on_ret[] = {
		{ RET(1), .flags = SYSCHAIN_OP_FIXED_BUF },
	};
	const struct syschain_op on_buf[] = {
		{ .nr = NR_BUF, .args = { 1000, 10 },
		  .flags = SYSCHAIN_OP_FIXED_BUF },
	};
	struct sc_chain c;

	(void)state;
	make_chain(&c, on_buf, 1, NULL, 0, 0, 10);
	assert_int_equal(sc_validate(&c, &fx.env, &fx.rep), -EINVAL);
	expect_rep(SYSCHAIN_STATUS_INVALID, 0, 0, NO);
	c.bufs = bufs;
	c.nr_bufs = 1;
	assert_int_equal(sc_validate(&c, &fx.env, &fx.rep), 0);
	make_chain(&c, on_ret, 1, NULL, 0, 0, 10);
	c.bufs = bufs;
	c.nr_bufs = 1;
	assert_int_equal(sc_validate(&c, &fx.env, &fx.rep), -EINVAL);
	expect_rep(SYSCHAIN_STATUS_INVALID, 0, 0, NO);
	assert_int_equal(n_calls, 0);
}

static void test_fixed_buf_range(void **state)
{
	static const struct sc_buf bufs[2] = {
		{ 1000, 100, NULL }, { 1100, 50, NULL },
	};
#define FB(a, n) { .nr = NR_BUF, .args = { (a), (n) }, \
		   .flags = SYSCHAIN_OP_FIXED_BUF }
	const struct syschain_op ops[] = {
		FB(1000, 100),		/* the first, whole */
		FB(1099, 1),		/* its last byte */
		FB(1099, 2),		/* across into the second */
		FB(999, 1),		/* before */
		FB(1150, 0),		/* empty, at the end */
		FB(1150, 1),		/* past it */
		FB(1100, 50),		/* the second, whole */
		FB(1010, ~0ULL),	/* a length that wraps */
		/* the address a reference: op 6's result, 50, plus 1050 */
		{ .nr = NR_BUF, .args = { 1050, 30 }, .ref_mask = 1,
		  .arg_ref = { 6 }, .flags = SYSCHAIN_OP_FIXED_BUF },
		{ .nr = NR_BUF, .args = { 1050, 60 }, .ref_mask = 1,
		  .arg_ref = { 6 }, .flags = SYSCHAIN_OP_FIXED_BUF },
		{ .nr = NR_BUF, .args = { 5, 5 } },	/* not fixed */
	};
#undef FB
	static const __s64 want[] = {
		100, 1, -EFAULT, -EFAULT, 0, -EFAULT, 50, -EFAULT, 30,
		-EFAULT, 5,
	};
	struct sc_chain c;
	unsigned int i, calls = 0;

	(void)state;
	make_chain(&c, ops, ARRAY_SIZE(ops), NULL, 0, 0, 100);
	c.bufs = bufs;
	c.nr_bufs = 2;
	memset(fx.res, GARBAGE, sizeof(fx.res));
	run_chain(&c);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, ARRAY_SIZE(ops), NO, NO);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		expect_res(i, want[i], 1);
		calls += want[i] != -EFAULT;
	}
	/* an op out of range is not called */
	assert_int_equal(n_calls, calls);
}

static void test_error_continues_without_flag(void **state)
{
	(void)state;
	RUN_NC(err_ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	expect_res(1, -ENOENT, 1);
	expect_res(2, 3, 1);
}

static void test_stop_on_error(void **state)
{
	(void)state;
	RUN_NC(err_ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_FAILED, 2, 1, NO);
	expect_res(0, 1, 1);
	expect_res(1, -ENOENT, 1);
	expect_res(2, 0, 0);
	assert_int_equal(n_calls, 2);
}

/* Any negative result counts as an error: INT64_MIN, -1, -515. */
static void test_stop_on_error_values(void **state)
{
	static const __s64 neg[] = { -1, INT64_MIN, -K_ENOIOCTLCMD, -4095 };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(neg); i++) {
		struct syschain_op ops[] = {
			{ RET(0) }, { RET(INT64_MAX) }, { RET(neg[i]) },
			{ RET(4) },
		};

		reset(NULL);
		snprintf(ctx, sizeof(ctx), "result %lld", (long long)neg[i]);
		RUN_NC(ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
		expect_rep(SYSCHAIN_STATUS_FAILED, 3, 2, NO);
		expect_res(2, neg[i], 1);
		expect_res(3, 0, 0);
	}
}

static void test_stop_on_error_ignore_error(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) },
		{ .nr = NR_FAIL, .flags = SYSCHAIN_OP_IGNORE_ERROR },
		{ .nr = NR_FAIL },
		{ RET(3) },
	};

	(void)state;
	RUN_NC(ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_FAILED, 3, 2, NO);
	expect_res(1, -ENOENT, 1);
	expect_res(2, -ENOENT, 1);
	expect_res(3, 0, 0);

	/* IGNORE_ERROR without STOP_ON_ERROR changes nothing. */
	reset(NULL);
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
	expect_res(3, 3, 1);
}

/* Conditions are checked before stop-on-error. */
static void test_stop_on_error_conditions_first(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) },
		{ .nr = NR_FAIL, CONDS(0, 2) },
		{ RET(3) },
		{ RET(4) },
	};
	static const struct syschain_cond jump[] = {
		C_STOP(EQ, 0),			/* does not hold */
		C_JUMP(EQ, -ENOENT, 3),		/* fires: skip op 2 */
	};
	static const struct syschain_cond stop[] = {
		C_STOP(GE, 0),			/* does not hold */
		C_STOP(LT, 0),			/* fires */
	};
	static const struct syschain_cond none[] = {
		C_STOP(GE, 0),
		C_JUMP(EQ, -EPERM, 3),
	};

	(void)state;
	RUN(ops, jump, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	expect_res(2, 0, 0);
	expect_res(3, 4, 1);

	reset(NULL);
	RUN(ops, stop, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 2, 1, 1);

	reset(NULL);
	RUN(ops, none, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_FAILED, 2, 1, NO);
}

/* IGNORE_ERROR does not disable the op's conditions. */
static void test_ignore_error_conditions_apply(void **state)
{
	static const struct syschain_op ops[] = {
		{ .nr = NR_FAIL, .flags = SYSCHAIN_OP_IGNORE_ERROR,
		  CONDS(0, 1) },
		{ RET(3) },
	};
	static const struct syschain_cond conds[] = {
		C_STOP(EQ, -ENOENT),
	};

	(void)state;
	RUN(ops, conds, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 1, 0, 0);
	expect_res(1, 0, 0);
}

/* ------------------------------------------------------------------ */
/* STOP                                                                 */
/* ------------------------------------------------------------------ */

static void test_stop_action(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 1) },
		{ RET(2), CONDS(1, 2) },
		{ RET(3) },
	};
	static const struct syschain_cond conds[] = {
		C_STOP(EQ, 2),		/* op 0's: no */
		C_STOP(EQ, 3),		/* op 1's: no */
		C_STOP(EQ, 2),		/* op 1's: fires */
	};

	(void)state;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 2, 1, 2);
	expect_res(0, 1, 1);
	expect_res(1, 2, 1);
	expect_res(2, 0, 0);
}

/* ------------------------------------------------------------------ */
/* -EINTR and restart codes                                             */
/* ------------------------------------------------------------------ */

/* Resume the chain until it ends; return the runs it took, the first one
 * included. */
static unsigned int resume_to_end(__u32 extra)
{
	unsigned int runs = 1;

	while (fx.rep.status == SYSCHAIN_STATUS_INTERRUPTED) {
		if (++runs > 1000)
			fail_msg("chain still interrupted after 1000 runs%s%s",
				 ctx[0] ? " in " : "", ctx);
		resume(extra);
	}
	return runs;
}

/*
 * An op that returns a restart code did not finish: the run leaves the
 * chain at it, whatever its conditions and the flags say, with its result
 * and count untouched, no step made and no trace. Resumed, it runs again.
 */
static void test_restart_codes(void **state)
{
	static const __u32 flags[] = { 0, SYSCHAIN_RUN_STOP_ON_ERROR };
	size_t i, f;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(restart_codes); i++) {
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			struct syschain_op ops[] = {
				{ RET(1) },
				{ RET(restart_codes[i]),
				  .flags = SYSCHAIN_OP_IGNORE_ERROR,
				  CONDS(0, 1) },
				{ RET(3) },
			};
			static const struct syschain_cond conds[] = {
				C_STOP(ALWAYS, 0),
			};

			reset(NULL);
			snprintf(ctx, sizeof(ctx), "code %lld, run flags %u",
				 (long long)restart_codes[i], flags[f]);
			RUN(ops, conds, flags[f], 0);
			expect_susp(1, 1, restart_codes[i]);
			expect_res(0, 1, 1);
			expect_res(1, 0, 0);
			expect_res(2, 0, 0);
			assert_int_equal(n_calls, 2);
			assert_int_equal(n_traces, 1);
			assert_int_equal(trace_log[0].idx, 0);
			assert_int_equal(fx.fe.boundary_calls, 1);

			/* Resumed, it runs again (and is interrupted again). */
			resume(0);
			expect_susp(1, 1, restart_codes[i]);
			expect_res(0, 1, 1);
			expect_res(1, 0, 0);
			expect_res(2, 0, 0);
			assert_int_equal(n_calls, 3);
			expect_call(2, NR_RET, (__u64)restart_codes[i]);
			assert_int_equal(n_traces, 1);
			assert_int_equal(fx.fe.boundary_calls, 1);
		}
	}
}

/* The dedicated -ERESTARTSYS op. */
static void test_restart_op(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) },
		{ .nr = NR_RESTART },
		{ RET(3) },
	};

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_susp(1, 1, -K_ERESTARTSYS);
	expect_res(0, 1, 1);
	expect_res(1, 0, 0);
	expect_res(2, 0, 0);
	assert_int_equal(n_calls, 2);
}

/*
 * Each restart code at each position: the ops before it finished, it and
 * the ops after it did not; resumed, the chain ends as if uninterrupted,
 * with the interrupted op called again with the same arguments.
 */
static void test_restart_at_each_position(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(10) }, { RETREF(0, 1) }, { RET(12) }, { RET(13) },
	};
	size_t i;
	__u32 k, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(restart_codes); i++) {
		for (k = 0; k < 4; k++) {
			reset(NULL);
			snprintf(ctx, sizeof(ctx), "code %lld at op %u",
				 (long long)restart_codes[i], k);
			call_inject[k] = restart_codes[i];
			RUN_NC(ops, 0, 0);
			expect_susp(k, k, restart_codes[i]);
			for (j = 0; j < k; j++)
				expect_res(j, 10 + j, 1);
			for (; j < 4; j++)
				expect_res(j, 0, 0);	/* zeroed */
			expect_count("op calls", n_calls, k + 1);
			expect_count("traces", n_traces, k);
			expect_count("boundary calls", fx.fe.boundary_calls, k);

			resume(0);
			expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
			for (j = 0; j < 4; j++)
				expect_res(j, 10 + j, 1);
			expect_count("op calls", n_calls, 5);
			expect_count("call again", call_log[k + 1].nr,
				     call_log[k].nr);
			assert_memory_equal(call_log[k + 1].args,
					    call_log[k].args,
					    sizeof(call_log[k].args));
			expect_count("traces", n_traces, 4);
			expect_count("boundary calls", fx.fe.boundary_calls, 3);
		}
	}
}

/*
 * Interrupted on the 3rd run of a looping op: its count stays 2 and its
 * result the 2nd run's. Resumed, the loop goes on to the same end as
 * without the interruption, also when it is interrupted several times.
 */
static void test_restart_in_loop_counts(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(0) },
		{ .nr = NR_COUNT, CONDS(0, 1) },
		{ RET(3) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(LT, 10, 1),
	};
	static const unsigned int several[] = { 2, 3, 5, 8, 11 };
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(restart_codes); i++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "code %lld",
			 (long long)restart_codes[i]);
		call_inject[3] = restart_codes[i];
		RUN(ops, conds, 0, 0);
		expect_susp(3, 1, restart_codes[i]);
		expect_res(0, 0, 1);
		expect_res(1, 2, 2);
		expect_res(2, 0, 0);
		assert_int_equal(counter, 2);
		assert_int_equal(n_traces, 3);

		resume(0);
		expect_rep(SYSCHAIN_STATUS_COMPLETED, 1 + 10 + 1, NO, NO);
		expect_res(0, 0, 1);
		expect_res(1, 10, 10);
		expect_res(2, 3, 1);
		assert_int_equal(n_calls, 13);
		assert_int_equal(n_traces, 12);
		assert_int_equal(fx.fe.boundary_calls, 11);

		/* Interrupted again and again, twice in a row at calls 2, 3. */
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "code %lld, several times",
			 (long long)restart_codes[i]);
		for (j = 0; j < ARRAY_SIZE(several); j++)
			call_inject[several[j]] = restart_codes[i];
		RUN(ops, conds, 0, 0);
		expect_count("runs", resume_to_end(0), ARRAY_SIZE(several) + 1);
		expect_rep(SYSCHAIN_STATUS_COMPLETED, 12, NO, NO);
		expect_res(0, 0, 1);
		expect_res(1, 10, 10);
		expect_res(2, 3, 1);
		assert_int_equal(counter, 10);
		assert_int_equal(n_calls, 12 + ARRAY_SIZE(several));
		assert_int_equal(n_traces, 12);
		assert_int_equal(fx.fe.boundary_calls, 11);
	}
}

/* Neighbours of the restart codes, and -EINTR, are ordinary results. */
static void test_not_restart_codes(void **state)
{
	static const __s64 codes[] = {
		-K_ENOIOCTLCMD, -511, -517, -EINTR, -3, -5, -1, 4, 512, 513,
		514, 516,
		-512 - 0x100000000LL,		/* low 32 bits: -512 */
		(__s64)(__u32)-K_ERESTARTNOINTR,
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		struct syschain_op ops[] = {
			{ RET(1) }, { RET(codes[i]) }, { RET(3) },
		};

		reset(NULL);
		snprintf(ctx, sizeof(ctx), "result %lld", (long long)codes[i]);
		RUN_NC(ops, 0, 0);
		expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
		expect_res(1, codes[i], 1);
		expect_res(2, 3, 1);
		assert_int_equal(n_traces, 3);
		assert_int_equal((__u64)trace_log[1].ret, (__u64)codes[i]);

		if (codes[i] < 0) {
			reset(NULL);
			snprintf(ctx, sizeof(ctx),
				 "result %lld, STOP_ON_ERROR",
				 (long long)codes[i]);
			RUN_NC(ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
			expect_rep(SYSCHAIN_STATUS_FAILED, 2, 1, NO);
			expect_res(1, codes[i], 1);
		}
	}
}

/* -EINTR is a result as any other: conditions, then STOP_ON_ERROR. */
static void test_eintr_is_a_result(void **state)
{
	static const struct syschain_op plain_ops[] = {
		{ RET(1) }, { RET(-EINTR) }, { RET(3) }, { RET(4) },
	};
	static const struct syschain_op ignore_ops[] = {
		{ RET(1) }, { RET(-EINTR), .flags = SYSCHAIN_OP_IGNORE_ERROR },
		{ RET(3) }, { RET(4) },
	};
	static const struct syschain_op cond_ops[] = {
		{ RET(1) }, { RET(-EINTR), CONDS(0, 1) }, { RET(3) },
		{ RET(4) },
	};
	static const struct syschain_cond jump[] = {
		C_JUMP(EQ, -EINTR, 3),
	};
	static const struct syschain_cond stop[] = {
		C_STOP(EQ, -EINTR),
	};
	static const __u32 flags[] = { 0, SYSCHAIN_RUN_STOP_ON_ERROR };
	size_t f;

	(void)state;
	RUN_NC(plain_ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
	expect_res(1, -EINTR, 1);
	expect_res(2, 3, 1);
	expect_res(3, 4, 1);

	reset(NULL);
	RUN_NC(plain_ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_FAILED, 2, 1, NO);
	expect_res(1, -EINTR, 1);
	expect_res(2, 0, 0);

	reset(NULL);
	RUN_NC(ignore_ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
	expect_res(1, -EINTR, 1);

	for (f = 0; f < ARRAY_SIZE(flags); f++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "jump, run flags %u", flags[f]);
		RUN(cond_ops, jump, flags[f], 0);
		expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
		expect_res(1, -EINTR, 1);
		expect_res(2, 0, 0);
		expect_res(3, 4, 1);

		reset(NULL);
		snprintf(ctx, sizeof(ctx), "stop, run flags %u", flags[f]);
		RUN(cond_ops, stop, flags[f], 0);
		expect_rep(SYSCHAIN_STATUS_STOPPED, 2, 1, 0);
		expect_res(1, -EINTR, 1);
		expect_res(2, 0, 0);
	}
}

/* ------------------------------------------------------------------ */
/* Op boundaries                                                        */
/* ------------------------------------------------------------------ */

/* boundary() is asked once between two ops: after the first finished
 * (recorded, traced), before the next is called. */
static void test_boundary_between_ops(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) }, { RET(4) },
	};
	static const struct syschain_op loop_ops[] = {
		{ .nr = NR_COUNT, CONDS(0, 1) },
		{ RET(9) },
	};
	static const struct syschain_cond loop_conds[] = {
		C_JUMP(ULT, 4, 0),
	};
	static const struct syschain_op endless_ops[] = {
		{ RET(1), CONDS(0, 1) },
		{ RET(2) },
	};
	static const struct syschain_cond endless_conds[] = {
		C_JUMP(ALWAYS, 0, 0),
	};
	unsigned int k;

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
	expect_count("boundary calls", fx.fe.boundary_calls, 3);
	for (k = 0; k < 3; k++) {
		snprintf(ctx, sizeof(ctx), "boundary call %u", k);
		expect_count("op calls", fx.fe.bsnap[k].calls, k + 1);
		expect_count("traces", fx.fe.bsnap[k].traces, k + 1);
		expect_count("counts", fx.fe.bsnap[k].counts, k + 1);
	}

	/* A loop: between every two executions, none after the last. */
	reset(NULL);
	RUN(loop_ops, loop_conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 5, NO, NO);
	expect_count("boundary calls", fx.fe.boundary_calls, 4);
	for (k = 0; k < 4; k++) {
		snprintf(ctx, sizeof(ctx), "loop, boundary call %u", k);
		expect_count("op calls", fx.fe.bsnap[k].calls, k + 1);
		expect_count("counts", fx.fe.bsnap[k].counts, k + 1);
	}

	/* The budget is checked before an op: the boundary before it, after
	 * the last op the budget allowed, is asked too. */
	reset(NULL);
	RUN(endless_ops, endless_conds, 0, 10);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 10, 0, NO);
	expect_count("boundary calls", fx.fe.boundary_calls, 10);
	expect_count("last boundary, op calls", fx.fe.bsnap[9].calls, 10);

	/* An op whose argument is unresolved: the boundary before it too. */
	{
		static const struct syschain_op ops2[] = {
			{ RET(1), CONDS(0, 1) },
			{ RET(5) },
			{ RETREF(1, 1) },
		};
		static const struct syschain_cond conds2[] = {
			C_JUMP(ALWAYS, 0, 2),
		};

		reset(NULL);
		RUN(ops2, conds2, 0, 0);
		expect_rep(SYSCHAIN_STATUS_UNRESOLVED, 1, 2, NO);
		expect_count("boundary calls", fx.fe.boundary_calls, 1);
	}
}

/*
 * A run that ends at its first op never asks boundary(), whatever it would
 * answer: not before the first op, not after the last, not when a
 * condition, an error or a jump to the end ends the chain.
 */
static void test_boundary_not_at_the_ends(void **state)
{
	static const struct {
		const char *name;
		__u32 nr_ops, nr_conds, flags;
		struct syschain_op ops[2];
		struct syschain_cond conds[1];
		__u32 status, stop_op, stop_cond;
	} cases[] = {
		{ "single op", 1, 0, 0, { { RET(1) } }, { },
		  SYSCHAIN_STATUS_COMPLETED, NO, NO },
		{ "stop condition", 2, 1, 0,
		  { { RET(1), CONDS(0, 1) }, { RET(2) } }, { C_STOP(EQ, 1) },
		  SYSCHAIN_STATUS_STOPPED, 0, 0 },
		{ "jump to the end", 2, 1, 0,
		  { { RET(1), CONDS(0, 1) }, { RET(2) } },
		  { C_JUMP(ALWAYS, 0, 2) }, SYSCHAIN_STATUS_COMPLETED, NO, NO },
		{ "stop on error", 2, 0, SYSCHAIN_RUN_STOP_ON_ERROR,
		  { { .nr = NR_FAIL }, { RET(2) } }, { },
		  SYSCHAIN_STATUS_FAILED, 0, NO },
		{ "condition unresolved", 2, 1, 0,
		  { { RET(1), CONDS(0, 1) }, { RET(2) } },
		  { C_STOP_REF(EQ, 1, 0) }, SYSCHAIN_STATUS_UNRESOLVED, 0, 0 },
	};
	static const int answers[] = {
		SC_BOUNDARY_SUSPEND, SC_BOUNDARY_DENY,
	};
	size_t i, a;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (a = 0; a < ARRAY_SIZE(answers); a++) {
			reset(NULL);
			snprintf(ctx, sizeof(ctx), "%s, answer %d",
				 cases[i].name, answers[a]);
			fx.fe.boundary_all = answers[a];
			do_run(cases[i].ops, cases[i].nr_ops, cases[i].conds,
			       cases[i].nr_conds, cases[i].flags, 0);
			expect_rep(cases[i].status, 1, cases[i].stop_op,
				   cases[i].stop_cond);
			expect_count("boundary calls", fx.fe.boundary_calls, 0);
			expect_count("op calls", n_calls, 1);
		}
	}
}

/*
 * SUSPEND after op k: the run leaves the chain before op k + 1 with
 * -ERESTARTNOINTR; resumed, the chain goes on from there (no boundary call
 * before its first op) and ends as if uninterrupted, no op run twice.
 */
static void test_boundary_suspend_at_each(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(10) }, { RETREF(0, 1) }, { RET(12) }, { RET(13) },
	};
	__u32 k, j;

	(void)state;
	for (k = 0; k < 3; k++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "suspend after op %u", k);
		fx.fe.boundary_answer[k] = SC_BOUNDARY_SUSPEND;
		RUN_NC(ops, 0, 0);
		expect_susp(k + 1, k + 1, BOUNDARY_RESTART);
		for (j = 0; j <= k; j++)
			expect_res(j, 10 + j, 1);
		for (; j < 4; j++)
			expect_res(j, 0, 0);
		expect_count("op calls", n_calls, k + 1);
		expect_count("traces", n_traces, k + 1);
		expect_count("boundary calls", fx.fe.boundary_calls, k + 1);

		resume(0);
		expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
		for (j = 0; j < 4; j++)
			expect_res(j, 10 + j, 1);
		expect_count("op calls", n_calls, 4);
		expect_call(1, NR_RET, 11);	/* op 0's result, carried */
		expect_count("traces", n_traces, 4);
		expect_count("boundary calls", fx.fe.boundary_calls, 3);
	}
}

/* DENY after op k: the chain ends, status DENIED, op k + 1 not run. */
static void test_boundary_deny_at_each(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(10) }, { RETREF(0, 1) }, { RET(12) }, { RET(13) },
	};
	__u32 k, j;

	(void)state;
	for (k = 0; k < 3; k++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "deny after op %u", k);
		fx.fe.boundary_answer[k] = SC_BOUNDARY_DENY;
		RUN_NC(ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
		expect_rep(SYSCHAIN_STATUS_DENIED, k + 1, k + 1, NO);
		for (j = 0; j <= k; j++)
			expect_res(j, 10 + j, 1);
		for (; j < 4; j++)
			expect_res(j, 0, 0);
		expect_count("op calls", n_calls, k + 1);
		expect_count("boundary calls", fx.fe.boundary_calls, k + 1);
	}
}

/* The op a suspended or denied chain stops at is the next one to run: a
 * jump's target, not the op after. */
static void test_boundary_next_op_is_jump_target(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 1) },
		{ RET(2) },
		{ .nr = NR_COUNT, CONDS(1, 1) },
		{ RET(4) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ALWAYS, 0, 2),
		C_JUMP(LT, 3, 0),
	};
	/* 0, 2, 0, 2, 0, 2, 3: the op after each boundary */
	static const __u32 next[] = { 2, 0, 2, 0, 2, 3 };
	__u32 k;

	(void)state;
	fx.fe.boundary_all = SC_BOUNDARY_SUSPEND;
	RUN(ops, conds, 0, 0);
	for (k = 0; k < ARRAY_SIZE(next); k++) {
		snprintf(ctx, sizeof(ctx), "suspension %u", k);
		expect_susp(k + 1, next[k], BOUNDARY_RESTART);
		resume(0);
	}
	ctx[0] = 0;
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 7, NO, NO);
	expect_res(0, 1, 3);
	expect_res(1, 0, 0);
	expect_res(2, 3, 3);
	expect_res(3, 4, 1);
	assert_int_equal(n_calls, 7);
	assert_int_equal(fx.fe.boundary_calls, 6);

	for (k = 0; k < ARRAY_SIZE(next); k++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "deny at boundary %u", k);
		fx.fe.boundary_answer[k] = SC_BOUNDARY_DENY;
		RUN(ops, conds, 0, 0);
		expect_rep(SYSCHAIN_STATUS_DENIED, k + 1, next[k], NO);
		expect_count("op calls", n_calls, k + 1);
	}
}

/* boundary() is asked in an endless loop too: it can leave it, and the
 * resumed loop runs into the budget. */
static void test_boundary_in_loop(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) },
		{ .nr = NR_COUNT, CONDS(0, 1) },
		{ RET(3) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ALWAYS, 0, 1),
	};

	(void)state;
	fx.fe.boundary_answer[4] = SC_BOUNDARY_SUSPEND;	/* after op 5 */
	RUN(ops, conds, 0, 20);
	expect_susp(5, 1, BOUNDARY_RESTART);
	expect_res(0, 1, 1);
	expect_res(1, 4, 4);
	expect_res(2, 0, 0);

	resume(0);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 20, 1, NO);
	expect_res(0, 1, 1);
	expect_res(1, 19, 19);
	expect_res(2, 0, 0);
	assert_int_equal(n_calls, 20);
	assert_int_equal(fx.fe.boundary_calls, 20);

	reset(NULL);
	fx.fe.boundary_answer[4] = SC_BOUNDARY_DENY;
	RUN(ops, conds, 0, 20);
	expect_rep(SYSCHAIN_STATUS_DENIED, 5, 1, NO);
	expect_res(1, 4, 4);
	assert_int_equal(n_calls, 5);
}

static void test_boundary_null(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) },
	};
	static const struct syschain_op loop_ops[] = {
		{ RET(1) }, { RET(2), CONDS(0, 1) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ALWAYS, 0, 0),
	};

	(void)state;
	fx.env.boundary = NULL;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 2, NO, NO);
	expect_res(1, 2, 1);

	reset(NULL);
	fx.env.boundary = NULL;
	RUN(loop_ops, conds, 0, 9);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 9, 1, NO);
	expect_res(0, 1, 5);
	expect_res(1, 2, 4);
}

/* trace() sees every finished op: index, number, resolved arguments and
 * result; it is optional. */
static void test_trace(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(10) }, { RETREF(0, 5) }, { .nr = NR_FAIL },
	};

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	assert_int_equal(n_traces, 3);
	assert_int_equal(trace_log[0].idx, 0);
	assert_int_equal(trace_log[0].nr, NR_RET);
	assert_int_equal(trace_log[0].args[0], 10);
	assert_int_equal(trace_log[0].ret, 10);
	assert_int_equal(trace_log[1].idx, 1);
	assert_int_equal(trace_log[1].nr, NR_RET);
	assert_int_equal(trace_log[1].args[0], 15);
	assert_int_equal(trace_log[1].ret, 15);
	assert_int_equal(trace_log[2].idx, 2);
	assert_int_equal(trace_log[2].nr, NR_FAIL);
	assert_int_equal(trace_log[2].ret, -ENOENT);

	reset(NULL);
	fx.env.trace = NULL;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	expect_res(1, 15, 1);
	assert_int_equal(n_traces, 0);
}

/* ------------------------------------------------------------------ */
/* Resume                                                               */
/* ------------------------------------------------------------------ */

/*
 * A resumed run starts at start with start_steps made, on the results as
 * they are: earlier ops do not run again, references read their carried
 * results, counts go on from theirs.
 */
static void test_resume_keeps_results(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(10) },
		{ RET(20) },
		{ .nr = NR_ADD2, .ref_mask = 3, .arg_ref = { 0, 1 } },
		{ RETREF(2, 1) },
	};
	struct sc_chain c;

	(void)state;
	make_chain(&c, ops, 4, NULL, 0, 0, 1000);
	fx.chain = c;
	memset(fx.res, GARBAGE, sizeof(fx.res));
	fx.res[0] = (struct syschain_result){ 100, 1 };
	fx.res[1] = (struct syschain_result){ 200, 3 };
	fx.res[2] = (struct syschain_result){ 0, 0 };
	fx.res[3] = (struct syschain_result){ 7, 2 };
	resume_at(2, 4, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 6, NO, NO);
	expect_res(0, 100, 1);
	expect_res(1, 200, 3);
	expect_res(2, 300, 1);
	expect_res(3, 301, 3);
	assert_int_equal(n_calls, 2);
	assert_int_equal(call_log[0].nr, NR_ADD2);
	assert_int_equal(call_log[0].args[0], 100);
	assert_int_equal(call_log[0].args[1], 200);
	expect_call(1, NR_RET, 301);
	assert_int_equal(fx.fe.boundary_calls, 1);

	/* A reference to an op whose carried count is 0 is unresolved. */
	reset(NULL);
	fx.chain = c;
	memset(fx.res, GARBAGE, sizeof(fx.res));
	fx.res[0] = (struct syschain_result){ 100, 0 };
	fx.res[1] = (struct syschain_result){ 200, 1 };
	fx.res[2] = (struct syschain_result){ 0, 0 };
	fx.res[3] = (struct syschain_result){ 0, 0 };
	resume_at(2, 4, 0);
	expect_rep(SYSCHAIN_STATUS_UNRESOLVED, 4, 2, NO);
	expect_res(0, 100, 0);
	expect_res(1, 200, 1);
	expect_res(2, 0, 0);
	assert_int_equal(n_calls, 0);
}

/* Without RESUME, start and start_steps are ignored: a fresh run. */
static void test_resume_fields_ignored_when_fresh(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) },
	};
	struct sc_chain c;

	(void)state;
	make_chain(&c, ops, 3, NULL, 0, 0, 1000);
	c.start = 2;
	c.start_steps = 5;
	memset(fx.res, GARBAGE, sizeof(fx.res));
	run_chain(&c);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	expect_res(0, 1, 1);
	expect_res(1, 2, 1);
	expect_res(2, 3, 1);
	assert_int_equal(n_calls, 3);
}

/*
 * RESUME_EINTR: the interrupted op completes with -EINTR (count + 1, one
 * step) without being called, and its conditions, then STOP_ON_ERROR,
 * decide what runs next. No boundary before the op that follows.
 */
static void test_resume_eintr(void **state)
{
	static const struct {
		const char *name;
		__u16 op_flags;
		__u32 nr_conds;
		struct syschain_cond conds[1];
		__u32 flags;
		/* after the resumed run */
		__u32 status;
		__u64 steps;
		__u32 stop_op, stop_cond;
		__s64 ret1;
		__u64 count1, count2, count3;
		unsigned int calls;	/* in the resumed run */
	} cases[] = {
		{ "no condition", 0, 0, { }, 0,
		  SYSCHAIN_STATUS_COMPLETED, 4, NO, NO, -EINTR, 1, 1, 1, 2 },
		{ "jump on -EINTR", 0, 1, { C_JUMP(EQ, -EINTR, 3) }, 0,
		  SYSCHAIN_STATUS_COMPLETED, 3, NO, NO, -EINTR, 1, 0, 1, 1 },
		{ "stop on -EINTR", 0, 1, { C_STOP(EQ, -EINTR) }, 0,
		  SYSCHAIN_STATUS_STOPPED, 2, 1, 0, -EINTR, 1, 0, 0, 0 },
		{ "condition does not hold", 0, 1, { C_STOP(NE, -EINTR) }, 0,
		  SYSCHAIN_STATUS_COMPLETED, 4, NO, NO, -EINTR, 1, 1, 1, 2 },
		{ "jump to itself", 0, 1, { C_JUMP(EQ, -EINTR, 1) }, 0,
		  SYSCHAIN_STATUS_COMPLETED, 5, NO, NO, 2, 2, 1, 1, 3 },
		{ "STOP_ON_ERROR", 0, 0, { }, SYSCHAIN_RUN_STOP_ON_ERROR,
		  SYSCHAIN_STATUS_FAILED, 2, 1, NO, -EINTR, 1, 0, 0, 0 },
		{ "STOP_ON_ERROR, IGNORE_ERROR", SYSCHAIN_OP_IGNORE_ERROR, 0,
		  { }, SYSCHAIN_RUN_STOP_ON_ERROR,
		  SYSCHAIN_STATUS_COMPLETED, 4, NO, NO, -EINTR, 1, 1, 1, 2 },
		{ "STOP_ON_ERROR, condition first", 0, 1,
		  { C_JUMP(LT, 0, 3) }, SYSCHAIN_RUN_STOP_ON_ERROR,
		  SYSCHAIN_STATUS_COMPLETED, 3, NO, NO, -EINTR, 1, 0, 1, 1 },
		{ "condition's reference unresolved", 0, 1,
		  { C_STOP_REF(EQ, 2, 0) }, 0,
		  SYSCHAIN_STATUS_UNRESOLVED, 2, 1, 0, -EINTR, 1, 0, 0, 0 },
		/* rhs: op 0's 1, plus -EINTR - 1 */
		{ "condition's reference", 0, 1,
		  { C_STOP_REF(EQ, 0, -EINTR - 1) }, 0,
		  SYSCHAIN_STATUS_STOPPED, 2, 1, 0, -EINTR, 1, 0, 0, 0 },
	};
	size_t i;
	unsigned int k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct syschain_op ops[] = {
			{ RET(1) },
			{ RET(2), .flags = cases[i].op_flags,
			  CONDS(0, cases[i].nr_conds) },
			{ RET(3) },
			{ RET(4) },
		};
		unsigned int calls;

		reset(NULL);
		snprintf(ctx, sizeof(ctx), "%s", cases[i].name);
		call_inject[1] = -K_ERESTARTSYS;
		do_run(ops, 4, cases[i].conds, cases[i].nr_conds,
		       cases[i].flags, 0);
		expect_susp(1, 1, -K_ERESTARTSYS);
		calls = n_calls;
		assert_int_equal(fx.fe.boundary_calls, 1);

		resume(RESUME_EINTR);
		expect_rep(cases[i].status, cases[i].steps, cases[i].stop_op,
			   cases[i].stop_cond);
		expect_res(0, 1, 1);
		expect_res(1, cases[i].ret1, cases[i].count1);
		expect_res(2, cases[i].count2 ? 3 : 0, cases[i].count2);
		expect_res(3, cases[i].count3 ? 4 : 0, cases[i].count3);
		expect_count("op calls", n_calls - calls, cases[i].calls);
		/* op 1 itself only runs when it jumps to itself */
		for (k = calls; k < n_calls; k++)
			if (call_log[k].args[0] == 2 && cases[i].count1 == 1)
				fail_msg("%s: op 1 called", cases[i].name);
		/* between the ops the resumed run called, not before them */
		expect_count("boundary calls", fx.fe.boundary_calls - 1,
			     cases[i].calls ? cases[i].calls - 1 : 0);
	}
}

/* RESUME_EINTR at the last op: the chain completes without an op call. */
static void test_resume_eintr_last_op(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) },
	};

	(void)state;
	call_inject[1] = -K_ERESTARTNOHAND;
	RUN_NC(ops, 0, 0);
	expect_susp(1, 1, -K_ERESTARTNOHAND);
	resume(RESUME_EINTR);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 2, NO, NO);
	expect_res(0, 1, 1);
	expect_res(1, -EINTR, 1);
	assert_int_equal(n_calls, 2);
	assert_int_equal(fx.fe.boundary_calls, 1);
}

/* The -EINTR completion is an op execution: the budget is checked first. */
static void test_resume_eintr_budget(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) },
	};
	struct sc_chain c;
	__u64 steps;

	(void)state;
	make_chain(&c, ops, 3, NULL, 0, 0, 3);
	for (steps = 1; steps <= 4; steps++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "%llu steps made of 3",
			 (unsigned long long)steps);
		fx.chain = c;
		memset(fx.res, GARBAGE, sizeof(fx.res));
		fx.res[0] = (struct syschain_result){ 1, 1 };
		fx.res[1] = (struct syschain_result){ 0, 0 };
		fx.res[2] = (struct syschain_result){ 0, 0 };
		resume_at(1, steps, RESUME_EINTR);
		if (steps >= 3) {
			expect_rep(SYSCHAIN_STATUS_BUDGET, steps, 1, NO);
			expect_res(1, 0, 0);
		} else if (steps == 2) {
			expect_rep(SYSCHAIN_STATUS_BUDGET, 3, 2, NO);
			expect_res(1, -EINTR, 1);
		} else {
			expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
			expect_res(1, -EINTR, 1);
		}
		expect_res(0, 1, 1);
		expect_res(2, steps == 1 ? 3 : 0, steps == 1);
		expect_count("op calls", n_calls, steps == 1);
	}
}

/*
 * The budget holds over a chain's runs: start_steps counts, an op that did
 * not finish takes no step, a resumed run with none left runs nothing.
 */
static void test_resume_budget(void **state)
{
	static const struct syschain_op loop_ops[] = {
		{ .nr = NR_COUNT },
		{ RET(7), CONDS(0, 1) },
	};
	static const struct syschain_cond loop_conds[] = {
		C_JUMP(ALWAYS, 0, 0),
	};
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) },
	};
	unsigned int runs = 1;

	(void)state;
	/* Left at every boundary: one op per run, then none. */
	fx.fe.boundary_all = SC_BOUNDARY_SUSPEND;
	RUN(loop_ops, loop_conds, 0, 10);
	while (fx.rep.status == SYSCHAIN_STATUS_INTERRUPTED) {
		snprintf(ctx, sizeof(ctx), "run %u", runs);
		expect_susp(runs, runs % 2, BOUNDARY_RESTART);
		expect_count("op calls", n_calls, runs);
		resume(0);
		if (++runs > 20)
			fail_msg("runaway resumes");
	}
	ctx[0] = 0;
	assert_int_equal(runs, 11);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 10, 0, NO);
	expect_res(0, 5, 5);
	expect_res(1, 7, 5);
	assert_int_equal(n_calls, 10);

	/* Op 1 interrupted twice: the chain still fits a budget of 3. */
	reset(NULL);
	call_inject[1] = -K_ERESTARTSYS;
	call_inject[2] = -K_ERESTART_RESTARTBLOCK;
	RUN_NC(ops, 0, 3);
	expect_susp(1, 1, -K_ERESTARTSYS);
	resume(0);
	expect_susp(1, 1, -K_ERESTART_RESTARTBLOCK);
	resume(0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	expect_res(2, 3, 1);
	assert_int_equal(n_calls, 5);

	/* Resumed with the budget spent (or more): nothing runs. */
	reset(NULL);
	RUN_NC(ops, 0, 3);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	fx.res[1] = (struct syschain_result){ 0, 0 };
	fx.res[2] = (struct syschain_result){ 0, 0 };
	resume_at(1, 3, 0);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 3, 1, NO);
	resume_at(1, 7, 0);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 7, 1, NO);
	expect_res(0, 1, 1);
	expect_res(1, 0, 0);
	expect_res(2, 0, 0);
	assert_int_equal(n_calls, 3);
	/* One step left: op 1 runs, op 2 is out of budget. */
	resume_at(1, 2, 0);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 3, 2, NO);
	expect_res(1, 2, 1);
	expect_res(2, 0, 0);
	assert_int_equal(n_calls, 4);
}

/*
 * The key property of resuming: a chain left at any of its boundaries, any
 * number of them, or at any op a signal interrupts, and resumed each time,
 * ends exactly as the same chain run without interruption: same status,
 * steps, stop op and condition, same results, the same ops called in the
 * same order with the same arguments (an interrupted call is followed by
 * the same call again), every boundary asked once. No op runs twice, none
 * is skipped. And denied at any boundary, the chain ends with what the
 * uninterrupted run had done up to it.
 */

static const struct syschain_op p_refs_ops[] = {
	{ RET(10) },
	{ RETREF(0, 5) },
	{ .nr = NR_ADD2, .ref_mask = 3, .arg_ref = { 0, 1 } },
	{ RETREF(2, -1) },
};
static const struct syschain_op p_loop_ops[] = {
	{ RET(3) },
	{ RET(50) },
	{ .nr = NR_COUNT, CONDS(0, 1) },
	{ RETREF(2, 10) },
};
static const struct syschain_cond p_loop_conds[] = {
	C_JUMP_REF(LT, 0, 0, 1),
};
static const struct syschain_op p_budget_ops[] = {
	{ .nr = NR_COUNT },
	{ RETREF(0, 7), CONDS(0, 1) },
};
static const struct syschain_cond p_budget_conds[] = {
	C_JUMP(ALWAYS, 0, 0),
};
static const struct syschain_op p_straight_ops[] = {
	{ RET(1) }, { RET(2) }, { RET(3) },
};
static const struct syschain_op p_error_ops[] = {
	{ RET(1) },
	{ .nr = NR_COUNT, CONDS(0, 1) },
	{ .nr = NR_FAIL },
	{ RET(4) },
};
static const struct syschain_cond p_error_conds[] = {
	C_JUMP(LT, 3, 0),
};
static const struct syschain_op p_stop_ops[] = {
	{ .nr = NR_COUNT, CONDS(0, 1) },
	{ RETREF(0, 0), CONDS(1, 1) },
};
static const struct syschain_cond p_stop_conds[] = {
	C_STOP(EQ, 4),
	C_JUMP(ALWAYS, 0, 0),
};
static const struct syschain_op p_unres_ops[] = {
	{ RET(1), CONDS(0, 1) },
	{ RET(5) },
	{ RETREF(1, 1) },
	{ RET(9) },
};
static const struct syschain_cond p_unres_conds[] = {
	C_JUMP(ALWAYS, 0, 2),
};
static const struct syschain_op p_eintr_ops[] = {
	{ RET(-EINTR), CONDS(0, 1) },
	{ RET(1) },
	{ .nr = NR_COUNT, CONDS(1, 1) },
	{ RET(-EINTR), .flags = SYSCHAIN_OP_IGNORE_ERROR },
};
static const struct syschain_cond p_eintr_conds[] = {
	C_JUMP(EQ, -EINTR, 2),
	C_JUMP(LT, 3, 0),
};
static const struct syschain_op p_skip_ops[] = {
	{ .nr = NR_COUNT, CONDS(0, 2) },
	{ RET(40) },
	{ .nr = NR_ADD2, .ref_mask = 3, .arg_ref = { 0, 1 }, CONDS(2, 1) },
};
static const struct syschain_cond p_skip_conds[] = {
	C_JUMP(EQ, 1, 1),
	C_JUMP(ALWAYS, 0, 2),
	C_JUMP(EQ, 41, 0),
};
static const struct syschain_op p_end_ops[] = {
	{ RET(1), CONDS(0, 1) },
	{ RET(2) },
	{ RET(3), CONDS(1, 1) },
	{ RET(4) },
};
static const struct syschain_cond p_end_conds[] = {
	C_JUMP(EQ, 1, 2),
	C_JUMP(EQ, 3, 4),
};
static const struct syschain_op p_cunres_ops[] = {
	{ RET(1), CONDS(0, 2) },
	{ RET(2) },
};
static const struct syschain_cond p_cunres_conds[] = {
	C_STOP(EQ, 7),
	C_STOP_REF(EQ, 1, 0),
};
static const struct syschain_op p_rhs_ops[] = {
	{ RET(5), CONDS(0, 1) },
	{ .nr = NR_COUNT, CONDS(1, 2) },
};
static const struct syschain_cond p_rhs_conds[] = {
	C_JUMP_REF(EQ, 0, 0, 1),
	C_JUMP_REF(ULT, 0, -2, 1),
	C_STOP_REF(EQ, 1, 0),
};

static const struct pchain {
	const char *name;
	const struct syschain_op *ops;
	__u32 nr_ops;
	const struct syschain_cond *conds;
	__u32 nr_conds;
	__u32 flags;
	__u64 max_steps;
	/* how the uninterrupted run ends, to be sure of what is covered */
	__u32 status;
	__u64 steps;
} pchains[] = {
#define PCHAIN(n, o, c, f, m, s, st) \
	{ n, o, ARRAY_SIZE(o), c, ARRAY_SIZE(c), f, m, s, st }
#define PCHAIN_NC(n, o, f, m, s, st) \
	{ n, o, ARRAY_SIZE(o), NULL, 0, f, m, s, st }
	PCHAIN_NC("references", p_refs_ops, 0, 0,
		  SYSCHAIN_STATUS_COMPLETED, 4),
	PCHAIN("loop bounded by a reference", p_loop_ops, p_loop_conds, 0, 0,
	       SYSCHAIN_STATUS_COMPLETED, 8),
	PCHAIN("loop into the budget", p_budget_ops, p_budget_conds, 0, 9,
	       SYSCHAIN_STATUS_BUDGET, 9),
	PCHAIN_NC("straight into the budget", p_straight_ops, 0, 2,
		  SYSCHAIN_STATUS_BUDGET, 2),
	PCHAIN("stop on error after a loop", p_error_ops, p_error_conds,
	       SYSCHAIN_RUN_STOP_ON_ERROR, 0, SYSCHAIN_STATUS_FAILED, 7),
	PCHAIN("stop condition in a loop", p_stop_ops, p_stop_conds, 0, 0,
	       SYSCHAIN_STATUS_STOPPED, 7),
	PCHAIN("argument unresolved after a jump", p_unres_ops,
	       p_unres_conds, 0, 0, SYSCHAIN_STATUS_UNRESOLVED, 1),
	PCHAIN("-EINTR results", p_eintr_ops, p_eintr_conds,
	       SYSCHAIN_RUN_STOP_ON_ERROR, 0, SYSCHAIN_STATUS_COMPLETED, 7),
	PCHAIN("skip and rejoin", p_skip_ops, p_skip_conds, 0, 0,
	       SYSCHAIN_STATUS_COMPLETED, 5),
	PCHAIN("jumps to the end", p_end_ops, p_end_conds, 0, 0,
	       SYSCHAIN_STATUS_COMPLETED, 2),
	PCHAIN("condition unresolved", p_cunres_ops, p_cunres_conds, 0, 0,
	       SYSCHAIN_STATUS_UNRESOLVED, 1),
	PCHAIN("condition references", p_rhs_ops, p_rhs_conds, 0, 0,
	       SYSCHAIN_STATUS_STOPPED, 4),
#undef PCHAIN
#undef PCHAIN_NC
};

#define PLAIN_MAX 64

/* The uninterrupted run of a pchain. */
static struct {
	struct sc_report rep;
	struct syschain_result res[MAXOPS];
	struct call calls[PLAIN_MAX];
	unsigned int n_calls;
	struct trace traces[PLAIN_MAX];
	unsigned int n_traces;
	unsigned int boundaries;
	struct bsnap bsnap[PLAIN_MAX];
	__u64 counter;
} plain;

static void pchain_run(const struct pchain *p)
{
	do_run(p->ops, p->nr_ops, p->conds, p->nr_conds, p->flags,
	       p->max_steps);
}

static void plain_run(const struct pchain *p)
{
	unsigned int k, ended_before_op;

	reset(NULL);
	snprintf(ctx, sizeof(ctx), "%s, uninterrupted", p->name);
	pchain_run(p);
	expect_count("status", fx.rep.status, p->status);
	expect_count("steps", fx.rep.steps, p->steps);
	assert_true(n_calls < PLAIN_MAX);
	/* every op called finished, and was traced once */
	expect_count("op calls", n_calls, fx.rep.steps);
	expect_count("traces", n_traces, fx.rep.steps);
	/* a boundary after every op but one that ended the chain */
	ended_before_op = p->status == SYSCHAIN_STATUS_BUDGET ||
			  (p->status == SYSCHAIN_STATUS_UNRESOLVED &&
			   fx.rep.stop_cond == NO);
	expect_count("boundary calls", fx.fe.boundary_calls,
		     n_traces - !ended_before_op);
	for (k = 0; k < fx.fe.boundary_calls; k++) {
		expect_count("boundary op calls", fx.fe.bsnap[k].calls, k + 1);
		expect_count("boundary traces", fx.fe.bsnap[k].traces, k + 1);
		expect_count("boundary counts", fx.fe.bsnap[k].counts, k + 1);
	}

	plain.rep = fx.rep;
	memcpy(plain.res, fx.res, sizeof(plain.res));
	memcpy(plain.calls, call_log, sizeof(plain.calls));
	plain.n_calls = n_calls;
	memcpy(plain.traces, trace_log, sizeof(plain.traces));
	plain.n_traces = n_traces;
	plain.boundaries = fx.fe.boundary_calls;
	memcpy(plain.bsnap, fx.fe.bsnap, sizeof(plain.bsnap));
	plain.counter = counter;
}

static int injected(unsigned int call)
{
	return call < ARRAY_SIZE(call_inject) && call_inject[call];
}

/* The op the plain run ran after @steps ops, or stopped before. */
static __u32 plain_next(__u64 steps)
{
	assert_true(steps <= plain.n_traces);
	return steps < plain.n_traces ? plain.traces[steps].idx :
					plain.rep.stop_op;
}

/*
 * Run the pchain fresh, with the injections and boundary answers set, and
 * resume it each time it is left; check each stop against the plain run.
 * Return the runs made.
 */
static unsigned int pchain_run_resuming(const struct pchain *p)
{
	unsigned int runs = 1, calls = n_calls, bcalls = fx.fe.boundary_calls;

	pchain_run(p);
	while (fx.rep.status == SYSCHAIN_STATUS_INTERRUPTED) {
		/* left before the op the plain run ran next */
		expect_count("steps, traced", fx.rep.steps, n_traces);
		expect_count("stop_op", fx.rep.stop_op,
			     plain_next(fx.rep.steps));
		if (n_calls > calls && injected(n_calls - 1)) {
			/* by the op's restart code */
			expect_count("restart",
				     (__u64)(__s64)fx.rep.restart,
				     (__u64)call_inject[n_calls - 1]);
		} else {
			/* at a boundary this run asked, the last */
			assert_true(fx.fe.boundary_calls > bcalls);
			expect_count("restart", (__u64)(__s64)fx.rep.restart,
				     (__u64)BOUNDARY_RESTART);
		}
		calls = n_calls;
		bcalls = fx.fe.boundary_calls;
		resume(0);
		if (++runs > 1000)
			fail_msg("runaway resumes in %s", ctx);
	}
	return runs;
}

/* The calls made, less the injected ones, are the plain run's; an
 * injected call is followed by the same call. */
static void expect_plain_calls(unsigned int n_plain)
{
	unsigned int i, j = 0;
	char what[48];

	for (i = 0; i < n_calls; i++) {
		if (injected(i)) {
			assert_true(i + 1 < n_calls);
			snprintf(what, sizeof(what), "call %u again", i);
			expect_count(what, call_log[i + 1].nr, call_log[i].nr);
			assert_memory_equal(call_log[i + 1].args,
					    call_log[i].args,
					    sizeof(call_log[i].args));
			continue;
		}
		assert_true(j < n_plain);
		snprintf(what, sizeof(what), "call %u nr", i);
		expect_count(what, call_log[i].nr, plain.calls[j].nr);
		assert_memory_equal(call_log[i].args, plain.calls[j].args,
				    sizeof(call_log[i].args));
		j++;
	}
	expect_count("plain calls made", j, n_plain);
}

/* The traces are the plain run's first @n. */
static void expect_plain_traces(unsigned int n)
{
	unsigned int t;
	char what[48];

	expect_count("traces", n_traces, n);
	for (t = 0; t < n; t++) {
		snprintf(what, sizeof(what), "trace %u idx", t);
		expect_count(what, trace_log[t].idx, plain.traces[t].idx);
		snprintf(what, sizeof(what), "trace %u nr", t);
		expect_count(what, trace_log[t].nr, plain.traces[t].nr);
		snprintf(what, sizeof(what), "trace %u ret", t);
		expect_count(what, (__u64)trace_log[t].ret,
			     (__u64)plain.traces[t].ret);
		assert_memory_equal(trace_log[t].args, plain.traces[t].args,
				    sizeof(trace_log[t].args));
	}
}

/* The chain ended as the plain run did. */
static void expect_plain_end(const struct pchain *p)
{
	__u32 i;

	expect_rep(plain.rep.status, plain.rep.steps, plain.rep.stop_op,
		   plain.rep.stop_cond);
	for (i = 0; i < p->nr_ops; i++)
		expect_res(i, plain.res[i].ret, plain.res[i].count);
	expect_plain_traces(plain.n_traces);
	expect_plain_calls(plain.n_calls);
	expect_count("boundary calls", fx.fe.boundary_calls, plain.boundaries);
	expect_count("counter", counter, plain.counter);
}

static void test_resume_same_as_uninterrupted(void **state)
{
	size_t ci, r;
	unsigned int k, c;

	(void)state;
	for (ci = 0; ci < ARRAY_SIZE(pchains); ci++) {
		const struct pchain *p = &pchains[ci];

		plain_run(p);

		/* left at one boundary */
		for (k = 0; k < plain.boundaries; k++) {
			reset(NULL);
			snprintf(ctx, sizeof(ctx), "%s, left at boundary %u",
				 p->name, k);
			fx.fe.boundary_answer[k] = SC_BOUNDARY_SUSPEND;
			expect_count("runs", pchain_run_resuming(p), 2);
			expect_plain_end(p);
		}

		/* left at every boundary */
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "%s, left at every boundary",
			 p->name);
		fx.fe.boundary_all = SC_BOUNDARY_SUSPEND;
		expect_count("runs", pchain_run_resuming(p),
			     plain.boundaries + 1);
		expect_count("suspensions", fx.fe.suspends, plain.boundaries);
		expect_plain_end(p);

		/* one op call interrupted, by each restart code */
		for (r = 0; r < ARRAY_SIZE(restart_codes); r++) {
			for (c = 0; c < plain.n_calls; c++) {
				reset(NULL);
				snprintf(ctx, sizeof(ctx),
					 "%s, call %u returns %lld", p->name,
					 c, (long long)restart_codes[r]);
				call_inject[c] = restart_codes[r];
				expect_count("runs", pchain_run_resuming(p), 2);
				expect_plain_end(p);
			}
		}

		/* every op interrupted once, and left at every boundary */
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "%s, every op interrupted once",
			 p->name);
		for (c = 0; c < plain.n_calls; c++)
			call_inject[2 * c] =
				restart_codes[c % ARRAY_SIZE(restart_codes)];
		fx.fe.boundary_all = SC_BOUNDARY_SUSPEND;
		expect_count("runs", pchain_run_resuming(p),
			     1 + plain.boundaries + plain.n_calls);
		expect_plain_end(p);

		/* left at every boundary up to one, denied there */
		for (k = 0; k < plain.boundaries; k++) {
			struct syschain_result want[MAXOPS];
			unsigned int steps = plain.bsnap[k].traces, t, j;

			reset(NULL);
			snprintf(ctx, sizeof(ctx),
				 "%s, resumed and denied at boundary %u",
				 p->name, k);
			for (j = 0; j < k; j++)
				fx.fe.boundary_answer[j] = SC_BOUNDARY_SUSPEND;
			fx.fe.boundary_answer[k] = SC_BOUNDARY_DENY;
			expect_count("runs", pchain_run_resuming(p), k + 1);
			expect_rep(SYSCHAIN_STATUS_DENIED, steps,
				   plain_next(steps), NO);
			memset(want, 0, sizeof(want));
			for (t = 0; t < steps; t++) {
				want[plain.traces[t].idx].ret =
					plain.traces[t].ret;
				want[plain.traces[t].idx].count++;
			}
			for (j = 0; j < p->nr_ops; j++)
				expect_res(j, want[j].ret, want[j].count);
			expect_plain_traces(steps);
			expect_plain_calls(steps);
			expect_count("boundary calls", fx.fe.boundary_calls,
				     k + 1);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Results and steps                                                    */
/* ------------------------------------------------------------------ */

/* do_run() fills results with garbage; ops that never ran read as zero,
 * and a second run does not accumulate counts. */
static void test_results_zeroed(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(0), CONDS(0, 1) },
		{ RET(2) },
		{ RET(0) },
		{ RET(4) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(EQ, 0, 2),
	};
	int run;

	(void)state;
	for (run = 0; run < 2; run++) {
		RUN(ops, conds, 0, 0);
		expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
		expect_res(0, 0, 1);	/* a real 0: count 1 */
		expect_res(1, 0, 0);	/* never ran */
		expect_res(2, 0, 1);
		expect_res(3, 4, 1);
	}
	/* Same results array, not refilled with garbage: still no sum. */
	{
		struct sc_chain c;

		make_chain(&c, ops, 4, conds, 1, 0, 1000);
		sc_run(&c, &fx.env, &fx.rep);
		expect_res(0, 0, 1);
		expect_res(3, 4, 1);
		assert_int_equal(fx.rep.steps, 3);
	}
}

/* A fresh run zeroes the results even when no op finishes: op 0
 * interrupted, or no budget at all. */
static void test_results_zeroed_when_stopped_at_once(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) },
	};
	struct sc_chain c;

	(void)state;
	call_inject[0] = -K_ERESTARTSYS;
	RUN_NC(ops, 0, 0);
	expect_susp(0, 0, -K_ERESTARTSYS);
	expect_res(0, 0, 0);
	expect_res(1, 0, 0);
	expect_res(2, 0, 0);
	assert_int_equal(n_traces, 0);
	assert_int_equal(fx.fe.boundary_calls, 0);

	reset(NULL);
	make_chain(&c, ops, 3, NULL, 0, 0, 0);
	memset(fx.res, GARBAGE, sizeof(fx.res));
	run_chain(&c);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 0, 0, NO);
	expect_res(0, 0, 0);
	expect_res(1, 0, 0);
	expect_res(2, 0, 0);
	assert_int_equal(n_calls, 0);
}

static void test_single_op(void **state)
{
	static const struct syschain_op ops[] = {
		{ .nr = NR_ZERO },
	};

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 1, NO, NO);
	expect_res(0, 0, 1);
}

/* ------------------------------------------------------------------ */
/* Validation                                                           */
/* ------------------------------------------------------------------ */

struct vcase {
	const char *name;
	__u32 flags;
	__u32 nr_ops, nr_conds;
	struct syschain_op ops[4];
	struct syschain_cond conds[4];
	int err;
	__u32 stop_op, stop_cond;
};

#define GOOD_OPS { { RET(1), CONDS(0, 2) }, { RET(2) } }
#define OK_STOP C_STOP(EQ, 1)

/* Chains with one op (nr_ops 1) or two; bad conditions sit at index 1,
 * attached to op 0 through CONDS(0, 2). */
static const struct vcase vcases[] = {
	/* run flags, nr_ops */
	{ "run flag bit 3", 8, 1, 0, { { RET(1) } }, { }, -EINVAL, NO, NO },
	{ "run flag bit 31", 0x80000000u, 1, 0, { { RET(1) } }, { },
	  -EINVAL, NO, NO },
	{ "nr_ops 0", 0, 0, 0, { { RET(1) } }, { }, -EINVAL, NO, NO },
	{ "RESUME, nr_ops 0", RESUME, 0, 0, { { RET(1) } }, { },
	  -EINVAL, NO, NO },
	{ "RESUME_EINTR without RESUME", RESUME_EINTR, 1, 0, { { RET(1) } },
	  { }, -EINVAL, NO, NO },
	{ "RESUME_EINTR | STOP_ON_ERROR", RESUME_EINTR |
	  SYSCHAIN_RUN_STOP_ON_ERROR, 2, 0, { { RET(1) }, { RET(2) } }, { },
	  -EINVAL, NO, NO },

	/* ops */
	{ "unsupported op", 0, 2, 0, { { RET(1) }, { .nr = NR_UNKNOWN } },
	  { }, -EOPNOTSUPP, 1, NO },
	{ "unsupported op nr 0", 0, 2, 0, { { .nr = 0 }, { RET(1) } },
	  { }, -EOPNOTSUPP, 0, NO },
	{ "op flag bit 2", 0, 2, 0, { { RET(1) }, { RET(1), .flags = 4 } },
	  { }, -EINVAL, 1, NO },
	{ "ok: cleanup op last", 0, 2, 0,
	  { { RET(1) }, { RET(2), .flags = SYSCHAIN_OP_CLEANUP } }, { }, 0,
	  NO, NO },
	{ "ok: only cleanup ops", 0, 2, 0,
	  { { RET(1), .flags = SYSCHAIN_OP_CLEANUP },
	    { RET(2), .flags = SYSCHAIN_OP_CLEANUP } }, { }, 0, NO, NO },
	{ "body op after a cleanup op", 0, 2, 0,
	  { { RET(1), .flags = SYSCHAIN_OP_CLEANUP }, { RET(2) } }, { },
	  -EINVAL, 1, NO },
	{ "cleanup op with a condition", 0, 2, 1,
	  { { RET(1) }, { RET(2), .flags = SYSCHAIN_OP_CLEANUP, CONDS(0, 1) } },
	  { OK_STOP }, -EINVAL, 1, NO },
	{ "ok: jump to the end of the body", 0, 2, 1,
	  { { RET(1), CONDS(0, 1) }, { RET(2), .flags = SYSCHAIN_OP_CLEANUP } },
	  { C_JUMP(EQ, 1, 1) }, 0, NO, NO },
	{ "jump into the cleanup ops", 0, 2, 1,
	  { { RET(1), CONDS(0, 1) }, { RET(2), .flags = SYSCHAIN_OP_CLEANUP } },
	  { C_JUMP(EQ, 1, 2) }, -EINVAL, NO, 0 },
	{ "RESUME at a cleanup op (op 0, no body)", RESUME, 2, 0,
	  { { RET(1), .flags = SYSCHAIN_OP_CLEANUP },
	    { RET(2), .flags = SYSCHAIN_OP_CLEANUP } }, { }, -EINVAL, 0, NO },
	{ "op flag bit 15", 0, 2, 0,
	  { { RET(1) }, { RET(1), .flags = 0x8000 } }, { }, -EINVAL, 1, NO },
	{ "ref_mask bit 1 on 1-arg op", 0, 2, 0,
	  { { RET(1) }, { RET(0), .ref_mask = 2 } }, { }, -EINVAL, 1, NO },
	{ "ref_mask bit 0 on 0-arg op", 0, 2, 0,
	  { { RET(1) }, { .nr = NR_ZERO, .ref_mask = 1 } }, { },
	  -EINVAL, 1, NO },
	{ "ref_mask bit 6 on 6-arg op", 0, 2, 0,
	  { { RET(1) }, { .nr = NR_SIX, .ref_mask = 0x40 } }, { },
	  -EINVAL, 1, NO },
	{ "ref_mask bit 15", 0, 2, 0,
	  { { RET(1) }, { .nr = NR_SIX, .ref_mask = 0x8000 } }, { },
	  -EINVAL, 1, NO },
	{ "arg 1 on 1-arg op", 0, 1, 0, { { .nr = NR_RET, .args = { 1, 1 } } },
	  { }, -EINVAL, 0, NO },
	{ "arg 5 on 2-arg op", 0, 2, 0,
	  { { RET(1) }, { .nr = NR_ADD2, .args = { [5] = 1 } } }, { },
	  -EINVAL, 1, NO },
	{ "arg 0 on 0-arg op", 0, 1, 0,
	  { { .nr = NR_ZERO, .args = { UINT64_MAX } } }, { }, -EINVAL, 0, NO },
	{ "arg_ref without ref bit", 0, 3, 0,
	  { { RET(1) }, { RET(2) }, { RET(3), .arg_ref = { 1 } } }, { },
	  -EINVAL, 2, NO },
	{ "arg_ref past nargs without ref bit", 0, 2, 0,
	  { { RET(1) }, { RET(2), .arg_ref = { [3] = 1 } } }, { },
	  -EINVAL, 1, NO },
	{ "ref to self", 0, 2, 0, { { RET(1) }, { RETREF(1, 0) } }, { },
	  -EINVAL, 1, NO },
	{ "op 0 ref to op 0", 0, 1, 0, { { RETREF(0, 0) } }, { },
	  -EINVAL, 0, NO },
	{ "ref to later op", 0, 3, 0,
	  { { RET(1) }, { RETREF(2, 0) }, { RET(3) } }, { }, -EINVAL, 1, NO },
	{ "ref to op 0xffffffff", 0, 2, 0,
	  { { RET(1) }, { RETREF(0xffffffffu, 0) } }, { }, -EINVAL, 1, NO },
	{ "second arg ref to later op", 0, 3, 0,
	  { { RET(1) },
	    { .nr = NR_ADD2, .ref_mask = 3, .arg_ref = { 0, 2 } },
	    { RET(3) } }, { }, -EINVAL, 1, NO },

	/* an op's condition range */
	{ "cond range past end", 0, 1, 2, { { RET(1), CONDS(1, 2) } },
	  { OK_STOP, OK_STOP }, -EINVAL, 0, NO },
	{ "cond_index == nr_conds", 0, 1, 2, { { RET(1), CONDS(2, 1) } },
	  { OK_STOP, OK_STOP }, -EINVAL, 0, NO },
	{ "cond_count > nr_conds", 0, 1, 2, { { RET(1), CONDS(0, 3) } },
	  { OK_STOP, OK_STOP }, -EINVAL, 0, NO },
	{ "cond_count with nr_conds 0", 0, 1, 0, { { RET(1), CONDS(0, 1) } },
	  { }, -EINVAL, 0, NO },
	{ "cond range u32 overflow", 0, 2, 3,
	  { { RET(1) }, { RET(1), CONDS(0xffffffffu, 2) } },
	  { OK_STOP, OK_STOP, OK_STOP }, -EINVAL, 1, NO },
	{ "cond_count 0xffffffff", 0, 1, 3,
	  { { RET(1), CONDS(1, 0xffffffffu) } },
	  { OK_STOP, OK_STOP, OK_STOP }, -EINVAL, 0, NO },
	{ "cond_index without cond_count", 0, 1, 2, { { RET(1), CONDS(1, 0) } },
	  { OK_STOP, OK_STOP }, -EINVAL, 0, NO },
	{ "cond_index without cond_count, no conds", 0, 1, 0,
	  { { RET(1), CONDS(1, 0) } }, { }, -EINVAL, 0, NO },

	/* conditions */
	{ "cmp 0", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = 0, .action = SYSCHAIN_ACT_STOP } },
	  -EINVAL, NO, 1 },
	{ "cmp 12", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = 12, .action = SYSCHAIN_ACT_STOP } },
	  -EINVAL, NO, 1 },
	{ "cmp 255", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = 255, .action = SYSCHAIN_ACT_STOP } },
	  -EINVAL, NO, 1 },
	{ "all-zero cond", 0, 2, 2, GOOD_OPS, { OK_STOP, { 0 } },
	  -EINVAL, NO, 1 },
	{ "action 0", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = 0 } },
	  -EINVAL, NO, 1 },
	{ "action 3", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = 3 } },
	  -EINVAL, NO, 1 },
	{ "action 255", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = 255 } },
	  -EINVAL, NO, 1 },
	{ "STOP with target 1", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = SYSCHAIN_ACT_STOP,
		       .target = 1 } },
	  -EINVAL, NO, 1 },
	{ "JUMP target nr_ops + 1", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_JUMP(EQ, 0, 3) }, -EINVAL, NO, 1 },
	{ "JUMP target 0xffffffff", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_JUMP(EQ, 0, 0xffffffffu) }, -EINVAL, NO, 1 },
	{ "RHS_REF rhs_ref nr_ops", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_STOP_REF(EQ, 2, 0) }, -EINVAL, NO, 1 },
	{ "RHS_REF rhs_ref 0xffffffff", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_STOP_REF(EQ, 0xffffffffu, 0) }, -EINVAL, NO, 1 },
	{ "rhs_ref without RHS_REF", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = SYSCHAIN_ACT_STOP,
		       .rhs_ref = 1 } },
	  -EINVAL, NO, 1 },
	{ "reserved 1", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = SYSCHAIN_ACT_STOP,
		       .__reserved = 1 } },
	  -EINVAL, NO, 1 },
	{ "reserved bit 31", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = SYSCHAIN_ACT_STOP,
		       .__reserved = 0x80000000u } },
	  -EINVAL, NO, 1 },
	{ "cond flag bit 1", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = SYSCHAIN_ACT_STOP,
		       .flags = 2 } },
	  -EINVAL, NO, 1 },
	{ "cond flag bit 15", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = SYSCHAIN_ACT_STOP,
		       .flags = 0x8000 } },
	  -EINVAL, NO, 1 },
	{ "cond flags RHS_REF | bit 1", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_EQ, .action = SYSCHAIN_ACT_STOP,
		       .flags = SYSCHAIN_COND_RHS_REF | 2 } },
	  -EINVAL, NO, 1 },
	{ "ALWAYS with rhs", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_STOP(ALWAYS, 1) }, -EINVAL, NO, 1 },
	{ "ALWAYS with rhs -1", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_JUMP(ALWAYS, -1, 1) }, -EINVAL, NO, 1 },
	{ "ALWAYS with RHS_REF", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_STOP_REF(ALWAYS, 0, 0) }, -EINVAL, NO, 1 },
	{ "ALWAYS with rhs_ref", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, { .cmp = SYSCHAIN_CMP_ALWAYS,
		       .action = SYSCHAIN_ACT_STOP, .rhs_ref = 1 } },
	  -EINVAL, NO, 1 },
	{ "bad cond attached to no op", 0, 2, 3, GOOD_OPS,
	  { OK_STOP, OK_STOP, { .cmp = 0, .action = SYSCHAIN_ACT_STOP } },
	  -EINVAL, NO, 2 },

	/* check() hook */
	{ "check rejects EOPNOTSUPP", 0, 2, 0,
	  { { RET(1) }, { .nr = NR_CHECKED, .args = { 13 } } }, { },
	  -EOPNOTSUPP, 1, NO },
	{ "check rejects EINVAL", 0, 2, 0,
	  { { .nr = NR_CHECKED, .args = { 14 } }, { RET(1) } }, { },
	  -EINVAL, 0, NO },

	/* accepted chains, at the limits */
	{ "ok: one op", 0, 1, 0, { { RET(1) } }, { }, 0, NO, NO },
	{ "ok: all known flags",
	  SYSCHAIN_RUN_STOP_ON_ERROR | RESUME | RESUME_EINTR, 2, 2,
	  { { RET(1), .flags = SYSCHAIN_OP_IGNORE_ERROR, CONDS(0, 2) },
	    { RET(2) } },
	  { C_STOP_REF(EQ, 1, 0), C_JUMP(ALWAYS, 0, 0) }, 0, NO, NO },
	{ "ok: every arg a ref to an earlier op", 0, 3, 0,
	  { { RET(1) }, { RET(2) },
	    { .nr = NR_SIX, .ref_mask = 0x3f, .args = { 1, 2, 3, 4, 5, 6 },
	      .arg_ref = { 0, 1, 0, 1, 1, 0 } } }, { }, 0, NO, NO },
	{ "ok: cond range up to the end", 0, 2, 3,
	  { { RET(1), CONDS(2, 1) }, { RET(2), CONDS(0, 3) } },
	  { OK_STOP, OK_STOP, OK_STOP }, 0, NO, NO },
	{ "ok: cond_index 0, cond_count 0 with conds", 0, 1, 2,
	  { { RET(1) } }, { OK_STOP, OK_STOP }, 0, NO, NO },
	{ "ok: JUMP target nr_ops", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_JUMP(EQ, 0, 2) }, 0, NO, NO },
	{ "ok: RHS_REF to last op (later)", 0, 2, 2, GOOD_OPS,
	  { OK_STOP, C_JUMP_REF(UGE, 1, -1, 1) }, 0, NO, NO },
	{ "ok: every cmp", 0, 2, 4,
	  { { RET(1), CONDS(0, 4) }, { RET(2) } },
	  { C_STOP(ALWAYS, 0), C_STOP(UGE, UINT64_MAX),
	    C_JUMP(LT, INT64_MIN, 2), C_STOP(NE, 0) }, 0, NO, NO },
	{ "ok: check accepts", 0, 1, 0,
	  { { .nr = NR_CHECKED, .args = { 12 } } }, { }, 0, NO, NO },
	{ "ok: RESUME at op 0", RESUME, 2, 0, { { RET(1) }, { RET(2) } },
	  { }, 0, NO, NO },
};

static void test_validate_table(void **state)
{
	size_t i;
	__u32 k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(vcases); i++) {
		const struct vcase *v = &vcases[i];
		int err;

		reset(NULL);
		memset(fx.defs, 0, sizeof(fx.defs));
		err = do_validate(v->ops, v->nr_ops, v->conds, v->nr_conds,
				  v->flags);
		if (err != v->err)
			fail_msg("%s: sc_validate() = %d, want %d", v->name,
				 err, v->err);
		/* Validation never runs an op nor calls a hook but lookup. */
		if (n_calls || fx.fe.boundary_calls || n_traces)
			fail_msg("%s: %u op calls, %u boundary calls, %u traces during validation",
				 v->name, n_calls, fx.fe.boundary_calls,
				 n_traces);
		if (err) {
			if (fx.rep.status != SYSCHAIN_STATUS_INVALID ||
			    fx.rep.stop_op != v->stop_op ||
			    fx.rep.stop_cond != v->stop_cond ||
			    fx.rep.steps != 0)
				fail_msg("%s: report status %u stop_op %#x stop_cond %#x steps %llu, want %u %#x %#x 0",
					 v->name, fx.rep.status,
					 fx.rep.stop_op, fx.rep.stop_cond,
					 (unsigned long long)fx.rep.steps,
					 SYSCHAIN_STATUS_INVALID, v->stop_op,
					 v->stop_cond);
		} else {
			for (k = 0; k < v->nr_ops; k++)
				if (fx.defs[k] != def_of(v->ops[k].nr))
					fail_msg("%s: defs[%u] not filled in",
						 v->name, k);
		}
	}
}

/*
 * With RESUME, the op to go on at must be an op of the chain; it is checked
 * after the run flags and before the ops. Without RESUME it is ignored.
 */
static void test_validate_resume_start(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { .nr = NR_UNKNOWN },
	};
	static const struct {
		__u32 flags, nr_ops, start;
		int err;
		__u32 stop_op;
	} cases[] = {
		{ RESUME, 2, 0, 0, NO },
		{ RESUME, 2, 1, 0, NO },
		{ RESUME | RESUME_EINTR, 2, 1, 0, NO },
		{ RESUME | SYSCHAIN_RUN_STOP_ON_ERROR, 1, 0, 0, NO },
		{ RESUME, 2, 2, -EINVAL, 2 },
		{ RESUME, 1, 1, -EINVAL, 1 },
		{ RESUME, 2, 0xffffffffu, -EINVAL, 0xffffffffu },
		{ RESUME | RESUME_EINTR, 2, 2, -EINVAL, 2 },
		/* the start is checked before the ops */
		{ RESUME, 3, 7, -EINVAL, 7 },
		{ RESUME, 3, 2, -EOPNOTSUPP, 2 },
		{ RESUME, 3, 0, -EOPNOTSUPP, 2 },
		/* the flags before the start */
		{ RESUME_EINTR, 2, 5, -EINVAL, NO },
		{ RESUME | 8, 2, 5, -EINVAL, NO },
		/* no RESUME: start not looked at */
		{ 0, 2, 9, 0, NO },
		{ SYSCHAIN_RUN_STOP_ON_ERROR, 2, 0xffffffffu, 0, NO },
	};
	size_t i;
	int err;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "flags %#x, nr_ops %u, start %#x",
			 cases[i].flags, cases[i].nr_ops, cases[i].start);
		err = do_validate_from(ops, cases[i].nr_ops, NULL, 0,
				       cases[i].flags, cases[i].start);
		expect_count("sc_validate()", (__u64)(__s64)err,
			     (__u64)(__s64)cases[i].err);
		assert_int_equal(n_calls, 0);
		if (!err)
			continue;
		expect_count("status", fx.rep.status, SYSCHAIN_STATUS_INVALID);
		expect_count("stop_op", fx.rep.stop_op, cases[i].stop_op);
		expect_count("stop_cond", fx.rep.stop_cond, NO);
		expect_count("steps", fx.rep.steps, 0);
	}
}

/* The check() hook sees the op as it is in the chain. */
static void test_validate_check_hook(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) },
		{ .nr = NR_CHECKED, .args = { 12 } },
		{ .nr = NR_CHECKED, .args = { 13 } },
		{ RET(1) },
	};

	(void)state;
	assert_int_equal(do_validate(ops, 2, NULL, 0, 0), 0);
	assert_int_equal(check_calls, 1);
	assert_ptr_equal(check_last, &ops[1]);

	reset(NULL);
	assert_int_equal(do_validate(ops, 4, NULL, 0, 0), -EOPNOTSUPP);
	assert_int_equal(check_calls, 2);
	assert_ptr_equal(check_last, &ops[2]);
	assert_int_equal(fx.rep.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(fx.rep.stop_op, 2);
	assert_int_equal(fx.rep.stop_cond, NO);
	assert_int_equal(n_calls, 0);
}

/* A chain that would do everything (loops, errors, restarts) is rejected
 * for its last condition without a single op call. */
static void test_validate_bad_chain_runs_nothing(void **state)
{
	static const struct syschain_op ops[] = {
		{ .nr = NR_COUNT, CONDS(0, 1) },
		{ .nr = NR_RESTART },
		{ .nr = NR_FAIL, CONDS(1, 1) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(ALWAYS, 0, 0),
		C_JUMP(ALWAYS, 0, 4),	/* past nr_ops */
	};

	(void)state;
	assert_int_equal(do_validate(ops, 3, conds, 2,
				     SYSCHAIN_RUN_STOP_ON_ERROR), -EINVAL);
	assert_int_equal(fx.rep.status, SYSCHAIN_STATUS_INVALID);
	assert_int_equal(fx.rep.stop_op, NO);
	assert_int_equal(fx.rep.stop_cond, 1);
	assert_int_equal(n_calls, 0);
	assert_int_equal(counter, 0);
	assert_int_equal(fx.fe.boundary_calls, 0);
	assert_int_equal(n_traces, 0);
}

#define T(f) cmocka_unit_test_setup(f, reset)

/*
 * rep.lo and rep.hi bound the ops whose results a call changed: the ops
 * it ran, from where it started (or the lowest jump target) to the
 * furthest op that ran.
 */
static void test_changed_range(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) }, { RET(4) }, { RET(5) },
	};
	static const struct syschain_op loop[] = {
		{ RET(1) }, { RET(2) }, { RET(3), CONDS(0, 1) }, { RET(4) },
	};
	static const struct syschain_cond back[] = { C_JUMP(ALWAYS, 0, 1) };
	static const struct syschain_op stop[] = {
		{ RET(1) }, { RET(-1), CONDS(0, 1) }, { RET(3) },
	};
	static const struct syschain_cond at1[] = { C_STOP(LT, 0) };

	(void)state;
	do_run(ops, 5, NULL, 0, 0, 0);
	assert_int_equal(fx.rep.lo, 0);
	assert_int_equal(fx.rep.hi, 5);
	resume_at(3, 3, 0);
	assert_int_equal(fx.rep.lo, 3);
	assert_int_equal(fx.rep.hi, 5);

	/* 0 1 2 1, then the budget, before op 2 */
	reset(NULL);
	do_run(loop, 4, back, 1, 0, 4);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 4, 2, NO);
	assert_int_equal(fx.rep.lo, 0);
	assert_int_equal(fx.rep.hi, 3);
	/* resumed at 2: 2 1 2 1, jumping below where it started */
	resume_at(2, 0, 0);
	assert_int_equal(fx.rep.lo, 1);
	assert_int_equal(fx.rep.hi, 3);

	/* a stop: the op that stopped is the last that ran */
	reset(NULL);
	do_run(stop, 3, at1, 1, 0, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 2, 1, 0);
	assert_int_equal(fx.rep.lo, 0);
	assert_int_equal(fx.rep.hi, 2);
}

/* ------------------------------------------------------------------ */
/* Cleanup ops (uapi "Cleanup ops"): they run however the body ends     */

#define CLEAN .flags = SYSCHAIN_OP_CLEANUP

/* completed, failed, stopped: the cleanup runs, the report is the body's */
static void test_cleanup_after_each_ending(void **state)
{
	static const struct syschain_op done[] = {
		{ RET(1) }, { RET(2) }, { RET(3), CLEAN }, { RET(4), CLEAN },
	};
	static const struct syschain_op failed[] = {
		{ .nr = NR_FAIL }, { RET(2) }, { RET(3), CLEAN },
	};
	static const struct syschain_op stopped[] = {
		{ RET(1), CONDS(0, 1) }, { RET(2) }, { RET(3), CLEAN },
	};
	static const struct syschain_cond stop1[] = { C_STOP(EQ, 1) };

	(void)state;
	reset(NULL);
	RUN_NC(done, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
	expect_res(2, 3, 1);
	expect_res(3, 4, 1);

	reset(NULL);
	RUN_NC(failed, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_FAILED, 2, 0, NO);
	expect_res(0, -ENOENT, 1);
	expect_res(1, 0, 0);
	expect_res(2, 3, 1);

	reset(NULL);
	RUN(stopped, stop1, 0, 0);
	expect_rep(SYSCHAIN_STATUS_STOPPED, 2, 0, 0);
	expect_res(1, 0, 0);
	expect_res(2, 3, 1);
}

/* the budget does not limit the cleanup; steps count it */
static void test_cleanup_after_budget(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 1) }, { RET(9), CLEAN },
	};
	static const struct syschain_cond loop[] = { C_JUMP(ALWAYS, 0, 0) };

	(void)state;
	reset(NULL);
	RUN(ops, loop, 0, 5);
	expect_rep(SYSCHAIN_STATUS_BUDGET, 6, 0, NO);
	expect_res(0, 1, 5);
	expect_res(1, 9, 1);
}

/* an unresolved body stops; a cleanup op referencing an op that did not
 * run is skipped, the others run */
static void test_cleanup_unresolved(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CONDS(0, 1) },	/* jumps over op 1 */
		{ RET(2) },
		{ RETREF(1, 0) },		/* unresolved */
		{ RETREF(1, 0), CLEAN },	/* skipped */
		{ RETREF(0, 10), CLEAN },	/* 11 */
	};
	static const struct syschain_cond jump[] = { C_JUMP(EQ, 1, 2) };

	(void)state;
	reset(NULL);
	RUN(ops, jump, 0, 0);
	expect_rep(SYSCHAIN_STATUS_UNRESOLVED, 2, 2, NO);
	expect_res(3, 0, 0);
	expect_res(4, 11, 1);
}

/* a body that leaves at a boundary has not ended: the cleanup runs when,
 * resumed, it ends; one a restart code interrupts returns -EINTR */
static void test_cleanup_after_resume(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { .nr = NR_RESTART, CLEAN },
		{ RET(4), CLEAN },
	};

	(void)state;
	reset(NULL);
	fx.fe.boundary_answer[0] = SC_BOUNDARY_SUSPEND;
	RUN_NC(ops, 0, 0);
	expect_susp(1, 1, -K_ERESTARTNOINTR);
	expect_res(2, 0, 0);
	expect_res(3, 0, 0);
	resume(0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 4, NO, NO);
	expect_res(1, 2, 1);
	expect_res(2, -EINTR, 1);
	expect_res(3, 4, 1);
	/* one look, after op 0: none after the body's last op, none
	 * between cleanup ops */
	expect_count("boundary calls", fx.fe.boundary_calls, 1);
}

/* a chain the administrator stops runs no cleanup */
static void test_cleanup_not_after_deny(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3), CLEAN },
	};

	(void)state;
	reset(NULL);
	fx.fe.boundary_answer[0] = SC_BOUNDARY_DENY;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_DENIED, 1, 1, NO);
	expect_res(2, 0, 0);
}

/* without a body, the cleanup alone runs */
static void test_cleanup_only(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1), CLEAN }, { .nr = NR_FAIL, CLEAN }, { RET(3), CLEAN },
	};

	(void)state;
	reset(NULL);
	RUN_NC(ops, SYSCHAIN_RUN_STOP_ON_ERROR, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	expect_res(1, -ENOENT, 1);
	expect_res(2, 3, 1);
	expect_count("boundary calls", fx.fe.boundary_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ref_addends),
		T(test_ref_wraparound),
		T(test_ref_several_in_one_op),
		T(test_ref_latest_result_in_loop),
		T(test_ref_unresolved_forward_jump),
		T(test_ref_resolved_after_skip),
		T(test_cond_rhs_ref_unresolved),
		T(test_cond_rhs_ref_self_and_other),
		T(test_cond_holds_table),
		T(test_cond_holds_oracle),
		T(test_cond_holds_unknown_cmp),
		T(test_cond_in_chain_table),
		T(test_cond_order),
		T(test_cond_shared),
		T(test_jump_forward_and_end),
		T(test_jump_to_zero),
		T(test_loop_until_condition),
		T(test_budget_single_op_loop),
		T(test_budget_two_op_loop),
		T(test_budget_exact),
		T(test_error_continues_without_flag),
		T(test_stop_on_error),
		T(test_stop_on_error_values),
		T(test_fixed_buf_validation),
		T(test_fixed_buf_range),
		T(test_stop_on_error_ignore_error),
		T(test_stop_on_error_conditions_first),
		T(test_ignore_error_conditions_apply),
		T(test_stop_action),
		T(test_cleanup_after_each_ending),
		T(test_cleanup_after_budget),
		T(test_cleanup_unresolved),
		T(test_cleanup_after_resume),
		T(test_cleanup_not_after_deny),
		T(test_cleanup_only),
		T(test_restart_codes),
		T(test_restart_op),
		T(test_restart_at_each_position),
		T(test_restart_in_loop_counts),
		T(test_not_restart_codes),
		T(test_eintr_is_a_result),
		T(test_boundary_between_ops),
		T(test_boundary_not_at_the_ends),
		T(test_boundary_suspend_at_each),
		T(test_boundary_deny_at_each),
		T(test_boundary_next_op_is_jump_target),
		T(test_boundary_in_loop),
		T(test_boundary_null),
		T(test_trace),
		T(test_resume_keeps_results),
		T(test_changed_range),
		T(test_resume_fields_ignored_when_fresh),
		T(test_resume_eintr),
		T(test_resume_eintr_last_op),
		T(test_resume_eintr_budget),
		T(test_resume_budget),
		T(test_resume_same_as_uninterrupted),
		T(test_results_zeroed),
		T(test_results_zeroed_when_stopped_at_once),
		T(test_single_op),
		T(test_validate_table),
		T(test_validate_resume_start),
		T(test_validate_check_hook),
		T(test_validate_bad_chain_runs_nothing),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
