// SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later OR MIT
/*
 * The chain interpreter, shared by every executor. See engine.h.
 */
#include <linux/errno.h>
#include "engine.h"

/* Kernel-internal restart codes (include/linux/errno.h), not in the uapi. */
#define SC_ERESTARTSYS		512
#define SC_ERESTARTNOINTR	513
#define SC_ERESTARTNOHAND	514
#define SC_ERESTART_RESTARTBLOCK 516

#define SC_OP_FLAGS	(SYSCHAIN_OP_IGNORE_ERROR | SYSCHAIN_OP_CLEANUP | \
			 SYSCHAIN_OP_FIXED_BUF)
#define SC_COND_FLAGS	SYSCHAIN_COND_RHS_REF
#define SC_RUN_FLAGS	(SYSCHAIN_RUN_STOP_ON_ERROR | SYSCHAIN_RUN_RESUME | \
			 SYSCHAIN_RUN_RESUME_EINTR)

#ifndef SC_ENV_BOUNDARY
#define SC_ENV_BOUNDARY(c, env) \
	((env)->boundary ? (env)->boundary((env)->priv) : SC_BOUNDARY_NONE)
#endif
#ifndef SC_ENV_CALL
#define SC_ENV_CALL(c, def, args) ((def)->fn((args), (c)->exec))
#endif
#ifndef SC_ENV_CALL_FIXED
#define SC_ENV_CALL_FIXED(c, def, args, buf) SC_ENV_CALL(c, def, args)
#endif
#ifndef SC_ENV_CALL_FIXED_IOV
#define SC_ENV_CALL_FIXED_IOV(c, def, args)				\
	((c)->fixed_iov ? (c)->fixed_iov(c, def, args) : -EOPNOTSUPP)
#endif

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

static int sc_invalid(struct sc_report *rep, int err, __u32 op, __u32 cond)
{
	rep->steps = 0;
	rep->status = SYSCHAIN_STATUS_INVALID;
	rep->stop_op = op;
	rep->stop_cond = cond;
	return err;
}

/**
 * sc_validate_op() - check op @i of a chain
 * @c: the chain
 * @i: the op's index
 * @def: the executor's op of its syscall number
 *
 * Also for an op whose arguments a registered chain's run patched.
 *
 * Return: 0, -EINVAL, or what @def's check answers.
 */
int sc_validate_op(const struct sc_chain *c, __u32 i,
		   const struct sc_opdef *def)
{
	const struct syschain_op *op = &c->ops[i];
	__u32 k;

	if (op->flags & ~SC_OP_FLAGS)
		return -EINVAL;
	if (op->flags & SYSCHAIN_OP_FIXED_BUF &&
	    ((!def->fixed_arg && !def->fixed_iov) || !c->nr_bufs))
		return -EINVAL;
	if (op->ref_mask >> def->nargs)
		return -EINVAL;
	for (k = def->nargs; k < SYSCHAIN_MAX_ARGS; k++)
		if (op->args[k])
			return -EINVAL;
	if (!op->ref_mask) {
		/* the common case: no references, no arg_ref set */
		if (op->arg_ref[0] | op->arg_ref[1] | op->arg_ref[2] |
		    op->arg_ref[3] | op->arg_ref[4] | op->arg_ref[5])
			return -EINVAL;
	} else {
		for (k = 0; k < SYSCHAIN_MAX_ARGS; k++) {
			if (op->ref_mask & (1U << k)) {
				if (op->arg_ref[k] >= i)
					return -EINVAL;
			} else if (op->arg_ref[k]) {
				return -EINVAL;
			}
		}
	}
	if (op->cond_count > c->nr_conds ||
	    op->cond_index > c->nr_conds - op->cond_count)
		return -EINVAL;
	if (!op->cond_count && op->cond_index)
		return -EINVAL;
	/* cleanup ops: the last ones, without conditions */
	if ((op->flags & SYSCHAIN_OP_CLEANUP) ? op->cond_count :
						 i > c->body_end)
		return -EINVAL;
	return def->check ? def->check(op) : 0;
}

