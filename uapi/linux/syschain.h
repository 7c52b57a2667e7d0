/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * syschain: run a chain of system calls with one user/kernel crossing.
 *
 * Copyright (C) 2026 The syschain authors
 */
#ifndef _UAPI_LINUX_SYSCHAIN_H
#define _UAPI_LINUX_SYSCHAIN_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: General ioctl format
 *
 * The ioctl interface follows the iommufd convention. Every ioctl takes a
 * pointer to a struct whose first member is ``__u32 size``, the size of the
 * struct as the caller knows it. The module reads it the way openat2(2) and
 * clone3(2) read theirs: a caller that knows a smaller (older) struct gets
 * the missing tail treated as zero; a caller that knows a larger (newer)
 * struct gets ``-E2BIG`` unless every byte past the module's struct is zero.
 * All members are fixed-width and naturally aligned, and pointers travel as
 * ``__u64``, so 32-bit and 64-bit callers use the same layout.
 *
 * Fields documented as reserved must be zero, and unknown flag bits must be
 * clear; otherwise the ioctl fails with ``-EINVAL``. Output fields are
 * ignored on input.
 *
 * Errors common to all ioctls:
 *
 * - ``-ENOTTY``: unknown ioctl command (the command number carries no size:
 *   ``_IO(SYSCHAIN_TYPE, nr)``; the size is the struct's first member).
 * - ``-EFAULT``: the struct pointer (or a pointer inside it) is bad.
 * - ``-EINVAL``: ``size`` smaller than the first published version of the
 *   struct, reserved field non-zero, unknown flag.
 * - ``-E2BIG``: ``size`` larger than the module knows, with a non-zero tail.
 */

#define SYSCHAIN_TYPE 0xC5

enum {
	SYSCHAIN_CMD_BASE = 0x00,
	SYSCHAIN_CMD_PROBE = SYSCHAIN_CMD_BASE,
	SYSCHAIN_CMD_RUN
};

/** SYSCHAIN_ABI_VERSION - version of this header's ABI. */
#define SYSCHAIN_ABI_VERSION 1

/** SYSCHAIN_MAX_ARGS - arguments an op can carry, as a syscall has. */
#define SYSCHAIN_MAX_ARGS 6

/**
 * struct syschain_probe - ioctl(SYSCHAIN_PROBE)
 * @size: sizeof(struct syschain_probe)
 * @flags: must be 0
 * @abi_version: out: %SYSCHAIN_ABI_VERSION of the module
 * @module_version: out: module version, (major << 16) | (minor << 8) | patch
 * @max_ops: out: most ops a chain may hold (module parameter ``max_ops``)
 * @max_conds: out: most conditions a chain may hold (``max_conds``)
 * @max_steps: out: cap on op executions per call (``max_steps``)
 * @op_size: out: sizeof(struct syschain_op) as the module knows it
 * @cond_size: out: sizeof(struct syschain_cond) as the module knows it
 * @result_size: out: sizeof(struct syschain_result)
 * @nr_syscalls: in: capacity of the @syscalls_uptr array, in entries;
 *	out: how many ops the module supports. Ask with 0 first to size the
 *	array, or pass a large enough array at once.
 * @syscalls_uptr: in: user pointer to a ``__u32`` array that receives the
 *	native syscall numbers of the supported ops, in ascending order. Up to
 *	@nr_syscalls (as passed in) entries are written. May be 0 when
 *	@nr_syscalls is 0.
 *
 * Tells userspace what this module can run. A library probes once and
 * decides per chain whether the kernel can execute it.
 *
 * Errors: the common ones; ``-EFAULT`` if @syscalls_uptr cannot be written;
 * ``-EPERM`` when chains are disabled for the caller (see SYSCHAIN_RUN).
 */
struct syschain_probe {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 module_version;
	__u32 max_ops;
	__u32 max_conds;
	__u64 max_steps;
	__u32 op_size;
	__u32 cond_size;
	__u32 result_size;
	__u32 nr_syscalls;
	__u64 syscalls_uptr;
};
#define SYSCHAIN_PROBE _IO(SYSCHAIN_TYPE, SYSCHAIN_CMD_PROBE)

/**
 * enum syschain_op_flags - flags of struct syschain_op
 * @SYSCHAIN_OP_IGNORE_ERROR: a negative result of this op does not stop the
 *	chain under %SYSCHAIN_RUN_STOP_ON_ERROR (conditions still apply).
 */
enum syschain_op_flags {
	SYSCHAIN_OP_IGNORE_ERROR = 1 << 0
};

/**
 * struct syschain_op - one system call of a chain
 * @nr: native syscall number of the op (``__NR_read``, ``__NR_openat``, ...)
 *	of the architecture the module runs on, whatever the caller's ABI;
 *	its arguments take the native (64-bit) layouts too. A 32-bit caller
 *	gets ``-EOPNOTSUPP`` for ops whose layout the kernel would read per
 *	caller ABI (``readv``, ``writev``, ``sendmsg``, ``recvmsg``).
 * @flags: &enum syschain_op_flags
 * @ref_mask: bit k set: argument k is a reference. Its value is the latest
 *	result of op @arg_ref[k] of this chain plus @args[k] read as a signed
 *	addend (two's complement wrap-around). Bits at or above the op's
 *	argument count must be clear.
 * @cond_index: first condition of this op in the condition array
 * @cond_count: number of conditions of this op, checked in order on its
 *	result; the first that holds fires. 0 for none.
 * @args: the arguments, as the syscall takes them, pointers as user
 *	addresses. Arguments at or above the op's argument count must be 0.
 * @arg_ref: for each reference argument, the index of an earlier op
 *	(strictly smaller than this op's index); 0 for plain arguments.
 *
 * If a referenced op has not run yet in this call when the op is reached,
 * the op does not run and the chain stops with
 * %SYSCHAIN_STATUS_UNRESOLVED at this op.
 */
struct syschain_op {
	__u32 nr;
	__u16 flags;
	__u16 ref_mask;
	__u32 cond_index;
	__u32 cond_count;
	__u64 args[SYSCHAIN_MAX_ARGS];
	__u32 arg_ref[SYSCHAIN_MAX_ARGS];
};
#define SYSCHAIN_OP_SIZE_VER0 88

/**
 * enum syschain_cmp - comparisons of a condition
 * @SYSCHAIN_CMP_ALWAYS: holds always
 * @SYSCHAIN_CMP_EQ: result == rhs
 * @SYSCHAIN_CMP_NE: result != rhs
 * @SYSCHAIN_CMP_LT: result < rhs, signed 64-bit
 * @SYSCHAIN_CMP_LE: result <= rhs, signed
 * @SYSCHAIN_CMP_GT: result > rhs, signed
 * @SYSCHAIN_CMP_GE: result >= rhs, signed
 * @SYSCHAIN_CMP_ULT: result < rhs, unsigned 64-bit
 * @SYSCHAIN_CMP_ULE: result <= rhs, unsigned
 * @SYSCHAIN_CMP_UGT: result > rhs, unsigned
 * @SYSCHAIN_CMP_UGE: result >= rhs, unsigned
 *
 * 0 is not a comparison, so an all-zero condition is rejected.
 */
enum syschain_cmp {
	SYSCHAIN_CMP_ALWAYS = 1,
	SYSCHAIN_CMP_EQ,
	SYSCHAIN_CMP_NE,
	SYSCHAIN_CMP_LT,
	SYSCHAIN_CMP_LE,
	SYSCHAIN_CMP_GT,
	SYSCHAIN_CMP_GE,
	SYSCHAIN_CMP_ULT,
	SYSCHAIN_CMP_ULE,
	SYSCHAIN_CMP_UGT,
	SYSCHAIN_CMP_UGE
};

/**
 * enum syschain_action - what a condition that holds does
 * @SYSCHAIN_ACT_STOP: stop the chain, status %SYSCHAIN_STATUS_STOPPED
 * @SYSCHAIN_ACT_JUMP: continue at op index ``target``, backwards included;
 *	a target equal to the number of ops ends the chain as completed.
 */
enum syschain_action {
	SYSCHAIN_ACT_STOP = 1,
	SYSCHAIN_ACT_JUMP
};

/**
 * enum syschain_cond_flags - flags of struct syschain_cond
 * @SYSCHAIN_COND_RHS_REF: the right-hand side is the latest result of op
 *	``rhs_ref`` plus ``rhs`` (signed addend) instead of the constant ``rhs``.
 */
enum syschain_cond_flags {
	SYSCHAIN_COND_RHS_REF = 1 << 0
};

/**
 * struct syschain_cond - a condition on an op's result
 * @cmp: &enum syschain_cmp
 * @action: &enum syschain_action
 * @flags: &enum syschain_cond_flags
 * @target: jump target for %SYSCHAIN_ACT_JUMP, at most the chain's op
 *	count; must be 0 for %SYSCHAIN_ACT_STOP
 * @rhs_ref: op index whose result is the right-hand side, with
 *	%SYSCHAIN_COND_RHS_REF; must be 0 otherwise. Any op of the chain; if
 *	it has not run when the condition is checked, the chain stops with
 *	%SYSCHAIN_STATUS_UNRESOLVED.
 * @__reserved: must be 0
 * @rhs: constant right-hand side, or addend with %SYSCHAIN_COND_RHS_REF
 *
 * With %SYSCHAIN_CMP_ALWAYS, @rhs, @rhs_ref and @flags must be 0.
 */
struct syschain_cond {
	__u8 cmp;
	__u8 action;
	__u16 flags;
	__u32 target;
	__u32 rhs_ref;
	__u32 __reserved;
	__u64 rhs;
};
#define SYSCHAIN_COND_SIZE_VER0 24

/**
 * struct syschain_result - what an op did in one call
 * @ret: latest result: the value the syscall returns, a negative errno on
 *	failure (``-EINTR`` when a signal interrupted it); 0 if the op never ran
 * @count: how many times the op ran in this call (loops run ops again); 0
 *	if it never ran, which tells a real 0 result from a slot never written
 */
struct syschain_result {
	__s64 ret;
	__u64 count;
};

/**
 * enum syschain_run_flags - flags of struct syschain_run
 * @SYSCHAIN_RUN_STOP_ON_ERROR: when no condition of an op fires and its
 *	result is negative, stop the chain (status %SYSCHAIN_STATUS_FAILED),
 *	unless the op has %SYSCHAIN_OP_IGNORE_ERROR.
 */
enum syschain_run_flags {
	SYSCHAIN_RUN_STOP_ON_ERROR = 1 << 0
};

/**
 * enum syschain_status - why a chain stopped
 * @SYSCHAIN_STATUS_COMPLETED: ran past its last op, or jumped to the end
 * @SYSCHAIN_STATUS_STOPPED: a %SYSCHAIN_ACT_STOP condition fired
 *	(``stop_op``, ``stop_cond``)
 * @SYSCHAIN_STATUS_FAILED: op ``stop_op`` failed under
 *	%SYSCHAIN_RUN_STOP_ON_ERROR
 * @SYSCHAIN_STATUS_INTERRUPTED: a signal is pending. Either op ``stop_op``
 *	was interrupted (its result is ``-EINTR``, its count incremented) or
 *	the signal arrived before op ``stop_op`` started (its count unchanged).
 *	An interrupted op's conditions are not checked. Ops that ran are never
 *	run again by a syscall restart.
 * @SYSCHAIN_STATUS_BUDGET: the step budget ran out before op ``stop_op``
 * @SYSCHAIN_STATUS_UNRESOLVED: op ``stop_op`` (or its condition
 *	``stop_cond``) references an op that has not run yet in this call
 * @SYSCHAIN_STATUS_FAULT: the results array could not be written
 * @SYSCHAIN_STATUS_INVALID: the chain was rejected before running; the
 *	ioctl returned an error and ``stop_op`` / ``stop_cond`` name the
 *	culprit (``SYSCHAIN_NO_INDEX`` where none applies)
 */
enum syschain_status {
	SYSCHAIN_STATUS_COMPLETED,
	SYSCHAIN_STATUS_STOPPED,
	SYSCHAIN_STATUS_FAILED,
	SYSCHAIN_STATUS_INTERRUPTED,
	SYSCHAIN_STATUS_BUDGET,
	SYSCHAIN_STATUS_UNRESOLVED,
	SYSCHAIN_STATUS_FAULT,
	SYSCHAIN_STATUS_INVALID
};

/** SYSCHAIN_NO_INDEX - ``stop_op``/``stop_cond`` value naming nothing */
#define SYSCHAIN_NO_INDEX 0xffffffffU

/**
 * struct syschain_run - ioctl(SYSCHAIN_RUN)
 * @size: sizeof(struct syschain_run)
 * @flags: &enum syschain_run_flags
 * @nr_ops: number of ops, 1 to the probe's ``max_ops``
 * @nr_conds: number of conditions, 0 to the probe's ``max_conds``
 * @op_size: sizeof(struct syschain_op) as the caller knows it, a multiple of
 *	8 and at least %SYSCHAIN_OP_SIZE_VER0; each op is read like the struct
 *	itself (zero-extended, or ``-E2BIG`` on a non-zero unknown tail)
 * @cond_size: sizeof(struct syschain_cond) as the caller knows it, same rules
 * @ops_uptr: user pointer to @nr_ops ops of @op_size bytes each
 * @conds_uptr: user pointer to @nr_conds conditions of @cond_size bytes
 * @results_uptr: user pointer to @nr_ops struct syschain_result, written
 *	when the chain has run (every slot: ops that never ran get zeros); 0 to
 *	not have results written
 * @max_steps: most op executions this call may make; 0 or more than the
 *	module's ``max_steps`` means the module's cap
 * @steps: out: op executions made
 * @status: out: &enum syschain_status
 * @stop_op: out: index of the op the chain stopped at, or the op that was
 *	rejected; %SYSCHAIN_NO_INDEX if none (completed)
 * @stop_cond: out: index of the condition that fired or was rejected, else
 *	%SYSCHAIN_NO_INDEX
 * @__reserved: must be 0
 *
 * Validates the whole chain, then runs its ops in the caller's context, one
 * after the other, from op 0. Ops run with the caller's credentials, file
 * table and security context, through the same kernel paths the syscalls
 * use, and return what the syscalls return. Between ops the module checks
 * for pending signals and yields the CPU if needed.
 *
 * The ioctl returns 0 when the chain ran, however it ended: ``status`` says
 * how. It fails, without running any op, with:
 *
 * - ``-EINVAL``: @nr_ops is 0; bad @op_size/@cond_size; unknown flags;
 *   reserved fields set; an argument past the op's argument count is set; a
 *   reference not to an earlier op; a condition with an unknown comparison
 *   or action, a jump target past the end, or a reference out of range; an
 *   op's conditions past @nr_conds. ``stop_op``/``stop_cond`` say which.
 * - ``-E2BIG``: @nr_ops or @nr_conds over the module's limits; a struct,
 *   op or condition larger than the module knows with a non-zero tail.
 * - ``-EOPNOTSUPP``: op ``stop_op`` names a syscall this module cannot run
 *   (see %SYSCHAIN_PROBE).
 * - ``-EFAULT``: a pointer to the struct, the ops, the conditions or the
 *   results is bad.
 * - ``-ENOMEM``: no memory for the chain.
 * - ``-EPERM``: the module refuses chains for this caller: the administrator
 *   disabled them (module parameters ``disabled`` and ``group``), or the
 *   caller runs under a seccomp filter, which would see only the ioctl and
 *   not the ops (unless the parameter ``allow_seccomp`` is set).
 */
struct syschain_run {
	__u32 size;
	__u32 flags;
	__u32 nr_ops;
	__u32 nr_conds;
	__u32 op_size;
	__u32 cond_size;
	__u64 ops_uptr;
	__u64 conds_uptr;
	__u64 results_uptr;
	__u64 max_steps;
	__u64 steps;
	__u32 status;
	__u32 stop_op;
	__u32 stop_cond;
	__u32 __reserved;
};
#define SYSCHAIN_RUN _IO(SYSCHAIN_TYPE, SYSCHAIN_CMD_RUN)

#endif /* _UAPI_LINUX_SYSCHAIN_H */
