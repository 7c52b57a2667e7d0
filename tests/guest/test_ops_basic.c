// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The first op family (openat, close, read, write, pread64, pwrite64,
 * lseek, getpid, getppid, gettid): each op through a chain against the
 * plain syscall on the same inputs, then whole chains: open-read-write-
 * close, a copy loop in one call, a read interrupted by a signal.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "guest.h"

#define DIR_PATH	"/tmp/sc-basic"
#define FILE_PATH	DIR_PATH "/data"
#define BAD_PTR		((uint64_t)1)

static const char content[] = "0123456789abcdefghijklmnopqrstuvwxyz";

static int setup(void **state)
{
	int fd;

	(void)state;
	mkdir(DIR_PATH, 0755);
	fd = open(FILE_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, sizeof(content)) != sizeof(content))
		return -1;
	return close(fd);
}

/*
 * Compare one op through the chain with the plain syscall. @make opens
 * the descriptor the op works on (a fresh one for each side, so both start
 * from the same state); the results, the output buffers and the file
 * positions afterwards must be equal.
 */
struct fidelity {
	const char *what;
	uint32_t nr;
	int (*make)(void);	/* NULL: use args as given */
	uint64_t args[6];	/* args[0] replaced by the fd from make() */
	int bufarg;		/* index of a buffer argument, or -1 */
	long expect;		/* expected result (also checked) */
};

static int open_ro(void) { return open(FILE_PATH, O_RDONLY); }
static int open_rw(void) { return open(FILE_PATH, O_RDWR); }
static int open_wo(void) { return open(FILE_PATH, O_WRONLY); }
static int open_dir(void) { return open(DIR_PATH, O_RDONLY | O_DIRECTORY); }
static int open_path(void) { return open(FILE_PATH, O_PATH); }
static int closed_fd(void) { return 1000; }
static int pipe_rd(void)
{
	int p[2];

	if (pipe(p))
		return -1;
	if (write(p[1], "pipe", 4) != 4)
		return -1;
	return p[0];
}

static void check_fidelity(const struct fidelity *f)
{
	char bufc[64], bufs[64];
	uint64_t ac[6], as[6];
	long rc, rs;
	int fdc = -1, fds = -1;

	memcpy(ac, f->args, sizeof(ac));
	memcpy(as, f->args, sizeof(as));
	if (f->make) {
		fdc = f->make();
		fds = f->make();
		ac[0] = (uint64_t)fdc;
		as[0] = (uint64_t)fds;
	}
	if (f->bufarg >= 0) {
		memset(bufc, 'C', sizeof(bufc));
		memset(bufs, 'C', sizeof(bufs));
		if (f->args[f->bufarg] != BAD_PTR) {
			ac[f->bufarg] = (uintptr_t)bufc;
			as[f->bufarg] = (uintptr_t)bufs;
		}
	}
	rc = g_chain1(f->nr, ac[0], ac[1], ac[2], ac[3], ac[4], ac[5]);
	rs = g_sys(f->nr, as[0], as[1], as[2], as[3], as[4], as[5]);
	if (rc != rs || rc != f->expect)
		fail_msg("%s: chain %ld, syscall %ld, expected %ld", f->what,
			 rc, rs, f->expect);
	if (f->bufarg >= 0)
		assert_memory_equal(bufc, bufs, sizeof(bufc));
	if (fdc >= 0 && fdc != 1000) {
		assert_int_equal(lseek(fdc, 0, SEEK_CUR), lseek(fds, 0, SEEK_CUR));
		close(fdc);
		close(fds);
	}
}

