// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/syschain: run a chain of system calls with one user/kernel crossing.
 *
 * The ioctls are described in uapi/linux/syschain.h. The chain is copied in
 * whole, validated by the shared engine (engine.c), then executed in the
 * caller's context by the kernel op table (ops.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seccomp.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/syschain.h>
#include "engine.h"
#include "ops.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define SC_HARD_MAX_OPS		65536U
#define SC_HARD_MAX_CONDS	65536U

static unsigned int max_ops = 4096;
module_param(max_ops, uint, 0644);
MODULE_PARM_DESC(max_ops, "Most ops in one chain (default 4096, at most 65536)");

static unsigned int max_conds = 4096;
module_param(max_conds, uint, 0644);
MODULE_PARM_DESC(max_conds, "Most conditions in one chain (default 4096, at most 65536)");

static unsigned long max_steps = 1UL << 20;
module_param(max_steps, ulong, 0644);
MODULE_PARM_DESC(max_steps, "Most op executions in one call (default 1048576)");

static unsigned int disabled;
module_param(disabled, uint, 0644);
MODULE_PARM_DESC(disabled, "0: chains for everyone who can open the device (default); 1: only for members of group 'group' and CAP_SYS_ADMIN; 2: for nobody");

static int group = -1;
module_param(group, int, 0644);
MODULE_PARM_DESC(group, "The group allowed when disabled=1 (default -1: none)");

static bool allow_seccomp;
module_param(allow_seccomp, bool, 0644);
MODULE_PARM_DESC(allow_seccomp, "Run chains for tasks under a seccomp filter, which sees only the ioctl (default N: -EPERM)");

/*
 * Who may run chains, checked on every ioctl so that changing the
 * parameters takes effect at once, for descriptors already open too.
 */
static int sc_permitted(void)
{
	switch (READ_ONCE(disabled)) {
	case 0:
		break;
	case 1: {
		int gid = READ_ONCE(group);
		kgid_t kgid = make_kgid(current_user_ns(), gid);

		if (gid >= 0 && gid_valid(kgid) && in_group_p(kgid))
			break;
		if (capable(CAP_SYS_ADMIN))
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
	if (IS_ENABLED(CONFIG_SECCOMP_FILTER) && !READ_ONCE(allow_seccomp) &&
	    READ_ONCE(current->seccomp.mode) == SECCOMP_MODE_FILTER)
		return -EPERM;
	return 0;
}

/*
 * Chains whose memory is allocated right now, and chains run since load:
 * read-only parameters, so tests can prove that every allocation was freed
 * and that their chains reached the module.
 */
static atomic_long_t sc_chains_in_flight = ATOMIC_LONG_INIT(0);
static atomic_long_t sc_chains_total = ATOMIC_LONG_INIT(0);

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
	return clamp(READ_ONCE(max_ops), 1U, SC_HARD_MAX_OPS);
}

static unsigned int sc_max_conds(void)
{
	return min(READ_ONCE(max_conds), SC_HARD_MAX_CONDS);
}

static u64 sc_max_steps(void)
{
	return max(READ_ONCE(max_steps), 1UL);
}

/*
 * Copy @len bytes (a multiple of 8) from or to user memory a word at a time,
 * in one user-access section. The arrays of a chain are made of 64-bit
 * fields; word moves keep their copy cheap where "rep movsb" is not.
 */
static int sc_get_words(void *dst, const void __user *src, size_t len)
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

static int sc_put_words(void __user *dst, const void *src, size_t len)
{
	u64 __user *d = dst;
	const u64 *s = src;
	size_t i;

	if (!user_write_access_begin(dst, len))
		return -EFAULT;
	for (i = 0; i < len / 8; i++)
		unsafe_put_user(s[i], &d[i], efault);
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * Read an extensible struct whose first member is its __u32 size: the
 * size is fetched once, and the copy uses that value, never a re-read.
 */
static int sc_copy_struct(void *dst, size_t ksize, size_t minsize,
			  void __user *uarg, u32 *usize)
{
	if (get_user(*usize, (u32 __user *)uarg))
		return -EFAULT;
	if (*usize < minsize)
		return -EINVAL;
	if (*usize == ksize)
		return sc_get_words(dst, uarg, ksize);
	return copy_struct_from_user(dst, ksize, uarg, *usize);
}

static long sc_ioctl_probe(void __user *uarg)
{
	struct syschain_probe probe;
	unsigned int count = sc_op_count();
	u32 usize, capacity;
	int ret;

	ret = sc_copy_struct(&probe, sizeof(probe),
			     offsetofend(struct syschain_probe, syscalls_uptr),
			     uarg, &usize);
	if (ret)
		return ret;
	if (probe.flags)
		return -EINVAL;

	capacity = min(probe.nr_syscalls, count);
	if (capacity) {
		ret = sc_op_copy_list(u64_to_user_ptr(probe.syscalls_uptr),
				      capacity);
		if (ret)
			return ret;
	}

	probe.abi_version = SYSCHAIN_ABI_VERSION;
	probe.module_version = SYSCHAIN_VERSION_CODE;
	probe.max_ops = sc_max_ops();
	probe.max_conds = sc_max_conds();
	probe.max_steps = sc_max_steps();
	probe.op_size = sizeof(struct syschain_op);
	probe.cond_size = sizeof(struct syschain_cond);
	probe.result_size = sizeof(struct syschain_result);
	probe.nr_syscalls = count;
	if (copy_to_user(uarg, &probe, min_t(size_t, usize, sizeof(probe))))
		return -EFAULT;
	return 0;
}

/*
 * Copy @n elements of @usize bytes each from user memory into an array of
 * @ksize-byte elements. The common case (same size) is one copy; otherwise
 * each element is read with copy_struct_from_user() semantics. On -E2BIG,
 * *@bad is the index of the element with a non-zero unknown tail.
 */
static int sc_copy_array(void *dst, size_t ksize, u64 uptr, u32 usize,
			 u32 n, u32 *bad)
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
	}
	return 0;
}

