// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * File, metadata, directory and descriptor ops: readv, writev, fsync,
 * fdatasync, fallocate, fadvise64, fstat, newfstatat, getdents64, dup.
 * Each through a chain against the plain syscall on identical inputs:
 * result, errno, output buffer and the file's state afterwards.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "guest.h"

#define DIR_PATH	"/tmp/sc-files"
#define FILE_PATH	DIR_PATH "/data"
#define LINK_PATH	DIR_PATH "/link"
#define SUB_PATH	DIR_PATH "/sub"
#define BAD_PTR		((uint64_t)1)
#define BUF		((uint64_t)-2)	/* placeholder: this side's buffer */
#define IOV		((uint64_t)-3)	/* placeholder: this side's iovec */

static const char content[] = "The quick brown fox jumps over the lazy dog";

static int setup(void **state)
{
	int fd, i;

	(void)state;
	if (system("rm -rf " DIR_PATH))
		return -1;
	if (mkdir(DIR_PATH, 0755) || mkdir(SUB_PATH, 0755))
		return -1;
	fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, sizeof(content)) != sizeof(content))
		return -1;
	close(fd);
	if (symlink("data", LINK_PATH))
		return -1;
	for (i = 0; i < 40; i++) {
		char name[64];

		snprintf(name, sizeof(name), SUB_PATH "/entry-%02d", i);
		fd = open(name, O_WRONLY | O_CREAT, 0600);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

struct side {
	char buf[4096];
	char iobuf[2][16];
	struct iovec iov[2];
};

struct fcase {
	const char *what;
	uint32_t nr;
	int (*make)(void);	/* descriptor for args[0]; NULL: none */
	uint64_t args[6];
	long expect;		/* expected result; 1 << 40: any >= 0 */
	bool cmp_stat;		/* compare the buffers as struct stat */
};

#define ANY_OK (1L << 40)
#define AS_SYSCALL (ANY_OK + 2)	/* whatever this kernel's syscall returns */

static int o_rdonly(void) { return open(FILE_PATH, O_RDONLY); }
static int o_rdwr(void) { return open(FILE_PATH, O_RDWR); }
static int o_path(void) { return open(FILE_PATH, O_PATH); }
static int o_dir(void) { return open(SUB_PATH, O_RDONLY | O_DIRECTORY); }
static int o_top(void) { return open(DIR_PATH, O_RDONLY | O_DIRECTORY); }
static int o_bad(void) { return 1000; }
/* the read end of an empty pipe whose write end is closed */
static int o_pipe(void)
{
	int p[2];

	if (pipe(p))
		return -1;
	close(p[1]);
	return p[0];
}

static void fill_side(struct side *s, const struct fcase *f, uint64_t *a)
{
	int k;

	memset(s, 0x5a, sizeof(*s));
	s->iov[0].iov_base = s->iobuf[0];
	s->iov[0].iov_len = sizeof(s->iobuf[0]);
	s->iov[1].iov_base = s->iobuf[1];
	s->iov[1].iov_len = sizeof(s->iobuf[1]);
	for (k = 0; k < 6; k++) {
		if (f->args[k] == BUF)
			a[k] = (uintptr_t)s->buf;
		else if (f->args[k] == IOV)
			a[k] = (uintptr_t)s->iov;
		else
			a[k] = f->args[k];
	}
}

static void check_case(const struct fcase *f)
{
	static struct side sc, ss;
	uint64_t ac[6], as[6];
	int fdc = -1, fds = -1;
	long rc, rs;

	fill_side(&sc, f, ac);
	fill_side(&ss, f, as);
	if (f->make) {
		fdc = f->make();
		fds = f->make();
		ac[0] = (uint64_t)fdc;
		as[0] = (uint64_t)fds;
	}
	rc = g_chain1(f->nr, ac[0], ac[1], ac[2], ac[3], ac[4], ac[5]);
	/* a new descriptor is freed first, so both sides get the same one */
	if (f->nr == __NR_dup && rc >= 0)
		close(rc);
	rs = g_sys(f->nr, as[0], as[1], as[2], as[3], as[4], as[5]);
	if (f->nr == __NR_dup && rs >= 0)
		close(rs);
	if (rc != rs || (f->expect == ANY_OK ? rc < 0 :
			 f->expect != AS_SYSCALL && rc != f->expect))
		fail_msg("%s: chain %ld, syscall %ld, expected %ld", f->what,
			 rc, rs, f->expect);
	if (f->cmp_stat) {
		struct stat *a = (void *)sc.buf, *b = (void *)ss.buf;

		/* the same inode; atime may differ between two calls */
		assert_int_equal(a->st_dev, b->st_dev);
		assert_int_equal(a->st_ino, b->st_ino);
		assert_int_equal(a->st_mode, b->st_mode);
		assert_int_equal(a->st_nlink, b->st_nlink);
		assert_int_equal(a->st_uid, b->st_uid);
		assert_int_equal(a->st_size, b->st_size);
		assert_int_equal(a->st_blocks, b->st_blocks);
		assert_int_equal(a->st_mtim.tv_nsec, b->st_mtim.tv_nsec);
		/* no kernel stack bytes in the padding */
		assert_memory_equal(a->__glibc_reserved, b->__glibc_reserved,
				    sizeof(a->__glibc_reserved));
	} else {
		assert_memory_equal(sc.buf, ss.buf, sizeof(sc.buf));
		assert_memory_equal(sc.iobuf, ss.iobuf, sizeof(sc.iobuf));
	}
	if (fdc >= 0 && fdc != 1000) {
		assert_int_equal(lseek(fdc, 0, SEEK_CUR), lseek(fds, 0, SEEK_CUR));
		close(fdc);
		close(fds);
	}
}

static void run_cases(const struct fcase *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		check_case(&t[i]);
		assert_int_equal(setup(NULL), 0);
	}
}

