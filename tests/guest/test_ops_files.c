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
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include "guest.h"

/* a tmpfs mounted strictatime by the tests: every access moves atime */
#define DIR_PATH	"/tmp/sc-files"
#define FILE_PATH	DIR_PATH "/data"
#define LINK_PATH	DIR_PATH "/link"
#define SUB_PATH	DIR_PATH "/sub"
#define COPY_PATH	DIR_PATH "/copy"
#define FIFO_PATH	DIR_PATH "/fifo"
#define NEW_PATH	DIR_PATH "/new"
#define SUB_NEW		SUB_PATH "/new"
#define BAD_PTR		((uint64_t)1)
#define BUF		((uint64_t)-2)	/* placeholder: this side's buffer */
#define IOV		((uint64_t)-3)	/* placeholder: this side's iovec */
#define OFF0		((uint64_t)-4)	/* placeholder: this side's offset 0 */
#define OFF1		((uint64_t)-5)	/* placeholder: this side's offset 1 */
#define FD2		((uint64_t)-6)	/* placeholder: the descriptor of make2 */

static const char content[] = "The quick brown fox jumps over the lazy dog";
static const char copy_content[] = "copy: 0123456789";

static int rewrite(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		return -1;
	return close(fd);
}

/* the files as every side starts from (the same inodes: watches hold) */
static int reset_files(void)
{
	remove(NEW_PATH);
	remove(SUB_NEW);
	return rewrite(FILE_PATH, content, sizeof(content)) ||
	       rewrite(COPY_PATH, copy_content, sizeof(copy_content));
}

