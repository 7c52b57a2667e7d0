// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process facts, as kernel/sys.c computes them for the caller, and
 * sched_yield() of kernel/sched.
 */
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uidgid.h>
#include "ops.h"

/* getpid(void) */
__s64 sc_op_getpid(const __u64 *args, struct sc_exec *x)
{
	return task_tgid_vnr(current);
}

/* getppid(void) */
__s64 sc_op_getppid(const __u64 *args, struct sc_exec *x)
{
	__s64 pid;

	rcu_read_lock();
	pid = task_tgid_vnr(rcu_dereference(current->real_parent));
	rcu_read_unlock();
	return pid;
}

/*
 * getpgrp(void): do_getpgid(0) of kernel/sys.c, the process group of the
 * caller (no security hook: the syscall calls none for itself)
 */
__s64 sc_op_getpgrp(const __u64 *args, struct sc_exec *x)
{
	__s64 pgrp;

	rcu_read_lock();
	pgrp = pid_vnr(task_pgrp(current));
	rcu_read_unlock();
	return pgrp;
}

/* gettid(void) */
__s64 sc_op_gettid(const __u64 *args, struct sc_exec *x)
{
	return task_pid_vnr(current);
}

/* getuid(void): the real uid as the caller's user namespace sees it */
__s64 sc_op_getuid(const __u64 *args, struct sc_exec *x)
{
	return from_kuid_munged(current_user_ns(), current_uid());
}

/* geteuid(void) */
__s64 sc_op_geteuid(const __u64 *args, struct sc_exec *x)
{
	return from_kuid_munged(current_user_ns(), current_euid());
}

/* getgid(void) */
__s64 sc_op_getgid(const __u64 *args, struct sc_exec *x)
{
	return from_kgid_munged(current_user_ns(), current_gid());
}

/* getegid(void) */
__s64 sc_op_getegid(const __u64 *args, struct sc_exec *x)
{
	return from_kgid_munged(current_user_ns(), current_egid());
}

/*
 * sched_yield(void): the syscall is do_sched_yield(), which is static;
 * yield() is set_current_state(TASK_RUNNING) and then do_sched_yield(),
 * and a task running an op is already TASK_RUNNING, so it is the same.
 */
__s64 sc_op_sched_yield(const __u64 *args, struct sc_exec *x)
{
	yield();
	return 0;
}
