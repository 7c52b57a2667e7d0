/* SPDX-License-Identifier: GPL-2.0-only OR LGPL-2.1-or-later OR MIT */
/*
 * The chain interpreter: validation, argument references, conditions,
 * jumps and the step budget.
 *
 * This file and engine.c are freestanding C: they include only the uapi
 * header and <linux/types.h>/<linux/errno.h>, which exist both in the
 * kernel and in userspace. The same code is built into syschain.ko, into
 * libchain's userspace backend and into the host unit tests, so the
 * semantics of a chain cannot differ between executors: only the op
 * implementations (struct sc_opdef) do.
 */
#ifndef SYSCHAIN_ENGINE_H
#define SYSCHAIN_ENGINE_H

#include <linux/types.h>
#include <linux/syschain.h>

/**
 * typedef sc_op_fn - implementation of one op
 * @args: the op's resolved arguments, %SYSCHAIN_MAX_ARGS of them
 *
 * Return: what the syscall returns, a negative errno on failure. Kernel
 * implementations may return the kernel-internal restart codes
 * (-ERESTARTSYS and friends); the engine reports them as -EINTR.
 */
typedef __s64 (*sc_op_fn)(const __u64 *args);

/**
 * struct sc_opdef - an op an executor supports
 * @nr: native syscall number
 * @nargs: number of arguments the syscall takes
 * @name: syscall name, for diagnostics
 * @fn: implementation
 * @check: optional; called at validation with the op, returns 0 or a
 *	negative errno (-EOPNOTSUPP for arguments the executor cannot run
 *	faithfully) that rejects the chain before it runs
 */
struct sc_opdef {
	__u32 nr;
	__u32 nargs;
	const char *name;
	sc_op_fn fn;
	int (*check)(const struct syschain_op *op);
};

/**
 * struct sc_env - what an executor plugs into the engine
 * @table: the executor's ops indexed by syscall number (entries without
 *	@fn unsupported), @table_len entries; if NULL, @lookup is used
 * @table_len: entries in @table
 * @lookup: the op of syscall @nr, or NULL if unsupported; used while
 *	validating only, never on the execution path
 * @pending: called before each op; non-zero stops the chain with
 *	%SYSCHAIN_STATUS_INTERRUPTED (a pending signal). May be NULL.
 * @trace: optional; called after each op with its index, resolved
 *	arguments and result (the kernel's tracepoint)
 * @priv: passed to all three
 */
struct sc_env {
	const struct sc_opdef *table;
	__u32 table_len;
	const struct sc_opdef *(*lookup)(void *priv, __u32 nr);
	int (*pending)(void *priv);
	void (*trace)(void *priv, __u32 idx, __u32 nr, const __u64 *args,
		      __s64 ret);
	void *priv;
};

/**
 * struct sc_chain - a chain as the engine sees it, in executor memory
 * @ops: @nr_ops ops
 * @conds: @nr_conds conditions
 * @defs: @nr_ops entries, filled in by sc_validate()
 * @results: @nr_ops entries, the engine's working state; sc_run() zeroes
 *	them first and leaves every op's latest result and run count there
 * @nr_ops: number of ops
 * @nr_conds: number of conditions
 * @flags: &enum syschain_run_flags
 * @max_steps: op executions allowed
 */
struct sc_chain {
	const struct syschain_op *ops;
	const struct syschain_cond *conds;
	const struct sc_opdef **defs;
	struct syschain_result *results;
	__u32 nr_ops;
	__u32 nr_conds;
	__u32 flags;
	__u64 max_steps;
};

/**
 * struct sc_report - how a run ended, as struct syschain_run reports it
 * @steps: op executions
 * @status: &enum syschain_status
 * @stop_op: op index, or %SYSCHAIN_NO_INDEX
 * @stop_cond: condition index, or %SYSCHAIN_NO_INDEX
 */
struct sc_report {
	__u64 steps;
	__u32 status;
	__u32 stop_op;
	__u32 stop_cond;
};

/*
 * An executor may replace two hooks at compile time, for its hot path,
 * by defining them before engine.c is compiled (the kernel does, with
 * engine_kernel.h):
 *
 * SC_ENV_PENDING(env): non-zero to stop before the next op (default:
 *	env->pending, if set)
 * SC_ENV_CALL(def, args): run op @def (default: def->fn(args))
 */

int sc_validate(struct sc_chain *chain, const struct sc_env *env,
		struct sc_report *rep);
void sc_run(struct sc_chain *chain, const struct sc_env *env,
	    struct sc_report *rep);
int sc_cond_holds(__u8 cmp, __u64 lhs, __u64 rhs);

#endif /* SYSCHAIN_ENGINE_H */
