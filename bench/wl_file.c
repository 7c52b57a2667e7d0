// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * wl_file.c: the file and directory workload family. readfile: openat +
 * fstat + read + close per small file, the descriptor flowing from openat
 * to the others by reference in the chain; statwalk: newfstatat over a
 * directory's entries.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "bench.h"

/* readfile */
static int rf_loop(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int64_t *r = &run_ret[4 * i];
		int fd = openat(AT_FDCWD, path_files[i], O_RDONLY | O_CLOEXEC);

		if ((r[0] = fd) < 0)
			return -1;
		/* the chain's fstat: glibc's fstat() is newfstatat(fd, "", AT_EMPTY_PATH) */
		r[1] = syscall(SYS_fstat, fd, &st_sink);
		r[2] = read(fd, buf_small, PREAD_SIZE);
		if (r[1] || r[2] != SMALL_SIZE) {
			close(fd);
			return -1;
		}
		if ((r[3] = close(fd)))
			return -1;
	}
	return 0;
}

static int rf_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct chain_handle o = chain_openat(c, AT_FDCWD, path_files[i],
						     O_RDONLY | O_CLOEXEC, 0);

		if (o.op < 0 || chain_fstat(c, o, &st_sink).op < 0 ||
		    chain_read(c, o, buf_small, PREAD_SIZE).op < 0 ||
		    chain_close(c, o).op < 0)
			return -1;
	}
	return 0;
}

/*
 * chain-reg: a program reading files with a registered chain gives it a
 * new path per run. Each run patches the first file's path (op 0,
 * argument 1) with the other of two copies of its name: a new pointer,
 * the same file, so the results stay comparable with the reference.
 */
static int rf_patch(struct chain *c, int n, unsigned long run)
{
	static char alt[sizeof(path_files[0])];

	(void)n;
	if (!alt[0])
		memcpy(alt, path_files[0], sizeof(alt));
	return chain_set_arg(c, 0, 1, run & 1 ? alt : path_files[0]);
}

static int rf_uring(int n)
{
	int i, k = 0;

	/*
	 * openat into a direct descriptor, statx by path (io_uring has no
	 * fstat and statx cannot take a direct descriptor), read from the
	 * direct descriptor, close it. Hard links: the short read (256 of
	 * 4096 bytes) would otherwise sever the link.
	 */
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;
		unsigned int slot = FIX_OPEN0 + (unsigned int)i;

		sqe = sqe_get();
		/* direct descriptors have no close-on-exec flag (EINVAL) */
		io_uring_prep_openat_direct(sqe, AT_FDCWD, path_files[i],
					    O_RDONLY, 0, slot);
		sqe->flags |= IOSQE_IO_HARDLINK;
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = 0;
		sqe = sqe_get();
		io_uring_prep_statx(sqe, AT_FDCWD, path_files[i], 0,
				    STATX_BASIC_STATS, &stx_sink);
		sqe->flags |= IOSQE_IO_HARDLINK;
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = 0;
		sqe = sqe_get();
		io_uring_prep_read(sqe, (int)slot, buf_small, PREAD_SIZE, 0);
		sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = SMALL_SIZE;
		sqe = sqe_get();
		io_uring_prep_close_direct(sqe, slot);
		if (i < n - 1)
			sqe->flags |= IOSQE_IO_HARDLINK;
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = 0;
	}
	return uring_run((unsigned int)k, expect_buf);
}

/* statwalk */
static int sw_loop(int n)
{
	int i;

	for (i = 0; i < n; i++)
		if ((run_ret[i] = syscall(SYS_newfstatat, dirfd_files,
					  name_files[i], &st_sink, 0)))
			return -1;
	return 0;
}

static int sw_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (chain_newfstatat(c, dirfd_files, name_files[i], &st_sink,
				     0).op < 0)
			return -1;
	return 0;
}

static int sw_uring(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_statx(sqe, dirfd_files, name_files[i], 0,
				    STATX_BASIC_STATS, &stx_sink);
		if (i < n - 1)
			sqe->flags |= IOSQE_IO_LINK;
		sqe->user_data = (uint64_t)i;
		expect_buf[i] = 0;
	}
	return uring_run((unsigned int)n, expect_buf);
}

const struct workload wl_readfile = {
	.name = "readfile",
	.what = "per file: openat + fstat + read + close (256-byte files)",
	.nrs = { __NR_openat, __NR_fstat, __NR_read, __NR_close },
	.nnrs = 4,
	.ops_per_item = 4,
	.uring_note = "OPENAT into a direct descriptor, STATX by path (no fstat op), READ "
		      "and CLOSE on the direct descriptor, hard-linked",
	.loop = rf_loop,
	.build = rf_build,
	.uring = rf_uring,
	.patch = rf_patch,
};

const struct workload wl_statwalk = {
	.name = "statwalk",
	.what = "N x newfstatat(dirfd, name) over a directory's entries",
	.nrs = { __NR_newfstatat },
	.nnrs = 1,
	.ops_per_item = 1,
	.uring_note = "IORING_OP_STATX (dirfd, name), linked; statx always goes to io-wq",
	.loop = sw_loop,
	.build = sw_build,
	.uring = sw_uring,
};
