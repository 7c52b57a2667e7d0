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
 * - ``-E2BIG``: ``size`` larger than the module knows, with a non-zero tail,
 *   or larger than the page size (as openat2(2) answers), whatever the tail.
 */

#define SYSCHAIN_TYPE 0xC5

enum {
	SYSCHAIN_CMD_BASE = 0x00,
	SYSCHAIN_CMD_PROBE = SYSCHAIN_CMD_BASE,
	SYSCHAIN_CMD_RUN,
	SYSCHAIN_CMD_REGISTER,
	SYSCHAIN_CMD_EXEC
};

/** SYSCHAIN_ABI_VERSION - version of this header's ABI. */
#define SYSCHAIN_ABI_VERSION 5

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
	__aligned_u64 max_steps;
	__u32 op_size;
	__u32 cond_size;
	__u32 result_size;
	__u32 nr_syscalls;
	__aligned_u64 syscalls_uptr;
};
#define SYSCHAIN_PROBE _IO(SYSCHAIN_TYPE, SYSCHAIN_CMD_PROBE)

/**
 * enum syschain_op_flags - flags of struct syschain_op
 * @SYSCHAIN_OP_IGNORE_ERROR: a negative result of this op does not stop the
 *	chain under %SYSCHAIN_RUN_STOP_ON_ERROR (conditions still apply).
 * @SYSCHAIN_OP_CLEANUP: (ABI 4) the op is part of the chain's cleanup:
 *	see "Cleanup ops" below.
 * @SYSCHAIN_OP_FIXED_BUF: (ABI 5) the op's data buffer lies in one of the
 *	chain's registered buffers: see "Registered buffers".
 */
enum syschain_op_flags {
	SYSCHAIN_OP_IGNORE_ERROR = 1 << 0,
	SYSCHAIN_OP_CLEANUP = 1 << 1,
	SYSCHAIN_OP_FIXED_BUF = 1 << 2
};

/**
 * DOC: Cleanup ops
 *
 * Ops flagged %SYSCHAIN_OP_CLEANUP run however the chain ends, as a
 * program's cleanup code does: closing the descriptors the chain opened,
 * for instance. They are the chain's last ops: once one op has the flag,
 * every later op must have it, and none of them may have a condition
 * (``-EINVAL``, the op named). The ops before them are the chain's body,
 * and a jump target may not lie past the body's end (the first cleanup
 * op: jumping there ends the body; ``-EINVAL``, the condition named).
 *
 * When the body ends (status %SYSCHAIN_STATUS_COMPLETED, _STOPPED,
 * _FAILED, _BUDGET or _UNRESOLVED), the cleanup ops run in order, each
 * once, in the same call: whatever they return, the next one runs, and
 * the report keeps the body's status, ``stop_op`` and ``stop_cond``
 * (``steps`` counts the cleanup ops too; the step budget does not limit
 * them). A cleanup op that references an op that has not run is skipped
 * (its count stays 0). They run back to back, without op boundaries: a
 * signal that arrives meanwhile is handled when the call returns, a file
 * they close is released then, and an op a signal interrupts returns
 * ``-EINTR`` rather than being restarted. A body that leaves the kernel
 * at an op boundary has not ended: its cleanup runs when, resumed, it
 * ends. A chain the administrator stops (%SYSCHAIN_STATUS_DENIED) runs
 * no cleanup. ``stop_op`` of %SYSCHAIN_RUN_RESUME must be an op of the
 * body (``-EINVAL``).
 */