#define RUN(t) run_cases(t, sizeof(t) / sizeof(t[0]))

static void test_rw_vectors(void **state)
{
	const struct fcase t[] = {
		{ "readv", __NR_readv, o_rdonly, { 0, IOV, 2 }, 32 },
		{ "readv 1 iov", __NR_readv, o_rdonly, { 0, IOV, 1 }, 16 },
		{ "readv 0 iov", __NR_readv, o_rdonly, { 0, IOV, 0 }, 0 },
		{ "readv EINVAL iovcnt", __NR_readv, o_rdonly, { 0, IOV, 1025 }, -EINVAL },
		{ "readv EFAULT iov", __NR_readv, o_rdonly, { 0, BAD_PTR, 2 }, -EFAULT },
		{ "readv EBADF", __NR_readv, o_bad, { 0, IOV, 2 }, -EBADF },
		{ "readv EISDIR", __NR_readv, o_dir, { 0, IOV, 2 }, -EISDIR },
		{ "readv pipe empty", __NR_readv, o_pipe, { 0, IOV, 2 }, ANY_OK },
		{ "writev", __NR_writev, o_rdwr, { 0, IOV, 2 }, 32 },
		{ "writev EBADF rdonly", __NR_writev, o_rdonly, { 0, IOV, 2 }, -EBADF },
		{ "writev EFAULT", __NR_writev, o_rdwr, { 0, BAD_PTR, 1 }, -EFAULT },
		/* mode or iovecs first: the order changed in 6.8 */
		{ "writev rdonly + bad iov", __NR_writev, o_rdonly, { 0, BAD_PTR, 1 }, AS_SYSCALL },
		{ "writev rdonly + iovcnt", __NR_writev, o_rdonly, { 0, IOV, 1025 }, AS_SYSCALL },
		{ "readv dir + bad iov", __NR_readv, o_dir, { 0, BAD_PTR, 1 }, AS_SYSCALL },
		{ "readv path + iovcnt", __NR_readv, o_path, { 0, IOV, 1025 }, AS_SYSCALL },
	};

	(void)state;
	RUN(t);
}

