// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process facts, as kernel/sys.c computes them for the caller.
 */
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include "ops.h"

/* getpid(void) */
__s64 sc_op_getpid(const __u64 *args)
{
	return task_tgid_vnr(current);
}

/* getppid(void) */
__s64 sc_op_getppid(const __u64 *args)
{
	__s64 pid;

	rcu_read_lock();
	pid = task_tgid_vnr(rcu_dereference(current->real_parent));
	rcu_read_unlock();
	return pid;
}

/* gettid(void) */
__s64 sc_op_gettid(const __u64 *args)
{
	return task_pid_vnr(current);
}