static void test_fidelity_table(void **state)
{
	const long n = sizeof(content);
	const struct fidelity table[] = {
		{ "read", __NR_read, open_ro, { 0, 0, 10 }, 1, 10 },
		{ "read past end", __NR_read, open_ro, { 0, 0, 64 }, 1, n },
		{ "read 0 bytes", __NR_read, open_ro, { 0, 0, 0 }, 1, 0 },
		{ "read EBADF closed", __NR_read, closed_fd, { 0, 0, 4 }, 1, -EBADF },
		{ "read EBADF -1", __NR_read, NULL, { -1, 0, 4 }, 1, -EBADF },
		{ "read EBADF wronly", __NR_read, open_wo, { 0, 0, 4 }, 1, -EBADF },
		{ "read EBADF O_PATH", __NR_read, open_path, { 0, 0, 4 }, 1, -EBADF },
		{ "read EFAULT", __NR_read, open_ro, { 0, BAD_PTR, 4 }, 1, -EFAULT },
		{ "read EISDIR", __NR_read, open_dir, { 0, 0, 4 }, 1, -EISDIR },
		{ "read pipe", __NR_read, pipe_rd, { 0, 0, 64 }, 1, 4 },
		{ "write", __NR_write, open_rw, { 0, (uintptr_t)"WXYZ", 4 }, -1, 4 },
		{ "write EBADF rdonly", __NR_write, open_ro, { 0, (uintptr_t)"x", 1 }, -1, -EBADF },
		{ "write EFAULT", __NR_write, open_rw, { 0, BAD_PTR, 4 }, -1, -EFAULT },
		{ "write EBADF closed", __NR_write, closed_fd, { 0, (uintptr_t)"x", 1 }, -1, -EBADF },
		{ "pread64", __NR_pread64, open_ro, { 0, 0, 8, 4 }, 1, 8 },
		{ "pread64 past end", __NR_pread64, open_ro, { 0, 0, 8, 1000 }, 1, 0 },
		{ "pread64 EINVAL", __NR_pread64, open_ro, { 0, 0, 8, -1 }, 1, -EINVAL },
		{ "pread64 ESPIPE", __NR_pread64, pipe_rd, { 0, 0, 8, 0 }, 1, -ESPIPE },
		{ "pread64 EISDIR", __NR_pread64, open_dir, { 0, 0, 8, 0 }, 1, -EISDIR },
		{ "pread64 EFAULT", __NR_pread64, open_ro, { 0, BAD_PTR, 8, 0 }, 1, -EFAULT },
		{ "pwrite64", __NR_pwrite64, open_rw, { 0, (uintptr_t)"PQ", 2, 3 }, -1, 2 },
		{ "pwrite64 EINVAL", __NR_pwrite64, open_rw, { 0, (uintptr_t)"PQ", 2, -5 }, -1, -EINVAL },
		{ "pwrite64 EBADF", __NR_pwrite64, open_ro, { 0, (uintptr_t)"PQ", 2, 0 }, -1, -EBADF },
		{ "lseek SET", __NR_lseek, open_ro, { 0, 5, SEEK_SET }, -1, 5 },
		{ "lseek END", __NR_lseek, open_ro, { 0, -3, SEEK_END }, -1, n - 3 },
		{ "lseek EINVAL whence", __NR_lseek, open_ro, { 0, 0, 77 }, -1, -EINVAL },
		{ "lseek EINVAL neg", __NR_lseek, open_ro, { 0, -100, SEEK_SET }, -1, -EINVAL },
		{ "lseek ESPIPE", __NR_lseek, pipe_rd, { 0, 0, SEEK_SET }, -1, -ESPIPE },
		{ "lseek EBADF", __NR_lseek, closed_fd, { 0, 0, SEEK_SET }, -1, -EBADF },
		{ "close EBADF", __NR_close, closed_fd, { 0 }, -1, -EBADF },
		{ "getpid", __NR_getpid, NULL, { 0 }, -1, getpid() },
		{ "getppid", __NR_getppid, NULL, { 0 }, -1, getppid() },
		{ "gettid", __NR_gettid, NULL, { 0 }, -1, gettid() },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		check_fidelity(&table[i]);
		setup(NULL);	/* writes changed the file: start afresh */
	}
}

