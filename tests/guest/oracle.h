/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * An independent reference interpreter for syschain chains.
 *
 * Both libchain backends, and the module, run chains with the same
 * interpreter (module/engine.c): a bug in it (references, conditions,
 * budget, validation) would hit every backend alike and a test comparing
 * them would see nothing. This one is written from the ABI's documentation
 * only -- the DOC comments of uapi/linux/syschain.h, syschain(7) and the
 * README's table of refused calls -- and deliberately NOT from engine.c.
 * It validates a chain given as the raw arrays the ioctl takes and runs its
 * ops as plain syscall(2)s in the calling process, producing what
 * SYSCHAIN_RUN reports when the chain has run (A7): the ioctl's return
 * value, status, steps, stop_op, stop_cond and every op's result and count.
 *
 * Readings chosen where the documentation does not say (each one is an
 * ambiguity of the ABI's text; test_diff compares them with the module):
 *
 *  A1 Several culprits: "Validates the whole chain" does not say in which
 *     order. The oracle collects every culprit (errno, op, cond) and a
 *     rejection is judged right if it names any one of them with its
 *     errno (oracle_culprit_ok()). The run struct itself (flags, reserved,
 *     nr_ops, sizes, limits) is judged first: when it is bad the arrays
 *     are not looked at.
 *  A2 A rejected condition: stop_cond is its index and stop_op
 *     SYSCHAIN_NO_INDEX ("where none applies": the culprit is the
 *     condition, whichever ops' ranges hold it). The text also allows
 *     naming the op whose conditions hold it, which the oracle first did;
 *     the module names none, and so does the oracle now. An op whose
 *     conditions reach past nr_conds: stop_op is the op, stop_cond
 *     SYSCHAIN_NO_INDEX.
 *  A3 A condition none of the ops' ranges covers is still validated
 *     ("the whole chain").
 *  A4 Before an op the order of the checks is: the step budget, then the
 *     op's references. An op whose reference is unresolved does not run
 *     and uses no step.
 *  A5 Conditions are evaluated lazily, in order: once one holds, the
 *     later ones (and their references) are not looked at; a condition
 *     whose right-hand reference names an op that has not run stops the
 *     chain UNRESOLVED at (op, cond) when it is reached. A reference to
 *     the op being checked itself is resolved: it has just run.
 *  A6 A jump to the end (target == nr_ops) completes the chain: status
 *     COMPLETED, stop_op and stop_cond SYSCHAIN_NO_INDEX (stop_cond says
 *     "the condition that fired", but COMPLETED names no op, so none).
 *  A7 Op boundaries and signals ("Op boundaries"): a chain crosses the
 *     boundary between two ops as a program crosses the one between two
 *     syscalls, and an op that a signal interrupts is restarted, or
 *     returns -EINTR, where its syscall would. The oracle runs each op as
 *     a syscall(2) of its own, so all of it happens here by construction:
 *     the deferred work of an op (a closed file's final release, its
 *     IN_CLOSE_* event, a peer's close) is done before the next op; a
 *     signal's handler runs between the two ops and the chain goes on
 *     (a SIGPIPE raised by an op ends nothing); SA_RESTART, no handler and
 *     SIGSTOP/SIGCONT restart the op inside the syscall, which returns
 *     once. The text leaves one thing to read: what an op interrupted
 *     under a handler without SA_RESTART is in the results. It "completes
 *     with the result -EINTR, as its syscall would have": here, a run of
 *     the op like any other (its count incremented, one step used), whose
 *     result -EINTR is an ordinary one, its conditions and
 *     SYSCHAIN_RUN_STOP_ON_ERROR applying; and an op restarted, however
 *     many times, is one run and one step ("no op runs twice"). The
 *     oracle reports the chain as it ends for a caller that goes on after
 *     the ioctl's -EINTR with SYSCHAIN_RUN_RESUME_EINTR (libchain's
 *     kernel backend): never SYSCHAIN_STATUS_INTERRUPTED, which only
 *     such an intermediate return carries. The user backend is the same
 *     (plain syscalls), so the oracle models both.
 *  A8 The refused calls of the README's table among the supported ops:
 *     getpgid and getsid of a pid other than 0 (read as a pid_t) or a
 *     reference; kill of a pid of 0 or below (a group, every process) or a
 *     reference; clock_gettime, clock_getres and clock_nanosleep whose
 *     clock id is a reference or,
 *     read as a clockid_t (int), a CPU-time clock (2, 3, negative ids,
 *     which the PTP clocks' are too); clock_nanosleep on
 *     CLOCK_REALTIME_ALARM (8) or CLOCK_BOOTTIME_ALARM (9). They are
 *     -EOPNOTSUPP at op stop_op, stop_cond SYSCHAIN_NO_INDEX, like an op
 *     the module does not support. They are the module's limits, not the
 *     ABI's: libchain's user backend runs them (refuse = false models it).
 *     Not modelled: the refusals the module makes as an op's result
 *     (-EOPNOTSUPP) when the op runs, not at validation: getxattr,
 *     lgetxattr and fgetxattr of a POSIX ACL name, getcwd outside the
 *     root, kill by a task with an unmapped uid. test_diff makes none of
 *     them (no ACL name, no chroot, no user namespace).
 *  A9 E2BIG for an op (condition) with a non-zero tail past the known
 *     struct names that op (condition) as in A2.
 *  A10 The run struct's own culprits name no op or condition
 *     (SYSCHAIN_NO_INDEX twice: "where none applies"): unknown flags,
 *     SYSCHAIN_RUN_RESUME_EINTR without SYSCHAIN_RUN_RESUME, results_uptr
 *     0 (-EINVAL); op_size or cond_size larger than the page size, whatever
 *     the tail (-E2BIG). One exception: with SYSCHAIN_RUN_RESUME, a
 *     stop_op that is not an op is named as given (stop_op is the
 *     culprit; the text also allows SYSCHAIN_NO_INDEX).
 *
 * The oracle runs fresh chains only: a sound chain with SYSCHAIN_RUN_RESUME
 * (a run to continue) is one it cannot judge (unknown_op, as an op it does
 * not know), though it judges such a chain's rejections.
 *
 * The caller gives the module's probe (supported syscalls, limits), and
 * may pass a hook called around each op's execution.
 */
#ifndef SYSCHAIN_GUEST_ORACLE_H
#define SYSCHAIN_GUEST_ORACLE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <linux/syschain.h>

#define ORACLE_MAX_CULPRITS	32
#define ORACLE_NO		SYSCHAIN_NO_INDEX

/* what an op's hook is told */
enum oracle_when { ORACLE_BEFORE, ORACLE_AFTER };

struct oracle_env {
	const uint32_t *syscalls;	/* the probe's list */
	uint32_t nr_syscalls;
	uint32_t max_ops, max_conds;	/* the probe's limits */
	uint64_t max_steps;		/* the module's cap */
	bool refuse;			/* kernel: A8 */
	/* called before and after each op runs, with its resolved args */
	void (*hook)(void *ctx, enum oracle_when when, uint32_t op,
		     uint32_t nr, const uint64_t *args, int64_t ret);
	void *ctx;
};

/* a chain as SYSCHAIN_RUN takes it */
struct oracle_chain {
	uint32_t flags, reserved;
	uint32_t nr_ops, nr_conds;
	uint32_t op_size, cond_size;
	const void *ops;		/* nr_ops * op_size bytes */
	const void *conds;		/* nr_conds * cond_size bytes */
	uint64_t max_steps;
	uint32_t stop_op;		/* in, with SYSCHAIN_RUN_RESUME */
	bool no_results;		/* results_uptr is 0 */
};

struct oracle_culprit {
	int err;			/* negative errno */
	uint32_t op, cond;
};

struct oracle_report {
	int ret;			/* the ioctl's: 0 or a negative errno */
	uint32_t status;
	uint64_t steps;
	uint32_t stop_op, stop_cond;
	struct syschain_result *results;	/* caller's, nr_ops entries */
	int nr_culprits;		/* rejected: every culprit (A1) */
	struct oracle_culprit culprit[ORACLE_MAX_CULPRITS];
	bool unknown_op;		/* a supported op the oracle cannot
					 * judge, or a sound run to continue:
					 * the caller's test must fail */
	bool refused;			/* an op refused as in A8 */
};

/*
 * Argument counts of the syscalls (x86-64 native layouts), as
 * module/oplist.h gives them (its entries are checked against the
 * syscalls by the fidelity tables). -1: not an op.
 */
static inline int oracle_nargs(uint32_t nr)
{
	switch (nr) {
#define SC_OP(sys, n, check, ...) case __NR_##sys: return n;
#include "../../module/oplist.h"
#undef SC_OP
	}
	return -1;
}

static inline bool oracle_supported(const struct oracle_env *env,
				    uint32_t nr)
{
	uint32_t i;

	for (i = 0; i < env->nr_syscalls; i++)
		if (env->syscalls[i] == nr)
			return true;
	return false;
}

/* A8: the README's refused calls */
static inline bool oracle_refused(const struct syschain_op *op)
{
	bool ref0 = op->ref_mask & 1;
	int clk = (int)(int32_t)(uint32_t)op->args[0];

	switch (op->nr) {
	case __NR_getpgid:
	case __NR_getsid:
		return ref0 || (int32_t)op->args[0] != 0;
	case __NR_kill:
		return ref0 || (int32_t)op->args[0] <= 0;
	case __NR_clock_gettime:
	case __NR_clock_getres:
		return ref0 || clk == 2 || clk == 3 || clk < 0;
	case __NR_clock_nanosleep:
		return ref0 || clk == 2 || clk == 3 || clk < 0 || clk == 8 ||
			clk == 9;
	}
	return false;
}

static inline void oracle_blame(struct oracle_report *r, int err,
				uint32_t op, uint32_t cond)
{
	if (r->nr_culprits >= ORACLE_MAX_CULPRITS)
		return;
	r->culprit[r->nr_culprits].err = err;
	r->culprit[r->nr_culprits].op = op;
	r->culprit[r->nr_culprits].cond = cond;
	r->nr_culprits++;
}

/*
 * Read entry idx of an array of size-byte entries into a known-size
 * struct: zero-extended, and whether bytes past the known size are set.
 */
static inline bool oracle_get(const void *base, uint32_t idx, uint32_t size,
			      void *out, size_t known)
{
	const unsigned char *p = (const unsigned char *)base +
		(size_t)idx * size;
	size_t i;

	memset(out, 0, known);
	memcpy(out, p, size < known ? size : known);
	for (i = known; i < size; i++)
		if (p[i])
			return true;
	return false;
}

/* the run struct (A1: judged before the arrays; A10); true if sound */
static inline bool oracle_check_run(const struct oracle_chain *c,
				    const struct oracle_env *env,
				    struct oracle_report *r)
{
	const uint32_t known = SYSCHAIN_RUN_STOP_ON_ERROR |
		SYSCHAIN_RUN_RESUME | SYSCHAIN_RUN_RESUME_EINTR;
	const uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);

	if (c->flags & ~known)
		oracle_blame(r, -EINVAL, ORACLE_NO, ORACLE_NO);
	if ((c->flags & SYSCHAIN_RUN_RESUME_EINTR) &&
	    !(c->flags & SYSCHAIN_RUN_RESUME))
		oracle_blame(r, -EINVAL, ORACLE_NO, ORACLE_NO);
	if ((c->flags & SYSCHAIN_RUN_RESUME) && c->stop_op >= c->nr_ops)
		oracle_blame(r, -EINVAL, c->stop_op, ORACLE_NO);
	if (c->reserved)
		oracle_blame(r, -EINVAL, ORACLE_NO, ORACLE_NO);
	if (!c->nr_ops)
		oracle_blame(r, -EINVAL, ORACLE_NO, ORACLE_NO);
	if (c->no_results)
		oracle_blame(r, -EINVAL, ORACLE_NO, ORACLE_NO);
	if (c->op_size % 8 || c->op_size < SYSCHAIN_OP_SIZE_VER0)
		oracle_blame(r, -EINVAL, ORACLE_NO, ORACLE_NO);
	if (c->cond_size % 8 || c->cond_size < SYSCHAIN_COND_SIZE_VER0)
		oracle_blame(r, -EINVAL, ORACLE_NO, ORACLE_NO);
	if (c->nr_ops > env->max_ops || c->nr_conds > env->max_conds)
		oracle_blame(r, -E2BIG, ORACLE_NO, ORACLE_NO);
	if (c->op_size > page || c->cond_size > page)
		oracle_blame(r, -E2BIG, ORACLE_NO, ORACLE_NO);
	return !r->nr_culprits;
}

static inline void oracle_check_op(const struct oracle_chain *c,
				   const struct oracle_env *env, uint32_t i,
				   struct oracle_report *r)
{
	struct syschain_op op;
	int n, k;

	if (oracle_get(c->ops, i, c->op_size, &op, sizeof(op)))
		oracle_blame(r, -E2BIG, i, ORACLE_NO);
	if (!oracle_supported(env, op.nr)) {
		oracle_blame(r, -EOPNOTSUPP, i, ORACLE_NO);
		return;		/* its argument count is unknown */
	}
	n = oracle_nargs(op.nr);
	if (n < 0) {
		r->unknown_op = true;
		return;
	}
	/*
	 * SYSCHAIN_OP_FIXED_BUF needs registered buffers, which the chains
	 * judged here never have: refused as an unknown flag is.
	 */
	if (op.flags & ~(uint16_t)(SYSCHAIN_OP_IGNORE_ERROR |
				   SYSCHAIN_OP_CLEANUP))
		oracle_blame(r, -EINVAL, i, ORACLE_NO);
	/*
	 * Cleanup ops (ABI 4) are not modelled here: test_diff does not make
	 * them (test_cleanup and the engine's host tests cover them), and a
	 * chain with one is not judged, which fails the caller's test.
	 */
	if (op.flags & SYSCHAIN_OP_CLEANUP)
		r->unknown_op = true;
	if (op.ref_mask >> n)
		oracle_blame(r, -EINVAL, i, ORACLE_NO);
	for (k = n; k < SYSCHAIN_MAX_ARGS; k++)
		if (op.args[k])
			oracle_blame(r, -EINVAL, i, ORACLE_NO);
	for (k = 0; k < n; k++)
		if ((op.ref_mask >> k & 1) && op.arg_ref[k] >= i)
			oracle_blame(r, -EINVAL, i, ORACLE_NO);
	if (op.cond_count &&
	    (uint64_t)op.cond_index + op.cond_count > c->nr_conds)
		oracle_blame(r, -EINVAL, i, ORACLE_NO);	/* A2 */
	if (oracle_refused(&op) && env->refuse) {
		oracle_blame(r, -EOPNOTSUPP, i, ORACLE_NO);
		r->refused = true;
	}
}

static inline void oracle_check_cond(const struct oracle_chain *c,
				     uint32_t j, struct oracle_report *r)
{
	struct syschain_cond cd;
	uint32_t o = ORACLE_NO;	/* A2 */
	bool ref;

	if (oracle_get(c->conds, j, c->cond_size, &cd, sizeof(cd)))
		oracle_blame(r, -E2BIG, o, j);
	ref = cd.flags & SYSCHAIN_COND_RHS_REF;
	if (cd.cmp < SYSCHAIN_CMP_ALWAYS || cd.cmp > SYSCHAIN_CMP_UGE)
		oracle_blame(r, -EINVAL, o, j);
	if (cd.action != SYSCHAIN_ACT_STOP && cd.action != SYSCHAIN_ACT_JUMP)
		oracle_blame(r, -EINVAL, o, j);
	if (cd.flags & ~(uint16_t)SYSCHAIN_COND_RHS_REF)
		oracle_blame(r, -EINVAL, o, j);
	if (cd.__reserved)
		oracle_blame(r, -EINVAL, o, j);
	if (cd.cmp == SYSCHAIN_CMP_ALWAYS && (cd.rhs || cd.rhs_ref || cd.flags))
		oracle_blame(r, -EINVAL, o, j);
	if (cd.action == SYSCHAIN_ACT_STOP && cd.target)
		oracle_blame(r, -EINVAL, o, j);
	if (cd.action == SYSCHAIN_ACT_JUMP && cd.target > c->nr_ops)
		oracle_blame(r, -EINVAL, o, j);
	if (ref ? cd.rhs_ref >= c->nr_ops : cd.rhs_ref != 0)
		oracle_blame(r, -EINVAL, o, j);
}

/* Validation: the number of culprits found (0: the chain may run) */
static inline int oracle_validate(const struct oracle_chain *c,
				  const struct oracle_env *env,
				  struct oracle_report *r)
{
	uint32_t i;

	r->nr_culprits = 0;
	r->unknown_op = false;
	r->refused = false;
	if (!oracle_check_run(c, env, r))
		return r->nr_culprits;
	for (i = 0; i < c->nr_ops; i++)
		oracle_check_op(c, env, i, r);
	for (i = 0; i < c->nr_conds; i++)
		oracle_check_cond(c, i, r);
	return r->nr_culprits;
}

/* Is (err, stop_op, stop_cond) of a rejection one the oracle allows? */
static inline bool oracle_culprit_ok(const struct oracle_report *r, int err,
				     uint32_t op, uint32_t cond)
{
	int i;

	for (i = 0; i < r->nr_culprits; i++)
		if (r->culprit[i].err == err && r->culprit[i].op == op &&
		    r->culprit[i].cond == cond)
			return true;
	return false;
}

static inline bool oracle_holds(uint8_t cmp, int64_t res, uint64_t rhs)
{
	uint64_t ures = (uint64_t)res;
	int64_t srhs = (int64_t)rhs;

	switch (cmp) {
	case SYSCHAIN_CMP_ALWAYS: return true;
	case SYSCHAIN_CMP_EQ: return ures == rhs;
	case SYSCHAIN_CMP_NE: return ures != rhs;
	case SYSCHAIN_CMP_LT: return res < srhs;
	case SYSCHAIN_CMP_LE: return res <= srhs;
	case SYSCHAIN_CMP_GT: return res > srhs;
	case SYSCHAIN_CMP_GE: return res >= srhs;
	case SYSCHAIN_CMP_ULT: return ures < rhs;
	case SYSCHAIN_CMP_ULE: return ures <= rhs;
	case SYSCHAIN_CMP_UGT: return ures > rhs;
	case SYSCHAIN_CMP_UGE: return ures >= rhs;
	}
	return false;	/* validation rejected it */
}

static inline void oracle_end(struct oracle_report *r, uint32_t status,
			      uint32_t op, uint32_t cond)
{
	r->status = status;
	r->stop_op = op;
	r->stop_cond = cond;
}

/*
 * One op's syscall, its result as the kernel returns it. A7: the op
 * boundary is this syscall's return to user mode (task work, signal
 * handlers, restarts); -EINTR is what the syscall returned, an ordinary
 * result.
 */
static inline int64_t oracle_syscall(uint32_t nr, const uint64_t *a)
{
	long ret = syscall((long)nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	return ret == -1 ? -(int64_t)errno : (int64_t)ret;
}

/*
 * The conditions of op i on its result; returns the next op index, or
 * -1 when the chain ended (r's status set).
 */
static inline int64_t oracle_conds(const struct oracle_chain *c, uint32_t i,
				   const struct syschain_op *op, int64_t res,
				   struct oracle_report *r)
{
	uint32_t j;

	for (j = op->cond_index; j - op->cond_index < op->cond_count; j++) {
		struct syschain_cond cd;
		uint64_t rhs;

		oracle_get(c->conds, j, c->cond_size, &cd, sizeof(cd));
		rhs = cd.rhs;
		if (cd.flags & SYSCHAIN_COND_RHS_REF) {
			if (!r->results[cd.rhs_ref].count) {	/* A5 */
				oracle_end(r, SYSCHAIN_STATUS_UNRESOLVED, i, j);
				return -1;
			}
			rhs += (uint64_t)r->results[cd.rhs_ref].ret;
		}
		if (!oracle_holds(cd.cmp, res, rhs))
			continue;
		if (cd.action == SYSCHAIN_ACT_STOP) {
			oracle_end(r, SYSCHAIN_STATUS_STOPPED, i, j);
			return -1;
		}
		return cd.target;	/* A6: nr_ops ends it, completed */
	}
	if (res < 0 && (c->flags & SYSCHAIN_RUN_STOP_ON_ERROR) &&
	    !(op->flags & SYSCHAIN_OP_IGNORE_ERROR)) {
		oracle_end(r, SYSCHAIN_STATUS_FAILED, i, ORACLE_NO);
		return -1;
	}
	return (int64_t)i + 1;
}

/*
 * Before op i: the checks of A4. Fills args; false when the chain ended.
 */
static inline bool oracle_enter(const struct syschain_op *op, uint32_t i,
				uint64_t budget, uint64_t *args,
				struct oracle_report *r)
{
	int k;

	if (r->steps >= budget) {
		oracle_end(r, SYSCHAIN_STATUS_BUDGET, i, ORACLE_NO);
		return false;
	}
	for (k = 0; k < SYSCHAIN_MAX_ARGS; k++) {
		args[k] = op->args[k];
		if (!(op->ref_mask >> k & 1))
			continue;
		if (!r->results[op->arg_ref[k]].count) {
			oracle_end(r, SYSCHAIN_STATUS_UNRESOLVED, i, ORACLE_NO);
			return false;
		}
		/* two's complement wrap-around */
		args[k] += (uint64_t)r->results[op->arg_ref[k]].ret;
	}
	return true;
}

/*
 * Validate and run the chain. Returns the ioctl's value (r->ret): 0 when
 * it ran, however it ended, or the culprit's negative errno (r->status
 * SYSCHAIN_STATUS_INVALID, stop_op/stop_cond its indexes, every result 0).
 */
static inline int oracle_run(const struct oracle_chain *c,
			     const struct oracle_env *env,
			     struct oracle_report *r)
{
	uint64_t budget = c->max_steps && c->max_steps <= env->max_steps ?
		c->max_steps : env->max_steps;
	int64_t pc = 0;

	r->steps = 0;
	memset(r->results, 0, (size_t)c->nr_ops * sizeof(*r->results));
	if (!oracle_validate(c, env, r) && (c->flags & SYSCHAIN_RUN_RESUME))
		r->unknown_op = true;	/* fresh runs only */
	if (r->nr_culprits || r->unknown_op) {
		r->ret = r->nr_culprits ? r->culprit[0].err : -ENOSYS;
		oracle_end(r, SYSCHAIN_STATUS_INVALID,
			   r->nr_culprits ? r->culprit[0].op : ORACLE_NO,
			   r->nr_culprits ? r->culprit[0].cond : ORACLE_NO);
		return r->ret;
	}
	r->ret = 0;
	for (;;) {
		struct syschain_op op;
		uint64_t args[SYSCHAIN_MAX_ARGS];
		int64_t res;

		if (pc == c->nr_ops) {
			oracle_end(r, SYSCHAIN_STATUS_COMPLETED, ORACLE_NO,
				   ORACLE_NO);
			return 0;
		}
		oracle_get(c->ops, (uint32_t)pc, c->op_size, &op, sizeof(op));
		if (!oracle_enter(&op, (uint32_t)pc, budget, args, r))
			return 0;
		if (env->hook)
			env->hook(env->ctx, ORACLE_BEFORE, (uint32_t)pc, op.nr,
				  args, 0);
		res = oracle_syscall(op.nr, args);
		if (env->hook)
			env->hook(env->ctx, ORACLE_AFTER, (uint32_t)pc, op.nr,
				  args, res);
		r->results[pc].ret = res;
		r->results[pc].count++;
		r->steps++;
		pc = oracle_conds(c, (uint32_t)pc, &op, res, r);
		if (pc < 0)
			return 0;
	}
}

#endif /* SYSCHAIN_GUEST_ORACLE_H */
