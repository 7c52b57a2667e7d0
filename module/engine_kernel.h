/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel executor's hooks into the engine's hot loop (see engine.h),
 * force-included when engine.c is built into the module: between ops a
 * pending signal stops the chain and the CPU is yielded if needed; ops are
 * dispatched with a switch of direct calls rather than through a function
 * pointer (an indirect call costs a retpoline on most of today's kernels).
 */
#ifndef SYSCHAIN_ENGINE_KERNEL_H
#define SYSCHAIN_ENGINE_KERNEL_H

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/unistd.h>
#include "ops.h"

static __always_inline int sc_kernel_pending(void)
{
	if (unlikely(signal_pending(current)))
		return 1;
	if (unlikely(need_resched()))
		cond_resched();
	return 0;
}

static __always_inline __s64 sc_kernel_call(const struct sc_opdef *def,
					    const __u64 *args)
{
	switch (def->nr) {
#define SC_OP(sys, n, chk) case __NR_##sys: return sc_op_##sys(args);
#include "oplist.h"
#undef SC_OP
	}
	return def->fn(args);
}

#define SC_ENV_PENDING(env) sc_kernel_pending()
#define SC_ENV_CALL(def, args) sc_kernel_call(def, args)

#endif /* SYSCHAIN_ENGINE_KERNEL_H */