static void test_openat_close(void **state)
{
	struct rlimit rl, low;
	long rc, rs;
	int fd;

	(void)state;
	/* success: the lowest free descriptor, with the requested flags */
	fd = dup(0);
	close(fd);
	rc = g_chain1(__NR_openat, AT_FDCWD, (uintptr_t)FILE_PATH,
		      O_RDONLY | O_CLOEXEC, 0, 0, 0);
	assert_int_equal(rc, fd);
	assert_int_equal(fcntl(rc, F_GETFD), FD_CLOEXEC);
	assert_int_equal(fcntl(rc, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_int_equal(g_chain1(__NR_close, rc, 0, 0, 0, 0, 0), 0);
	assert_int_equal(fcntl(rc, F_GETFD), -1);
	assert_int_equal(errno, EBADF);

	rc = g_chain1(__NR_openat, AT_FDCWD, (uintptr_t)FILE_PATH, O_RDWR, 0, 0, 0);
	assert_int_equal(fcntl(rc, F_GETFD), 0);
	assert_int_equal(fcntl(rc, F_GETFL) & (O_ACCMODE | O_LARGEFILE),
			 O_RDWR | O_LARGEFILE);
	close(rc);

	/* creation honours the mode and the umask */
	umask(022);
	unlink(DIR_PATH "/new");
	rc = g_chain1(__NR_openat, AT_FDCWD, (uintptr_t)DIR_PATH "/new",
		      O_WRONLY | O_CREAT | O_EXCL, 0666, 0, 0);
	assert_true(rc >= 0);
	{
		struct stat st;

		assert_int_equal(fstat(rc, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
	}
	close(rc);

#define SAME_OPEN(path, flags, mode, expect) do {				\
	rc = g_chain1(__NR_openat, AT_FDCWD, (uintptr_t)(path), flags, mode, 0, 0); \
	rs = g_sys(__NR_openat, AT_FDCWD, (uintptr_t)(path), flags, mode, 0, 0); \
	if (rc >= 0) close(rc);							\
	if (rs >= 0) close(rs);							\
	assert_int_equal(rc, expect);						\
	assert_int_equal(rs, expect);						\
} while (0)
	SAME_OPEN(DIR_PATH "/new", O_WRONLY | O_CREAT | O_EXCL, 0644, -EEXIST);
	SAME_OPEN(DIR_PATH "/missing", O_RDONLY, 0, -ENOENT);
	SAME_OPEN(FILE_PATH "/below", O_RDONLY, 0, -ENOTDIR);
	SAME_OPEN(DIR_PATH, O_WRONLY, 0, -EISDIR);
	SAME_OPEN("", O_RDONLY, 0, -ENOENT);
	SAME_OPEN(BAD_PTR, O_RDONLY, 0, -EFAULT);
	SAME_OPEN(DIR_PATH, O_RDONLY | O_CREAT | O_DIRECTORY, 0, -EINVAL);
	SAME_OPEN(DIR_PATH, O_RDONLY | O_TMPFILE, 0600, -EINVAL);
	{
		static char longname[5000];

		memset(longname, 'a', sizeof(longname) - 1);
		SAME_OPEN(longname, O_RDONLY, 0, -ENAMETOOLONG);
	}

	/* RLIMIT_NOFILE: EMFILE like the syscall, nothing created */
	getrlimit(RLIMIT_NOFILE, &rl);
	fd = open("/dev/null", O_RDONLY);
	low.rlim_cur = fd;	/* descriptors 0..fd-1 only */
	low.rlim_max = rl.rlim_max;
	close(fd);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	unlink(DIR_PATH "/emfile");
	SAME_OPEN(DIR_PATH "/emfile", O_WRONLY | O_CREAT, 0644, -EMFILE);
	assert_int_equal(access(DIR_PATH "/emfile", F_OK), -1);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
#undef SAME_OPEN
}

/* open, read, write what was read (count from the read), close */
static void test_open_read_write_close(void **state)
{
	struct g_chain c;
	char buf[128];
	int p[2];
	char out[128];

	(void)state;
	assert_int_equal(pipe(p), 0);
	g_init(&c);
	g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)FILE_PATH, O_RDONLY, 0);
	g_opn(&c, __NR_read, 0, (uintptr_t)buf, sizeof(buf));
	g_ref(&c, 1, 0, 0, 0);
	g_opn(&c, __NR_write, p[1], (uintptr_t)buf, 0);
	g_ref(&c, 2, 2, 1, 0);
	g_opn(&c, __NR_close, 0);
	g_ref(&c, 3, 0, 0, 0);
	assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.run.steps, 4);
	assert_true(c.res[0].ret >= 0);
	assert_int_equal(c.res[1].ret, sizeof(content));
	assert_int_equal(c.res[2].ret, sizeof(content));
	assert_int_equal(c.res[3].ret, 0);
	assert_int_equal(read(p[0], out, sizeof(out)), sizeof(content));
	assert_memory_equal(out, content, sizeof(content));
	/* the descriptor the chain opened is closed again */
	assert_int_equal(fcntl(c.res[0].ret, F_GETFD), -1);

	/* the same chain on a missing file stops at op 0, nothing leaks */
	c.ops[0].args[1] = (uintptr_t)DIR_PATH "/missing";
	assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_FAILED);
	assert_int_equal(c.run.stop_op, 0);
	assert_int_equal(c.res[0].ret, -ENOENT);
	assert_int_equal(c.res[1].count, 0);
	close(p[0]);
	close(p[1]);
}