/**
 * struct syschain_op - one system call of a chain
 * @nr: native syscall number of the op (``__NR_read``, ``__NR_openat``, ...)
 *	of the architecture the module runs on, whatever the caller's ABI
 *	(on arm64 the generic table of asm-generic/unistd.h: ``read`` is 63,
 *	``fstat`` 80; an op exists where its syscall does, so arm64 has no
 *	``getpgrp`` op, getpgid(0) being the same call there);
 *	its arguments take the native (64-bit) layouts too (a sleep's
 *	``tv_nsec`` is read whole, as the native syscall reads it). A 32-bit
 *	caller gets ``-EOPNOTSUPP`` for ops whose layout the kernel would read
 *	per caller ABI (``readv``, ``writev``, ``sendmsg``, ``recvmsg``, and
 *	``sendto``, whose payload compat-translating netlink families read
 *	in the 32-bit layout). What a file's own read or write returns (a
 *	driver that lays out its records by the caller's ABI) is the file's:
 *	the op gets what the caller's syscall would. Three uses are
 *	refused when the op runs, the first moment they are known, with
 *	``-EOPNOTSUPP`` as the op's result: ``getxattr``, ``lgetxattr`` and
 *	``fgetxattr`` of a POSIX ACL name (``system.posix_acl_access``,
 *	``system.posix_acl_default``: the syscalls' conversion of such a
 *	value is not exported), ``getcwd`` of a working directory outside
 *	the caller's root (the syscall's ``(unreachable)`` name is built by
 *	code that is not exported), and ``kill`` by a task whose uid has no
 *	mapping in its own user namespace.
 *	``close`` of a /dev/syschain descriptor returns ``-EBADF`` (as
 *	io_uring's close op refuses io_uring descriptors): the ioctl comes
 *	back through its descriptor at op boundaries. (If another thread closes it while the
 *	chain is between two ops, the ioctl's restart fails with ``-EBADF``,
 *	as any syscall on a descriptor closed under it; ops have run.)
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
	__aligned_u64 args[SYSCHAIN_MAX_ARGS];
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
	__aligned_u64 rhs;
};
#define SYSCHAIN_COND_SIZE_VER0 24

/**
 * struct syschain_result - what an op did in one call
 * @ret: latest result: the value the syscall returns, a negative errno on
 *	failure (``-EINTR`` where the syscall returns it: a signal handler
 *	without ``SA_RESTART`` interrupted it); 0 if the op never ran
 * @count: how many times the op ran in this call (loops run ops again); 0
 *	if it never ran, which tells a real 0 result from a slot never written
 */
struct syschain_result {
	__aligned_s64 ret;
	__aligned_u64 count;
};

/**
 * enum syschain_run_flags - flags of struct syschain_run
 * @SYSCHAIN_RUN_STOP_ON_ERROR: when no condition of an op fires and its
 *	result is negative, stop the chain (status %SYSCHAIN_STATUS_FAILED),
 *	unless the op has %SYSCHAIN_OP_IGNORE_ERROR.
 * @SYSCHAIN_RUN_RESUME: go on with a chain that left the kernel at an op
 *	boundary (see "Op boundaries"): from op ``stop_op``, with ``steps``
 *	op executions made and the results in @results_uptr as they are,
 *	instead of from op 0 with zeroed results. The module sets this flag
 *	in the caller's struct when the chain leaves at a boundary and clears
 *	it when the chain ends; a caller sets it only to continue such a run.
 * @SYSCHAIN_RUN_RESUME_EINTR: with %SYSCHAIN_RUN_RESUME: op ``stop_op``,
 *	which a signal handler interrupted (the ioctl returned ``-EINTR``),
 *	completes with the result ``-EINTR``, as its syscall would have; its
 *	conditions apply and the chain goes on. Without it, the op runs
 *	again, as a program retrying the syscall.
 */
enum syschain_run_flags {
	SYSCHAIN_RUN_STOP_ON_ERROR = 1 << 0,
	SYSCHAIN_RUN_RESUME = 1 << 1,
	SYSCHAIN_RUN_RESUME_EINTR = 1 << 2
};

