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

#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/task_work.h>
#include <linux/sched/signal.h>
#include <asm/unistd.h>
#include "ops.h"

/*
 * Before the next op: yield the CPU if needed, and leave the ioctl at this
 * op boundary when a return to user mode has work to do (uapi "Op
 * boundaries"): task work (the final fput of a closed file), a signal to
 * deliver, or an audit context whose syscall-exit record would collect the
 * op's names. Who may run chains is checked again only when the module's
 * switches changed since the chain was let in, or a seccomp filter applies
 * (another thread's SECCOMP_FILTER_FLAG_TSYNC can add one mid-chain), so
 * that disabling chains stops running ones at their next op.
 */
static __always_inline int sc_kernel_boundary(const struct sc_chain *c)
{
	if (unlikely(need_resched()))
		cond_resched();
	if (unlikely(task_work_pending(current) || signal_pending(current) ||
		     !audit_dummy_context()))
		return SC_BOUNDARY_SUSPEND;
	if (unlikely(sc_switches_changed(c->exec->switches) ||
		     sc_seccomp_filtered()))
		return sc_recheck(c->exec);
	return SC_BOUNDARY_NONE;
}

/* Ops are direct calls: the switch is generated from the op list. */
static __always_inline __s64 sc_kernel_call(const struct sc_chain *c,
					    const struct sc_opdef *def,
					    const __u64 *args)
{
	switch (def->nr) {
#define SC_OP(sys, n, chk) case __NR_##sys: return sc_op_##sys(args, c->exec);
#include "oplist.h"
#undef SC_OP
	}
	/* not reached: sc_validate() takes only ops of the generated table */
	return -EOPNOTSUPP;
}

#define SC_ENV_BOUNDARY(c, env) sc_kernel_boundary(c)
#define SC_ENV_CALL(c, def, args) sc_kernel_call(c, def, args)

#endif /* SYSCHAIN_ENGINE_KERNEL_H */