static int sc_validate_cond(const struct sc_chain *c,
			    const struct syschain_cond *cond)
{
	if (cond->cmp < SYSCHAIN_CMP_ALWAYS || cond->cmp > SYSCHAIN_CMP_UGE)
		return -EINVAL;
	if (cond->flags & ~SC_COND_FLAGS || cond->__reserved)
		return -EINVAL;
	switch (cond->action) {
	case SYSCHAIN_ACT_STOP:
		if (cond->target)
			return -EINVAL;
		break;
	case SYSCHAIN_ACT_JUMP:
		if (cond->target > c->body_end)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (cond->flags & SYSCHAIN_COND_RHS_REF) {
		if (cond->rhs_ref >= c->nr_ops)
			return -EINVAL;
	} else if (cond->rhs_ref) {
		return -EINVAL;
	}
	if (cond->cmp == SYSCHAIN_CMP_ALWAYS && (cond->flags || cond->rhs))
		return -EINVAL;
	return 0;
}

static const struct sc_opdef *sc_lookup(const struct sc_env *env, __u32 nr)
{
	if (nr >= env->table_len || !env->table[nr].fn)
		return (const struct sc_opdef *)0;
	return &env->table[nr];
}

/**
 * sc_validate_run() - check how a chain is to run: its flags and start
 * @c: the chain (its ops are not looked at)
 * @rep: on failure, status %SYSCHAIN_STATUS_INVALID
 *
 * Part of sc_validate(); alone for a chain validated before (registered),
 * whose flags and start change from run to run.
 *
 * Return: 0 or -EINVAL.
 */
int sc_validate_run(const struct sc_chain *c, struct sc_report *rep)
{
	if (c->flags & ~SC_RUN_FLAGS || !c->nr_ops)
		return sc_invalid(rep, -EINVAL, SYSCHAIN_NO_INDEX,
				  SYSCHAIN_NO_INDEX);
	/* a run goes on where it left the kernel: at an op of the chain */
	if ((c->flags & SYSCHAIN_RUN_RESUME_EINTR) &&
	    !(c->flags & SYSCHAIN_RUN_RESUME))
		return sc_invalid(rep, -EINVAL, SYSCHAIN_NO_INDEX,
				  SYSCHAIN_NO_INDEX);
	if ((c->flags & SYSCHAIN_RUN_RESUME) && c->start >= c->body_end)
		return sc_invalid(rep, -EINVAL, c->start, SYSCHAIN_NO_INDEX);
	return 0;
}

/**
 * sc_validate() - check a whole chain before any op runs
 * @c: the chain; @c->defs is filled in on success
 * @env: the executor, whose table says which ops it supports
 * @rep: on failure, status %SYSCHAIN_STATUS_INVALID and the culprit
 *
 * Return: 0, -EINVAL for a malformed chain, -EOPNOTSUPP for an op the
 * executor does not support.
 */
int sc_validate(struct sc_chain *c, const struct sc_env *env,
		struct sc_report *rep)
{
	__u32 i;
	int err;

	/* the body ends at the first cleanup op (sc_validate_op() checks) */
	c->body_end = c->nr_ops;
	for (i = 0; i < c->nr_ops; i++)
		if (c->ops[i].flags & SYSCHAIN_OP_CLEANUP) {
			c->body_end = i;
			break;
		}
	err = sc_validate_run(c, rep);
	if (err)
		return err;
	for (i = 0; i < c->nr_ops; i++) {
		const struct sc_opdef *def = sc_lookup(env, c->ops[i].nr);

		if (!def)
			return sc_invalid(rep, -EOPNOTSUPP, i,
					 SYSCHAIN_NO_INDEX);
		err = sc_validate_op(c, i, def);
		if (err)
			return sc_invalid(rep, err, i, SYSCHAIN_NO_INDEX);
		c->defs[i] = def;
	}
	for (i = 0; i < c->nr_conds; i++) {
		err = sc_validate_cond(c, &c->conds[i]);
		if (err)
			return sc_invalid(rep, err, SYSCHAIN_NO_INDEX, i);
	}
	return 0;
}

static inline int sc_cond_eval(__u8 cmp, __u64 lhs, __u64 rhs)
{
	__s64 sl = (__s64)lhs, sr = (__s64)rhs;

	switch (cmp) {
	case SYSCHAIN_CMP_ALWAYS:
		return 1;
	case SYSCHAIN_CMP_EQ:
		return lhs == rhs;
	case SYSCHAIN_CMP_NE:
		return lhs != rhs;
	case SYSCHAIN_CMP_LT:
		return sl < sr;
	case SYSCHAIN_CMP_LE:
		return sl <= sr;
	case SYSCHAIN_CMP_GT:
		return sl > sr;
	case SYSCHAIN_CMP_GE:
		return sl >= sr;
	case SYSCHAIN_CMP_ULT:
		return lhs < rhs;
	case SYSCHAIN_CMP_ULE:
		return lhs <= rhs;
	case SYSCHAIN_CMP_UGT:
		return lhs > rhs;
	case SYSCHAIN_CMP_UGE:
		return lhs >= rhs;
	}
	return 0;
}

/**
 * sc_cond_holds() - evaluate one comparison
 * @cmp: &enum syschain_cmp
 * @lhs: the op's result
 * @rhs: the right-hand side
 *
 * Return: 1 if it holds, 0 if not.
 */
int sc_cond_holds(__u8 cmp, __u64 lhs, __u64 rhs)
{
	return sc_cond_eval(cmp, lhs, rhs);
}

static void sc_stop(struct sc_report *rep, __u32 status, __u32 op, __u32 cond)
{
	rep->status = status;
	rep->stop_op = op;
	rep->stop_cond = cond;
}

/*
 * Leave the chain at an op boundary, to be continued at op @next: the
 * executor returns to user mode (with @restart, the kernel's restart code
 * for the ioctl) and the caller, or the kernel's syscall restart, calls it
 * again with %SYSCHAIN_RUN_RESUME.
 */
static void sc_suspend(struct sc_report *rep, __u32 next, int restart)
{
	sc_stop(rep, SYSCHAIN_STATUS_INTERRUPTED, next, SYSCHAIN_NO_INDEX);
	rep->restart = restart;
}

/* Resolve an op's arguments; 0, or -1 if a referenced op has not run. */
static int sc_resolve_args(const struct sc_chain *c,
			   const struct syschain_op *op, __u64 *args)
{
	__u32 k;

	for (k = 0; k < SYSCHAIN_MAX_ARGS; k++) {
		const struct syschain_result *r;

		args[k] = op->args[k];
		if (!(op->ref_mask & (1U << k)))
			continue;
		r = &c->results[op->arg_ref[k]];
		if (!r->count)
			return -1;
		args[k] += (__u64)r->ret;
	}
	return 0;
}

static inline int sc_is_restart(__s64 ret)
{
	return ret == -SC_ERESTARTSYS || ret == -SC_ERESTARTNOINTR ||
	       ret == -SC_ERESTARTNOHAND || ret == -SC_ERESTART_RESTARTBLOCK;
}

/*
 * What op @pc's result @ret decides: its conditions in order (the first
 * that holds stops the chain or jumps), then %SYSCHAIN_RUN_STOP_ON_ERROR.
 * Return: 0 to go on at *@next, 1 if the chain stops (@rep says why).
 */
static int sc_decide(const struct sc_chain *c, __u32 pc, __s64 ret,
		     __u32 *next, struct sc_report *rep)
{
	const struct syschain_op *op = &c->ops[pc];
	__u32 k;

	*next = pc + 1;
	for (k = 0; k < op->cond_count; k++) {
		__u32 ci = op->cond_index + k;
		const struct syschain_cond *cond = &c->conds[ci];
		__u64 rhs = cond->rhs;

		if (cond->flags & SYSCHAIN_COND_RHS_REF) {
			const struct syschain_result *r =
				&c->results[cond->rhs_ref];

			if (unlikely(!r->count)) {
				sc_stop(rep, SYSCHAIN_STATUS_UNRESOLVED, pc, ci);
				return 1;
			}
			rhs += (__u64)r->ret;
		}
		if (!sc_cond_eval(cond->cmp, (__u64)ret, rhs))
			continue;
		if (cond->action == SYSCHAIN_ACT_STOP) {
			sc_stop(rep, SYSCHAIN_STATUS_STOPPED, pc, ci);
			return 1;
		}
		/* a jump: the ops that ran are no longer one run of indices */
		if (pc + 1 > rep->hi)
			rep->hi = pc + 1;
		if (cond->target < rep->lo)
			rep->lo = cond->target;
		*next = cond->target;
		return 0;
	}
	if (ret < 0 && (c->flags & SYSCHAIN_RUN_STOP_ON_ERROR) &&
	    !(op->flags & SYSCHAIN_OP_IGNORE_ERROR)) {
		sc_stop(rep, SYSCHAIN_STATUS_FAILED, pc, SYSCHAIN_NO_INDEX);
		return 1;
	}
	return 0;
}

/* Record op @pc's result, as a completed call of the op. */
static inline void sc_record(const struct sc_chain *c, __u32 pc, __s64 ret)
{
	c->results[pc].ret = ret;
	c->results[pc].count++;
}

/* The executor's trace hook, with the op's arguments as it ran them. */
static void sc_trace(const struct sc_chain *c, const struct sc_env *env,
		     __u32 pc, const __u64 *args, __s64 ret)
{
	__u64 argbuf[SYSCHAIN_MAX_ARGS];

	if (!args) {
		args = c->ops[pc].args;
		if (c->ops[pc].ref_mask && !sc_resolve_args(c, &c->ops[pc],
							    argbuf))
			args = argbuf;
	}
	env->trace(env->priv, pc, c->ops[pc].nr, args, ret);
}

/*
 * Where a run starts: a fresh one at op 0 with zeroed results; a resumed
 * one where it left, after completing the op a handler interrupted with
 * -EINTR under %SYSCHAIN_RUN_RESUME_EINTR.
 * Return: 0 to run from *@pc with *@steps made, 1 if the chain stopped.
 */
static int sc_begin(struct sc_chain *c, const struct sc_env *env,
		    struct sc_report *rep, __u32 *pc, __u64 *steps)
{
	__u32 i;

	*pc = 0;
	*steps = 0;
	rep->lo = 0;
	rep->hi = 0;
	if (!(c->flags & SYSCHAIN_RUN_RESUME)) {
		for (i = 0; i < c->nr_ops; i++) {
			c->results[i].ret = 0;
			c->results[i].count = 0;
		}
		return 0;
	}
	*pc = c->start;
	*steps = c->start_steps;
	rep->lo = c->start;
	rep->hi = c->start;
	if (!(c->flags & SYSCHAIN_RUN_RESUME_EINTR))
		return 0;
	if (unlikely(*steps >= c->max_steps)) {
		sc_stop(rep, SYSCHAIN_STATUS_BUDGET, *pc, SYSCHAIN_NO_INDEX);
		return 1;
	}
	(*steps)++;
	sc_record(c, *pc, -EINTR);
	rep->hi = *pc + 1;
	if (env->trace)
		sc_trace(c, env, *pc, (const __u64 *)0, -EINTR);
	return sc_decide(c, *pc, -EINTR, pc, rep);
}

/**
 * sc_find_buf() - the registered buffer that holds a range
 * @c: the chain
 * @addr: the range's first byte
 * @len: its length
 *
 * Return: the buffer, or NULL if no one buffer holds the whole range.
 */
const struct sc_buf *sc_find_buf(const struct sc_chain *c, __u64 addr,
				 __u64 len)
{
	__u32 i;

	for (i = 0; i < c->nr_bufs; i++) {
		const struct sc_buf *b = &c->bufs[i];

		if (addr >= b->addr && len <= b->len &&
		    addr - b->addr <= b->len - len)
			return b;
	}
	return (const struct sc_buf *)0;
}

/**
 * sc_check_iov() - whether registered buffers hold an iovec array's data
 * @c: the chain
 * @iov: the array, as the executor read it
 * @n: its length
 *
 * Each segment of non-zero length, its length read unsigned, must lie in
 * one registered buffer (uapi "Registered buffers").
 *
 * Return: 0 or -EFAULT.
 */
int sc_check_iov(const struct sc_chain *c, const struct sc_iovec *iov,
		 __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (iov[i].len && !sc_find_buf(c, iov[i].base, iov[i].len))
			return -EFAULT;
	return 0;
}

/*
 * An op with %SYSCHAIN_OP_FIXED_BUF: its range, as its resolved arguments
 * give it, must lie in one registered buffer (uapi "Registered buffers");
 * an iovec array's segments are the executor's to read and check.
 */
static __s64 sc_call_fixed(const struct sc_chain *c, const struct sc_opdef *def,
			   const __u64 *args)
{
	const struct sc_buf *b;

	if (def->fixed_iov)
		return SC_ENV_CALL_FIXED_IOV(c, def, args);
	b = sc_find_buf(c, args[def->fixed_arg - 1], args[def->fixed_arg]);
	if (!b)
		return -EFAULT;
	return SC_ENV_CALL_FIXED(c, def, args, b);
}

static inline __s64 sc_call(const struct sc_chain *c, __u32 pc,
			    const __u64 *args)
{
	if (unlikely(c->ops[pc].flags & SYSCHAIN_OP_FIXED_BUF))
		return sc_call_fixed(c, c->defs[pc], args);
	return SC_ENV_CALL(c, c->defs[pc], args);
}

/*
 * The cleanup ops, once the body has ended: each once, in order, back to
 * back (no boundary, no restart: a restart code is the -EINTR the syscall
 * would return), whatever they return; one that references an op that
 * has not run is skipped. Return: the steps made, @steps and theirs.
 */
static __u64 sc_cleanup(const struct sc_chain *c, const struct sc_env *env,
			struct sc_report *rep, __u64 steps)
{
	__u64 argbuf[SYSCHAIN_MAX_ARGS];
	__u32 pc;

	for (pc = c->body_end; pc < c->nr_ops; pc++) {
		const struct syschain_op *op = &c->ops[pc];
		const __u64 *args = op->args;
		__s64 ret;

		if (op->ref_mask) {
			if (sc_resolve_args(c, op, argbuf))
				continue;
			args = argbuf;
		}
		ret = sc_call(c, pc, args);
		if (ret < 0 && sc_is_restart(ret))
			ret = -EINTR;
		steps++;
		sc_record(c, pc, ret);
		if (unlikely(env->trace))
			sc_trace(c, env, pc, args, ret);
	}
	if (c->body_end < rep->lo)
		rep->lo = c->body_end;
	rep->hi = c->nr_ops;
	return steps;
}

/**
 * sc_run() - execute a validated chain
 * @c: the chain, after a successful sc_validate()
 * @env: the executor
 * @rep: filled in with the steps made and why the chain stopped
 *
 * A fresh run zeroes the results and starts at op 0; with
 * %SYSCHAIN_RUN_RESUME in @c->flags it goes on from @c->start with
 * @c->start_steps steps made and the results as they are (and, with
 * %SYSCHAIN_RUN_RESUME_EINTR, op @c->start first completes with -EINTR).
 *
 * Each op runs, then its conditions are checked in order; the first that
 * holds stops the chain or jumps. If none holds, a negative result stops
 * the chain under %SYSCHAIN_RUN_STOP_ON_ERROR, and otherwise execution goes
 * on with the next op. Before the next op runs, the executor's boundary
 * hook may ask to leave (work that only a return to user mode does is
 * pending); an op that returns a kernel restart code is left unfinished,
 * to be run again. Both end the run with status %SYSCHAIN_STATUS_INTERRUPTED
 * and @rep->restart set; @rep->stop_op is the op to continue at.
 */
void sc_run(struct sc_chain *c, const struct sc_env *env,
	    struct sc_report *rep)
{
	__u64 argbuf[SYSCHAIN_MAX_ARGS];
	__u32 pc, last = 0;
	int ran = 0;
	__u64 steps;
	int why;

	sc_stop(rep, SYSCHAIN_STATUS_COMPLETED, SYSCHAIN_NO_INDEX,
		SYSCHAIN_NO_INDEX);
	rep->restart = 0;
	if (sc_begin(c, env, rep, &pc, &steps))
		goto out;

	while (pc < c->body_end) {
		const struct syschain_op *op = &c->ops[pc];
		const __u64 *args = op->args;
		__s64 ret;

		if (unlikely(steps >= c->max_steps)) {
			sc_stop(rep, SYSCHAIN_STATUS_BUDGET, pc,
				SYSCHAIN_NO_INDEX);
			break;
		}
		if (op->ref_mask) {
			if (unlikely(sc_resolve_args(c, op, argbuf))) {
				sc_stop(rep, SYSCHAIN_STATUS_UNRESOLVED, pc,
					SYSCHAIN_NO_INDEX);
				break;
			}
			args = argbuf;
		}

		ret = sc_call(c, pc, args);
		if (unlikely(ret < 0) && sc_is_restart(ret)) {
			/* not finished: run it again after the signal */
			sc_suspend(rep, pc, (int)ret);
			break;
		}
		steps++;
		sc_record(c, pc, ret);
		last = pc;
		ran = 1;
		if (unlikely(env->trace))
			sc_trace(c, env, pc, args, ret);
		/* most ops have no condition and succeed: on to the next */
		if (likely(!op->cond_count && ret >= 0))
			pc++;
		else if (sc_decide(c, pc, ret, &pc, rep))
			break;
		if (pc >= c->body_end)
			break;

		why = SC_ENV_BOUNDARY(c, env);
		if (unlikely(why != SC_BOUNDARY_NONE)) {
			if (why == SC_BOUNDARY_DENY)
				sc_stop(rep, SYSCHAIN_STATUS_DENIED, pc,
					SYSCHAIN_NO_INDEX);
			else
				sc_suspend(rep, pc, -SC_ERESTARTNOINTR);
			break;
		}
	}
out:
	if (ran && last + 1 > rep->hi)
		rep->hi = last + 1;
	if (c->body_end < c->nr_ops && !rep->restart &&
	    rep->status != SYSCHAIN_STATUS_DENIED)
		steps = sc_cleanup(c, env, rep, steps);
	rep->steps = steps;
}