/**
 * enum syschain_status - why a chain stopped
 * @SYSCHAIN_STATUS_COMPLETED: ran past its last op, or jumped to the end
 *	(of its body, if it has cleanup ops)
 * @SYSCHAIN_STATUS_STOPPED: a %SYSCHAIN_ACT_STOP condition fired
 *	(``stop_op``, ``stop_cond``)
 * @SYSCHAIN_STATUS_FAILED: op ``stop_op`` failed under
 *	%SYSCHAIN_RUN_STOP_ON_ERROR
 * @SYSCHAIN_STATUS_INTERRUPTED: the chain left the kernel at an op
 *	boundary, before op ``stop_op``, and %SYSCHAIN_RUN_RESUME is set in
 *	``flags``. A caller sees it only when the ioctl returned ``-EINTR``:
 *	a signal handler without ``SA_RESTART`` interrupted op ``stop_op``
 *	(its result and count are unchanged). Every other boundary is
 *	crossed by the kernel's syscall restart, invisibly.
 * @SYSCHAIN_STATUS_BUDGET: the step budget ran out before op ``stop_op``
 * @SYSCHAIN_STATUS_UNRESOLVED: op ``stop_op`` (or its condition
 *	``stop_cond``) references an op that has not run yet in this call
 * @SYSCHAIN_STATUS_FAULT: the results array could not be written after ops
 *	ran (another thread unmapped it); the chain ends there
 * @SYSCHAIN_STATUS_INVALID: the chain was rejected before running; the
 *	ioctl returned an error and ``stop_op`` / ``stop_cond`` name the
 *	culprit (``SYSCHAIN_NO_INDEX`` where none applies)
 * @SYSCHAIN_STATUS_DENIED: while the chain ran, the administrator disabled
 *	chains for the caller, or the caller came under a seccomp filter (see
 *	``-EPERM``); op ``stop_op`` did not run
 */
