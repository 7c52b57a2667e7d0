// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Host unit tests of the chain interpreter (module/engine.c).
 *
 * The engine is driven through sc_validate()/sc_run() with a fake op table:
 * no syscall runs. Every op records its resolved arguments in a call log,
 * so the tests see exactly which ops ran, in which order, with what.
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
	NR_UNKNOWN = 999,	/* not in the table */
};

#define LOG_MAX 4096

static struct call {
	__u32 nr;
	__u64 args[SYSCHAIN_MAX_ARGS];
} call_log[LOG_MAX];
static unsigned int n_calls;

static __u64 counter;		/* NR_COUNT's state */
static __u64 counter_restart_at; /* NR_COUNT returns -512 on this run */

static unsigned int check_calls;
/* What iteration of a table test is running, for failure messages. */
static char ctx[160];

static const struct syschain_op *check_last;

/* An engine that loops forever fails the test instead of hanging it. */
#define RUNAWAY_CALLS 100000

static void log_call(__u32 nr, const __u64 *args)
{
	if (n_calls >= RUNAWAY_CALLS)
		fail_msg("runaway chain: %u op calls", n_calls);
	if (n_calls < LOG_MAX) {
		call_log[n_calls].nr = nr;
		memcpy(call_log[n_calls].args, args,
		       sizeof(call_log[n_calls].args));
	}
	n_calls++;
}

static __s64 fn_ret(const __u64 *a)
{
	log_call(NR_RET, a);
	return (__s64)a[0];
}

static __s64 fn_add2(const __u64 *a)
{
	log_call(NR_ADD2, a);
	return (__s64)(a[0] + a[1]);
}

static __s64 fn_fail(const __u64 *a)
{
	log_call(NR_FAIL, a);
	return -ENOENT;
}

static __s64 fn_count(const __u64 *a)
{
	log_call(NR_COUNT, a);
	counter++;
	if (counter_restart_at && counter == counter_restart_at)
		return -K_ERESTARTSYS;
	return (__s64)counter;
}

static __s64 fn_checked(const __u64 *a)
{
	log_call(NR_CHECKED, a);
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

static __s64 fn_restart(const __u64 *a)
{
	log_call(NR_RESTART, a);
	return -K_ERESTARTSYS;
}

static __s64 fn_six(const __u64 *a)
{
	log_call(NR_SIX, a);
	return (__s64)(a[0] + a[1] + a[2] + a[3] + a[4] + a[5]);
}

static __s64 fn_zero(const __u64 *a)
{
	log_call(NR_ZERO, a);
	return 0;
}

static const struct sc_opdef fake_ops[] = {
	{ NR_RET, 1, "ret", fn_ret, NULL },
	{ NR_ADD2, 2, "add2", fn_add2, NULL },
	{ NR_FAIL, 0, "fail", fn_fail, NULL },
	{ NR_COUNT, 0, "count", fn_count, NULL },
	{ NR_CHECKED, 1, "checked", fn_checked, check_checked },
	{ NR_RESTART, 0, "restart", fn_restart, NULL },
	{ NR_SIX, 6, "six", fn_six, NULL },
	{ NR_ZERO, 0, "zero", fn_zero, NULL },
};

struct fake_env {
	unsigned int lookups;
	unsigned int pending_calls;
	unsigned int pending_fire_at;	/* fire on this call (1-based); 0 never */
};

static const struct sc_opdef *fake_lookup(void *priv, __u32 nr)
{
	struct fake_env *fe = priv;
	size_t i;

	fe->lookups++;
	for (i = 0; i < ARRAY_SIZE(fake_ops); i++)
		if (fake_ops[i].nr == nr)
			return &fake_ops[i];
	return NULL;
}

static int fake_pending(void *priv)
{
	struct fake_env *fe = priv;

	fe->pending_calls++;
	return fe->pending_fire_at && fe->pending_calls >= fe->pending_fire_at;
}

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
} fx;

static int reset(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.env.lookup = fake_lookup;
	fx.env.pending = fake_pending;
	fx.env.priv = &fx.fe;
	memset(call_log, 0, sizeof(call_log));
	n_calls = 0;
	counter = 0;
	counter_restart_at = 0;
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
}

static int do_validate(const struct syschain_op *ops, __u32 nr_ops,
		       const struct syschain_cond *conds, __u32 nr_conds,
		       __u32 flags)
{
	struct sc_chain c;

	make_chain(&c, ops, nr_ops, conds, nr_conds, flags, 1000);
	memset(&fx.rep, 0xa5, sizeof(fx.rep));
	return sc_validate(&c, &fx.env, &fx.rep);
}

