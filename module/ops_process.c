// SPDX-License-Identifier: GPL-2.0-only
/*
 * Process facts, as kernel/sys.c and kernel/groups.c compute them for the
 * caller, its umask, and sched_yield() of kernel/sched.
 */
#include <linux/cred.h>
#include <linux/fs_struct.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
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
 * do_getpgid(0) of kernel/sys.c, the process group of the caller (no
 * security hook: the syscall calls none for itself)
 */
static __s64 sc_caller_pgrp(void)
{
	__s64 pgrp;

	rcu_read_lock();
	pgrp = pid_vnr(task_pgrp(current));
	rcu_read_unlock();
	return pgrp;
}

#ifdef __NR_getpgrp
/* getpgrp(void), where the architecture has it (oplist.h) */
__s64 sc_op_getpgrp(const __u64 *args, struct sc_exec *x)
{
	return sc_caller_pgrp();
}
#endif

/*
 * getpgid(pid_t pid) and getsid(pid_t pid), for the caller only (pid 0):
 * do_getpgid() and getsid() of kernel/sys.c check another task with
 * security_task_getpgid()/security_task_getsid(), which are not exported,
 * so any other pid, or one taken from another op's result, is refused at
 * validation.
 */
static int sc_check_caller_pid(const struct syschain_op *op)
{
	if ((op->ref_mask & 1) || (pid_t)op->args[0] != 0)
		return -EOPNOTSUPP;
	return 0;
}

int sc_check_getpgid(const struct syschain_op *op)
{
	return sc_check_caller_pid(op);
}

int sc_check_getsid(const struct syschain_op *op)
{
	return sc_check_caller_pid(op);
}

/* getpgid(0): the process group of the caller, as getpgrp */
__s64 sc_op_getpgid(const __u64 *args, struct sc_exec *x)
{
	return sc_caller_pgrp();
}

/* getsid(0): the session of the caller */
__s64 sc_op_getsid(const __u64 *args, struct sc_exec *x)
{
	__s64 sid;

	rcu_read_lock();
	sid = pid_vnr(task_session(current));
	rcu_read_unlock();
	return sid;
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

/*
 * getresuid()'s and getresgid()'s stores: the three ids in argument order,
 * each put_user() of a 32-bit id; the first address that faults ends it
 * with -EFAULT, the ids before it stored.
 */
static int sc_put_res_ids(const __u64 *args, u32 r, u32 e, u32 s)
{
	int ret;

	ret = put_user(r, (u32 __user *)u64_to_user_ptr(args[0]));
	if (!ret)
		ret = put_user(e, (u32 __user *)u64_to_user_ptr(args[1]));
	if (!ret)
		ret = put_user(s, (u32 __user *)u64_to_user_ptr(args[2]));
	return ret;
}

/*
 * getresuid(uid_t *ruid, uid_t *euid, uid_t *suid) of kernel/sys.c: the
 * ids as the caller's credentials' user namespace sees them
 */
__s64 sc_op_getresuid(const __u64 *args, struct sc_exec *x)
{
	const struct cred *cred = current_cred();

	return sc_put_res_ids(args, from_kuid_munged(cred->user_ns, cred->uid),
			      from_kuid_munged(cred->user_ns, cred->euid),
			      from_kuid_munged(cred->user_ns, cred->suid));
}

/* getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid): the same for the gids */
__s64 sc_op_getresgid(const __u64 *args, struct sc_exec *x)
{
	const struct cred *cred = current_cred();

	return sc_put_res_ids(args, from_kgid_munged(cred->user_ns, cred->gid),
			      from_kgid_munged(cred->user_ns, cred->egid),
			      from_kgid_munged(cred->user_ns, cred->sgid));
}

/*
 * getgroups(int size, gid_t *list) of kernel/groups.c: the number of
 * supplementary groups, and with a size, the groups (groups_to_user(),
 * static there: one put_user() a group, in the caller's user namespace).
 * -EINVAL for a negative size or one below the number.
 */
__s64 sc_op_getgroups(const __u64 *args, struct sc_exec *x)
{
	const struct cred *cred = current_cred();
	const struct group_info *gi = cred->group_info;
	struct user_namespace *user_ns = current_user_ns();
	gid_t __user *list = u64_to_user_ptr(args[1]);
	int size = (int)args[0];
	int i, n = gi->ngroups;

	if (size < 0)
		return -EINVAL;
	if (!size)
		return n;
	if (n > size)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (put_user(from_kgid_munged(user_ns, gi->gid[i]), list + i))
			return -EFAULT;
	return n;
}

/* umask(int mask) of kernel/sys.c: the new mask in, the old one back */
__s64 sc_op_umask(const __u64 *args, struct sc_exec *x)
{
	return xchg(&current->fs->umask, (int)args[0] & 0777);	/* S_IRWXUGO */
}

/*
 * kill(pid_t pid, int sig), for one process (pid > 0): the syscall's
 * kill_proc_info(), through kill_pid() (E/E) on find_vpid() (G/G), which
 * makes the same group_send_sig_info(): check_kill_permission() (the
 * credentials rule, security_task_kill(), audit's signal record) and the
 * signal queued, or only checked for 0. kill_pid() passes
 * SEND_SIG_NOINFO where the syscall passes the SI_USER siginfo that
 * prepare_kill_siginfo() fills in; __send_signal_locked() then fills in the
 * same fields, with si_pid as the receiver's pid namespace sees the
 * sender and si_uid as its user namespace sees the sender's uid. The
 * syscall's siginfo has si_pid as the sender sees itself, made 0 when the
 * receiver cannot see the sender, and si_uid translated from the
 * sender's namespace: the same values, as long as the receiver's pid
 * namespace is the sender's or below it (find_vpid() finds no other) and
 * the sender's uid is mapped in its own user namespace. When it is not
 * (a task that joined a user namespace without a mapping for it), the
 * syscall's si_uid is the overflow uid: refused at run time.
 * Groups and broadcast (pid 0 and below) take kill_something_info()'s
 * other paths, not exported: refused at validation, as a pid taken from
 * another op's result is.
 */
int sc_check_kill(const struct syschain_op *op)
{
	if ((op->ref_mask & 1) || (pid_t)op->args[0] <= 0)
		return -EOPNOTSUPP;
	return 0;
}

/* pid > 0: sc_check_kill() let nothing else in, patches included */
__s64 sc_op_kill(const __u64 *args, struct sc_exec *x)
{
	pid_t pid = (pid_t)args[0];
	int sig = (int)args[1];
	int error;

	if (unlikely(!kuid_has_mapping(current_user_ns(), current_uid())))
		return -EOPNOTSUPP;
	rcu_read_lock();
	error = kill_pid(find_vpid(pid), sig, 0);
	rcu_read_unlock();
	return error;
}
