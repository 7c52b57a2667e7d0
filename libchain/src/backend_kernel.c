// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The kernel backend: one ioctl on /dev/syschain runs the whole chain.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "internal.h"

#define CHAIN_NR_BITS 1024

static struct {
	pthread_once_t once;
	int fd;			/* -errno when the device cannot be used */
	struct chain_probe probe;
	uint64_t supported[CHAIN_NR_BITS / 64];
} kdev = { .once = PTHREAD_ONCE_INIT, .fd = -ENOENT };

static int chain_probe_fd(int fd, struct chain_probe *p)
{
	struct syschain_probe sp;

	memset(&sp, 0, sizeof(sp));
	sp.size = sizeof(sp);
	sp.nr_syscalls = sizeof(p->syscalls) / sizeof(p->syscalls[0]);
	sp.syscalls_uptr = (uintptr_t)p->syscalls;
	if (ioctl(fd, SYSCHAIN_PROBE, &sp) < 0)
		return -errno;
	p->abi_version = sp.abi_version;
	p->module_version = sp.module_version;
	p->max_ops = sp.max_ops;
	p->max_conds = sp.max_conds;
	p->max_steps = sp.max_steps;
	p->nr_syscalls = sp.nr_syscalls;
	if (p->nr_syscalls > sizeof(p->syscalls) / sizeof(p->syscalls[0]))
		p->nr_syscalls = sizeof(p->syscalls) / sizeof(p->syscalls[0]);
	return 0;
}

static void chain_kdev_open(void)
{
	unsigned int i;
	int fd, ret;

	fd = open("/dev/syschain", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kdev.fd = -errno;
		return;
	}
	ret = chain_probe_fd(fd, &kdev.probe);
	/* version 2 runs chains, 3 registers them, 4 has cleanup ops */
	if (ret || kdev.probe.abi_version < 2 ||
	    kdev.probe.abi_version > SYSCHAIN_ABI_VERSION) {
		close(fd);
		kdev.fd = ret ? ret : -EPROTO;
		return;
	}
	for (i = 0; i < kdev.probe.nr_syscalls; i++) {
		uint32_t nr = kdev.probe.syscalls[i];

		if (nr < CHAIN_NR_BITS)
			kdev.supported[nr / 64] |= 1ULL << (nr % 64);
	}
	kdev.fd = fd;
}

static int chain_kdev(void)
{
	pthread_once(&kdev.once, chain_kdev_open);
	return kdev.fd;
}

int chain_probe(struct chain_probe *p)
{
	int fd = chain_kdev();

	if (!p)
		return -EINVAL;
	if (fd < 0)
		return fd;
	*p = kdev.probe;
	return 0;
}

bool chain_kernel_supports(long nr)
{
	if (chain_kdev() < 0 || nr < 0 || nr >= CHAIN_NR_BITS)
		return false;
	return kdev.supported[nr / 64] & (1ULL << (nr % 64));
}

/*
 * The descriptors of the chains libchain registered, so that the user
 * backend refuses to close them as the module does (descriptors past
 * CHAIN_FD_BITS are not tracked).
 */
#define CHAIN_FD_BITS 4096
static uint64_t own_fds[CHAIN_FD_BITS / 64];

static void chain_own_fd(int fd, bool own)
{
	uint64_t bit;

	if (fd < 0 || fd >= CHAIN_FD_BITS)
		return;
	bit = 1ULL << (fd % 64);
	if (own)
		__atomic_fetch_or(&own_fds[fd / 64], bit, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&own_fds[fd / 64], ~bit, __ATOMIC_RELEASE);
}

/*
 * Whether @fd is a descriptor of libchain's (the device, a registered
 * chain's), which a chain's close op refuses; never opens the device.
 */
int lc_kernel_is_dev_fd(uint64_t fd)
{
	int kfd = __atomic_load_n(&kdev.fd, __ATOMIC_ACQUIRE);

	if (kfd >= 0 && fd == (uint64_t)kfd)
		return 1;
	return fd < CHAIN_FD_BITS &&
	       (__atomic_load_n(&own_fds[fd / 64], __ATOMIC_ACQUIRE) &
		(1ULL << (fd % 64)));
}