/*
 * Copy a 4 MiB file in 4 KiB blocks with one ioctl: read, and if it read
 * nothing, leave the loop; write what was read, and if the write was short
 * stop; jump back to the read.
 */
static void test_copy_loop(void **state)
{
	const size_t size = 4 << 20, block = 4096;
	const uint64_t iterations = size / block;
	unsigned char *data, *copy, *buf;
	struct g_chain c;
	unsigned int rd, wr;
	size_t i;
	int fd;

	(void)state;
	data = malloc(size);
	copy = malloc(size);
	buf = malloc(block);
	assert_non_null(data);
	assert_non_null(copy);
	assert_non_null(buf);
	srand(42);
	for (i = 0; i < size; i++)
		data[i] = rand();
	fd = open(DIR_PATH "/src", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, data, size), size);
	close(fd);
	unlink(DIR_PATH "/dst");

	g_init(&c);
	g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)DIR_PATH "/src", O_RDONLY, 0);
	g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)DIR_PATH "/dst",
	      O_WRONLY | O_CREAT | O_EXCL, 0600);
	rd = g_opn(&c, __NR_read, 0, (uintptr_t)buf, block);
	g_ref(&c, rd, 0, 0, 0);
	g_cond(&c, rd, SYSCHAIN_CMP_EQ, 0, SYSCHAIN_ACT_JUMP, rd + 2);
	wr = g_opn(&c, __NR_write, 0, (uintptr_t)buf, 0);
	g_ref(&c, wr, 0, 1, 0);
	g_ref(&c, wr, 2, rd, 0);
	{
		unsigned int ci = g_cond(&c, wr, SYSCHAIN_CMP_NE, 0,
					 SYSCHAIN_ACT_STOP, 0);

		c.conds[ci].flags = SYSCHAIN_COND_RHS_REF;
		c.conds[ci].rhs_ref = rd;
	}
	g_cond(&c, wr, SYSCHAIN_CMP_ALWAYS, 0, SYSCHAIN_ACT_JUMP, rd);
	g_opn(&c, __NR_close, 0);
	g_ref(&c, 4, 0, 0, 0);
	g_opn(&c, __NR_close, 0);
	g_ref(&c, 5, 0, 1, 0);

	assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	/* 2 opens, n reads + n writes, the last read (0), 2 closes */
	assert_int_equal(c.run.steps, 2 + 2 * iterations + 1 + 2);
	assert_int_equal(c.res[rd].count, iterations + 1);
	assert_int_equal(c.res[wr].count, iterations);
	assert_int_equal(c.res[rd].ret, 0);
	assert_int_equal(c.res[wr].ret, block);
	print_message("copy loop: %llu iterations, %llu steps, one ioctl\n",
		      (unsigned long long)iterations,
		      (unsigned long long)c.run.steps);

	fd = open(DIR_PATH "/dst", O_RDONLY);
	assert_int_equal(read(fd, copy, size), size);
	assert_int_equal(read(fd, buf, 1), 0);
	close(fd);
	assert_memory_equal(data, copy, size);
	free(data);
	free(copy);
	free(buf);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void interrupted_read(int sa_flags)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = sa_flags };
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	struct g_chain c;
	char buf[16];
	int p[2];

	assert_int_equal(pipe(p), 0);
	sigaction(SIGALRM, &sa, NULL);
	g_init(&c);
	g_op0(&c, __NR_getpid);
	g_opn(&c, __NR_write, p[1], (uintptr_t)"", 0);
	g_opn(&c, __NR_read, p[0], (uintptr_t)buf, sizeof(buf));
	g_op0(&c, __NR_gettid);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_INTERRUPTED);
	assert_int_equal(c.run.stop_op, 2);
	assert_int_equal(c.run.steps, 3);
	assert_int_equal(c.res[0].ret, getpid());
	assert_int_equal(c.res[0].count, 1);
	assert_int_equal(c.res[1].ret, 0);
	assert_int_equal(c.res[1].count, 1);
	assert_int_equal(c.res[2].ret, -EINTR);
	assert_int_equal(c.res[2].count, 1);
	assert_int_equal(c.res[3].count, 0);
	signal(SIGALRM, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

/* Blocked in read on an empty pipe; a signal ends the chain there. */
static void test_interrupted_read(void **state)
{
	(void)state;
	interrupted_read(0);
	/* SA_RESTART does not restart a chain: ops never run twice */
	interrupted_read(SA_RESTART);
}

/* A chain in a process killed while blocked: it dies promptly. */
static void test_sigkill_blocked(void **state)
{
	struct g_chain c;
	char buf[4];
	int p[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		g_init(&c);
		g_opn(&c, __NR_read, p[0], (uintptr_t)buf, sizeof(buf));
		g_run(&c, 0);
		_exit(0);
	}
	usleep(100000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	close(p[0]);
	close(p[1]);
}

/* Two threads reading one descriptor through chains: no lost updates. */
struct reader {
	int fd;
	long total;
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;
	char buf[1];

	/* no cmocka asserts off the main thread: plain checks */
	for (;;) {
		struct g_chain c;

		g_init(&c);
		g_opn(&c, __NR_read, r->fd, (uintptr_t)buf, 1);
		if (g_run(&c, 0) || c.run.status != SYSCHAIN_STATUS_COMPLETED) {
			r->total = -1;
			break;
		}
		if (c.res[0].ret <= 0)
			break;
		r->total += c.res[0].ret;
	}
	return NULL;
}

static void test_shared_position(void **state)
{
	const int size = 4000;
	struct reader a, b;
	pthread_t ta, tb;
	char *data = calloc(1, size);
	int fd;

	(void)state;
	fd = open(DIR_PATH "/shared", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, data, size), size);
	lseek(fd, 0, SEEK_SET);
	a.fd = b.fd = fd;
	a.total = b.total = 0;
	pthread_create(&ta, NULL, reader_thread, &a);
	pthread_create(&tb, NULL, reader_thread, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.total + b.total, size);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), size);
	close(fd);
	free(data);
}