/*
 * Validate (must succeed, without running anything), fill results and
 * report with garbage, run.
 */
static void do_run(const struct syschain_op *ops, __u32 nr_ops,
		   const struct syschain_cond *conds, __u32 nr_conds,
		   __u32 flags, __u64 max_steps)
{
	struct sc_chain c;
	unsigned int calls = n_calls, pend = fx.fe.pending_calls;
	const unsigned char *p;
	size_t i;

	assert_true(nr_ops <= MAXOPS);
	make_chain(&c, ops, nr_ops, conds, nr_conds, flags,
		   max_steps ? max_steps : 1000);
	memset(&fx.rep, 0xa5, sizeof(fx.rep));
	assert_int_equal(sc_validate(&c, &fx.env, &fx.rep), 0);
	assert_int_equal(n_calls, calls);
	assert_int_equal(fx.fe.pending_calls, pend);
	for (i = 0; i < nr_ops; i++)
		assert_ptr_equal(fx.defs[i], def_of(ops[i].nr));

	memset(fx.res, GARBAGE, sizeof(fx.res));
	memset(&fx.rep, 0xa5, sizeof(fx.rep));
	sc_run(&c, &fx.env, &fx.rep);

	/* The engine never writes past nr_ops results. */
	p = (const unsigned char *)&fx.res[nr_ops];
	for (i = 0; i < (MAXOPS - nr_ops) * sizeof(fx.res[0]); i++)
		assert_int_equal(p[i], GARBAGE);
}

#define RUN(ops, conds, flags, max) \
	do_run(ops, ARRAY_SIZE(ops), conds, ARRAY_SIZE(conds), flags, max)
#define RUN_NC(ops, flags, max) \
	do_run(ops, ARRAY_SIZE(ops), NULL, 0, flags, max)

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

static void expect_rep_at(const char *file, int line, __u32 status,
			  __u64 steps, __u32 stop_op, __u32 stop_cond)
{
	check_eq("status", fx.rep.status, status, file, line);
	check_eq("steps", fx.rep.steps, steps, file, line);
	check_eq("stop_op", fx.rep.stop_op, stop_op, file, line);
	check_eq("stop_cond", fx.rep.stop_cond, stop_cond, file, line);
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

#define expect_rep(...)	expect_rep_at(__FILE__, __LINE__, __VA_ARGS__)
#define expect_res(...)	expect_res_at(__FILE__, __LINE__, __VA_ARGS__)

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
/* Interruption                                                         */
/* ------------------------------------------------------------------ */

/* Restart codes and -EINTR become -EINTR and stop the chain, whatever the
 * conditions and flags say. */
static void test_interrupt_codes(void **state)
{
	static const __s64 codes[] = {
		-K_ERESTARTSYS, -K_ERESTARTNOINTR, -K_ERESTARTNOHAND,
		-K_ERESTART_RESTARTBLOCK, -EINTR,
	};
	static const __u32 flags[] = { 0, SYSCHAIN_RUN_STOP_ON_ERROR };
	size_t i, f;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			struct syschain_op ops[] = {
				{ RET(1) },
				{ RET(codes[i]), .flags = SYSCHAIN_OP_IGNORE_ERROR,
				  CONDS(0, 1) },
				{ RET(3) },
			};
			static const struct syschain_cond conds[] = {
				C_JUMP(ALWAYS, 0, 2),
			};

			reset(NULL);
			snprintf(ctx, sizeof(ctx), "code %lld, run flags %u",
				 (long long)codes[i], flags[f]);
			RUN(ops, conds, flags[f], 0);
			expect_rep(SYSCHAIN_STATUS_INTERRUPTED, 2, 1, NO);
			expect_res(0, 1, 1);
			expect_res(1, -EINTR, 1);
			expect_res(2, 0, 0);
			assert_int_equal(n_calls, 2);
		}
	}
}

/* The dedicated -ERESTARTSYS op. */
static void test_interrupt_restart_op(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) },
		{ .nr = NR_RESTART },
		{ RET(3) },
	};

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_INTERRUPTED, 2, 1, NO);
	expect_res(0, 1, 1);
	expect_res(1, -EINTR, 1);
	expect_res(2, 0, 0);
}

/* Interrupted on the 3rd run of a looping op: count goes 2 -> 3. */
static void test_interrupt_in_loop_counts(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(0) },
		{ .nr = NR_COUNT, CONDS(0, 1) },
		{ RET(3) },
	};
	static const struct syschain_cond conds[] = {
		C_JUMP(LT, 10, 1),
	};

	(void)state;
	counter_restart_at = 3;
	RUN(ops, conds, 0, 0);
	expect_rep(SYSCHAIN_STATUS_INTERRUPTED, 4, 1, NO);
	expect_res(0, 0, 1);
	expect_res(1, -EINTR, 3);
	expect_res(2, 0, 0);
}