static void sc_kernel_trace(void *priv, u32 idx, u32 nr, const u64 *args,
			    s64 ret)
{
	trace_syschain_op(idx, nr, args, ret);
}

/*
 * The executor: the op table, and the tracepoint while it is enabled.
 * Signal checks and op calls are the engine's compile-time hooks
 * (engine_kernel.h).
 */
static struct sc_env sc_kernel_env __ro_after_init;
static struct sc_env sc_kernel_traced_env __ro_after_init;

/* Write the output members of struct syschain_run back to the caller. */
static int sc_put_report(struct syschain_run __user *uarg,
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

static long sc_reject(struct syschain_run __user *uarg, long err, u32 op,
		      u32 cond)
{
	struct sc_report rep = {
		.status = SYSCHAIN_STATUS_INVALID,
		.stop_op = op,
		.stop_cond = cond,
	};

	/* The errno is the answer; the report only says which op. */
	sc_put_report(uarg, &rep);
	return err;
}

static long sc_ioctl_run(struct syschain_run __user *uarg)
{
	struct syschain_run run;
	struct sc_chain chain = {};
	struct sc_report rep = {};
	struct syschain_result __user *uresults;
	size_t ops_sz, conds_sz, res_sz, defs_sz;
	u32 usize, bad = SYSCHAIN_NO_INDEX;
	void *buf;
	long ret;

	ret = sc_copy_struct(&run, sizeof(run),
			     offsetofend(struct syschain_run, __reserved),
			     uarg, &usize);
	if (ret)
		return ret;
	if (run.__reserved || run.op_size < SYSCHAIN_OP_SIZE_VER0 ||
	    run.op_size % 8 || run.cond_size < SYSCHAIN_COND_SIZE_VER0 ||
	    run.cond_size % 8 || !run.nr_ops)
		return sc_reject(uarg, -EINVAL, SYSCHAIN_NO_INDEX,
				 SYSCHAIN_NO_INDEX);
	if (run.nr_ops > sc_max_ops() || run.nr_conds > sc_max_conds())
		return sc_reject(uarg, -E2BIG, SYSCHAIN_NO_INDEX,
				 SYSCHAIN_NO_INDEX);

	uresults = u64_to_user_ptr(run.results_uptr);
	res_sz = array_size(run.nr_ops, sizeof(struct syschain_result));
	if (uresults && !access_ok(uresults, res_sz))
		return sc_reject(uarg, -EFAULT, SYSCHAIN_NO_INDEX,
				 SYSCHAIN_NO_INDEX);

	ops_sz = array_size(run.nr_ops, sizeof(struct syschain_op));
	conds_sz = array_size(run.nr_conds, sizeof(struct syschain_cond));
	defs_sz = array_size(run.nr_ops, sizeof(*chain.defs));
	buf = kvmalloc(size_add(size_add(ops_sz, conds_sz),
				size_add(res_sz, defs_sz)),
		       GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	atomic_long_inc(&sc_chains_in_flight);
	chain.ops = buf;
	chain.results = buf + ops_sz;
	chain.defs = buf + ops_sz + res_sz;
	chain.conds = buf + ops_sz + res_sz + defs_sz;
	chain.nr_ops = run.nr_ops;
	chain.nr_conds = run.nr_conds;
	chain.flags = run.flags;
	chain.max_steps = run.max_steps && run.max_steps < sc_max_steps() ?
			  run.max_steps : sc_max_steps();

	ret = sc_copy_array((void *)chain.ops, sizeof(struct syschain_op),
			    run.ops_uptr, run.op_size, run.nr_ops, &bad);
	if (ret) {
		ret = sc_reject(uarg, ret, bad, SYSCHAIN_NO_INDEX);
		goto out_free_chain;
	}
	ret = sc_copy_array((void *)chain.conds, sizeof(struct syschain_cond),
			    run.conds_uptr, run.cond_size, run.nr_conds, &bad);
	if (ret) {
		ret = sc_reject(uarg, ret, SYSCHAIN_NO_INDEX, bad);
		goto out_free_chain;
	}

	ret = sc_validate(&chain, &sc_kernel_env, &rep);
	if (ret) {
		sc_put_report(uarg, &rep);
		goto out_free_chain;
	}
	/* Make sure the report can be written before any op runs. */
	ret = sc_put_report(uarg, &rep);
	if (ret)
		goto out_free_chain;

	atomic_long_inc(&sc_chains_total);
	sc_run(&chain, trace_syschain_op_enabled() ? &sc_kernel_traced_env :
		       &sc_kernel_env, &rep);
	trace_syschain_run(chain.nr_ops, rep.steps, rep.status, rep.stop_op);

	if (uresults && sc_put_words(uresults, chain.results, res_sz))
		rep.status = SYSCHAIN_STATUS_FAULT;
	ret = sc_put_report(uarg, &rep);

out_free_chain:
	kvfree(buf);
	atomic_long_dec(&sc_chains_in_flight);
	return ret;
}

static long syschain_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	int ret;

	switch (cmd) {
	case SYSCHAIN_PROBE:
	case SYSCHAIN_RUN:
		ret = sc_permitted();
		if (ret)
			return ret;
		break;
	default:
		return -ENOTTY;
	}

	switch (cmd) {
	case SYSCHAIN_PROBE:
		return sc_ioctl_probe(uarg);
	default:
		return sc_ioctl_run(uarg);
	}
}

static const struct file_operations syschain_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
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