static void test_sync_alloc_advise(void **state)
{
	const struct fcase t[] = {
		{ "fsync", __NR_fsync, o_rdwr, { 0 }, 0 },
		{ "fsync EBADF", __NR_fsync, o_bad, { 0 }, -EBADF },
		{ "fsync EINVAL pipe", __NR_fsync, o_pipe, { 0 }, -EINVAL },
		{ "fdatasync", __NR_fdatasync, o_rdwr, { 0 }, 0 },
		{ "fdatasync EBADF", __NR_fdatasync, o_bad, { 0 }, -EBADF },
		{ "fallocate", __NR_fallocate, o_rdwr, { 0, 0, 0, 8192 }, 0 },
		{ "fallocate EBADF rdonly", __NR_fallocate, o_rdonly, { 0, 0, 0, 8192 }, -EBADF },
		{ "fallocate EINVAL len", __NR_fallocate, o_rdwr, { 0, 0, 0, 0 }, -EINVAL },
		{ "fallocate EBADF pipe", __NR_fallocate, o_pipe, { 0, 0, 0, 10 }, -EBADF },
		{ "fadvise64", __NR_fadvise64, o_rdonly, { 0, 0, 0, POSIX_FADV_WILLNEED }, 0 },
		{ "fadvise64 EINVAL", __NR_fadvise64, o_rdonly, { 0, 0, 0, 99 }, -EINVAL },
		{ "fadvise64 ESPIPE", __NR_fadvise64, o_pipe, { 0, 0, 0, 0 }, -ESPIPE },
		{ "fadvise64 EBADF", __NR_fadvise64, o_bad, { 0, 0, 0, 0 }, -EBADF },
	};

	(void)state;
	RUN(t);
}

static void test_stat(void **state)
{
	const struct fcase t[] = {
		{ "fstat", __NR_fstat, o_rdonly, { 0, BUF }, 0, true },
		{ "fstat O_PATH", __NR_fstat, o_path, { 0, BUF }, 0, true },
		{ "fstat dir", __NR_fstat, o_dir, { 0, BUF }, 0, true },
		{ "fstat EBADF", __NR_fstat, o_bad, { 0, BUF }, -EBADF },
		{ "fstat EFAULT", __NR_fstat, o_rdonly, { 0, BAD_PTR }, -EFAULT },
		{ "newfstatat", __NR_newfstatat, NULL, { AT_FDCWD, (uintptr_t)FILE_PATH, BUF, 0 }, 0, true },
		{ "newfstatat follow", __NR_newfstatat, NULL, { AT_FDCWD, (uintptr_t)LINK_PATH, BUF, 0 }, 0, true },
		{ "newfstatat nofollow", __NR_newfstatat, NULL, { AT_FDCWD, (uintptr_t)LINK_PATH, BUF, AT_SYMLINK_NOFOLLOW }, 0, true },
		{ "newfstatat dirfd", __NR_newfstatat, o_top, { 0, (uintptr_t)"data", BUF, 0 }, 0, true },
		{ "newfstatat dirfd ..", __NR_newfstatat, o_dir, { 0, (uintptr_t)"../data", BUF, 0 }, 0, true },
		{ "newfstatat dirfd abs", __NR_newfstatat, o_dir, { 0, (uintptr_t)FILE_PATH, BUF, 0 }, 0, true },
		{ "newfstatat empty path", __NR_newfstatat, o_rdonly, { 0, (uintptr_t)"", BUF, AT_EMPTY_PATH }, 0, true },
		{ "newfstatat NULL empty", __NR_newfstatat, o_rdonly, { 0, 0, BUF, AT_EMPTY_PATH }, ANY_OK + 1 },
		{ "newfstatat NULL nofollow", __NR_newfstatat, o_rdonly, { 0, 0, BUF, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW }, AS_SYSCALL },
		{ "newfstatat ENOENT empty", __NR_newfstatat, o_top, { 0, (uintptr_t)"", BUF, 0 }, -ENOENT },
		{ "newfstatat ENOENT", __NR_newfstatat, NULL, { AT_FDCWD, (uintptr_t)DIR_PATH "/nope", BUF, 0 }, -ENOENT },
		{ "newfstatat ENOTDIR", __NR_newfstatat, NULL, { AT_FDCWD, (uintptr_t)FILE_PATH "/x", BUF, 0 }, -ENOTDIR },
		{ "newfstatat ENOTDIR dfd", __NR_newfstatat, o_rdonly, { 0, (uintptr_t)"x", BUF, 0 }, -ENOTDIR },
		{ "newfstatat EBADF", __NR_newfstatat, o_bad, { 0, (uintptr_t)"x", BUF, 0 }, -EBADF },
		{ "newfstatat EINVAL", __NR_newfstatat, NULL, { AT_FDCWD, (uintptr_t)FILE_PATH, BUF, 0x80000 }, -EINVAL },
		{ "newfstatat EFAULT name", __NR_newfstatat, NULL, { AT_FDCWD, BAD_PTR, BUF, 0 }, -EFAULT },
		{ "newfstatat EINVAL before EFAULT", __NR_newfstatat, NULL, { AT_FDCWD, BAD_PTR, BUF, 0x80000 }, -EINVAL },
		{ "newfstatat EFAULT buf", __NR_newfstatat, NULL, { AT_FDCWD, (uintptr_t)FILE_PATH, BAD_PTR, 0 }, -EFAULT },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fcase f = t[i];

		/* NULL with AT_EMPTY_PATH: whatever this kernel's syscall does */
		if (f.expect == ANY_OK + 1) {
			int fd = o_rdonly();
			struct stat st;

			f.expect = g_sys(__NR_newfstatat, fd, 0, (uintptr_t)&st,
					 AT_EMPTY_PATH, 0, 0);
			close(fd);
			f.cmp_stat = f.expect == 0;
			print_message("newfstatat(fd, NULL, AT_EMPTY_PATH) = %ld here\n",
				      f.expect);
		}
		check_case(&f);
	}
}