enum syschain_status {
	SYSCHAIN_STATUS_COMPLETED,
	SYSCHAIN_STATUS_STOPPED,
	SYSCHAIN_STATUS_FAILED,
	SYSCHAIN_STATUS_INTERRUPTED,
	SYSCHAIN_STATUS_BUDGET,
	SYSCHAIN_STATUS_UNRESOLVED,
	SYSCHAIN_STATUS_FAULT,
	SYSCHAIN_STATUS_INVALID,
	SYSCHAIN_STATUS_DENIED
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
 *	when the chain has run (every slot: ops that never ran get zeros) and
 *	when it leaves the kernel at an op boundary; read back with
 *	%SYSCHAIN_RUN_RESUME. Required.
 * @max_steps: most op executions this call may make; 0 or more than the
 *	module's ``max_steps`` means the module's cap
 * @steps: out: op executions made (in: with %SYSCHAIN_RUN_RESUME)
 * @status: out: &enum syschain_status
 * @stop_op: out: index of the op the chain stopped at, or the op that was
 *	rejected; %SYSCHAIN_NO_INDEX if none (completed). In: with
 *	%SYSCHAIN_RUN_RESUME, the op to go on at.
 * @stop_cond: out: index of the condition that fired or was rejected, else
 *	%SYSCHAIN_NO_INDEX
 * @__reserved: must be 0
 * @resume_expiry: in/out, with %SYSCHAIN_RUN_RESUME: when op ``stop_op``
 *	is a relative ``nanosleep`` or ``clock_nanosleep`` that a signal
 *	interrupted, the absolute time (ns, on the op's clock) its sleep
 *	ends, so that the resumed sleep ends when the syscall's restarted
 *	sleep would; 0 otherwise. Callers that know the struct without it
 *	get a resumed sleep that starts over.
 *
 * Validates the whole chain, then runs its ops in the caller's context, one
 * after the other, from op 0. Ops run with the caller's credentials, file
 * table and security context, through the same kernel paths the syscalls
 * use, and return what the syscalls return. Between ops the module yields
 * the CPU if needed.
 *
 * Op boundaries: a syscall returns to user mode after every call, and the
 * kernel does work there: it runs task work (the final release of a closed
 * file, with its ``IN_CLOSE_*`` event, its locks and a socket's peer
 * notification), delivers signals (runs handlers, stops the task on
 * ``SIGSTOP``), restarts interrupted syscalls, and writes the audit record.
 * A chain gets the same: when, after an op, such work is pending (or the
 * caller has an audit context), the module leaves the kernel before the
 * next op, with the chain's progress recorded in this struct (``steps``,
 * ``stop_op``, the results, %SYSCHAIN_RUN_RESUME in ``flags``), through the
 * kernel's syscall restart: the work is done and the same ioctl comes back
 * and goes on at the next op. An op that a signal interrupts is restarted
 * the same way where its syscall would be (no handler, a handler with
 * ``SA_RESTART``, ``SIGSTOP``/``SIGCONT``, the freezer). Where the syscall
 * would return ``-EINTR`` (a handler without ``SA_RESTART``), the ioctl
 * returns ``-EINTR`` after the handler ran, with status
 * %SYSCHAIN_STATUS_INTERRUPTED: calling it again with the struct as it is
 * goes on (add %SYSCHAIN_RUN_RESUME_EINTR to give the op the result
 * ``-EINTR`` rather than run it again). No op runs twice and none is
 * skipped; a fatal signal ends the task at the next boundary.
 *
 * The ioctl returns 0 when the chain ran, however it ended: ``status`` says
 * how. It fails, without running any op, with:
 *
 * - ``-EINVAL``: @nr_ops is 0; @results_uptr is 0; bad
 *   @op_size/@cond_size; unknown flags; %SYSCHAIN_RUN_RESUME_EINTR without
 *   %SYSCHAIN_RUN_RESUME; with %SYSCHAIN_RUN_RESUME, ``stop_op`` not an op;
 *   reserved fields set; an argument past the op's argument count is set; a
 *   reference not to an earlier op; a condition with an unknown comparison
 *   or action, a jump target past the end, or a reference out of range; an
 *   op's conditions past @nr_conds. ``stop_op``/``stop_cond`` say which.
 * - ``-E2BIG``: @nr_ops or @nr_conds over the module's limits; a struct,
 *   op or condition larger than the module knows with a non-zero tail, or
 *   larger than the page size.
 * - ``-EOPNOTSUPP``: op ``stop_op`` names a syscall this module cannot run
 *   (see %SYSCHAIN_PROBE).
 * - ``-EFAULT``: a pointer to the struct, the ops, the conditions or the
 *   results is bad (the results are written, as zeros, before any op
 *   runs). The one case where ops have run: the struct itself became
 *   unwritable while the chain ran (another thread unmapped it); what the
 *   ops did is done, and the report is lost, as a syscall's output when
 *   its buffer goes away. Results that become unwritable end the chain
 *   with %SYSCHAIN_STATUS_FAULT instead.
 * - ``-ENOMEM``: no memory for the chain.
 * - ``-EPERM``: the module refuses chains for this caller: the administrator
 *   disabled them (module parameters ``disabled`` and ``group``), or the
 *   caller runs under a seccomp filter, which would see only the ioctl and
 *   not the ops (unless the parameter ``allow_seccomp`` is set). When the
 *   ioctl is resumed (%SYSCHAIN_RUN_RESUME), the same refusal, after ops
 *   ran; while a chain runs, it ends with %SYSCHAIN_STATUS_DENIED instead.
 *
 * And, after ops ran, with:
 *
 * - ``-EINTR``: a signal handler without ``SA_RESTART`` interrupted op
 *   ``stop_op`` (see "Op boundaries"); the struct and the results say
 *   how far the chain went, and calling again goes on.
 */
struct syschain_run {
	__u32 size;
	__u32 flags;
	__u32 nr_ops;
	__u32 nr_conds;
	__u32 op_size;
	__u32 cond_size;
	__aligned_u64 ops_uptr;
	__aligned_u64 conds_uptr;
	__aligned_u64 results_uptr;
	__aligned_u64 max_steps;
	__aligned_u64 steps;
	__u32 status;
	__u32 stop_op;
	__u32 stop_cond;
	__u32 __reserved;
	__aligned_u64 resume_expiry;
};
#define SYSCHAIN_RUN_SIZE_VER0 80
#define SYSCHAIN_RUN _IO(SYSCHAIN_TYPE, SYSCHAIN_CMD_RUN)

/**
 * DOC: Registered chains
 *
 * A program that runs the same chain many times registers it once:
 * %SYSCHAIN_REGISTER copies and validates the chain and returns a file
 * descriptor, the chain's handle; %SYSCHAIN_EXEC on that descriptor runs
 * it, without copying or validating the chain again. The descriptor is
 * the kernel's idiom for such an object (an anonymous inode, as io_uring
 * and eventfd have): the chain lives as long as a descriptor or a running
 * %SYSCHAIN_EXEC refers to it, it is closed on exec with
 * %SYSCHAIN_REGISTER_CLOEXEC, it is inherited across fork(2) and passed
 * with ``SCM_RIGHTS`` like any file, and the number of chains a process
 * holds is bounded by ``RLIMIT_NOFILE``. Its memory is charged to the
 * caller's memory cgroup.
 *
 * A chain runs in the context of the task that calls %SYSCHAIN_EXEC (its
 * credentials, descriptors and security context), wherever it was
 * registered; who may run chains is checked at every run, as for
 * %SYSCHAIN_RUN. One run of a registered chain at a time: a second,
 * concurrent one (another thread, or another process sharing the
 * descriptor) fails with ``-EBUSY``; a thread that needs the chain at the
 * same time registers its own. A signal handler may run a chain that its
 * thread's interrupted run also uses: a run keeps nothing in the chain
 * between ioctls but the arguments that patches changed.
 *
 * A run may carry patches (struct syschain_patch) that set op arguments
 * before it runs, so that one chain serves many files and buffers. A patch
 * changes the registered chain: later runs see the patched value too, as
 * if the chain had been registered with it.
 */

/**
 * DOC: Registered buffers
 *
 * A registered chain may register buffers of its caller's memory with it
 * (struct syschain_register ``bufs_uptr``), as io_uring registers its
 * fixed buffers: the module pins their pages once, charges them to the
 * caller's ``RLIMIT_MEMLOCK`` (unless it has ``CAP_IPC_LOCK``), and keeps
 * them until the chain's last descriptor is closed. An op flagged
 * %SYSCHAIN_OP_FIXED_BUF then moves its data to or from the pinned pages
 * through the kernel's own mapping of them, rather than through user
 * addresses: ``read``, ``write``, ``pread64``, ``pwrite64``, ``sendto``
 * and ``recvfrom``, whose buffer and count arguments (a reference
 * included) name the memory as the syscall takes them, and ``readv`` and
 * ``writev``, whose iovec array does. The flag on any other op, or in a
 * chain without buffers (%SYSCHAIN_RUN's), is refused at validation
 * (``-EINVAL``, the op named).
 *
 * When the op runs, its whole range, from the buffer argument for as many
 * bytes as the count argument says, must lie in one registered buffer;
 * otherwise the op does not run and its result is ``-EFAULT`` (as
 * io_uring answers a fixed buffer out of range; the syscall itself could
 * have succeeded with a count larger than what it transfers). For
 * ``readv`` and ``writev`` the module reads the iovec array once, and
 * every segment of non-zero length must lie in one registered buffer, or
 * the op's result is ``-EFAULT``; the op then runs on the array as read.
 * An array the syscall refuses (none, more than ``UIO_MAXIOV`` entries,
 * not readable) gets the syscall's answer. Otherwise
 * the op is its syscall on the same memory: result, errno, file position,
 * short counts, events and signals are those of the syscall. A file that
 * has no iterator method (``read_iter``/``write_iter``) takes the data
 * through the user addresses, as the syscall does.
 *
 * The pinned pages are the memory the caller had mapped there when it
 * registered them. Ops use them while the chain lives, whatever happens to
 * the mapping: after the caller unmaps or remaps a registered range, ops
 * read and write the pinned pages, which no mapping shows any more (as
 * io_uring's fixed buffers do); nothing else is touched, and the pages are
 * released with the chain. A run from another address space (a child
 * after fork(2), a process the descriptor was passed to) uses neither the
 * pinned pages nor kernel buffers (below): its ops move the data through
 * its own memory at those addresses, as its syscalls would.
 *
 * A buffer flagged %SYSCHAIN_BUF_KERNEL is the chain's own kernel memory
 * instead (a handoff: a chain that reads bytes and writes them on, as
 * ``cat`` or a file server does, keeps them in the kernel): the module
 * allocates it, as long as the range, with the range's content at
 * registration, and ops whose data lies in the range use it in place of
 * the caller's memory, which they neither read nor write. Only a file
 * with no iterator method has its data go through the range's user
 * memory (and copied between it and the kernel memory), as the user
 * backend's syscalls take it. At most %SYSCHAIN_MAX_KERNEL_BUF bytes of
 * kernel buffers per chain, charged to the caller's memory cgroup; they
 * count against no ``RLIMIT_MEMLOCK``.
 */

/**
 * enum syschain_buf_flags - flags of struct syschain_buf
 * @SYSCHAIN_BUF_KERNEL: kernel memory of the chain stands for the range
 */
enum syschain_buf_flags {
	SYSCHAIN_BUF_KERNEL = 1 << 0
};

/** SYSCHAIN_MAX_KERNEL_BUF - most bytes of kernel buffers per chain */
#define SYSCHAIN_MAX_KERNEL_BUF (16U << 20)

/** SYSCHAIN_MAX_BUFS - most buffers a registered chain may have */
#define SYSCHAIN_MAX_BUFS 64

/**
 * struct syschain_buf - a buffer to register with a chain
 * @addr: its first byte, a user address
 * @len: its length in bytes, 1 to 1 GiB
 * @flags: &enum syschain_buf_flags
 * @__reserved: must be 0
 */
struct syschain_buf {
	__aligned_u64 addr;
	__aligned_u64 len;
	__u32 flags;
	__u32 __reserved;
};
#define SYSCHAIN_BUF_SIZE_VER0 24

/**
 * enum syschain_register_flags - flags of struct syschain_register
 * @SYSCHAIN_REGISTER_CLOEXEC: the descriptor is close-on-exec
 */
enum syschain_register_flags {
	SYSCHAIN_REGISTER_CLOEXEC = 1 << 0
};

/**
 * struct syschain_register - ioctl(SYSCHAIN_REGISTER)
 * @size: sizeof(struct syschain_register)
 * @flags: &enum syschain_register_flags
 * @nr_ops: number of ops, 1 to the probe's ``max_ops``
 * @nr_conds: number of conditions, 0 to the probe's ``max_conds``
 * @op_size: as struct syschain_run's
 * @cond_size: as struct syschain_run's
 * @ops_uptr: user pointer to @nr_ops ops of @op_size bytes each
 * @conds_uptr: user pointer to @nr_conds conditions of @cond_size bytes
 * @fd: out: the registered chain's descriptor
 * @stop_op: out: when the chain is rejected, the op at fault, else
 *	%SYSCHAIN_NO_INDEX
 * @stop_cond: out: when the chain is rejected, the condition at fault,
 *	else %SYSCHAIN_NO_INDEX
 * @__reserved: must be 0
 * @nr_bufs: (ABI 5) number of buffers to register, 0 to
 *	%SYSCHAIN_MAX_BUFS (see "Registered buffers")
 * @buf_size: sizeof(struct syschain_buf) as the caller knows it, the same
 *	rules as struct syschain_run's ``op_size``; ignored when @nr_bufs is 0
 * @bufs_uptr: user pointer to @nr_bufs struct syschain_buf of @buf_size
 *	bytes; ignored when @nr_bufs is 0
 *
 * Copies the chain in and validates it as %SYSCHAIN_RUN does, pins its
 * buffers, and returns a descriptor for %SYSCHAIN_EXEC (see "Registered
 * chains"). No op runs.
 *
 * Errors: those of %SYSCHAIN_RUN's validation, with ``stop_op`` and
 * ``stop_cond`` naming the culprit (-EINVAL, -E2BIG, -EOPNOTSUPP, -EFAULT,
 * -ENOMEM, -EPERM); and ``-EMFILE``/``-ENFILE`` when no descriptor is
 * free. For the buffers, with ``stop_op`` %SYSCHAIN_NO_INDEX and
 * ``stop_cond`` the buffer's index:
 *
 * - ``-EINVAL``: a buffer of length 0, with unknown flags or reserved
 *   bits set; a bad @buf_size.
 * - ``-E2BIG``: more than %SYSCHAIN_MAX_BUFS buffers; a buffer over 1 GiB;
 *   kernel buffers over %SYSCHAIN_MAX_KERNEL_BUF in all; a struct
 *   syschain_buf larger than the module knows, with a non-zero tail.
 * - ``-EFAULT``: a buffer that is not mapped, or not writable, throughout
 *   (a kernel buffer: not readable).
 * - ``-EOPNOTSUPP``: a buffer in a mapping of a file other than tmpfs or
 *   hugetlbfs (anonymous memory, shared or private, and memfd are taken),
 *   as io_uring refuses.
 * - ``-ENOMEM``: pinned pages would exceed the caller's ``RLIMIT_MEMLOCK``
 *   (the buffers of all its chains and io_uring's count together), or no
 *   memory.
 */
struct syschain_register {
	__u32 size;
	__u32 flags;
	__u32 nr_ops;
	__u32 nr_conds;
	__u32 op_size;
	__u32 cond_size;
	__aligned_u64 ops_uptr;
	__aligned_u64 conds_uptr;
	__s32 fd;
	__u32 stop_op;
	__u32 stop_cond;
	__u32 __reserved;
	__u32 nr_bufs;
	__u32 buf_size;
	__aligned_u64 bufs_uptr;
};
#define SYSCHAIN_REGISTER_SIZE_VER0 56
#define SYSCHAIN_REGISTER_SIZE_VER1 72
#define SYSCHAIN_REGISTER _IO(SYSCHAIN_TYPE, SYSCHAIN_CMD_REGISTER)

/**
 * enum syschain_patch_flags - flags of struct syschain_patch
 * @SYSCHAIN_PATCH_REF: the patched argument is a reference (its bit is set
 *	in the op's ``ref_mask``) and @value is the new addend to the
 *	referenced result; without it, patching a reference is refused
 */
enum syschain_patch_flags {
	SYSCHAIN_PATCH_REF = 1 << 0
};

/**
 * struct syschain_patch - set one argument of a registered chain
 * @op: the op's index
 * @arg: the argument's index, below the op's argument count
 * @flags: &enum syschain_patch_flags
 * @value: the argument's new value
 */
struct syschain_patch {
	__u32 op;
	__u16 arg;
	__u16 flags;
	__aligned_u64 value;
};
#define SYSCHAIN_PATCH_SIZE_VER0 16

/** SYSCHAIN_MAX_PATCHES - most patches one run may carry */
#define SYSCHAIN_MAX_PATCHES 64

/**
 * struct syschain_exec - ioctl(SYSCHAIN_EXEC), on a registered chain
 * @size: sizeof(struct syschain_exec)
 * @flags: &enum syschain_run_flags, as for %SYSCHAIN_RUN
 * @nr_patches: number of patches, 0 to %SYSCHAIN_MAX_PATCHES
 * @patch_size: sizeof(struct syschain_patch) as the caller knows it, the
 *	same rules as struct syschain_run's ``op_size``; ignored when
 *	@nr_patches is 0
 * @patches_uptr: user pointer to @nr_patches patches of @patch_size bytes;
 *	ignored when @nr_patches is 0
 * @results_uptr: user pointer to one struct syschain_result per op of the
 *	chain, written when the chain has run (every slot: ops that never ran
 *	get zeros) and when it leaves the kernel at an op boundary; read back
 *	with %SYSCHAIN_RUN_RESUME. Required.
 * @max_steps: as struct syschain_run's
 * @steps: as struct syschain_run's
 * @status: as struct syschain_run's
 * @stop_op: as struct syschain_run's; on a refused patch, its op
 * @stop_cond: as struct syschain_run's
 * @__reserved: must be 0
 * @resume_expiry: as struct syschain_run's
 *
 * Applies the patches, then runs the registered chain from op 0 (or, with
 * %SYSCHAIN_RUN_RESUME, goes on where it left the kernel), with the same
 * semantics as %SYSCHAIN_RUN: op boundaries, restarts, statuses. Unlike
 * %SYSCHAIN_RUN, the results are not written before the run: if
 * @results_uptr cannot be written after it, the chain ends with
 * %SYSCHAIN_STATUS_FAULT after its ops ran. A run's first write of the
 * results is whole; where the chain leaves the kernel at op boundaries,
 * each later write has only the results of the ops that ran since. The
 * resume of the run that left last (the same task, its struct as the run
 * left it) goes on with the results the module kept rather than reading
 * them back: they must not be changed in between.
 *
 * The patches are checked before any is applied; one that is refused
 * applies none and runs nothing.
 *
 * Errors, without running any op:
 *
 * - ``-EINVAL``: unknown flags, reserved fields set, @results_uptr 0, bad
 *   @patch_size; a patch of an op past the chain, of an argument at or
 *   past the op's argument count, of a reference without
 *   %SYSCHAIN_PATCH_REF (or with it, of a value argument), or with unknown
 *   flags; ``stop_op`` names the patch's op where there is one.
 * - ``-E2BIG``: more than %SYSCHAIN_MAX_PATCHES patches; a struct or patch
 *   larger than the module knows with a non-zero tail.
 * - ``-EOPNOTSUPP``: a patch gives op ``stop_op`` an argument that this
 *   module cannot run faithfully (as %SYSCHAIN_RUN refuses it).
 * - ``-EFAULT``: a bad pointer to the struct (which must be writable) or
 *   the patches, or @results_uptr not in user space; with
 *   %SYSCHAIN_RUN_RESUME, results that cannot be read back.
 * - ``-EBUSY``: the chain is running in another thread or process.
 * - ``-EPERM``: as for %SYSCHAIN_RUN.
 * - ``-ENOTTY``: the descriptor is not a registered chain.
 *
 * And, after ops ran, ``-EINTR`` as for %SYSCHAIN_RUN.
 */
struct syschain_exec {
	__u32 size;
	__u32 flags;
	__u32 nr_patches;
	__u32 patch_size;
	__aligned_u64 patches_uptr;
	__aligned_u64 results_uptr;
	__aligned_u64 max_steps;
	__aligned_u64 steps;
	__u32 status;
	__u32 stop_op;
	__u32 stop_cond;
	__u32 __reserved;
	__aligned_u64 resume_expiry;
};
#define SYSCHAIN_EXEC_SIZE_VER0 72
#define SYSCHAIN_EXEC _IO(SYSCHAIN_TYPE, SYSCHAIN_CMD_EXEC)

#endif /* _UAPI_LINUX_SYSCHAIN_H */
