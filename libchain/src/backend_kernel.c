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
	if (ret || kdev.probe.abi_version != SYSCHAIN_ABI_VERSION) {
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

/* Whether @fd is the device descriptor libchain opened (never opens it). */
int lc_kernel_is_dev_fd(uint64_t fd)
{
	int kfd = __atomic_load_n(&kdev.fd, __ATOMIC_ACQUIRE);

	return kfd >= 0 && fd == (uint64_t)kfd;
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
	for (i = 0; i < c->n; i++)
		if (!chain_kernel_supports(c->ops[i].nr))
			return 0;
	return 1;
}

int lc_kernel_run(struct chain *c)
{
	struct syschain_run r;
	int fd = chain_kdev();

	if (fd < 0)
		return fd;
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
