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

/*
 * The most ops and conditions any executor takes in one chain: the
 * ceiling of the module's max_ops and max_conds parameters, and
 * libchain's limit, so that a chain one backend runs the other can.
 */
#define SC_MAX_OPS_LIMIT	65536U
#define SC_MAX_CONDS_LIMIT	65536U
/* op executions in one run unless the caller or the module says fewer */
#define SC_DEFAULT_MAX_STEPS	(1ULL << 20)

/*
 * An executor's per-run state, which the engine carries (sc_chain.exec)
 * and hands to every op; defined by the executor that has one (the
 * kernel's: ops.h), NULL elsewhere.
 */
struct sc_exec;

/**
 * typedef sc_op_fn - implementation of one op
 * @args: the op's resolved arguments, %SYSCHAIN_MAX_ARGS of them
 * @x: the executor's state for this run (sc_chain.exec)
 *
 * Return: what the syscall returns, a negative errno on failure. Kernel
 * implementations may return the kernel-internal restart codes
 * (-ERESTARTSYS and friends) where the syscall would: the op did not
 * finish, the engine leaves the chain there (sc_run()) and the op runs
 * again when the chain is resumed. An op whose syscall cannot be restarted
 * (close) turns them into -EINTR itself, as the syscall does.
 */
typedef __s64 (*sc_op_fn)(const __u64 *args, struct sc_exec *x);

/**
 * struct sc_opdef - an op an executor supports
 * @nr: native syscall number
 * @nargs: number of arguments the syscall takes
 * @name: syscall name, for diagnostics
 * @fn: implementation
 * @check: optional; called at validation with the op, returns 0 or a
 *	negative errno (-EOPNOTSUPP for arguments the executor cannot run
 *	faithfully) that rejects the chain before it runs
 * @path_arg: 1 + the index of the argument that names a path (oplist.h's
 *	PATH kind), 0 if none: what a trace shows as a string
 * @fixed_arg: 1 + the index of the data buffer a registered buffer may
 *	hold (oplist.h's IOBUF kind; its byte count is the next argument),
 *	0 if none (uapi "Registered buffers")
 * @fixed_iov: 1 + the index of the iovec array whose segments registered
 *	buffers may hold (oplist.h's IOV kind; its length is the next
 *	argument), 0 if none
 */
struct sc_opdef {
	__u32 nr;
	__u32 nargs;
	const char *name;
	sc_op_fn fn;
	int (*check)(const struct syschain_op *op);
	__u32 path_arg;
	__u32 fixed_arg;
	__u32 fixed_iov;
};

/* A native struct iovec, as readv(2) and writev(2) read it. */
struct sc_iovec {
	__u64 base;
	__u64 len;
};

/* the most segments readv(2) and writev(2) take (UIO_MAXIOV) */
#define SC_IOV_MAX	1024

/**
 * struct sc_buf - a buffer registered with a chain
 * @addr: its first byte, a user address
 * @len: its length
 * @priv: the executor's (the kernel's pinned pages)
 */
struct sc_buf {
	__u64 addr;
	__u64 len;
	const void *priv;
};

/*
 * Reading oplist.h's argument kinds: with SC_P(kind, name) defined as
 * SC_KIND_##kind and SC_I(kind, name) as 0, SC_ARG_OF(bit, args...) is 1
 * + the index of the first argument of the kind @bit, 0 if none (a
 * pointer kind missing here does not compile).
 */
#define SC_KIND_PATH		1
#define SC_KIND_IOBUF		2
#define SC_KIND_BUF		0
#define SC_KIND_OFFP		0
#define SC_KIND_IOV		4
#define SC_KIND_MSG		0
#define SC_KIND_RMSG		0
#define SC_KIND_ADDRP		0
#define SC_KIND_ADDRLENP	0
#define SC_KIND_TSIN		0
#define SC_KIND_TSREM		0
#define SC_KIND_XNAME		0
#define SC_ARG_OF(bit, ...)	SC_ARG_OF_(bit, 0, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define SC_ARG_OF_(m, z, a, b, c, d, e, f, ...)				\
	(((a) & (m)) ? 1 : ((b) & (m)) ? 2 : ((c) & (m)) ? 3 :		\
	 ((d) & (m)) ? 4 : ((e) & (m)) ? 5 : ((f) & (m)) ? 6 : 0)

/* what an executor's boundary hook answers */
enum {
	SC_BOUNDARY_NONE,
	SC_BOUNDARY_SUSPEND,
	SC_BOUNDARY_DENY
};

/**
 * struct sc_env - what an executor plugs into the engine
 * @table: the executor's ops indexed by syscall number, @table_len
 *	entries; an entry without @fn is an op the executor does not support
 * @table_len: entries in @table
 * @boundary: called after an op when the chain goes on, before the next
 *	op: %SC_BOUNDARY_NONE to go on, %SC_BOUNDARY_SUSPEND to leave the
 *	executor first (work that only a return to user mode does is
 *	pending), %SC_BOUNDARY_DENY to stop the chain (status
 *	%SYSCHAIN_STATUS_DENIED). May be NULL (never leave).
 * @trace: optional; called after each op with its index, resolved
 *	arguments and result (the kernel's tracepoint)
 * @priv: passed to both
 */
