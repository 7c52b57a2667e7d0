// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/syschain: run a chain of system calls with one user/kernel crossing.
 *
 * The ioctls are described in uapi/linux/syschain.h. The chain is copied in
 * whole, validated by the shared engine (engine.c), then executed in the
 * caller's context by the kernel op table (ops.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seccomp.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/syschain.h>
#include <asm/unistd.h>
#include "engine.h"
#include "ops.h"
#include "core.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static unsigned int max_ops = 4096;
module_param(max_ops, uint, 0644);
MODULE_PARM_DESC(max_ops, "Most ops in one chain (default 4096, at most 65536)");

static unsigned int max_conds = 4096;
module_param(max_conds, uint, 0644);
MODULE_PARM_DESC(max_conds, "Most conditions in one chain (default 4096, at most 65536)");

static unsigned long max_steps = SC_DEFAULT_MAX_STEPS;
module_param(max_steps, ulong, 0644);
MODULE_PARM_DESC(max_steps, "Most op executions in one call (default 1048576)");

/*
 * The switches that say who may run chains (disabled, group,
 * allow_seccomp). Each write moves sc_switches_gen after the new value is
 * stored, so that a running chain, which compares the generation it was
 * let in under at every op boundary, checks them again only then.
 */
atomic_t sc_switches_gen = ATOMIC_INIT(0);

static void sc_switches_moved(void)
{
	smp_mb__before_atomic();	/* the new value, then the generation */
	atomic_inc(&sc_switches_gen);
}

static int sc_set_uint_switch(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		sc_switches_moved();
	return ret;
}

static int sc_set_bool_switch(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (!ret)
		sc_switches_moved();
	return ret;
}

static const struct kernel_param_ops sc_uint_switch_ops = {
	.set = sc_set_uint_switch,
	.get = param_get_uint,
};

static const struct kernel_param_ops sc_bool_switch_ops = {
	.set = sc_set_bool_switch,
	.get = param_get_bool,
};

static unsigned int disabled;
module_param_cb(disabled, &sc_uint_switch_ops, &disabled, 0644);
__MODULE_PARM_TYPE(disabled, "uint");
MODULE_PARM_DESC(disabled, "0: chains for everyone who can open the device (default); 1: only for members of group 'group' and CAP_SYS_ADMIN; 2: for nobody");

/*
 * The group allowed under disabled=1: a gid of the initial user namespace,
 * whatever namespace the writer or the caller is in, and unsigned like
 * gid_t. (gid_t)-1, never a valid gid, means none; "-1" is taken for it,
 * as the parameter was an int before.
 */
#define SC_GROUP_NONE ((gid_t)-1)
static unsigned int group = SC_GROUP_NONE;

static int sc_set_group(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "-1"))
		val = "4294967295";
	return sc_set_uint_switch(val, kp);
}

static const struct kernel_param_ops sc_group_ops = {
	.set = sc_set_group,
	.get = param_get_uint,
};

module_param_cb(group, &sc_group_ops, &group, 0644);
__MODULE_PARM_TYPE(group, "uint");
MODULE_PARM_DESC(group, "The group allowed when disabled=1, a gid of the initial user namespace (default 4294967295 or -1: none)");

static bool allow_seccomp;
module_param_cb(allow_seccomp, &sc_bool_switch_ops, &allow_seccomp, 0644);
__MODULE_PARM_TYPE(allow_seccomp, "bool");
MODULE_PARM_DESC(allow_seccomp, "Run chains for tasks under a seccomp filter, which sees only the ioctl (default N: -EPERM)");

/**
 * sc_permitted() - may the caller run chains now
 * @switches: set to the generation of the switches the answer is for
 *
 * Checked on every ioctl, so that changing the parameters takes effect at
 * once, for descriptors already open too, and again at a running chain's
 * next op boundary when the generation moved (sc_recheck()).
 *
 * Return: 0, or -EPERM.
 */
int sc_permitted(u32 *switches)
{
	/* the generation first: a later write is seen at the next boundary */
	*switches = atomic_read_acquire(&sc_switches_gen);
	switch (READ_ONCE(disabled)) {
	case 0:
		break;
	case 1: {
		/*
		 * The administrator's gid and CAP_SYS_ADMIN, both of the
		 * initial namespace: a user namespace maps any gid its
		 * creator likes and grants every capability inside. A
		 * refusal is the normal answer here, not a denial to audit.
		 */
		kgid_t kgid = make_kgid(&init_user_ns, READ_ONCE(group));

		if (gid_valid(kgid) && in_group_p(kgid))
			break;
		if (ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN))
			break;
		return -EPERM;
	}
	default:
		return -EPERM;
	}
	/*
	 * A seccomp filter judges syscalls by number and arguments; the ops
	 * of a chain would pass under its nose as one ioctl.
	 */
	if (!READ_ONCE(allow_seccomp) && sc_seccomp_filtered())
		return -EPERM;
	return 0;
}

