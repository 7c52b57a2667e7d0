// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * wl_read.c: the read workload family. read-zero: 8-byte reads from
 * /dev/zero (the op's own cost is small); pread-cached: 4 KiB at random
 * page offsets of a page-cached file; negative: 1 MiB preads, a control
 * where the crossing is noise and no mode should win.
 */
#include <unistd.h>
#include <sys/syscall.h>
#include "bench.h"

/* read-zero */
static int rz_loop(int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((run_ret[i] = read(fd_zero, buf_small, 8)) != 8)
			return -1;
	return 0;
}

static int rz_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (chain_read(c, fd_zero, buf_small, 8).op < 0)
			return -1;
	return 0;
}

static int rz_uring(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_read(sqe, FIX_ZERO, buf_small, 8, (uint64_t)-1);
		sqe->flags |= IOSQE_FIXED_FILE | (i < n - 1 ? IOSQE_IO_LINK : 0);
		sqe->user_data = (uint64_t)i;
		expect_buf[i] = 8;
	}
	return uring_run((unsigned int)n, expect_buf);
}

/* pread-cached */
static int pr_loop(int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((run_ret[i] = pread(fd_big, buf_small, PREAD_SIZE,
					(off_t)pread_off[i])) != PREAD_SIZE)
			return -1;
	return 0;
}

static int pr_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fixed_op(c, chain_pread64(c, fd_big, buf_small, PREAD_SIZE,
					      pread_off[i])) < 0)
			return -1;
	return 0;
}

static int pr_uring(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		if (uring_reg & URING_BUFS)
			io_uring_prep_read_fixed(sqe, FIX_BIG, buf_small,
						 PREAD_SIZE, pread_off[i], 0);
		else
			io_uring_prep_read(sqe, uring_reg & URING_FILES ?
					   FIX_BIG : fd_big, buf_small,
					   PREAD_SIZE, pread_off[i]);
		if (uring_reg & URING_FILES)
			sqe->flags |= IOSQE_FIXED_FILE;
		if (i < n - 1)
			sqe->flags |= IOSQE_IO_LINK;
		sqe->user_data = (uint64_t)i;
		expect_buf[i] = PREAD_SIZE;
	}
	return uring_run((unsigned int)n, expect_buf);
}

/* negative control */
uint64_t neg_off(int i)
{
	return ((uint64_t)i * BIG_READ) % (big_size - BIG_READ + 1) /
	       BIG_READ * BIG_READ;
}

static int neg_loop(int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((run_ret[i] = pread(fd_big, buf_big, BIG_READ,
					(off_t)neg_off(i))) != BIG_READ)
			return -1;
	return 0;
}

static int neg_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (chain_pread64(c, fd_big, buf_big, BIG_READ, neg_off(i)).op < 0)
			return -1;
	return 0;
}

static int neg_uring(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_read(sqe, FIX_BIG, buf_big, BIG_READ, neg_off(i));
		sqe->flags |= IOSQE_FIXED_FILE | (i < n - 1 ? IOSQE_IO_LINK : 0);
		sqe->user_data = (uint64_t)i;
		expect_buf[i] = BIG_READ;
	}
	return uring_run((unsigned int)n, expect_buf);
}

const struct workload wl_read_zero = {
	.name = "read-zero",
	.what = "N x 8-byte read from /dev/zero",
	.nrs = { __NR_read },
	.nnrs = 1,
	.ops_per_item = 1,
	.uring_note = "IORING_OP_READ (pos -1) on a registered file, linked",
	.loop = rz_loop,
	.build = rz_build,
	.uring = rz_uring,
};

const struct workload wl_pread_cached = {
	.name = "pread-cached",
	.what = "N x 4 KiB pread64 at random page offsets of a cached file",
	.nrs = { __NR_pread64 },
	.nnrs = 1,
	.ops_per_item = 1,
	.uring_note = "IORING_OP_READ_FIXED on a registered file and buffer, linked",
	.uring_variants = true,
	.kbuf_na = "pread-cached reads into a buffer the program checks, which a kernel "
		   "buffer (CHAIN_BUF_KERNEL) never fills on the kernel backend: only copy "
		   "runs chain-kbuf",
	.loop = pr_loop,
	.build = pr_build,
	.uring = pr_uring,
};

const struct workload wl_negative = {
	.name = "negative",
	.what = "negative control: N x 1 MiB pread64 from a cached file",
	.nrs = { __NR_pread64 },
	.nnrs = 1,
	.nmax = 64,
	.min_ops = 1,
	.ops_per_item = 1,
	.uring_note = "IORING_OP_READ of 1 MiB on a registered file, linked",
	.loop = neg_loop,
	.build = neg_build,
	.uring = neg_uring,
};