void lc_kernel_unregister(struct chain *c)
{
	if (c->reg_fd < 0)
		return;
	chain_own_fd(c->reg_fd, false);
	close(c->reg_fd);
	c->reg_fd = -1;
	c->npatches = 0;
}

/*
 * chain_set_arg() changed argument @argno of op @op (it was @old): on a
 * registered chain, the next run carries it as a patch, when a patch can
 * (a value for a value, a new addend for the same reference).
 */
void lc_kernel_patch(struct chain *c, unsigned int op, unsigned int argno,
		     const struct syschain_op *old)
{
	const struct syschain_op *now = &c->ops[op];
	uint32_t bit = 1U << argno;
	struct syschain_patch *p;

	if (c->reg_fd < 0)
		return;
	if ((now->ref_mask & bit) != (old->ref_mask & bit) ||
	    now->arg_ref[argno] != old->arg_ref[argno] ||
	    c->npatches == SYSCHAIN_MAX_PATCHES) {
		lc_changed(c);
		return;
	}
	p = &c->patches[c->npatches++];
	p->op = op;
	p->arg = (uint16_t)argno;
	p->flags = now->ref_mask & bit ? SYSCHAIN_PATCH_REF : 0;
	p->value = now->args[argno];
}

unsigned int lc_kernel_max_ops(void)
{
	return chain_kdev() < 0 ? 0 : kdev.probe.max_ops;
}

uint64_t lc_kernel_max_steps(void)
{
	return chain_kdev() < 0 ? 0 : kdev.probe.max_steps;
}

int lc_kernel_can_run(const struct chain *c)
{
	unsigned int i;

	if (chain_kdev() < 0 || c->n > kdev.probe.max_ops ||
	    c->nc > kdev.probe.max_conds)
		return 0;
	/* cleanup ops: ABI 4; registered buffers: 5 */
	if (c->cleanup_from < c->n && kdev.probe.abi_version < 4)
		return 0;
	if (c->nbufs && kdev.probe.abi_version < 5)
		return 0;
	for (i = 0; i < c->n; i++)
		if (!chain_kernel_supports(c->ops[i].nr))
			return 0;
	return 1;
}

/* Register @c (at its current shape); 0 or -errno. */
static int chain_register(struct chain *c, int dev)
{
	struct syschain_register r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.flags = SYSCHAIN_REGISTER_CLOEXEC;
	r.nr_ops = c->n;
	r.nr_conds = c->nc;
	r.op_size = sizeof(struct syschain_op);
	r.cond_size = sizeof(struct syschain_cond);
	r.ops_uptr = (uintptr_t)c->ops;
	r.conds_uptr = (uintptr_t)c->conds;
	r.nr_bufs = c->nbufs;
	r.buf_size = sizeof(struct syschain_buf);
	r.bufs_uptr = (uintptr_t)c->kbufs;
	if (ioctl(dev, SYSCHAIN_REGISTER, &r) < 0)
		return -errno;
	c->reg_fd = r.fd;
	c->reg_shape = c->shape;
	c->npatches = 0;
	chain_own_fd(r.fd, true);
	return 0;
}

/*
 * Run the registered chain, with the argument changes since as patches.
 * A refusal drops the registration (the chain as built and the one
 * registered differ then), and -EBUSY (a forked process runs it now) is
 * answered by the caller with a one-shot run.
 */
