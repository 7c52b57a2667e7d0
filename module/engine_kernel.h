/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel executor's hooks into the engine's hot loop (see engine.h),
 * force-included when engine.c is built into the module: between ops the
 * chain leaves the ioctl when a return to user mode has work to do; ops are
 * dispatched with a switch of direct calls rather than through a function
 * pointer (an indirect call costs a retpoline on most of today's kernels).
 */
#ifndef SYSCHAIN_ENGINE_KERNEL_H
#define SYSCHAIN_ENGINE_KERNEL_H

#include <linux/sched.h>
#include <linux/thread_info.h>
#include <asm/unistd.h>
#include "ops.h"

/*
 * The thread flags that say a return to user mode has work to do, or the
 * CPU is wanted: task work sets TIF_NOTIFY_RESUME (TWA_RESUME, as fput()
 * adds it) or TIF_NOTIFY_SIGNAL, a signal TIF_SIGPENDING.
 */
#define SC_TIF_BOUNDARY (_TIF_NEED_RESCHED | _TIF_SIGPENDING | \
			 _TIF_NOTIFY_SIGNAL | _TIF_NOTIFY_RESUME)

/*
 * Before the next op: one look at the thread flags, the audit context the
 * ioctl came with, the switches' generation and the seccomp mode; the
 * rest, if any of them says so, is sc_boundary() (main.c): yield the CPU,
 * leave the ioctl at this op boundary when a return to user mode has work
 * to do (uapi "Op boundaries"), or stop a chain its caller may no longer
 * run.
 */
static __always_inline int sc_kernel_boundary(const struct sc_chain *c)
{
	const struct sc_exec *x = c->exec;

	if (likely(!(read_thread_flags() & SC_TIF_BOUNDARY) && !x->audit &&
		   !sc_switches_changed(x->switches) && !sc_seccomp_filtered()))
		return SC_BOUNDARY_NONE;
	return sc_boundary(c->exec);
}

/* Ops are direct calls: the switch is generated from the op list. */
static __always_inline __s64 sc_kernel_call(const struct sc_chain *c,
					    const struct sc_opdef *def,
					    const __u64 *args)
{
	switch (def->nr) {
#define SC_OP(sys, n, chk, ...) case __NR_##sys: return sc_op_##sys(args, c->exec);
#include "oplist.h"
#undef SC_OP
	}
	/* not reached: sc_validate() takes only ops of the generated table */
	return -EOPNOTSUPP;
}

/*
 * An op on a registered buffer: its implementation moves the data through
 * the pinned pages (sc_exec.fixed) when the caller's address space is the
 * one they are pinned in, else through the caller's own memory.
 */
static __always_inline __s64 sc_kernel_call_fixed(const struct sc_chain *c,
						  const struct sc_opdef *def,
						  const __u64 *args,
						  const struct sc_buf *b)
{
	struct sc_exec *x = c->exec;
	__s64 ret;

	if (!x->own_bufs)
		return sc_kernel_call(c, def, args);
	x->fixed = b->priv;
	ret = sc_kernel_call(c, def, args);
	x->fixed = NULL;
	return ret;
}

#define SC_ENV_BOUNDARY(c, env) sc_kernel_boundary(c)
#define SC_ENV_CALL(c, def, args) sc_kernel_call(c, def, args)
#define SC_ENV_CALL_FIXED(c, def, args, b) sc_kernel_call_fixed(c, def, args, b)
#define SC_ENV_CALL_FIXED_IOV(c, def, args) sc_fixed_iov_call(c, def, args)

#endif /* SYSCHAIN_ENGINE_KERNEL_H */
