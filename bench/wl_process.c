// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * wl_process.c: the process-info workload family. null: N x getppid, the
 * cheapest syscall there is: what a chain saves per crossing; fixed: the
 * same for N = 1..8 with more repetitions, for a chain's fixed cost (a
 * one-op chain against one getppid) and the break-even N.
 */
#include <unistd.h>
#include <sys/syscall.h>
#include "bench.h"

static int null_loop(int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((run_ret[i] = syscall(SYS_getppid)) < 0)
			return -1;
	return 0;
}

static int null_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (chain_getppid(c).op < 0)
			return -1;
	return 0;
}

const struct workload wl_null = {
	.name = "null",
	.what = "N x getppid",
	.nrs = { __NR_getppid },
	.nnrs = 1,
	.ops_per_item = 1,
	.uring_na = "io_uring has no getppid (nor any process-info) opcode",
	.loop = null_loop,
	.build = null_build,
};

const struct workload wl_fixed = {
	.name = "fixed",
	.what = "N x getppid, N = 1..8: a chain's fixed cost and the break-even N",
	.nrs = { __NR_getppid },
	.nnrs = 1,
	.ops_per_item = 1,
	.min_ops = 512,
	.ns = { 1, 2, 3, 4, 6, 8 },
	.nns = 6,
	.uring_na = "io_uring has no getppid (nor any process-info) opcode",
	.loop = null_loop,
	.build = null_build,
};