struct sc_env {
	const struct sc_opdef *table;
	__u32 table_len;
	int (*boundary)(void *priv);
	void (*trace)(void *priv, __u32 idx, __u32 nr, const __u64 *args,
		      __s64 ret);
	void *priv;
};

/**
 * struct sc_chain - a chain as the engine sees it, in executor memory
 * @ops: @nr_ops ops
 * @conds: @nr_conds conditions
 * @defs: @nr_ops entries, filled in by sc_validate()
 * @results: @nr_ops entries, the engine's working state; a fresh sc_run()
 *	zeroes them first, a resumed one goes on with them; every op's latest
 *	result and run count are left there
 * @nr_ops: number of ops
 * @nr_conds: number of conditions
 * @flags: &enum syschain_run_flags
 * @max_steps: op executions allowed
 * @start: with %SYSCHAIN_RUN_RESUME, the op to go on at
 * @start_steps: with %SYSCHAIN_RUN_RESUME, the op executions already made
 * @exec: the executor's own state, for its SC_ENV_CALL()
 * @body_end: the first cleanup op, or @nr_ops (set by sc_validate())
 * @bufs: the registered buffers, @nr_bufs of them (none: NULL, 0)
 * @nr_bufs: see @bufs
 * @fixed_iov: the executor's way to run an op with %SYSCHAIN_OP_FIXED_BUF
 *	whose data an iovec array describes (readv, writev): it reads the
 *	array, checks it with sc_check_iov() and runs the op on what it read;
 *	NULL to use SC_ENV_CALL_FIXED_IOV()
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
	__u32 start;
	__u64 start_steps;
	struct sc_exec *exec;
	__u32 body_end;
	const struct sc_buf *bufs;
	__u32 nr_bufs;
	__s64 (*fixed_iov)(const struct sc_chain *c, const struct sc_opdef *def,
			   const __u64 *args);
};

/**
 * struct sc_report - how a run ended, as struct syschain_run reports it
 * @steps: op executions
 * @status: &enum syschain_status
 * @stop_op: op index, or %SYSCHAIN_NO_INDEX
 * @stop_cond: condition index, or %SYSCHAIN_NO_INDEX
 * @restart: 0, or the run left the executor at op @stop_op to be resumed
 *	(status %SYSCHAIN_STATUS_INTERRUPTED): the kernel's restart code
 *	that the ioctl returns (-ERESTARTNOINTR between ops, or the code of
 *	the op that a signal interrupted, which runs again)
 * @lo: with @hi, the ops whose results this sc_run() call may have
 *	changed: indices @lo to @hi - 1 (a fresh run zeroes them all first)
 * @hi: see @lo
 */
struct sc_report {
	__u64 steps;
	__u32 status;
	__u32 stop_op;
	__u32 stop_cond;
	__s32 restart;
	__u32 lo;
	__u32 hi;
};

/*
 * An executor may replace two hooks at compile time, for its hot path,
 * by defining them before engine.c is compiled (the kernel does, with
 * engine_kernel.h):
 *
 * SC_ENV_BOUNDARY(c, env): what to do before chain @c's next op, as
 *	env->boundary answers (default: env->boundary, if set)
 * SC_ENV_CALL(c, def, args): run op @def of chain @c (default:
 *	def->fn(args, c->exec))
 * SC_ENV_CALL_FIXED(c, def, args, buf): the same for an op with
 *	%SYSCHAIN_OP_FIXED_BUF, whose data lies in registered buffer @buf
 *	(default: SC_ENV_CALL(), the syscall on the same addresses)
 * SC_ENV_CALL_FIXED_IOV(c, def, args): an op with %SYSCHAIN_OP_FIXED_BUF
 *	whose data an iovec array describes (default: @c->fixed_iov)
 */

int sc_validate(struct sc_chain *chain, const struct sc_env *env,
		struct sc_report *rep);
int sc_validate_run(const struct sc_chain *chain, struct sc_report *rep);
int sc_validate_op(const struct sc_chain *chain, __u32 i,
		   const struct sc_opdef *def);
void sc_run(struct sc_chain *chain, const struct sc_env *env,
	    struct sc_report *rep);
int sc_cond_holds(__u8 cmp, __u64 lhs, __u64 rhs);
const struct sc_buf *sc_find_buf(const struct sc_chain *c, __u64 addr,
				 __u64 len);
int sc_check_iov(const struct sc_chain *c, const struct sc_iovec *iov,
		 __u32 n);

#endif /* SYSCHAIN_ENGINE_H */