static void test_getdents64(void **state)
{
	const struct fcase t[] = {
		{ "getdents64", __NR_getdents64, o_dir, { 0, BUF, 4096 }, ANY_OK },
		{ "getdents64 small", __NR_getdents64, o_dir, { 0, BUF, 100 }, ANY_OK },
		{ "getdents64 EINVAL", __NR_getdents64, o_dir, { 0, BUF, 8 }, -EINVAL },
		{ "getdents64 ENOTDIR", __NR_getdents64, o_rdonly, { 0, BUF, 4096 }, -ENOTDIR },
		{ "getdents64 EBADF", __NR_getdents64, o_bad, { 0, BUF, 4096 }, -EBADF },
		{ "getdents64 EFAULT", __NR_getdents64, o_dir, { 0, BAD_PTR, 4096 }, -EFAULT },
	};
	struct g_chain c;
	char buf[512];
	int fd, n = 0;

	(void)state;
	RUN(t);

	/* list a whole directory in one chain: getdents64 until it returns 0 */
	fd = o_dir();
	g_init(&c);
	g_opn(&c, __NR_getdents64, fd, (uintptr_t)buf, sizeof(buf));
	g_cond(&c, 0, SYSCHAIN_CMP_GT, 0, SYSCHAIN_ACT_JUMP, 0);
	assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.res[0].ret, 0);
	n = c.res[0].count;
	assert_true(n > 2);	/* 42 entries do not fit in 512 bytes */
	close(fd);
}

static void test_dup(void **state)
{
	const struct fcase t[] = {
		{ "dup", __NR_dup, o_rdonly, { 0 }, ANY_OK },
		{ "dup O_PATH", __NR_dup, o_path, { 0 }, ANY_OK },
		{ "dup EBADF", __NR_dup, o_bad, { 0 }, -EBADF },
	};
	long fd, d;

	(void)state;
	RUN(t);
	/* the duplicate shares the file position and is not close-on-exec */
	fd = open(FILE_PATH, O_RDONLY | O_CLOEXEC);
	d = g_chain1(__NR_dup, fd, 0, 0, 0, 0, 0);
	assert_true(d > fd);
	assert_int_equal(fcntl(d, F_GETFD), 0);
	assert_int_equal(lseek(fd, 7, SEEK_SET), 7);
	assert_int_equal(lseek(d, 0, SEEK_CUR), 7);
	close(d);
	close(fd);
}

/*
 * mkdirat: the chain makes the directory, its mode is read and it is
 * removed, then the syscall does the same; results and modes must match.
 */
static long mkdir_side(bool chained, int dfd, const char *path, int mode,
		       mode_t *got)
{
	struct stat st;
	long r;

	if (chained)
		r = g_chain1(__NR_mkdirat, dfd, (uintptr_t)path, mode, 0, 0, 0);
	else
		r = g_sys(__NR_mkdirat, dfd, (uintptr_t)path, mode, 0, 0, 0);
	*got = 0;
	if (r == 0) {
		assert_int_equal(fstatat(dfd, path, &st, 0), 0);
		*got = st.st_mode;
		assert_int_equal(unlinkat(dfd, path, AT_REMOVEDIR), 0);
	}
	return r;
}