static int chain_exec(struct chain *c)
{
	struct syschain_exec x;
	int err;

	memset(&x, 0, sizeof(x));
	x.size = sizeof(x);
	x.flags = c->stop_on_error ? SYSCHAIN_RUN_STOP_ON_ERROR : 0;
	x.nr_patches = c->npatches;
	x.patch_size = sizeof(struct syschain_patch);
	x.patches_uptr = (uintptr_t)c->patches;
	x.results_uptr = (uintptr_t)c->res;
	x.max_steps = c->max_steps;
	while (ioctl(c->reg_fd, SYSCHAIN_EXEC, &x) < 0) {
		err = -errno;
		if (err == -EINTR && (x.flags & SYSCHAIN_RUN_RESUME) &&
		    x.status == SYSCHAIN_STATUS_INTERRUPTED) {
			x.flags |= SYSCHAIN_RUN_RESUME_EINTR;
			continue;
		}
		if (err != -EBUSY)
			lc_changed(c);
		return err;
	}
	c->npatches = 0;
	lc_set_report(c, CHAIN_BACKEND_KERNEL, x.status, x.steps, x.stop_op,
		      x.stop_cond);
	return 0;
}

/* The one-shot run: the whole chain in one SYSCHAIN_RUN. */
static int chain_run_once(struct chain *c, int fd)
{
	struct syschain_run r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.flags = c->stop_on_error ? SYSCHAIN_RUN_STOP_ON_ERROR : 0;
	r.nr_ops = c->n;
	r.nr_conds = c->nc;
	r.op_size = sizeof(struct syschain_op);
	r.cond_size = sizeof(struct syschain_cond);
	r.ops_uptr = (uintptr_t)c->ops;
	r.conds_uptr = (uintptr_t)c->conds;
	r.results_uptr = (uintptr_t)c->res;
	r.max_steps = c->max_steps;
	r.status = SYSCHAIN_STATUS_INVALID;
	r.stop_op = SYSCHAIN_NO_INDEX;
	r.stop_cond = SYSCHAIN_NO_INDEX;
	c->rep.backend = CHAIN_BACKEND_KERNEL;
	while (ioctl(fd, SYSCHAIN_RUN, &r) < 0) {
		int err = -errno;

		/*
		 * A handler without SA_RESTART interrupted op stop_op, and ran:
		 * as its syscall would, the op returns -EINTR, and the chain
		 * goes on where it left the kernel.
		 */
		if (err == -EINTR && (r.flags & SYSCHAIN_RUN_RESUME) &&
		    r.status == SYSCHAIN_STATUS_INTERRUPTED) {
			r.flags |= SYSCHAIN_RUN_RESUME_EINTR;
			continue;
		}

		/* the module names the rejected op or condition */
		lc_set_report(c, CHAIN_BACKEND_KERNEL, SYSCHAIN_STATUS_INVALID,
			      0, r.stop_op, r.stop_cond);
		return err;
	}
	lc_set_report(c, CHAIN_BACKEND_KERNEL, r.status, r.steps, r.stop_op,
		      r.stop_cond);
	return 0;
}

/*
 * A chain run again at the same shape is registered (the module copies
 * and validates it once), and runs from then on by its descriptor.
 */
int lc_kernel_run(struct chain *c)
{
	int fd = chain_kdev();
	int ret;

	if (fd < 0)
		return fd;
	c->rep.backend = CHAIN_BACKEND_KERNEL;
	if (c->nbufs) {
		/* buffers are registered with the chain: no one-shot run */
		if (c->reg_fd < 0) {
			ret = chain_register(c, fd);
			if (ret) {
				lc_set_report(c, CHAIN_BACKEND_KERNEL,
					      SYSCHAIN_STATUS_INVALID, 0,
					      SYSCHAIN_NO_INDEX,
					      SYSCHAIN_NO_INDEX);
				return ret;
			}
		}
		c->shape_runs++;
		return chain_exec(c);
	}
	if (c->reg_fd < 0 && c->shape_runs && !c->reg_failed &&
	    !c->no_register &&
	    kdev.probe.abi_version >= 3 && chain_register(c, fd))
		c->reg_failed = true;	/* until the chain changes */
	c->shape_runs++;
	if (c->reg_fd >= 0) {
		ret = chain_exec(c);
		if (ret != -EBUSY)
			return ret;
	}
	return chain_run_once(c, fd);
}