/**
 * sc_boundary() - at an op boundary, what the hot path's look asks for
 * @x: the running chain's executor state
 *
 * Yield the CPU if needed, and leave the ioctl when a return to user mode
 * has work to do (uapi "Op boundaries"): task work (the final fput of a
 * closed file), a signal to deliver, or an audit context whose
 * syscall-exit record would collect the op's names. Who may run chains is
 * checked again when the switches moved or a seccomp filter applies
 * (another thread's SECCOMP_FILTER_FLAG_TSYNC can add one mid-chain), so
 * that disabling chains stops running ones at their next op; @x's
 * generation is brought up.
 *
 * Return: &enum SC_BOUNDARY_NONE, _SUSPEND or _DENY.
 */
int sc_boundary(struct sc_exec *x)
{
	if (need_resched())
		cond_resched();
	if (task_work_pending(current) || signal_pending(current) || x->audit)
		return SC_BOUNDARY_SUSPEND;
	if ((sc_switches_changed(x->switches) || sc_seccomp_filtered()) &&
	    sc_permitted(&x->switches))
		return SC_BOUNDARY_DENY;
	return SC_BOUNDARY_NONE;
}

/*
 * Chains whose memory is allocated right now, and chains run since load:
 * read-only parameters, so tests can prove that every allocation was freed
 * and that their chains reached the module.
 */
atomic_long_t sc_chains_in_flight = ATOMIC_LONG_INIT(0);
atomic_long_t sc_chains_total = ATOMIC_LONG_INIT(0);

