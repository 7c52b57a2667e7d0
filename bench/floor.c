// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * floor.c: what bounds a chain's fixed cost, measured in the same run:
 * one getppid, an ioctl that /dev/syschain refuses at once (-ENOTTY: the
 * crossing, the fd lookup, the LSM ioctl hook and the dispatch, nothing
 * of the module's work), SYSCHAIN_EXEC of a registered one-op chain made
 * directly, and libchain's chain_run() of the same chain: each the best of
 * 7 x 20000 calls, the four in turn within each repetition, so that the
 * report's breakdown compares figures taken under the same conditions.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "bench.h"

#define FLOOR_CALLS 20000
#define FLOOR_REPS 7

enum { F_GETPPID, F_ENOTTY, F_EXEC, F_LIBCHAIN, NFLOOR };

static const char *const floor_names[NFLOOR] = {
	"getppid_ns", "enotty_ioctl_ns", "exec_raw_ns", "chain_run_ns",
};

/* one call of kind @k; false if it did not do what it is for */
static bool floor_call(int k, int dev, int chain_fd, long ppid,
		       struct syschain_result *res, struct chain *c)
{
	struct syschain_exec x;

	switch (k) {
	case F_LIBCHAIN:
		return !chain_run(c) && chain_ret(c, 0) == ppid &&
		       chain_report(c)->backend == CHAIN_BACKEND_KERNEL;
	case F_GETPPID:
		return syscall(SYS_getppid) == ppid;
	case F_ENOTTY:
		return ioctl(dev, _IO(SYSCHAIN_TYPE, 0x7f), 0) < 0 &&
		       errno == ENOTTY;
	default:
		memset(&x, 0, sizeof(x));
		x.size = sizeof(x);
		x.results_uptr = (uintptr_t)res;
		return !ioctl(chain_fd, SYSCHAIN_EXEC, &x) &&
		       x.status == SYSCHAIN_STATUS_COMPLETED &&
		       res[0].ret == ppid;
	}
}

/* a registered chain of one getppid, or -1 */
static int floor_chain(int dev)
{
	static struct syschain_op op = { .nr = __NR_getppid };
	struct syschain_register reg = {
		.size = sizeof(reg),
		.nr_ops = 1,
		.op_size = sizeof(struct syschain_op),
		.cond_size = sizeof(struct syschain_cond),
		.ops_uptr = (uintptr_t)&op,
	};

	return ioctl(dev, SYSCHAIN_REGISTER, &reg) ? -1 : (int)reg.fd;
}

/* "floor":{...} in the env object; nothing measured without the device */
void floor_json(FILE *f)
{
	struct syschain_result res[1];
	double best[NFLOOR];
	const long ppid = getppid();
	int dev, chain_fd = -1, k, r, i;
	struct chain *c;

	dev = open("/dev/syschain", O_RDWR | O_CLOEXEC);
	if (dev >= 0)
		chain_fd = floor_chain(dev);
	if (chain_fd < 0) {
		fputs(",\"floor\":null", f);
		if (dev >= 0)
			close(dev);
		return;
	}
	/* libchain's run of the same one-op chain (registered at its 2nd) */
	if (chain_new(&c) || chain_getppid(c).op < 0 ||
	    chain_set_backend(c, CHAIN_BACKEND_KERNEL))
		die("floor: cannot build the libchain chain");
	/* the kinds in turn within each repetition: the same conditions */
	for (r = 0; r < FLOOR_REPS; r++) {
		for (k = 0; k < NFLOOR; k++) {
			uint64_t t0 = now_ns();
			double per;

			for (i = 0; i < FLOOR_CALLS; i++)
				if (!floor_call(k, dev, chain_fd, ppid, res, c))
					die("floor: %s: call %d did not do what it is for",
					    floor_names[k], i);
			per = (double)(now_ns() - t0) / FLOOR_CALLS;
			if (!r || per < best[k])
				best[k] = per;
		}
	}
	chain_free(c);
	fputs(",\"floor\":{", f);
	for (k = 0; k < NFLOOR; k++)
		fprintf(f, "%s\"%s\":%.1f", k ? "," : "", floor_names[k], best[k]);
	fputs("}", f);
	close(chain_fd);
	close(dev);
}