/*
 * fsnotify: open, read, write and close through a chain make the events the
 * syscalls make, each once (a doubled FS_OPEN would show here).
 */
static int collect_events(int in, uint32_t *masks, int max)
{
	char buf[4096] __attribute__((aligned(8)));
	int n = 0;
	ssize_t len;

	while ((len = read(in, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + len && n < max) {
			struct inotify_event *ev = (void *)p;

			masks[n++] = ev->mask;
			p += sizeof(*ev) + ev->len;
		}
	}
	return n;
}

static void file_io_events(bool chained, uint32_t *masks, int *n)
{
	char b[8];
	int in, wd;

	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(in >= 0);
	wd = inotify_add_watch(in, FILE_PATH, IN_ALL_EVENTS);
	assert_true(wd >= 0);
	if (chained) {
		struct g_chain c;

		g_init(&c);
		g_opn(&c, __NR_openat, AT_FDCWD, (uintptr_t)FILE_PATH, O_RDWR, 0);
		g_opn(&c, __NR_read, 0, (uintptr_t)b, sizeof(b));
		g_ref(&c, 1, 0, 0, 0);
		g_opn(&c, __NR_write, 0, (uintptr_t)"n", 1);
		g_ref(&c, 2, 0, 0, 0);
		g_opn(&c, __NR_close, 0);
		g_ref(&c, 3, 0, 0, 0);
		assert_int_equal(g_run(&c, SYSCHAIN_RUN_STOP_ON_ERROR), 0);
		assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	} else {
		int fd = open(FILE_PATH, O_RDWR);

		assert_int_equal(read(fd, b, sizeof(b)), sizeof(b));
		assert_int_equal(write(fd, "n", 1), 1);
		close(fd);
	}
	*n = collect_events(in, masks, 16);
	close(in);
}

static void test_fsnotify_events(void **state)
{
	uint32_t mc[16], ms[16];
	int nc, ns, i;

	(void)state;
	file_io_events(false, ms, &ns);
	file_io_events(true, mc, &nc);
	assert_int_equal(ns, 4);	/* OPEN ACCESS MODIFY CLOSE_WRITE */
	assert_int_equal(nc, ns);
	for (i = 0; i < ns; i++)
		assert_int_equal(mc[i], ms[i]);
}

/*
 * O_APPEND writes land at the end whatever the position, and a write past
 * RLIMIT_FSIZE gets EFBIG and SIGXFSZ, through the chain as through the
 * syscall (the filesystem's write_iter applies both).
 */
static volatile sig_atomic_t xfsz_count;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz_count++;
}