static int setup(void **state)
{
	int fd, i;

	(void)state;
	if (g_mount_strictatime(DIR_PATH) || mkdir(SUB_PATH, 0755) ||
	    reset_files() || chown(FILE_PATH, 1000, 100) ||
	    symlink("data", LINK_PATH) || mkfifo(FIFO_PATH, 0640)) {
		print_message("setup: %s\n", strerror(errno));
		return -1;
	}
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

static int teardown(void **state)
{
	(void)state;
	return umount2(DIR_PATH, MNT_DETACH);
}

enum { NO_STAT, SAME_INODE, OWN_INODE };	/* fcase.stat */

struct fcase {
	const char *what;
	uint32_t nr;
	int (*make)(void);	/* descriptor for args[0]; NULL: none */
	uint64_t args[6];
	long expect;		/* expected result; 1 << 40: any >= 0 */
	int stat;		/* the buffer is a struct stat: of the same
				   inode on both sides, or of each side's own */
	int (*make2)(void);	/* descriptor for FD2 */
	loff_t off[2];		/* what OFF0 and OFF1 point to at first */
};

/* One side: its buffers, what the op returned and did */
struct side {
	char buf[4096];
	char iobuf[2][16];
	struct iovec iov[2];
	loff_t off[2];
	struct stat pre, post;	/* a plain stat just before and after */
	long ret;
	off_t pos[2];		/* the descriptors' positions afterwards */
	struct g_obs obs;
};

#define ANY_OK (1L << 40)
#define AS_SYSCALL (ANY_OK + 2)	/* whatever this kernel's syscall returns */

static int pipe_other = -1;

static int o_rdonly(void) { return open(FILE_PATH, O_RDONLY); }
static int o_rdwr(void) { return open(FILE_PATH, O_RDWR); }
static int o_append(void) { return open(FILE_PATH, O_WRONLY | O_APPEND); }
static int o_path(void) { return open(FILE_PATH, O_PATH); }
static int o_dir(void) { return open(SUB_PATH, O_RDONLY | O_DIRECTORY); }
static int o_top(void) { return open(DIR_PATH, O_RDONLY | O_DIRECTORY); }
static int o_copy(void) { return open(COPY_PATH, O_RDWR); }
static int o_copy_ro(void) { return open(COPY_PATH, O_RDONLY); }
static int o_copy_append(void) { return open(COPY_PATH, O_WRONLY | O_APPEND); }
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

/* the write end of a pipe */
static int o_pipe_wr(void)
{
	int p[2];

	if (pipe(p))
		return -1;
	pipe_other = p[0];
	return p[1];
}

static bool real_fd(int fd)
{
	return fd >= 0 && fd != 1000;
}

static void fill_side(struct side *s, const struct fcase *f, uint64_t *a,
		      int fd, int fd2)
{
	int k;

	memset(s->buf, 0x5a, sizeof(s->buf));
	memset(s->iobuf, 0x5a, sizeof(s->iobuf));
	memset(&s->pre, 0, sizeof(s->pre));
	memset(&s->post, 0, sizeof(s->post));
	s->iov[0].iov_base = s->iobuf[0];
	s->iov[0].iov_len = sizeof(s->iobuf[0]);
	s->iov[1].iov_base = s->iobuf[1];
	s->iov[1].iov_len = sizeof(s->iobuf[1]);
	memcpy(s->off, f->off, sizeof(s->off));
	for (k = 0; k < 6; k++) {
		uint64_t v = f->args[k];

		a[k] = v == BUF ? (uintptr_t)s->buf : v == IOV ? (uintptr_t)s->iov :
		       v == OFF0 ? (uintptr_t)&s->off[0] :
		       v == OFF1 ? (uintptr_t)&s->off[1] :
		       v == FD2 ? (uint64_t)fd2 : v;
	}
	if (f->make)
		a[0] = (uint64_t)fd;
}

/* the stat op as a plain syscall, into @st */
static void plain_stat(const struct fcase *f, const uint64_t *a, struct stat *st)
{
	uint64_t b[6];
	int k;

	memcpy(b, a, sizeof(b));
	for (k = 0; k < 6; k++)
		if (f->args[k] == BUF)
			b[k] = (uintptr_t)st;
	g_sys(f->nr, b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* what each side watches: the tree, and its own descriptors */
static void observe(struct g_obs *o, int fd, int fd2)
{
	static const struct {
		const char *path;
		int flags;
	} objs[] = {
		{ DIR_PATH, 0 }, { FILE_PATH, 0 }, { LINK_PATH, G_OBJ_NOFOLLOW },
		{ SUB_PATH, 0 }, { COPY_PATH, 0 }, { FIFO_PATH, 0 },
		{ NEW_PATH, 0 }, { SUB_NEW, 0 },
	};
	size_t i;

	g_obs_init(o);
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		g_obs_add(o, objs[i].path, objs[i].flags);
	if (real_fd(fd))
		g_obs_add_fd(o, fd);
	if (real_fd(fd2))
		g_obs_add_fd(o, fd2);
}

/* Run the op one way (from the files as reset) and record what it did */
static void run_side(const struct fcase *f, struct side *s, bool chained)
{
	uint64_t a[6];
	int fd = -1, fd2 = -1;

	assert_int_equal(reset_files(), 0);
	if (f->make)
		fd = f->make();
	if (f->make2)
		fd2 = f->make2();
	fill_side(s, f, a, fd, fd2);
	if (f->stat)
		plain_stat(f, a, &s->pre);
	observe(&s->obs, fd, fd2);
	g_obs_begin(&s->obs);
	if (chained)
		s->ret = g_chain1(f->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	else
		s->ret = g_sys(f->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	g_obs_stop(&s->obs);
	if (f->stat)
		plain_stat(f, a, &s->post);
	g_obs_contents(&s->obs);
	s->pos[0] = real_fd(fd) ? lseek(fd, 0, SEEK_CUR) : -1;
	s->pos[1] = real_fd(fd2) ? lseek(fd2, 0, SEEK_CUR) : -1;
	if (f->nr == __NR_dup && s->ret >= 0)
		close(s->ret);
	if (real_fd(fd))
		close(fd);
	if (real_fd(fd2))
		close(fd2);
	if (pipe_other >= 0)
		close(pipe_other);
	pipe_other = -1;
}

/*
 * A stat buffer: on each side exactly what a plain stat says right after
 * the op (every field, the timestamps and the padding); across the sides
 * every field but the timestamps equal, and the same timestamps changed
 * since a plain stat just before.
 */
static void check_stat(const struct fcase *f, const struct side *c,
		       const struct side *s)
{
	const struct stat *a = (const void *)c->buf, *b = (const void *)s->buf;
	const char *field;

	if (memcmp(a, &c->post, sizeof(*a)) || memcmp(b, &s->post, sizeof(*b)))
		fail_msg("%s: the buffer is not what a plain stat gives after",
			 f->what);
	field = g_stat_differs(a, b, f->stat == SAME_INODE);
	if (field)
		fail_msg("%s: %s differs", f->what, field);
	if (g_times_changed(&c->pre, a) != g_times_changed(&s->pre, b))
		fail_msg("%s: the timestamps moved: chain %#x, syscall %#x",
			 f->what, g_times_changed(&c->pre, a),
			 g_times_changed(&s->pre, b));
}

static void check_case(const struct fcase *f)
{
	static struct side sc, ss;

	run_side(f, &sc, true);
	run_side(f, &ss, false);
	if (sc.ret != ss.ret || (f->expect == ANY_OK ? sc.ret < 0 :
				 f->expect != AS_SYSCALL && sc.ret != f->expect))
		fail_msg("%s: chain %ld, syscall %ld, expected %ld", f->what,
			 sc.ret, ss.ret, f->expect);
	if (f->stat && sc.ret == 0)
		check_stat(f, &sc, &ss);
	else
		assert_memory_equal(sc.buf, ss.buf, sizeof(sc.buf));
	assert_memory_equal(sc.iobuf, ss.iobuf, sizeof(sc.iobuf));
	assert_memory_equal(sc.off, ss.off, sizeof(sc.off));
	assert_memory_equal(sc.pos, ss.pos, sizeof(sc.pos));
	g_obs_assert_same(&sc.obs, &ss.obs, f->what);
}

/* the syscall side of @f saw @changed (and @mask) on object @obj */
static void check_sees(const struct fcase *f, int obj, unsigned int changed,
		       uint32_t mask)
{
	static struct side s;

	run_side(f, &s, false);
	if (!g_obs_saw(&s.obs, obj, changed, mask))
		fail_msg("%s: %s: timestamps %#x moved, %#x expected", f->what,
			 s.obs.obj[obj].path, s.obs.obj[obj].changed, changed);
}

static void run_cases(const struct fcase *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check_case(&t[i]);
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
		{ "writev 0 iov", __NR_writev, o_rdwr, { 0, IOV, 0 }, 0 },
		{ "writev O_APPEND", __NR_writev, o_append, { 0, IOV, 2 }, 32 },
		{ "writev pipe", __NR_writev, o_pipe_wr, { 0, IOV, 2 }, 32 },
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
	check_sees(&t[0], 1, G_ATIME, IN_ACCESS);		/* the file */
	check_sees(&t[8], 1, G_MTIME | G_CTIME, IN_MODIFY);
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
		{ "fallocate past end", __NR_fallocate, o_rdwr, { 0, 0, 4096, 100 }, 0 },
		{ "fallocate inside", __NR_fallocate, o_rdwr, { 0, 0, 4, 8 }, 0 },
		{ "fallocate KEEP_SIZE", __NR_fallocate, o_rdwr, { 0, FALLOC_FL_KEEP_SIZE, 0, 8192 }, 0 },
		{ "fallocate PUNCH_HOLE", __NR_fallocate, o_rdwr, { 0, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4, 8 }, 0 },
		{ "fallocate ZERO_RANGE", __NR_fallocate, o_rdwr, { 0, FALLOC_FL_ZERO_RANGE, 4, 8 }, AS_SYSCALL },
		{ "fallocate O_APPEND", __NR_fallocate, o_append, { 0, 0, 0, 8192 }, AS_SYSCALL },
		{ "fallocate EBADF rdonly", __NR_fallocate, o_rdonly, { 0, 0, 0, 8192 }, -EBADF },
		{ "fallocate EINVAL len", __NR_fallocate, o_rdwr, { 0, 0, 0, 0 }, -EINVAL },
		{ "fallocate PUNCH_HOLE no KEEP_SIZE", __NR_fallocate, o_rdwr, { 0, FALLOC_FL_PUNCH_HOLE, 0, 8 }, -EOPNOTSUPP },
		{ "fallocate EBADF pipe", __NR_fallocate, o_pipe, { 0, 0, 0, 10 }, -EBADF },
		{ "fallocate ENODEV dir", __NR_fallocate, o_dir, { 0, 0, 0, 10 }, AS_SYSCALL },
		{ "fadvise64", __NR_fadvise64, o_rdonly, { 0, 0, 0, POSIX_FADV_WILLNEED }, 0 },
		{ "fadvise64 DONTNEED", __NR_fadvise64, o_rdwr, { 0, 0, 0, POSIX_FADV_DONTNEED }, 0 },
		{ "fadvise64 EINVAL", __NR_fadvise64, o_rdonly, { 0, 0, 0, 99 }, -EINVAL },
		{ "fadvise64 ESPIPE", __NR_fadvise64, o_pipe, { 0, 0, 0, 0 }, -ESPIPE },
		{ "fadvise64 EBADF", __NR_fadvise64, o_bad, { 0, 0, 0, 0 }, -EBADF },
	};
	static struct side s;

	(void)state;
	RUN(t);
	check_sees(&t[5], 1, G_MTIME | G_CTIME, IN_MODIFY);
	run_side(&t[5], &s, false);	/* the size read back */
	assert_int_equal(s.obs.obj[1].after.st_size, 8192);
	assert_int_equal(s.obs.obj[1].after.st_blocks, 16);
}

static void test_stat(void **state)
{
	const uint64_t cwd = (uint64_t)AT_FDCWD;
	const struct fcase t[] = {
		{ "fstat", __NR_fstat, o_rdonly, { 0, BUF }, 0, SAME_INODE },
		{ "fstat O_PATH", __NR_fstat, o_path, { 0, BUF }, 0, SAME_INODE },
		{ "fstat dir", __NR_fstat, o_dir, { 0, BUF }, 0, SAME_INODE },
		{ "fstat pipe", __NR_fstat, o_pipe, { 0, BUF }, 0, OWN_INODE },
		{ "fstat EBADF", __NR_fstat, o_bad, { 0, BUF }, -EBADF },
		{ "fstat EFAULT", __NR_fstat, o_rdonly, { 0, BAD_PTR }, -EFAULT },
		{ "newfstatat", __NR_newfstatat, NULL, { cwd, (uintptr_t)FILE_PATH, BUF, 0 }, 0, SAME_INODE },
		{ "newfstatat follow", __NR_newfstatat, NULL, { cwd, (uintptr_t)LINK_PATH, BUF, 0 }, 0, SAME_INODE },
		{ "newfstatat nofollow", __NR_newfstatat, NULL, { cwd, (uintptr_t)LINK_PATH, BUF, AT_SYMLINK_NOFOLLOW }, 0, SAME_INODE },
		{ "newfstatat fifo", __NR_newfstatat, NULL, { cwd, (uintptr_t)FIFO_PATH, BUF, 0 }, 0, SAME_INODE },
		{ "newfstatat char device", __NR_newfstatat, NULL, { cwd, (uintptr_t)"/dev/null", BUF, 0 }, 0, SAME_INODE },
		{ "newfstatat dirfd", __NR_newfstatat, o_top, { 0, (uintptr_t)"data", BUF, 0 }, 0, SAME_INODE },
		{ "newfstatat dirfd ..", __NR_newfstatat, o_dir, { 0, (uintptr_t)"../data", BUF, 0 }, 0, SAME_INODE },
		{ "newfstatat dirfd abs", __NR_newfstatat, o_dir, { 0, (uintptr_t)FILE_PATH, BUF, 0 }, 0, SAME_INODE },
		{ "newfstatat empty path", __NR_newfstatat, o_rdonly, { 0, (uintptr_t)"", BUF, AT_EMPTY_PATH }, 0, SAME_INODE },
		{ "newfstatat NULL empty", __NR_newfstatat, o_rdonly, { 0, 0, BUF, AT_EMPTY_PATH }, ANY_OK + 1 },
		{ "newfstatat NULL nofollow", __NR_newfstatat, o_rdonly, { 0, 0, BUF, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW }, AS_SYSCALL },
		{ "newfstatat ENOENT empty", __NR_newfstatat, o_top, { 0, (uintptr_t)"", BUF, 0 }, -ENOENT },
		{ "newfstatat ENOENT", __NR_newfstatat, NULL, { cwd, (uintptr_t)DIR_PATH "/nope", BUF, 0 }, -ENOENT },
		{ "newfstatat ENOTDIR", __NR_newfstatat, NULL, { cwd, (uintptr_t)FILE_PATH "/x", BUF, 0 }, -ENOTDIR },
		{ "newfstatat ENOTDIR dfd", __NR_newfstatat, o_rdonly, { 0, (uintptr_t)"x", BUF, 0 }, -ENOTDIR },
		{ "newfstatat EBADF", __NR_newfstatat, o_bad, { 0, (uintptr_t)"x", BUF, 0 }, -EBADF },
		{ "newfstatat EINVAL", __NR_newfstatat, NULL, { cwd, (uintptr_t)FILE_PATH, BUF, 0x80000 }, -EINVAL },
		{ "newfstatat EFAULT name", __NR_newfstatat, NULL, { cwd, BAD_PTR, BUF, 0 }, -EFAULT },
		{ "newfstatat EINVAL before EFAULT", __NR_newfstatat, NULL, { cwd, BAD_PTR, BUF, 0x80000 }, -EINVAL },
		{ "newfstatat EFAULT buf", __NR_newfstatat, NULL, { cwd, (uintptr_t)FILE_PATH, BAD_PTR, 0 }, -EFAULT },
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
			f.stat = f.expect == 0 ? SAME_INODE : NO_STAT;
			print_message("newfstatat(fd, NULL, AT_EMPTY_PATH) = %ld here\n",
				      f.expect);
		}
		check_case(&f);
	}
	check_sees(&t[7], 2, G_ATIME, 0);	/* follow: the link's atime */
	check_sees(&t[8], 2, 0, 0);		/* nofollow */
}

static void test_getdents64(void **state)
{
	const struct fcase t[] = {
		{ "getdents64", __NR_getdents64, o_dir, { 0, BUF, 4096 }, ANY_OK },
		{ "getdents64 small", __NR_getdents64, o_dir, { 0, BUF, 100 }, ANY_OK },
		{ "getdents64 top", __NR_getdents64, o_top, { 0, BUF, 4096 }, ANY_OK },
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
	check_sees(&t[0], 3, G_ATIME, IN_ACCESS);		/* the directory */

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
		{ "dup pipe", __NR_dup, o_pipe, { 0 }, ANY_OK },
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

/* the directory made, its mode and owner, are compared as the objects */
static void test_mkdirat(void **state)
{
	const uint64_t cwd = (uint64_t)AT_FDCWD;
	const struct fcase t[] = {
		{ "mkdirat", __NR_mkdirat, NULL, { cwd, (uintptr_t)NEW_PATH, 0755 }, 0 },
		{ "mkdirat 0777", __NR_mkdirat, NULL, { cwd, (uintptr_t)NEW_PATH, 0777 }, 0 },
		{ "mkdirat trailing /", __NR_mkdirat, NULL, { cwd, (uintptr_t)NEW_PATH "/", 01777 }, 0 },
		{ "mkdirat dirfd", __NR_mkdirat, o_dir, { 0, (uintptr_t)"new", 0700 }, 0 },
		{ "mkdirat dirfd ..", __NR_mkdirat, o_dir, { 0, (uintptr_t)"../new", 0700 }, 0 },
		{ "mkdirat EEXIST dir", __NR_mkdirat, NULL, { cwd, (uintptr_t)SUB_PATH, 0755 }, -EEXIST },
		{ "mkdirat EEXIST file", __NR_mkdirat, NULL, { cwd, (uintptr_t)FILE_PATH, 0755 }, -EEXIST },
		{ "mkdirat EEXIST link", __NR_mkdirat, NULL, { cwd, (uintptr_t)LINK_PATH, 0755 }, -EEXIST },
		{ "mkdirat ENOENT", __NR_mkdirat, NULL, { cwd, (uintptr_t)DIR_PATH "/nope/new", 0755 }, -ENOENT },
		{ "mkdirat ENOTDIR", __NR_mkdirat, NULL, { cwd, (uintptr_t)FILE_PATH "/new", 0755 }, -ENOTDIR },
		{ "mkdirat empty", __NR_mkdirat, NULL, { cwd, (uintptr_t)"", 0755 }, -ENOENT },
		{ "mkdirat EFAULT", __NR_mkdirat, NULL, { cwd, BAD_PTR, 0755 }, -EFAULT },
		{ "mkdirat EBADF", __NR_mkdirat, o_bad, { 0, (uintptr_t)"x", 0755 }, -EBADF },
		{ "mkdirat ENOTDIR dirfd", __NR_mkdirat, o_rdonly, { 0, (uintptr_t)"x", 0755 }, -ENOTDIR },
	};

	static struct side s;

	(void)state;
	umask(027);
	RUN(t);
	check_sees(&t[0], 0, G_MTIME | G_CTIME, IN_CREATE);	/* the parent */
	run_side(&t[0], &s, false);
	assert_int_equal(s.obs.obj[6].after.st_mode, S_IFDIR | 0750);
	umask(022);
}

static void test_copy_file_range(void **state)
{
	const uint64_t nr = __NR_copy_file_range;
	const struct fcase t[] = {
		/* with offsets: the file positions stay, the offsets advance */
		{ "copy_file_range offsets", nr, o_rdonly, { 0, OFF0, FD2, OFF1, 10, 0 }, 10, .make2 = o_copy, .off = { 4, 0 } },
		/* without: the positions advance */
		{ "copy_file_range positions", nr, o_rdonly, { 0, 0, FD2, 0, 5, 0 }, 5, .make2 = o_copy },
		{ "copy_file_range past the end of out", nr, o_rdonly, { 0, OFF0, FD2, OFF1, 8, 0 }, 8, .make2 = o_copy, .off = { 0, 100 } },
		{ "copy_file_range at the end of in", nr, o_rdonly, { 0, OFF0, FD2, OFF1, 8, 0 }, 0, .make2 = o_copy, .off = { 1000, 0 } },
		{ "copy_file_range 0 bytes", nr, o_rdonly, { 0, 0, FD2, 0, 0, 0 }, 0, .make2 = o_copy },
		{ "copy_file_range O_APPEND", nr, o_rdonly, { 0, 0, FD2, 0, 5, 0 }, -EBADF, .make2 = o_copy_append },
		{ "copy_file_range same file", nr, o_rdwr, { 0, OFF0, FD2, OFF1, 10, 0 }, 10, .make2 = o_rdwr, .off = { 0, 20 } },
		{ "copy_file_range same file overlap", nr, o_rdwr, { 0, OFF0, FD2, OFF1, 10, 0 }, -EINVAL, .make2 = o_rdwr, .off = { 0, 5 } },
		{ "copy_file_range EINVAL flags", nr, o_rdonly, { 0, 0, FD2, 0, 5, 1 }, AS_SYSCALL, .make2 = o_copy },
		{ "copy_file_range EFAULT off_in", nr, o_rdonly, { 0, BAD_PTR, FD2, 0, 5, 0 }, -EFAULT, .make2 = o_copy },
		{ "copy_file_range EBADF in", nr, o_bad, { 0, 0, FD2, 0, 5, 0 }, -EBADF, .make2 = o_copy },
		{ "copy_file_range EBADF out rdonly", nr, o_rdonly, { 0, 0, FD2, 0, 5, 0 }, -EBADF, .make2 = o_copy_ro },
		{ "copy_file_range EISDIR", nr, o_dir, { 0, 0, FD2, 0, 5, 0 }, -EISDIR, .make2 = o_copy },
		{ "copy_file_range pipe", nr, o_pipe, { 0, 0, FD2, 0, 5, 0 }, AS_SYSCALL, .make2 = o_copy },
	};
	static struct side sc;

	(void)state;
	RUN(t);
	/* what the first row did, not only chain == syscall */
	run_side(&t[0], &sc, true);
	assert_int_equal(sc.ret, 10);
	assert_int_equal(sc.off[0], 14);
	assert_int_equal(sc.off[1], 10);
	assert_int_equal(sc.pos[0], 0);
	assert_int_equal(sc.pos[1], 0);
	assert_memory_equal(sc.obs.obj[4].data, content + 4, 10);	/* COPY_PATH */
}

/* the syscr and syscw counters of /proc/self/io */
static void read_io(long long *syscr, long long *syscw)
{
	char buf[512], *p;
	int fd = open("/proc/self/io", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail_msg("/proc/self/io: %s (CONFIG_TASK_IO_ACCOUNTING)",
			 strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = 0;
	p = strstr(buf, "syscr: ");
	assert_non_null(p);
	*syscr = atoll(p + 7);
	p = strstr(buf, "syscw: ");
	assert_non_null(p);
	*syscw = atoll(p + 7);
}

/*
 * readv() and writev() count a call in the task's I/O accounting even when
 * the descriptor is bad (do_readv()/do_writev() count after the lookup,
 * whatever it found); read() and write() do not. The op must count exactly
 * as its syscall: measured as the difference between two readings, each of
 * which counts its own read() the same way on both sides.
 */
static void test_rw_accounting(void **state)
{
	static const struct { int nr; int r, w; } t[] = {
		{ __NR_readv, 1, 0 }, { __NR_writev, 0, 1 },
		{ __NR_read, 0, 0 }, { __NR_write, 0, 0 },
	};
	struct iovec iov = { 0 };
	long long r0, w0, r1, w1, r2, w2;
	struct g_chain c;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t a1 = t[i].nr == __NR_readv || t[i].nr == __NR_writev ?
			      (uintptr_t)&iov : (uintptr_t)content;

		read_io(&r0, &w0);
		k = (int)syscall(t[i].nr, 1000, (long)a1, 1L);
		assert_int_equal(k, -1);
		assert_int_equal(errno, EBADF);
		read_io(&r1, &w1);

		g_init(&c);
		g_opn(&c, t[i].nr, 1000, a1, 1);
		assert_int_equal(g_run(&c, 0), 0);
		assert_int_equal(c.res[0].ret, -EBADF);
		read_io(&r2, &w2);

		print_message("nr %d: syscall syscr +%lld syscw +%lld, chain +%lld +%lld\n",
			      t[i].nr, r1 - r0, w1 - w0, r2 - r1, w2 - w1);
		/* one read() of /proc/self/io, plus the call's own count */
		assert_int_equal(r1 - r0, 1 + t[i].r);
		assert_int_equal(w1 - w0, t[i].w);
		assert_int_equal(r2 - r1, r1 - r0);
		assert_int_equal(w2 - w1, w1 - w0);
	}
}

/*
 * statfs and fstatfs against the syscalls: the whole struct statfs byte
 * for byte (the file systems here are quiet: tmpfs, proc, sysfs, the
 * initramfs, pipefs, sockfs), and each error.
 */
static void same_statfs(uint32_t nr, uint64_t a0, uint64_t buf_c,
			uint64_t buf_s, long expect)
{
	struct statfs sc, ss;
	long rc, rs;

	memset(&sc, 0x5a, sizeof(sc));
	memset(&ss, 0x5a, sizeof(ss));
	rc = g_chain1(nr, a0, buf_c == BUF ? (uintptr_t)&sc : buf_c, 0, 0, 0, 0);
	rs = g_sys(nr, a0, buf_s == BUF ? (uintptr_t)&ss : buf_s, 0, 0, 0, 0);
	if (rc != rs || memcmp(&sc, &ss, sizeof(sc)) ||
	    (expect != ANY_OK && rc != expect))
		fail_msg("%s(%#llx): chain %ld (type %#lx, flags %#lx), syscall %ld (type %#lx, flags %#lx), expected %ld",
			 nr == __NR_statfs ? "statfs" : "fstatfs",
			 (unsigned long long)a0, rc, (long)sc.f_type,
			 (long)sc.f_flags, rs, (long)ss.f_type,
			 (long)ss.f_flags, expect);
}

static void test_statfs(void **state)
{
	static const char *const paths[] = {
		"/", "/proc", "/proc/self/status", "/sys", "/tmp", DIR_PATH,
		FILE_PATH, LINK_PATH, SUB_PATH "/", "/dev/null",
	};
	int fds[6], sv[2], p[2];
	size_t i;

	(void)state;
	G_BOUND(60);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		same_statfs(__NR_statfs, (uintptr_t)paths[i], BUF, BUF, 0);
	same_statfs(__NR_statfs, (uintptr_t)DIR_PATH "/missing", BUF, BUF,
		    -ENOENT);
	same_statfs(__NR_statfs, (uintptr_t)FILE_PATH "/x", BUF, BUF, -ENOTDIR);
	same_statfs(__NR_statfs, (uintptr_t)"", BUF, BUF, -ENOENT);
	same_statfs(__NR_statfs, BAD_PTR, BUF, BUF, -EFAULT);
	same_statfs(__NR_statfs, (uintptr_t)FILE_PATH, BAD_PTR, BAD_PTR,
		    -EFAULT);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fds[0] = open(DIR_PATH, O_RDONLY | O_DIRECTORY);
	fds[1] = open(FILE_PATH, O_RDONLY);
	fds[2] = open(FILE_PATH, O_PATH);
	fds[3] = open("/proc/self/stat", O_RDONLY);
	fds[4] = p[0];
	fds[5] = sv[0];
	for (i = 0; i < 6; i++) {
		assert_true(fds[i] >= 0);
		same_statfs(__NR_fstatfs, (uint64_t)fds[i], BUF, BUF, 0);
	}
	same_statfs(__NR_fstatfs, (uint64_t)fds[1], BAD_PTR, BAD_PTR, -EFAULT);
	same_statfs(__NR_fstatfs, 9999, BUF, BUF, -EBADF);
	same_statfs(__NR_fstatfs, (uint64_t)-1, BUF, BUF, -EBADF);
	for (i = 0; i < 4; i++)
		close(fds[i]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rw_vectors),
		cmocka_unit_test(test_sync_alloc_advise),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_statfs),
		cmocka_unit_test(test_getdents64),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_mkdirat),
		cmocka_unit_test(test_copy_file_range),
		cmocka_unit_test(test_rw_accounting),
	};

	return cmocka_run_group_tests_name("syschain-ops-files", tests, setup,
					   teardown);
}