/* Neighbours of the restart codes are ordinary errors. */
static void test_not_interrupt_codes(void **state)
{
	static const __s64 codes[] = {
		-K_ENOIOCTLCMD, -511, -517, -3, -5, -1, 4, 512, 516,
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

/* pending() firing before op k. */
static void test_pending_before_op(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(10) }, { RET(11) }, { RET(12) },
	};
	__u32 k, j;

	(void)state;
	for (k = 0; k < 3; k++) {
		reset(NULL);
		snprintf(ctx, sizeof(ctx), "pending before op %u", k);
		fx.fe.pending_fire_at = k + 1;
		RUN_NC(ops, 0, 0);
		expect_rep(SYSCHAIN_STATUS_INTERRUPTED, k, k, NO);
		for (j = 0; j < k; j++)
			expect_res(j, 10 + j, 1);
		for (; j < 3; j++)
			expect_res(j, 0, 0);
		assert_int_equal(n_calls, k);
		assert_int_equal(fx.fe.pending_calls, k + 1);
	}
}

/* pending() is asked before each op, and stops an endless loop. */
static void test_pending_in_loop(void **state)
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
	fx.fe.pending_fire_at = 6;	/* before the 6th execution */
	RUN(ops, conds, 0, 1000);
	expect_rep(SYSCHAIN_STATUS_INTERRUPTED, 5, 1, NO);
	expect_res(0, 1, 1);
	expect_res(1, 4, 4);
	expect_res(2, 0, 0);
}

static void test_pending_called_per_op(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) },
	};

	(void)state;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 3, NO, NO);
	assert_int_equal(fx.fe.pending_calls, 3);
}

static void test_pending_null(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) },
	};

	(void)state;
	fx.env.pending = NULL;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_COMPLETED, 2, NO, NO);
	expect_res(1, 2, 1);
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

static void test_results_zeroed_when_stopped_at_once(void **state)
{
	static const struct syschain_op ops[] = {
		{ RET(1) }, { RET(2) }, { RET(3) },
	};

	(void)state;
	fx.fe.pending_fire_at = 1;
	RUN_NC(ops, 0, 0);
	expect_rep(SYSCHAIN_STATUS_INTERRUPTED, 0, 0, NO);
	expect_res(0, 0, 0);
	expect_res(1, 0, 0);
	expect_res(2, 0, 0);
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
	{ "run flag bit 1", 2, 1, 0, { { RET(1) } }, { }, -EINVAL, NO, NO },
	{ "run flag bit 31", 0x80000000u, 1, 0, { { RET(1) } }, { },
	  -EINVAL, NO, NO },
	{ "nr_ops 0", 0, 0, 0, { { RET(1) } }, { }, -EINVAL, NO, NO },

	/* ops */
	{ "unsupported op", 0, 2, 0, { { RET(1) }, { .nr = NR_UNKNOWN } },
	  { }, -EOPNOTSUPP, 1, NO },
	{ "unsupported op nr 0", 0, 2, 0, { { .nr = 0 }, { RET(1) } },
	  { }, -EOPNOTSUPP, 0, NO },
	{ "op flag bit 1", 0, 2, 0, { { RET(1) }, { RET(1), .flags = 2 } },
	  { }, -EINVAL, 1, NO },
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
	{ "ok: all known flags", SYSCHAIN_RUN_STOP_ON_ERROR, 2, 2,
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
		/* Validation never runs an op nor asks for signals. */
		if (n_calls || fx.fe.pending_calls)
			fail_msg("%s: %u op calls, %u pending calls during validation",
				 v->name, n_calls, fx.fe.pending_calls);
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
	assert_int_equal(fx.fe.pending_calls, 0);
}

#define T(f) cmocka_unit_test_setup(f, reset)

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
		T(test_stop_on_error_ignore_error),
		T(test_stop_on_error_conditions_first),
		T(test_ignore_error_conditions_apply),
		T(test_stop_action),
		T(test_interrupt_codes),
		T(test_interrupt_restart_op),
		T(test_interrupt_in_loop_counts),
		T(test_not_interrupt_codes),
		T(test_pending_before_op),
		T(test_pending_in_loop),
		T(test_pending_called_per_op),
		T(test_pending_null),
		T(test_results_zeroed),
		T(test_results_zeroed_when_stopped_at_once),
		T(test_single_op),
		T(test_validate_table),
		T(test_validate_check_hook),
		T(test_validate_bad_chain_runs_nothing),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