static void test_mkdirat(void **state)
{
	static const struct {
		const char *path;
		int mode;
		long expect;
		bool use_dfd;
	} t[] = {
		{ DIR_PATH "/new", 0755, 0 },
		{ DIR_PATH "/new", 0777, 0 },
		{ DIR_PATH "/new/", 01777, 0 },
		{ "new", 0700, 0, true },
		{ "../new", 0700, 0, true },
		{ DIR_PATH "/sub", 0755, -EEXIST },
		{ DIR_PATH "/data", 0755, -EEXIST },
		{ DIR_PATH "/nope/new", 0755, -ENOENT },
		{ DIR_PATH "/data/new", 0755, -ENOTDIR },
		{ "", 0755, -ENOENT },
	};
	mode_t mc, ms;
	long rc, rs;
	size_t i;
	int dfd;

	(void)state;
	umask(027);
	dfd = o_dir();
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int d = t[i].use_dfd ? dfd : AT_FDCWD;

		rc = mkdir_side(true, d, t[i].path, t[i].mode, &mc);
		rs = mkdir_side(false, d, t[i].path, t[i].mode, &ms);
		if (rc != rs || rc != t[i].expect || mc != ms)
			fail_msg("mkdirat %s: chain %ld mode %o, syscall %ld mode %o",
				 t[i].path, rc, mc, rs, ms);
	}
	/* EFAULT and EBADF */
	assert_int_equal(g_chain1(__NR_mkdirat, AT_FDCWD, BAD_PTR, 0755, 0, 0, 0),
			 -EFAULT);
	assert_int_equal(g_chain1(__NR_mkdirat, 1000, (uintptr_t)"x", 0755, 0, 0, 0),
			 -EBADF);
	close(dfd);
	umask(022);
}

static void test_copy_file_range(void **state)
{
	loff_t oin = 4, oout = 0;
	char out[64];
	long rc;
	int in, o;

	(void)state;
	in = o_rdonly();
	o = open(DIR_PATH "/copy", O_RDWR | O_CREAT | O_TRUNC, 0644);
	/* with offsets: the file positions stay, the offsets advance */
	rc = g_chain1(__NR_copy_file_range, in, (uintptr_t)&oin, o,
		      (uintptr_t)&oout, 10, 0);
	assert_int_equal(rc, 10);
	assert_int_equal(oin, 14);
	assert_int_equal(oout, 10);
	assert_int_equal(lseek(in, 0, SEEK_CUR), 0);
	assert_int_equal(lseek(o, 0, SEEK_CUR), 0);
	/* without: the positions advance */
	rc = g_chain1(__NR_copy_file_range, in, 0, o, 0, 5, 0);
	assert_int_equal(rc, 5);
	assert_int_equal(lseek(in, 0, SEEK_CUR), 5);
	assert_int_equal(lseek(o, 0, SEEK_CUR), 5);
	assert_int_equal(pread(o, out, sizeof(out), 0), 10);
	assert_memory_equal(out, "The q", 5);
	assert_memory_equal(out + 5, content + 9, 5);
	/* errors as the syscall gives them */
	assert_int_equal(g_chain1(__NR_copy_file_range, in, 0, o, 0, 5, 1),
			 g_sys(__NR_copy_file_range, in, 0, o, 0, 5, 1));
	assert_int_equal(g_chain1(__NR_copy_file_range, in, BAD_PTR, o, 0, 5, 0),
			 -EFAULT);
	assert_int_equal(g_chain1(__NR_copy_file_range, 1000, 0, o, 0, 5, 0),
			 -EBADF);
	assert_int_equal(g_chain1(__NR_copy_file_range, o, 0, in, 0, 5, 0),
			 g_sys(__NR_copy_file_range, o, 0, in, 0, 5, 0));
	close(in);
	close(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rw_vectors),
		cmocka_unit_test(test_sync_alloc_advise),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_getdents64),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_mkdirat),
		cmocka_unit_test(test_copy_file_range),
	};

	return cmocka_run_group_tests_name("syschain-ops-files", tests, setup,
					   NULL);
}