static int sc_get_counter(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops sc_counter_ops = {
	.get = sc_get_counter,
};

module_param_cb(chains_in_flight, &sc_counter_ops, &sc_chains_in_flight, 0444);
MODULE_PARM_DESC(chains_in_flight, "Chains holding module memory now (read-only)");
module_param_cb(chains_total, &sc_counter_ops, &sc_chains_total, 0444);
MODULE_PARM_DESC(chains_total, "Chains run since the module was loaded (read-only)");

static unsigned int sc_max_ops(void)
{
	return clamp(READ_ONCE(max_ops), 1U, SC_MAX_OPS_LIMIT);
}

static unsigned int sc_max_conds(void)
{
	return min(READ_ONCE(max_conds), SC_MAX_CONDS_LIMIT);
}

static u64 sc_max_steps(void)
{
	return max(READ_ONCE(max_steps), 1UL);
}

/* A run's step budget: the caller's, within the module's cap. */
u64 sc_steps_cap(u64 asked)
{
	u64 cap = sc_max_steps();

	return asked && asked < cap ? asked : cap;
}

/*
 * Copy @len bytes (a multiple of 8) from user memory a word at a time,
 * in one user-access section. The arrays of a chain are made of 64-bit
 * fields; word moves keep their copy cheap where "rep movsb" is not.
 */
int sc_get_words(void *dst, const void __user *src, size_t len)
{
	const u64 __user *s = src;
	u64 *d = dst;
	size_t i;

	if (!user_read_access_begin(src, len))
		return -EFAULT;
	for (i = 0; i < len / 8; i++)
		unsafe_get_user(d[i], &s[i], efault);
	user_read_access_end();
	return 0;
efault:
	user_read_access_end();
	return -EFAULT;
}

/*
 * Read an extensible struct whose first member is its __u32 size: the
 * size is fetched once, and the copy uses that value, never a re-read.
 */
/*
 * The common case, a struct of the module's own size, in one user access:
 * false to take the general path (another size, or a fault, which that
 * path meets again and answers).
 */
static bool sc_get_struct_fast(u64 *d, const u64 __user *s, size_t ksize,
			       u32 *usize)
{
	size_t i;

	if (!user_read_access_begin(s, ksize))
		return false;
	unsafe_get_user(*usize, (const u32 __user *)s, out);
	if (*usize != ksize)
		goto out;
	for (i = 0; i < ksize / 8; i++)
		unsafe_get_user(d[i], &s[i], out);
	user_read_access_end();
	return true;
out:
	user_read_access_end();
	return false;
}

int sc_copy_struct(void *dst, size_t ksize, size_t minsize,
		   void __user *uarg, u32 *usize)
{
	if (sc_get_struct_fast(dst, uarg, ksize, usize))
		return 0;
	if (get_user(*usize, (u32 __user *)uarg))
		return -EFAULT;
	if (*usize < minsize)
		return -EINVAL;
	if (*usize > PAGE_SIZE)
		return -E2BIG;	/* as copy_struct_from_user()'s users cap it */
	if (*usize == ksize)
		return sc_get_words(dst, uarg, ksize);
	return copy_struct_from_user(dst, ksize, uarg, *usize);
}

static long sc_ioctl_probe(struct sc_ucmd *ucmd)
{
	struct syschain_probe *probe = ucmd->cmd;
	unsigned int count = sc_op_count();
	u32 capacity;
	int ret;

	if (probe->flags)
		return -EINVAL;

	capacity = min(probe->nr_syscalls, count);
	if (capacity) {
		ret = sc_op_copy_list(u64_to_user_ptr(probe->syscalls_uptr),
				      capacity);
		if (ret)
			return ret;
	}

	probe->abi_version = SYSCHAIN_ABI_VERSION;
	probe->module_version = SYSCHAIN_VERSION_CODE;
	probe->max_ops = sc_max_ops();
	probe->max_conds = sc_max_conds();
	probe->max_steps = sc_max_steps();
	probe->op_size = sizeof(struct syschain_op);
	probe->cond_size = sizeof(struct syschain_cond);
	probe->result_size = sizeof(struct syschain_result);
	probe->nr_syscalls = count;
	if (copy_to_user(ucmd->ubuffer, probe,
			 min_t(size_t, ucmd->user_size, sizeof(*probe))))
		return -EFAULT;
	return 0;
}

/*
 * Copy @n elements of @usize bytes each from user memory into an array of
 * @ksize-byte elements. The common case (same size) is one copy; otherwise
 * each element is read with copy_struct_from_user() semantics. On -E2BIG,
 * *@bad is the index of the element with a non-zero unknown tail.
 */
int sc_copy_array(void *dst, size_t ksize, u64 uptr, u32 usize, u32 n,
		  u32 *bad)
{
	const char __user *src = u64_to_user_ptr(uptr);
	u32 i;
	int ret;

	if (usize == ksize)
		return sc_get_words(dst, src, array_size(n, ksize));
	for (i = 0; i < n; i++) {
		ret = copy_struct_from_user(dst + (size_t)i * ksize, ksize,
					    src + (size_t)i * usize, usize);
		if (ret) {
			*bad = i;
			return ret;
		}
		/* up to 64Ki elements of a page each: stay killable */
		if (!(i % 64)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

/*
 * The executor: the op table, and the tracepoint while it is enabled.
 * Signal checks and op calls are the engine's compile-time hooks
 * (engine_kernel.h).
 */
static struct sc_env sc_kernel_env __ro_after_init;
static struct sc_env sc_kernel_traced_env __ro_after_init;

/* the longest path name a trace shows, NUL included */
#define SC_TRACE_PATH_MAX 256

/*
 * The op as it ran, for the syschain_op tracepoint. An op that names a
 * path carries the name too, read now (after the op, as strace reads it
 * at the syscall's exit): a tracer reading the event later may find the
 * process gone. Its length: -EFAULT if unreadable, -ENOENT if the op has
 * no path, SC_TRACE_PATH_MAX - 1 if cut there.
 */
static void sc_kernel_trace(void *priv, u32 idx, u32 nr, const u64 *args,
			    s64 ret)
{
	const struct sc_opdef *def = &sc_kernel_env.table[nr];
	char path[SC_TRACE_PATH_MAX];
	long len = -ENOENT;

	path[0] = '\0';
	if (def->path_arg) {
		len = strncpy_from_user(path,
					u64_to_user_ptr(args[def->path_arg - 1]),
					sizeof(path) - 1);
		path[len < 0 ? 0 : len] = '\0';
	}
	trace_syschain_op(idx, nr, args, ret, (int)len, path);
}


/* The executor for a run starting now: with the tracepoint, if enabled. */
const struct sc_env *sc_run_env(void)
{
	return trace_syschain_op_enabled() ? &sc_kernel_traced_env :
					     &sc_kernel_env;
}

/**
 * sc_put_outcome() - hand a run's results and report back to the caller
 * @uarg: the caller's struct syschain_run or struct syschain_exec
 * @usize: its size
 * @steps_off: offsetof() its steps member: from there on both structs
 *	have the same output members (steps, status, stop_op, stop_cond,
 *	__reserved, resume_expiry), and both have flags at offset 4
 * @flags: the flags to write back
 * @rep: the report; status %SYSCHAIN_STATUS_FAULT (and the chain no
 *	longer resumable) if the results cannot be written
 * @expiry: resume_expiry, written if @usize has the member
 * @res: the results to write: @res->len bytes from @res->src to
 *	@res->dst (len 0: none)
 *
 * One user access for all of it: each one costs a barrier and, under
 * emulation, a change of translation context.
 *
 * Return: 0, or -EFAULT if the report could not be written.
 */
int sc_put_outcome(void __user *uarg, u32 usize, size_t steps_off, u32 flags,
		   struct sc_report *rep, u64 expiry,
		   const struct sc_results_out *res)
{
	const size_t end = usize >= steps_off + 32 ? steps_off + 32 :
						      steps_off + 20;
	u64 __user *dst = res->dst;
	const u64 *src = res->src;
	u8 __user *u = uarg;
	/* before the user access: no call while it is open (objtool) */
	const bool res_ok = !res->len || access_ok(dst, res->len);
	size_t i;

	BUILD_BUG_ON(offsetof(struct syschain_run, flags) != 4 ||
		     offsetof(struct syschain_exec, flags) != 4);
	BUILD_BUG_ON(offsetof(struct syschain_run, resume_expiry) -
		     offsetof(struct syschain_run, steps) != 24 ||
		     offsetof(struct syschain_exec, resume_expiry) -
		     offsetof(struct syschain_exec, steps) != 24);
	BUILD_BUG_ON(offsetof(struct syschain_exec, stop_cond) -
		     offsetof(struct syschain_exec, steps) != 16 ||
		     offsetof(struct syschain_run, stop_cond) -
		     offsetof(struct syschain_run, steps) != 16);
	if (!user_access_begin(u, end))
		return -EFAULT;
	if (!res_ok)
		goto results_fault;
	for (i = 0; i < res->len / 8; i++)
		unsafe_put_user(src[i], &dst[i], results_fault);
	goto report;
results_fault:
	/* the chain cannot go on where it could not say how far it got */
	rep->status = SYSCHAIN_STATUS_FAULT;
	rep->restart = 0;
	flags &= ~SYSCHAIN_RUN_RESUME;
	expiry = 0;
report:
	unsafe_put_user(flags, (u32 __user *)(u + 4), efault);
	unsafe_put_user(rep->steps, (u64 __user *)(u + steps_off), efault);
	unsafe_put_user(rep->status, (u32 __user *)(u + steps_off + 8), efault);
	unsafe_put_user(rep->stop_op, (u32 __user *)(u + steps_off + 12),
			efault);
	unsafe_put_user(rep->stop_cond, (u32 __user *)(u + steps_off + 16),
			efault);
	if (end == steps_off + 32)
		unsafe_put_user(expiry, (u64 __user *)(u + steps_off + 24),
				efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

/* Write the report alone (rejections, and before the first op runs). */
static int sc_report_only(struct syschain_run __user *uarg,
			  const struct sc_report *rep)
{
	if (!user_write_access_begin(&uarg->steps,
				     offsetofend(struct syschain_run, stop_cond) -
				     offsetof(struct syschain_run, steps)))
		return -EFAULT;
	unsafe_put_user(rep->steps, &uarg->steps, efault);
	unsafe_put_user(rep->status, &uarg->status, efault);
	unsafe_put_user(rep->stop_op, &uarg->stop_op, efault);
	unsafe_put_user(rep->stop_cond, &uarg->stop_cond, efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

static long sc_run_reject(struct syschain_run __user *uarg, long err, u32 op,
			  u32 cond)
{
	struct sc_report rep = {
		.status = SYSCHAIN_STATUS_INVALID,
		.stop_op = op,
		.stop_cond = cond,
	};

	/* The errno is the answer; the report only says which op. */
	sc_report_only(uarg, &rep);
	return err;
}

/*
 * Carve one allocation into the chain's arrays: the ops, the results, the
 * op table entries and the conditions, each naturally aligned.
 */
static void *sc_alloc_chain(struct sc_chain *chain, u32 nr_ops, u32 nr_conds)
{
	size_t ops_sz = array_size(nr_ops, sizeof(struct syschain_op));
	size_t res_sz = array_size(nr_ops, sizeof(struct syschain_result));
	size_t defs_sz = array_size(nr_ops, sizeof(*chain->defs));
	size_t conds_sz = array_size(nr_conds, sizeof(struct syschain_cond));
	void *buf;

	buf = kvmalloc(size_add(size_add(ops_sz, conds_sz),
				size_add(res_sz, defs_sz)),
		       GFP_KERNEL_ACCOUNT);
	if (!buf)
		return NULL;
	chain->ops = buf;
	chain->results = buf + ops_sz;
	chain->defs = buf + ops_sz + res_sz;
	chain->conds = buf + ops_sz + res_sz + defs_sz;
	return buf;
}

/* The restart code the ioctl returns when the chain left at a boundary. */
long sc_restart_code(int restart)
{
	/*
	 * The restart block is the op's own (its sleep's end travels in the
	 * run struct): the ioctl restarts plainly, unless a handler runs.
	 */
	if (restart == -ERESTART_RESTARTBLOCK)
		restart = -ERESTARTNOHAND;
	/*
	 * The way back to user mode looks at restart codes only when a
	 * signal or a notification is pending; task work alone would let the
	 * code leak out. TIF_NOTIFY_SIGNAL (as set_notify_signal() sets it,
	 * without the wake-up that the current task does not need) makes it
	 * run get_signal(), which runs the task work, and then restart the
	 * ioctl.
	 */
	set_thread_flag(TIF_NOTIFY_SIGNAL);
	return restart;
}

/*
 * A chain that left the kernel at an op boundary is kept on the open file,
 * copied and validated, so that the ioctl's restart goes on with it at the
 * cost of a crossing instead of copying and checking the whole chain again
 * (a close per file makes a boundary per file on 6.1). It is a cache, not
 * state: the chain's progress is always written out to the caller's run
 * struct and results, and read back from there, so a chain that is not
 * found (dropped, or never parked) is loaded again with the same result.
 * Keyed by the task (held by its struct pid, which cannot be reused while
 * referenced), the run struct's address and its members; at most
 * SC_MAX_PARKED per file, the oldest dropped first. A handler that runs
 * chains of its own while its task's chain is parked finds its own.
 */
#define SC_MAX_PARKED 4

struct sc_parked {
	struct list_head node;
	struct pid *pid;
	const void __user *uarg;
	struct syschain_run key;	/* the run struct as read, sc_run_key() */
	struct sc_chain chain;
	void *buf;
};

struct sc_file {
	spinlock_t lock;		/* protects parked and nr_parked */
	struct list_head parked;	/* newest first */
	unsigned int nr_parked;
};

void sc_free_chain(void *buf)
{
	kvfree(buf);
	atomic_long_dec(&sc_chains_in_flight);
}

static void sc_unpark(struct sc_parked *pk)
{
	if (!pk)
		return;
	sc_free_chain(pk->buf);
	put_pid(pk->pid);
	kfree(pk);
}

/* The members that say which chain a run struct runs. */
static void sc_run_key(struct syschain_run *key, const struct syschain_run *run)
{
	*key = *run;
	key->flags &= ~(SYSCHAIN_RUN_RESUME | SYSCHAIN_RUN_RESUME_EINTR);
	key->steps = 0;
	key->status = 0;
	key->stop_op = 0;
	key->stop_cond = 0;
	key->resume_expiry = 0;
}

/* Take the chain this task parked for the run struct at @uarg off the file. */
static struct sc_parked *sc_unlink_parked(struct sc_file *sf,
					  const void __user *uarg)
{
	struct pid *pid = task_pid(current);
	struct sc_parked *pk, *found = NULL;

	if (!READ_ONCE(sf->nr_parked))
		return NULL;
	spin_lock(&sf->lock);
	list_for_each_entry(pk, &sf->parked, node) {
		if (pk->pid == pid && pk->uarg == uarg) {
			list_del(&pk->node);
			WRITE_ONCE(sf->nr_parked, sf->nr_parked - 1);
			found = pk;
			break;
		}
	}
	spin_unlock(&sf->lock);
	return found;
}

/* The chain parked for this run, if it is the same chain. */
static struct sc_parked *sc_take_parked(struct sc_file *sf,
					const void __user *uarg,
					const struct syschain_run *run)
{
	struct sc_parked *pk = sc_unlink_parked(sf, uarg);
	struct syschain_run key;

	if (!pk)
		return NULL;
	sc_run_key(&key, run);
	if (memcmp(&key, &pk->key, sizeof(key))) {
		sc_unpark(pk);	/* another chain in the same struct */
		return NULL;
	}
	return pk;
}

/* Park the chain of @run; it owns @buf from then on. */
static void sc_park(struct sc_file *sf, const void __user *uarg,
		    const struct syschain_run *run, const struct sc_chain *chain,
		    void *buf)
{
	struct sc_parked *pk, *old = NULL;

	pk = kmalloc(sizeof(*pk), GFP_KERNEL_ACCOUNT);
	if (!pk) {
		sc_free_chain(buf);	/* the restart loads it again */
		return;
	}
	pk->pid = get_pid(task_pid(current));
	pk->uarg = uarg;
	sc_run_key(&pk->key, run);
	pk->chain = *chain;
	pk->buf = buf;
	spin_lock(&sf->lock);
	list_add(&pk->node, &sf->parked);
	if (sf->nr_parked == SC_MAX_PARKED) {
		old = list_last_entry(&sf->parked, struct sc_parked, node);
		list_del(&old->node);
	} else {
		WRITE_ONCE(sf->nr_parked, sf->nr_parked + 1);
	}
	spin_unlock(&sf->lock);
	sc_unpark(old);
}

/**
 * sc_check_src() - the sizes and counts of a chain to copy in
 * @src: where the chain is, as the caller's struct says
 *
 * Return: 0, -EINVAL or -E2BIG.
 */
long sc_check_src(const struct sc_chain_src *src)
{
	if (src->op_size < SYSCHAIN_OP_SIZE_VER0 || src->op_size % 8 ||
	    src->cond_size < SYSCHAIN_COND_SIZE_VER0 || src->cond_size % 8)
		return -EINVAL;
	if (src->nr_ops > sc_max_ops() || src->nr_conds > sc_max_conds() ||
	    src->op_size > PAGE_SIZE || src->cond_size > PAGE_SIZE)
		return -E2BIG;
	return 0;
}

/**
 * sc_load_chain() - copy a chain in and validate it
 * @src: where it is (checked by sc_check_src())
 * @chain: filled in; its flags and start must be set
 * @rep: on failure, status %SYSCHAIN_STATUS_INVALID and the culprit
 * @bufp: on success, the chain's memory, to free with sc_free_chain()
 *
 * Return: 0, or the errno of %SYSCHAIN_RUN's validation.
 */
long sc_load_chain(const struct sc_chain_src *src, struct sc_chain *chain,
		   struct sc_report *rep, void **bufp)
{
	u32 bad = SYSCHAIN_NO_INDEX;
	void *buf;
	long ret;

	*rep = (struct sc_report){
		.status = SYSCHAIN_STATUS_INVALID,
		.stop_op = SYSCHAIN_NO_INDEX,
		.stop_cond = SYSCHAIN_NO_INDEX,
	};
	chain->nr_ops = src->nr_ops;
	chain->nr_conds = src->nr_conds;
	buf = sc_alloc_chain(chain, src->nr_ops, src->nr_conds);
	if (!buf)
		return -ENOMEM;
	atomic_long_inc(&sc_chains_in_flight);

	ret = sc_copy_array((void *)chain->ops, sizeof(struct syschain_op),
			    src->ops_uptr, src->op_size, src->nr_ops, &bad);
	if (ret) {
		rep->stop_op = bad;
		goto out_free_chain;
	}
	ret = sc_copy_array((void *)chain->conds, sizeof(struct syschain_cond),
			    src->conds_uptr, src->cond_size, src->nr_conds,
			    &bad);
	if (ret) {
		rep->stop_cond = bad;
		goto out_free_chain;
	}
	ret = sc_validate(chain, &sc_kernel_env, rep);
	if (ret)
		goto out_free_chain;
	*bufp = buf;
	return 0;

out_free_chain:
	sc_free_chain(buf);
	return ret;
}

/* The run struct's own members, before anything is allocated. */
static long sc_check_run(const struct syschain_run *run,
			 const struct sc_chain_src *src)
{
	long ret;

	if (run->__reserved || !run->results_uptr)
		return -EINVAL;
	ret = sc_check_src(src);
	if (ret)
		return ret;
	if (!access_ok(u64_to_user_ptr(run->results_uptr),
		       array_size(run->nr_ops, sizeof(struct syschain_result))))
		return -EFAULT;
	return 0;
}

/*
 * The chain of @run, copied and validated: the one parked for it when
 * the run resumes, else loaded from the caller's arrays. On success the
 * chain is in *@chain and its memory in *@bufp, the caller's to free.
 */
static long sc_get_chain(struct sc_file *sf, struct syschain_run __user *uarg,
			 const struct syschain_run *run,
			 const struct sc_chain_src *src, struct sc_chain *chain,
			 void **bufp)
{
	struct sc_parked *pk = NULL;
	struct sc_report rep;
	long ret;

	if (run->flags & SYSCHAIN_RUN_RESUME)
		pk = sc_take_parked(sf, uarg, run);
	else
		sc_unpark(sc_unlink_parked(sf, uarg));
	if (pk) {
		/* copied and validated when the run started */
		*chain = pk->chain;
		*bufp = pk->buf;
		put_pid(pk->pid);
		kfree(pk);
		return 0;
	}
	chain->flags = run->flags;
	chain->start = run->stop_op;
	ret = sc_load_chain(src, chain, &rep, bufp);
	if (ret)
		sc_report_only(uarg, &rep);
	return ret;
}

/**
 * sc_resume_chain() - before a resumed run: where the chain left the kernel
 * @chain: the chain, with flags and start as the caller's struct says
 * @results_uptr: the caller's results, read back as they are; 0: the
 *	chain's own results are where the run left them
 * @expiry: the caller's resume_expiry: the end of an interrupted relative
 *	sleep that runs again first
 *
 * Return: 0, -EINVAL (start past the chain's body) or -EFAULT.
 */
long sc_resume_chain(struct sc_chain *chain, u64 results_uptr, u64 expiry)
{
	const struct syschain_op *first;

	/* a chain leaves the kernel only in its body */
	if (chain->start >= chain->body_end)
		return -EINVAL;
	if (results_uptr &&
	    sc_get_words(chain->results, u64_to_user_ptr(results_uptr),
			 array_size(chain->nr_ops,
				    sizeof(struct syschain_result))))
		return -EFAULT;
	first = &chain->ops[chain->start];
	if (!(chain->flags & SYSCHAIN_RUN_RESUME_EINTR) &&
	    (first->nr == __NR_nanosleep || first->nr == __NR_clock_nanosleep))
		chain->exec->sleep_until = expiry;
	return 0;
}

/*
 * Before the first op of this ioctl: a resumed run reads its results so
 * far back (and the end of the sleep that runs again first); a fresh one
 * makes sure that the report and the results can be written, the results
 * starting as zeros, as the engine starts them.
 */
static long sc_begin_run(struct syschain_run __user *uarg,
			 const struct syschain_run *run, struct sc_chain *chain,
			 const struct sc_report *rep)
{
	void __user *uresults = u64_to_user_ptr(run->results_uptr);
	size_t res_sz = array_size(chain->nr_ops,
				   sizeof(struct syschain_result));

	if (!(chain->flags & SYSCHAIN_RUN_RESUME)) {
		if (sc_report_only(uarg, rep))
			return -EFAULT;
		if (clear_user(uresults, res_sz))
			return sc_run_reject(uarg, -EFAULT, SYSCHAIN_NO_INDEX,
					     SYSCHAIN_NO_INDEX);
		atomic_long_inc(&sc_chains_total);
		return 0;
	}
	return sc_resume_chain(chain, run->results_uptr, run->resume_expiry);
}

/*
 * After the run: the results and the report go back to the caller. A
 * chain that left at an op boundary is parked for the ioctl's restart
 * (and the restart code returned); otherwise, or if the report could not
 * be written, its memory is freed.
 */
static long sc_end_run(struct sc_file *sf, struct sc_ucmd *ucmd,
		       struct sc_chain *chain, struct sc_report *rep,
		       void *buf)
{
	struct syschain_run __user *uarg = ucmd->ubuffer;
	const struct syschain_run *run = ucmd->cmd;
	const struct sc_results_out res = {
		.dst = u64_to_user_ptr(run->results_uptr),
		.src = chain->results,
		.len = array_size(chain->nr_ops, sizeof(struct syschain_result)),
	};
	u32 flags;
	long ret;

	flags = run->flags & ~(SYSCHAIN_RUN_RESUME | SYSCHAIN_RUN_RESUME_EINTR);
	if (rep->restart)
		flags |= SYSCHAIN_RUN_RESUME;
	ret = sc_put_outcome(uarg, ucmd->user_size,
			     offsetof(struct syschain_run, steps), flags, rep,
			     rep->restart ? chain->exec->slept_until : 0, &res);
	if (!rep->restart)
		trace_syschain_run(chain->nr_ops, rep->steps, rep->status,
				   rep->stop_op);
	if (ret || !rep->restart) {
		sc_free_chain(buf);
		return ret;
	}
	sc_park(sf, uarg, run, chain, buf);
	return sc_restart_code(rep->restart);
}

static long sc_ioctl_run(struct sc_ucmd *ucmd)
{
	struct syschain_run __user *uarg = ucmd->ubuffer;
	const struct syschain_run *run = ucmd->cmd;
	const struct sc_chain_src src = {
		.nr_ops = run->nr_ops,
		.nr_conds = run->nr_conds,
		.op_size = run->op_size,
		.cond_size = run->cond_size,
		.ops_uptr = run->ops_uptr,
		.conds_uptr = run->conds_uptr,
	};
	struct sc_exec exec = {
		.switches = ucmd->switches,
		.audit = !audit_dummy_context(),
	};
	struct sc_chain chain = {};
	struct sc_report rep = {};
	void *buf;
	long ret;

	ret = sc_check_run(run, &src);
	if (ret)
		return sc_run_reject(uarg, ret, SYSCHAIN_NO_INDEX,
				     SYSCHAIN_NO_INDEX);
	ret = sc_get_chain(ucmd->priv, uarg, run, &src, &chain, &buf);
	if (ret)
		return ret;
	chain.flags = run->flags;
	chain.start = run->stop_op;
	chain.start_steps = run->steps;
	chain.max_steps = sc_steps_cap(run->max_steps);
	chain.exec = &exec;
	ret = sc_begin_run(uarg, run, &chain, &rep);
	if (ret) {
		sc_free_chain(buf);
		return ret;
	}
	sc_run(&chain, sc_run_env(), &rep);
	return sc_end_run(ucmd->priv, ucmd, &chain, &rep, buf);
}

/*
 * The ioctls, as iommufd's table: each command's struct, the size below
 * which a caller's struct is refused (its first version), the descriptor
 * it is for (the device, or a registered chain's), and its handler. The
 * dispatcher checks the caller's permission and reads the struct; a
 * handler finds it in ucmd->cmd.
 */
union sc_ucmd_buffer {
	struct syschain_probe probe;
	struct syschain_run run;
	struct syschain_register reg;
	struct syschain_exec exec;
};

struct sc_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	bool on_chain;
	long (*execute)(struct sc_ucmd *ucmd);
};

#define SC_IOCTL_OP(_ioctl, _fn, _struct, _min_size, _on_chain)	\
	[_IOC_NR(_ioctl) - SYSCHAIN_CMD_BASE] = {			\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union sc_ucmd_buffer) <	\
					  sizeof(_struct)),		\
		.min_size = (_min_size),				\
		.ioctl_num = (_ioctl),					\
		.on_chain = (_on_chain),				\
		.execute = (_fn),					\
	}

static const struct sc_ioctl_op sc_ioctl_ops[] = {
	SC_IOCTL_OP(SYSCHAIN_PROBE, sc_ioctl_probe, struct syschain_probe,
		    offsetofend(struct syschain_probe, syscalls_uptr), false),
	SC_IOCTL_OP(SYSCHAIN_RUN, sc_ioctl_run, struct syschain_run,
		    SYSCHAIN_RUN_SIZE_VER0, false),
	SC_IOCTL_OP(SYSCHAIN_REGISTER, sc_ioctl_register,
		    struct syschain_register, SYSCHAIN_REGISTER_SIZE_VER0,
		    false),
	SC_IOCTL_OP(SYSCHAIN_EXEC, sc_ioctl_exec, struct syschain_exec,
		    SYSCHAIN_EXEC_SIZE_VER0, true),
};

/**
 * sc_dispatch() - run an ioctl of the device or of a registered chain
 * @priv: the descriptor's private data, for the handler
 * @on_chain: whether the descriptor is a registered chain's
 * @cmd: the ioctl command
 * @arg: its argument, the command's struct
 *
 * Return: the handler's answer; -ENOTTY for a command that is not the
 * descriptor's, -EPERM, or the errors of reading the struct.
 */
long sc_dispatch(void *priv, bool on_chain, unsigned int cmd,
		 unsigned long arg)
{
	struct sc_ucmd ucmd = {
		.priv = priv,
		.ubuffer = (void __user *)arg,
	};
	const struct sc_ioctl_op *op;
	union sc_ucmd_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	long ret;

	if (nr - SYSCHAIN_CMD_BASE >= ARRAY_SIZE(sc_ioctl_ops))
		return -ENOTTY;
	op = &sc_ioctl_ops[array_index_nospec(nr - SYSCHAIN_CMD_BASE,
					      ARRAY_SIZE(sc_ioctl_ops))];
	if (op->ioctl_num != cmd || op->on_chain != on_chain)
		return -ENOTTY;
	ret = sc_permitted(&ucmd.switches);
	if (ret)
		return ret;
	ret = sc_copy_struct(&buf, op->size, op->min_size, ucmd.ubuffer,
			     &ucmd.user_size);
	if (ret)
		return ret;
	ucmd.cmd = &buf;
	return op->execute(&ucmd);
}

static long syschain_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	return sc_dispatch(filp->private_data, false, cmd, arg);
}

static const struct file_operations syschain_fops;

/*
 * A chain cannot close a /dev/syschain descriptor, nor a registered
 * chain's: the ioctl it runs in comes back through its descriptor at every
 * op boundary (as io_uring's close op refuses io_uring descriptors).
 */
bool sc_is_syschain_file(const struct file *file)
{
	return file->f_op == &syschain_fops || sc_is_chain_file(file);
}

static int syschain_open(struct inode *inode, struct file *filp)
{
	struct sc_file *sf;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	if (!sf)
		return -ENOMEM;
	spin_lock_init(&sf->lock);
	INIT_LIST_HEAD(&sf->parked);
	sf->nr_parked = 0;
	filp->private_data = sf;
	return nonseekable_open(inode, filp);
}

static int syschain_release(struct inode *inode, struct file *filp)
{
	struct sc_file *sf = filp->private_data;
	struct sc_parked *pk, *next;

	list_for_each_entry_safe(pk, next, &sf->parked, node)
		sc_unpark(pk);
	kfree(sf);
	return 0;
}

static const struct file_operations syschain_fops = {
	.owner = THIS_MODULE,
	.open = syschain_open,
	.release = syschain_release,
	.unlocked_ioctl = syschain_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * A fixed misc minor, from the range Documentation/admin-guide/devices.txt
 * reserves for local use (243-254; dynamic minors are 0-127 and, from 6.2
 * on, 256 and up), so that the module can carry a devname alias: udev
 * (through kmod static-nodes) creates /dev/syschain at boot, and the first
 * open loads the module. If another out-of-tree driver holds the minor,
 * the device still registers with a dynamic one, without loading on demand.
 */
#define SYSCHAIN_MINOR 245

static struct miscdevice syschain_misc = {
	.minor = SYSCHAIN_MINOR,
	.name = "syschain",
	.fops = &syschain_fops,
	.mode = 0666,
};

static int __init syschain_init(void)
{
	int ret;

	/* the first version of each struct, as the uapi fixes it */
	BUILD_BUG_ON(sizeof(struct syschain_op) != SYSCHAIN_OP_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct syschain_cond) != SYSCHAIN_COND_SIZE_VER0);
	BUILD_BUG_ON(offsetof(struct syschain_run, resume_expiry) !=
		     SYSCHAIN_RUN_SIZE_VER0);
	BUILD_BUG_ON(SYSCHAIN_MAX_ARGS != 6);	/* trace.h prints six */

		sc_kernel_env.table = sc_op_table(&sc_kernel_env.table_len);
	sc_kernel_traced_env = sc_kernel_env;
	sc_kernel_traced_env.trace = sc_kernel_trace;

	ret = misc_register(&syschain_misc);
	if (ret == -EBUSY) {
		pr_notice("misc minor %d is taken: dynamic minor, no loading on demand\n",
			  SYSCHAIN_MINOR);
		syschain_misc.minor = MISC_DYNAMIC_MINOR;
		ret = misc_register(&syschain_misc);
	}
	if (ret) {
		pr_err("cannot register /dev/syschain: %d\n", ret);
		return ret;
	}
	pr_info("version %s, %u ops\n", SYSCHAIN_VERSION, sc_op_count());
	return 0;
}

static void __exit syschain_exit(void)
{
	misc_deregister(&syschain_misc);
}

module_init(syschain_init);
module_exit(syschain_exit);

MODULE_DESCRIPTION("Run a chain of system calls with one user/kernel crossing");
MODULE_AUTHOR("The syschain authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(SYSCHAIN_VERSION);
MODULE_ALIAS_MISCDEV(SYSCHAIN_MINOR);
MODULE_ALIAS("devname:syschain");