static void append_and_fsize(bool chained, long *r1, long *r2, long *r3,
			     off_t *size, int *signals)
{
	struct sigaction sa = { .sa_handler = on_xfsz };
	struct rlimit old, lim = { .rlim_cur = 100, .rlim_max = RLIM_INFINITY };
	char big[200];
	int fd;

	memset(big, 'b', sizeof(big));
	fd = open(DIR_PATH "/append", O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	fd = open(DIR_PATH "/append", O_WRONLY | O_APPEND);
	assert_int_equal(lseek(fd, 2, SEEK_SET), 2);
	sigaction(SIGXFSZ, &sa, NULL);
	xfsz_count = 0;
	getrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	if (chained) {
		struct g_chain c;

		g_init(&c);
		g_opn(&c, __NR_write, fd, (uintptr_t)"APP", 3);
		g_opn(&c, __NR_write, fd, (uintptr_t)big, sizeof(big));
		g_opn(&c, __NR_write, fd, (uintptr_t)big, 10);
		assert_int_equal(g_run(&c, 0), 0);
		*r1 = c.res[0].ret;
		*r2 = c.res[1].ret;
		*r3 = c.res[2].ret;
	} else {
		*r1 = g_sys(__NR_write, fd, (uintptr_t)"APP", 3, 0, 0, 0);
		*r2 = g_sys(__NR_write, fd, (uintptr_t)big, sizeof(big), 0, 0, 0);
		*r3 = g_sys(__NR_write, fd, (uintptr_t)big, 10, 0, 0, 0);
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	*size = lseek(fd, 0, SEEK_END);
	*signals = xfsz_count;
	close(fd);
}

static void test_append_and_fsize(void **state)
{
	long c1, c2, c3, s1, s2, s3;
	off_t csize, ssize;
	int csig, ssig;

	(void)state;
	append_and_fsize(false, &s1, &s2, &s3, &ssize, &ssig);
	append_and_fsize(true, &c1, &c2, &c3, &csize, &csig);
	assert_int_equal(s1, 3);	/* appended at 10, not written at 2 */
	assert_int_equal(s2, 87);	/* short: up to the 100-byte limit */
	assert_int_equal(s3, -EFBIG);
	assert_int_equal(ssig, 1);
	assert_int_equal(c1, s1);
	assert_int_equal(c2, s2);
	assert_int_equal(c3, s3);
	assert_int_equal(csize, ssize);
	assert_int_equal(csig, ssig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fidelity_table),
		cmocka_unit_test(test_openat_close),
		cmocka_unit_test(test_open_read_write_close),
		cmocka_unit_test(test_copy_loop),
		cmocka_unit_test(test_interrupted_read),
		cmocka_unit_test(test_sigkill_blocked),
		cmocka_unit_test(test_shared_position),
		cmocka_unit_test(test_fsnotify_events),
		cmocka_unit_test(test_append_and_fsize),
	};

	return cmocka_run_group_tests_name("syschain-ops-basic", tests, setup,
					   NULL);
}
