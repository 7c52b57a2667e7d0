// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * syschain-bench: time batches of N ops for each workload and mode and
 * print the raw timings (plus the machine's description) as one JSON
 * document between @@BENCH-JSON-BEGIN@@ / @@BENCH-JSON-END@@ lines.
 * bench/report.py fits time(N) = a + b*N and renders tables and plots.
 *
 * Modes:
 *   loop        hand-written plain syscalls (the baseline)
 *   chain       libchain, CHAIN_BACKEND_KERNEL: one ioctl per batch
 *   chain-user  libchain, CHAIN_BACKEND_USER: the layer's own overhead
 *   uring       liburing, N linked SQEs, one io_uring_submit_and_wait
 *
 * A mode that cannot run a workload is reported, never replaced: the chain
 * mode checks chain_kernel_supports() for every op, each run's return and
 * chain_report()->backend; a workload io_uring cannot express says why.
 *
 * Timing: CLOCK_MONOTONIC around `reps` consecutive batches (reps =
 * ceil(min_ops / N), so short batches are not dominated by the clock),
 * divided by reps. Per N: one untimed warm-up round, then `trials` rounds,
 * modes interleaved within each round; min and median are kept.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <liburing.h>
#include <libchain.h>
#include "check.h"

#define MAXTRIALS	64

enum mode { M_LOOP, M_CHAIN, M_CHAIN_USER, M_URING, NMODES };
static const char *const mode_names[NMODES] = {
	"loop", "chain", "chain-user", "uring"
};

/* ---------------------------------------------------------------- options */
static int opt_n[32], opt_nn;
static int opt_trials = 7;
static int opt_min_ops = 64;
static int opt_copy_mb = 64;
static int opt_copy_trials = 5;
static bool opt_mode[NMODES] = { true, true, true, true };
static const char *opt_workloads = "null,read-zero,pread-cached,readfile,statwalk,copy,echo,negative";
static const char *opt_dir = "/tmp/syschain-bench";
static const char *opt_setup = "";
static bool opt_verbose;

/* ------------------------------------------------------------- utilities */
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("syschain-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("syschain-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void *xalloc(size_t n)
{
	void *p = aligned_alloc(4096, (n + 4095) & ~(size_t)4095);

	if (!p)
		die("out of memory");
	memset(p, 0, n);
	return p;
}

static void write_file(const char *path, size_t size, unsigned int seed)
{
	char *buf = xalloc(COPY_BLOCK);
	size_t done = 0, i;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("create %s: %s", path, strerror(errno));
	for (i = 0; i < COPY_BLOCK; i++)
		buf[i] = (char)(seed + i * 131);
	while (done < size) {
		size_t n = size - done < COPY_BLOCK ? size - done : COPY_BLOCK;

		if (write(fd, buf, n) != (ssize_t)n)
			die("write %s: %s", path, strerror(errno));
		done += n;
	}
	close(fd);
	free(buf);
}

/* ------------------------------------------------------------ fixtures */
static char *buf_small, *buf_big;
static int fd_zero = -1, fd_big = -1, dirfd_files = -1;
static int sock[2] = { -1, -1 };
static char path_big[256], path_copy_out[256];
static char path_files[MAXN][512];
static char name_files[MAXN][16];
static uint64_t pread_off[MAXN];
static struct stat st_sink;
static struct statx stx_sink;
static char echo_msg[ECHO_SIZE];
static size_t big_size;
static uint64_t neg_off(int i);

static void fixtures(void)
{
	struct check_fix fix;
	char d[256];
	int i;

	mkdir(opt_dir, 0755);
	snprintf(d, sizeof(d), "%s/files", opt_dir);
	mkdir(d, 0755);
	big_size = (size_t)opt_copy_mb << 20;
	if (big_size < 8 * (size_t)BIG_READ)
		big_size = 8 * (size_t)BIG_READ;
	snprintf(path_big, sizeof(path_big), "%s/big", opt_dir);
	snprintf(path_copy_out, sizeof(path_copy_out), "%s/copy-out", opt_dir);
	write_file(path_big, big_size, 7);
	for (i = 0; i < MAXN; i++) {
		snprintf(name_files[i], sizeof(name_files[i]), "f%04d", i);
		snprintf(path_files[i], sizeof(path_files[i]), "%.200s/%.15s", d,
			 name_files[i]);
		write_file(path_files[i], SMALL_SIZE, (unsigned int)i);
	}
	/* random page-aligned offsets within the big file, fixed seed */
	srandom(12345);
	for (i = 0; i < MAXN; i++)
		pread_off[i] = ((uint64_t)random() % (big_size / PREAD_SIZE)) *
			       PREAD_SIZE;
	buf_small = xalloc(COPY_BLOCK);
	buf_big = xalloc(BIG_READ);
	fd_zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	fd_big = open(path_big, O_RDONLY | O_CLOEXEC);
	dirfd_files = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd_zero < 0 || fd_big < 0 || dirfd_files < 0)
		die("open fixtures: %s", strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock))
		die("socketpair: %s", strerror(errno));
	memset(echo_msg, 'e', sizeof(echo_msg));
	/* everything page-cached: read it all once */
	for (;;) {
		ssize_t r = read(fd_big, buf_big, BIG_READ);

		if (r <= 0)
			break;
	}
	fix = (struct check_fix){
		buf_small, buf_big, &st_sink, &stx_sink, fd_zero, fd_big,
		dirfd_files, { sock[0], sock[1] },
		(const char (*)[512])path_files, (const char (*)[16])name_files,
		pread_off, neg_off, echo_msg, path_big, path_copy_out, big_size,
	};
	check_init(&fix, mode_names, NMODES);
}

/* ------------------------------------------------------------- io_uring */
static struct io_uring ring;
static bool ring_ok;
static unsigned int ring_flags;
static char ring_err[128];

enum { FIX_ZERO, FIX_BIG, FIX_S0, FIX_S1, FIX_COPY_IN, FIX_COPY_OUT, FIX_OPEN0 };
#define NFIXED (FIX_OPEN0 + MAXN)

static void uring_init(void)
{
	static const unsigned int tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN,
		0,
	};
	struct iovec iov = { buf_small, COPY_BLOCK };
	unsigned int i;
	int ret = -ENOSYS;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = tries[i];
		ret = io_uring_queue_init_params(4 * MAXN, &ring, &p);
		if (!ret) {
			ring_flags = tries[i];
			break;
		}
	}
	if (ret) {
		snprintf(ring_err, sizeof(ring_err), "io_uring_queue_init: %s",
			 strerror(-ret));
		return;
	}
	ret = io_uring_register_files_sparse(&ring, NFIXED);
	if (!ret) {
		int fds[] = { fd_zero, fd_big, sock[0], sock[1] };

		ret = io_uring_register_files_update(&ring, 0, fds, 4);
		ret = ret == 4 ? 0 : ret < 0 ? ret : -EIO;
	}
	if (!ret)
		ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret) {
		snprintf(ring_err, sizeof(ring_err), "io_uring register: %s",
			 strerror(-ret));
		io_uring_queue_exit(&ring);
		return;
	}
	ring_ok = true;
}

static struct io_uring_sqe *sqe_get(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	if (!sqe)
		die("io_uring: SQ ring full");
	return sqe;
}

/*
 * Submit what was queued (nsqe entries, linked) and reap every
 * completion; each must have the result expected[i] (or >= 0 if
 * expected is NULL and any_ok). Returns 0 or -1 with a message.
 */
static char uring_fail[160];

/* what the ops of the last batch returned, in the loop and uring modes */
static int64_t run_ret[MAXOPS + 16];

static int uring_run(unsigned int nsqe, const int *expected)
{
	struct io_uring_cqe *cqe;
	unsigned int seen = 0, head;
	int ret, err = 0;

	ret = io_uring_submit_and_wait(&ring, nsqe);
	if (ret < 0) {
		snprintf(uring_fail, sizeof(uring_fail), "submit: %s",
			 strerror(-ret));
		return -1;
	}
	/* reap every completion, even after a failure: none may be left over */
	while (seen < nsqe) {
		unsigned int got = 0;

		io_uring_for_each_cqe(&ring, head, cqe) {
			int want = expected[cqe->user_data];

			run_ret[cqe->user_data] = cqe->res;
			if (!err && cqe->res != want &&
			    !(want == -1 && cqe->res >= 0)) {
				snprintf(uring_fail, sizeof(uring_fail),
					 "sqe %llu: result %d (%s), expected %d",
					 (unsigned long long)cqe->user_data,
					 cqe->res, cqe->res < 0 ?
					 strerror(-cqe->res) : "short", want);
				err = -1;
			}
			got++;
		}
		io_uring_cq_advance(&ring, got);
		seen += got;
		if (seen < nsqe && !got) {
			ret = io_uring_wait_cqe(&ring, &cqe);
			if (ret < 0) {
				snprintf(uring_fail, sizeof(uring_fail),
					 "wait: %s", strerror(-ret));
				return -1;
			}
		}
	}
	return err;
}

static int expect_buf[4 * MAXN + 16];

/* ------------------------------------------------------------ workloads */
struct workload {
	const char *name;
	const char *what;
	long nrs[4];			/* syscalls the chain needs */
	int nnrs;
	int nmax;			/* largest N (0: MAXN) */
	int min_ops;			/* override of opt_min_ops (0: none) */
	int ops_per_item;		/* chain ops per unit of N */
	const char *uring_na;		/* why io_uring cannot express it */
	const char *uring_note;		/* how io_uring expresses it */
	int (*loop)(int n);
	int (*build)(struct chain *c, int n);
	int (*uring)(int n);
};

static char check_fail[160];

/* 1 null: getppid */
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
		if (chain_getppid(c) < 0)
			return -1;
	return 0;
}

/* 2 read-zero: 8-byte reads from /dev/zero */
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
		if (chain_read(c, fd_zero, buf_small, 8) < 0)
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

/* 3 pread-cached: 4 KiB at random page offsets of a cached file */
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
		if (chain_pread64(c, fd_big, buf_small, PREAD_SIZE,
				  pread_off[i]) < 0)
			return -1;
	return 0;
}

static int pr_uring(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_read_fixed(sqe, FIX_BIG, buf_small, PREAD_SIZE,
					 pread_off[i], 0);
		sqe->flags |= IOSQE_FIXED_FILE | (i < n - 1 ? IOSQE_IO_LINK : 0);
		sqe->user_data = (uint64_t)i;
		expect_buf[i] = PREAD_SIZE;
	}
	return uring_run((unsigned int)n, expect_buf);
}

/* 4 readfile: openat + fstat + read + close per file */
static int rf_loop(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		int64_t *r = &run_ret[4 * i];
		int fd = openat(AT_FDCWD, path_files[i], O_RDONLY | O_CLOEXEC);

		if ((r[0] = fd) < 0)
			return -1;
		r[1] = fstat(fd, &st_sink);
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
		int o = chain_openat(c, AT_FDCWD, path_files[i],
				     O_RDONLY | O_CLOEXEC, 0);

		if (o < 0 || chain_fstat(c, chain_res(o), &st_sink) < 0 ||
		    chain_read(c, chain_res(o), buf_small, PREAD_SIZE) < 0 ||
		    chain_close(c, chain_res(o)) < 0)
			return -1;
	}
	return 0;
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

/* 5 statwalk: newfstatat over N directory entries */
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
				     0) < 0)
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

/* 7 echo: sendto + recvfrom on a socketpair */
static int echo_loop(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		run_ret[2 * i] = sendto(sock[0], echo_msg, ECHO_SIZE, 0, NULL, 0);
		if (run_ret[2 * i] != ECHO_SIZE)
			return -1;
		run_ret[2 * i + 1] = recvfrom(sock[1], buf_small, ECHO_SIZE, 0,
					      NULL, NULL);
		if (run_ret[2 * i + 1] != ECHO_SIZE)
			return -1;
	}
	return 0;
}

static int echo_build(struct chain *c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (chain_syscall(c, __NR_sendto, sock[0], echo_msg, ECHO_SIZE,
				  0, 0, 0) < 0)
			return -1;
		if (chain_syscall(c, __NR_recvfrom, sock[1], buf_small,
				  ECHO_SIZE, 0, 0, 0) < 0)
			return -1;
	}
	return 0;
}

static int echo_uring(int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_send(sqe, FIX_S0, echo_msg, ECHO_SIZE, 0);
		sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = ECHO_SIZE;
		sqe = sqe_get();
		io_uring_prep_recv(sqe, FIX_S1, buf_small, ECHO_SIZE, 0);
		sqe->flags |= IOSQE_FIXED_FILE | (i < n - 1 ? IOSQE_IO_LINK : 0);
		sqe->user_data = (uint64_t)k;
		expect_buf[k++] = ECHO_SIZE;
	}
	return uring_run((unsigned int)k, expect_buf);
}

/* 8 negative control: 1 MiB preads from a cached file */
static uint64_t neg_off(int i)
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
		if (chain_pread64(c, fd_big, buf_big, BIG_READ, neg_off(i)) < 0)
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

static const struct workload workloads[] = {
	{ "null", "N x getppid", { __NR_getppid }, 1, 0, 0, 1,
	  "io_uring has no getppid (nor any process-info) opcode", NULL,
	  null_loop, null_build, NULL },
	{ "read-zero", "N x 8-byte read from /dev/zero", { __NR_read }, 1,
	  0, 0, 1, NULL, "IORING_OP_READ (pos -1) on a registered file, linked",
	  rz_loop, rz_build, rz_uring },
	{ "pread-cached", "N x 4 KiB pread64 at random page offsets of a cached file",
	  { __NR_pread64 }, 1, 0, 0, 1, NULL,
	  "IORING_OP_READ_FIXED on a registered file and buffer, linked",
	  pr_loop, pr_build, pr_uring },
	{ "readfile", "per file: openat + fstat + read + close (256-byte files)",
	  { __NR_openat, __NR_fstat, __NR_read, __NR_close }, 4, 0, 0, 4, NULL,
	  "OPENAT into a direct descriptor, STATX by path (no fstat op), READ "
	  "and CLOSE on the direct descriptor, hard-linked",
	  rf_loop, rf_build, rf_uring },
	{ "statwalk", "N x newfstatat(dirfd, name) over a directory's entries",
	  { __NR_newfstatat }, 1, 0, 0, 1, NULL,
	  "IORING_OP_STATX (dirfd, name), linked; statx always goes to io-wq",
	  sw_loop, sw_build, sw_uring },
	{ "copy", "copy a 64 MiB file in 64 KiB blocks (not an N-sweep)",
	  { __NR_read, __NR_write }, 2, 0, 0, 0, NULL,
	  "READ_FIXED/WRITE_FIXED pairs at explicit offsets, registered files "
	  "and buffer, all blocks in one linked submission",
	  NULL, NULL, NULL },
	{ "echo", "N x (sendto + recvfrom) of 64 bytes on an AF_UNIX socketpair",
	  { __NR_sendto, __NR_recvfrom }, 2, 0, 0, 2, NULL,
	  "IORING_OP_SEND + IORING_OP_RECV on registered sockets, linked",
	  echo_loop, echo_build, echo_uring },
	{ "negative", "negative control: N x 1 MiB pread64 from a cached file",
	  { __NR_pread64 }, 1, 64, 1, 1, NULL,
	  "IORING_OP_READ of 1 MiB on a registered file, linked",
	  neg_loop, neg_build, neg_uring },
};
#define NWORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

/* ------------------------------------------------------------ syscall names */
static const char *sys_name(long nr)
{
	switch (nr) {
#define N(x) case __NR_##x: return #x;
	N(read) N(write) N(openat) N(close) N(lseek) N(pread64) N(pwrite64)
	N(getpid) N(getppid) N(gettid) N(fstat) N(newfstatat) N(sendto)
	N(recvfrom) N(dup) N(getuid) N(readv) N(writev) N(fsync)
	N(fdatasync) N(fallocate) N(fadvise64) N(getdents64) N(mkdirat)
	N(copy_file_range)
#undef N
	default: return NULL;
	}
}

/* ------------------------------------------------------------ measurement */
struct point {
	int n, reps, trials;
	uint64_t min_ns, med_ns;
	double samples[MAXTRIALS];
};

struct mode_result {
	const char *status;		/* ok, skipped, unsupported, failed */
	char reason[200];
	const char *backend;
	const char *note;
	int npoints;
	struct point pts[32];
	long runs, checked;		/* batches run, and checked (check.h) */
};

static bool kernel_present;
static int last_ret, last_stop_op;
static char kernel_absent_why[96];

/* Why the chain modes cannot run workload w (or NULL). */
static const char *chain_skip(const struct workload *w, enum mode m,
			      char *buf, size_t len)
{
	int i;

	if (m == M_CHAIN) {
		if (!kernel_present) {
			snprintf(buf, len, "no usable /dev/syschain (%s)",
				 kernel_absent_why);
			return buf;
		}
		for (i = 0; i < w->nnrs; i++)
			if (!chain_kernel_supports(w->nrs[i])) {
				const char *nm = sys_name(w->nrs[i]);

				if (nm)
					snprintf(buf, len, "op %s not supported by the module", nm);
				else
					snprintf(buf, len, "op %ld not supported by the module",
						 w->nrs[i]);
				return buf;
			}
	}
	return NULL;
}

/* One batch of N ops in mode m. */
static int run_batch(const struct workload *w, enum mode m, struct chain *c,
		     int n, enum chain_backend want)
{
	int ret;

	switch (m) {
	case M_LOOP:
		return w->loop(n);
	case M_URING:
		return w->uring(n);
	default:
		ret = chain_run(c);
		last_ret = ret;
		last_stop_op = chain_report(c)->stop_op;
		return check_report(c, ret, want, check_fail, sizeof(check_fail));
	}
}

static void mode_fail(struct mode_result *r, enum mode m, int n,
		      const char *why)
{
	r->status = "failed";
	snprintf(r->reason, sizeof(r->reason), "N=%d: %s", n,
		 why && *why ? why : m == M_URING ? uring_fail :
		 check_fail[0] ? check_fail : strerror(errno));
	note("%s: %s", mode_names[m], r->reason);
}

/* One workload's sweep over N: the chains, which modes still run, limits. */
struct sweep_state {
	const struct workload *w;
	struct mode_result *res;
	struct chain *chains[NMODES];
	enum chain_backend want[NMODES];
	bool live[NMODES];
	unsigned int max_ops;
};

/* Whether mode m can run w; if not, status and reason say why. */
static bool mode_usable(const struct workload *w, enum mode m,
			const char **status, char *reason, size_t len)
{
	*status = "skipped";
	if (!opt_mode[m]) {
		snprintf(reason, len, "mode not selected");
		return false;
	}
	if ((m == M_CHAIN || m == M_CHAIN_USER) && chain_skip(w, m, reason, len))
		return false;
	if (m == M_URING && (w->uring_na || !ring_ok)) {
		*status = w->uring_na ? "unsupported" : "skipped";
		snprintf(reason, len, "%s", w->uring_na ? w->uring_na : ring_err);
		return false;
	}
	*status = "ok";
	return true;
}

/* Which modes can run the workload: chains created, uring possible. */
static void sweep_setup(struct sweep_state *s)
{
	struct chain_probe probe;
	int m;

	s->max_ops = MAXN * 4;
	if (kernel_present && !chain_probe(&probe))
		s->max_ops = probe.max_ops;
	s->want[M_CHAIN] = CHAIN_BACKEND_KERNEL;
	s->want[M_CHAIN_USER] = CHAIN_BACKEND_USER;
	for (m = 0; m < NMODES; m++) {
		struct mode_result *r = &s->res[m];

		memset(r, 0, sizeof(*r));
		s->live[m] = mode_usable(s->w, (enum mode)m, &r->status,
					 r->reason, sizeof(r->reason));
		if ((m == M_CHAIN || m == M_CHAIN_USER) && opt_mode[m])
			r->backend = m == M_CHAIN ? "kernel" : "user";
		if (!s->live[m])
			continue;
		if (m == M_CHAIN || m == M_CHAIN_USER) {
			if (chain_new(&s->chains[m]) < 0)
				die("chain_new");
			chain_set_backend(s->chains[m], s->want[m]);
		}
		if (m == M_URING)
			r->note = s->w->uring_note;
	}
}

/* Build the chains for n units outside the timed region; check a first run. */
static void sweep_build(struct sweep_state *s, int first, int n)
{
	const struct workload *w = s->w;
	struct mode_result *res = s->res;
	int m;

	for (m = M_CHAIN; m <= M_CHAIN_USER; m++) {
		if (!s->live[m])
			continue;
		if ((unsigned int)(n * w->ops_per_item) > s->max_ops) {
			snprintf(res[m].reason, sizeof(res[m].reason),
				 "N>%u: more ops than the module's max_ops %u",
				 s->max_ops / w->ops_per_item, s->max_ops);
			s->live[m] = false;
			continue;
		}
		chain_reset(s->chains[m]);
		chain_set_backend(s->chains[m], s->want[m]);
		if (w->build(s->chains[m], n) < 0) {
			mode_fail(&res[m], (enum mode)m, n, "building the chain failed");
			s->live[m] = false;
			continue;
		}
		/* first run: must complete on the right backend, right results */
		check_fail[0] = 0;
		last_ret = 0;
		check_poison();
		if (!run_batch(w, (enum mode)m, s->chains[m], n, s->want[m])) {
			check_run(m, false, s->chains[m], run_ret, "first run");
			continue;
		}
		/* a refusal at validation is a skip, not a failure */
		if (last_ret == -EOPNOTSUPP && first) {
			const char *nm = last_stop_op >= 0 ?
				sys_name(w->nrs[last_stop_op % w->ops_per_item]) : NULL;

			res[m].status = "skipped";
			snprintf(res[m].reason, sizeof(res[m].reason),
				 "op %s not supported by %s", nm ? nm : "?",
				 m == M_CHAIN ? "the module" : "libchain's user backend");
			note("%s %s: %s", w->name, mode_names[m], res[m].reason);
		} else {
			mode_fail(&res[m], (enum mode)m, n, NULL);
		}
		s->live[m] = false;
	}
}

/* Untimed warm-up round: every batch is checked. */
static void sweep_warmup(struct sweep_state *s, int n, int reps)
{
	char when[64];
	int m, r;

	for (m = 0; m < NMODES; m++) {
		if (!s->live[m])
			continue;
		for (r = 0; r < reps; r++) {
			check_poison();
			if (run_batch(s->w, (enum mode)m, s->chains[m], n, s->want[m])) {
				mode_fail(&s->res[m], (enum mode)m, n, NULL);
				s->live[m] = false;
				break;
			}
			snprintf(when, sizeof(when), "warm-up run %d of %d", r + 1, reps);
			check_run(m, m == M_URING, s->chains[m], run_ret, when);
		}
	}
}

/* One timed trial of mode m: reps batches; sampled trials are checked after. */
static void sweep_trial(struct sweep_state *s, enum mode m, int n, int reps,
			int t)
{
	struct point *p = &s->res[m].pts[s->res[m].npoints];
	bool checked = check_sampled(t);
	uint64_t t0, t1;
	char when[64];
	int r, err = 0;

	if (t == 0)
		*p = (struct point){ .n = n, .reps = reps };
	if (checked)
		check_poison();
	t0 = now_ns();
	for (r = 0; r < reps && !err; r++)
		err = run_batch(s->w, m, s->chains[m], n, s->want[m]);
	t1 = now_ns();
	if (err) {
		mode_fail(&s->res[m], m, n, NULL);
		s->live[m] = false;
		return;
	}
	if (checked) {
		snprintf(when, sizeof(when), "trial %d (its last run of %d)", t, reps);
		check_run(m, m == M_URING, s->chains[m], run_ret, when);
	}
	check_unchecked(m, checked ? reps - 1 : reps);
	p->samples[p->trials++] = (double)(t1 - t0) / reps;
}

/* The minimum and median of k samples. */
static void min_median(const double *samples, int k, uint64_t *min,
		       uint64_t *med)
{
	uint64_t v[MAXTRIALS];
	int i;

	for (i = 0; i < k; i++)
		v[i] = (uint64_t)(samples[i] + 0.5);
	qsort(v, (size_t)k, sizeof(v[0]), cmp_u64);
	*min = v[0];
	*med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static void sweep(const struct workload *w, struct mode_result *res)
{
	struct sweep_state s = { .w = w, .res = res };
	int m, ni, t;

	sweep_setup(&s);
	for (ni = 0; ni < opt_nn; ni++) {
		int n = opt_n[ni];
		int min_ops = w->min_ops ? w->min_ops : opt_min_ops;
		int reps = (min_ops + n - 1) / n;

		if ((w->nmax && n > w->nmax) || n > MAXN)
			break;
		check_reference(n);
		sweep_build(&s, ni == 0, n);
		sweep_warmup(&s, n, reps);
		for (t = 0; t < opt_trials; t++)
			for (m = 0; m < NMODES; m++)
				if (s.live[m])
					sweep_trial(&s, (enum mode)m, n, reps, t);
		for (m = 0; m < NMODES; m++) {
			struct point *p = &res[m].pts[res[m].npoints];

			if (s.live[m] && p->trials) {
				min_median(p->samples, p->trials, &p->min_ns, &p->med_ns);
				res[m].npoints++;
			}
		}
		if (opt_verbose)
			note("%s N=%d done", w->name, n);
	}
	for (m = 0; m < NMODES; m++) {
		check_counts(m, &res[m].runs, &res[m].checked);
		chain_free(s.chains[m]);
	}
}

/* ------------------------------------------------------------ copy */
struct copy_result {
	const char *status;
	char reason[200];
	const char *note;
	int trials;
	double samples[MAXTRIALS];
	uint64_t min_ns, med_ns;
	long runs, checked;		/* copies made, and checked (check.h) */
};

static int copy_fds(int *in, int *out)
{
	*in = open(path_big, O_RDONLY | O_CLOEXEC);
	*out = open(path_copy_out, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (*in < 0 || *out < 0)
		return -1;
	return 0;
}

static int copy_loop(int in, int out)
{
	for (;;) {
		ssize_t r = read(in, buf_small, COPY_BLOCK), wr;

		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		wr = write(out, buf_small, (size_t)r);
		if (wr != r)
			return -1;
	}
}

static int copy_build(struct chain *c, int in, int out)
{
	int rd, wr, done;

	done = chain_label(c);
	rd = chain_read(c, in, buf_small, COPY_BLOCK);
	chain_goto_if(c, rd, CHAIN_EQ, 0, done);
	wr = chain_write(c, out, buf_small, chain_res(rd));
	chain_stop_if(c, wr, CHAIN_NE, chain_res(rd));
	chain_jump_if(c, wr, CHAIN_ALWAYS, 0, rd);
	chain_label_here(c, done);
	if (chain_getpid(c) < 0)	/* the label needs an op to land on */
		return -1;
	return wr;
}

static int copy_uring(void)
{
	unsigned int blocks = (unsigned int)(big_size / COPY_BLOCK), i, k = 0;

	for (i = 0; i < blocks; i++) {
		struct io_uring_sqe *sqe = sqe_get();

		io_uring_prep_read_fixed(sqe, FIX_COPY_IN, buf_small, COPY_BLOCK,
					 (uint64_t)i * COPY_BLOCK, 0);
		sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_LINK;
		sqe->user_data = k;
		expect_buf[k++] = COPY_BLOCK;
		sqe = sqe_get();
		io_uring_prep_write_fixed(sqe, FIX_COPY_OUT, buf_small, COPY_BLOCK,
					  (uint64_t)i * COPY_BLOCK, 0);
		sqe->flags |= IOSQE_FIXED_FILE | (i < blocks - 1 ? IOSQE_IO_LINK : 0);
		sqe->user_data = k;
		expect_buf[k++] = COPY_BLOCK;
	}
	return uring_run(k, expect_buf);
}

struct copy_state {
	const struct workload *w;
	struct copy_result *res;
	struct chain *c[NMODES];
	bool live[NMODES];
	int in, out, wr_op;
};

/* Which modes can copy: chains built, files registered with the ring. */
static void copy_setup(struct copy_state *s)
{
	struct copy_result *res = s->res;
	int m;

	for (m = 0; m < NMODES; m++) {
		memset(&res[m], 0, sizeof(res[m]));
		s->live[m] = mode_usable(s->w, (enum mode)m, &res[m].status,
					 res[m].reason, sizeof(res[m].reason));
		if (!s->live[m])
			continue;
		if (m == M_CHAIN || m == M_CHAIN_USER) {
			chain_new(&s->c[m]);
			chain_set_backend(s->c[m], m == M_CHAIN ? CHAIN_BACKEND_KERNEL :
					  CHAIN_BACKEND_USER);
			s->wr_op = copy_build(s->c[m], s->in, s->out);
			if (s->wr_op < 0)
				die("copy: building the chain failed");
		}
		if (m == M_URING) {
			int fds[2] = { s->in, s->out };

			if (io_uring_register_files_update(&ring, FIX_COPY_IN, fds, 2) != 2)
				die("copy: register files failed");
			res[m].note = s->w->uring_note;
		}
	}
}

/* One copy in mode m (trial -1: the warm-up); sampled trials checked after. */
static void copy_trial(struct copy_state *s, enum mode m, int t)
{
	struct copy_result *r = &s->res[m];
	uint64_t t0, t1;
	int err;

	if (lseek(s->in, 0, SEEK_SET) || ftruncate(s->out, 0) ||
	    lseek(s->out, 0, SEEK_SET))
		die("copy: reset: %s", strerror(errno));
	check_fail[0] = 0;
	t0 = now_ns();
	if (m == M_LOOP)
		err = copy_loop(s->in, s->out);
	else if (m == M_URING)
		err = copy_uring();
	else
		err = run_batch(s->w, m, s->c[m], 0, m == M_CHAIN ?
				CHAIN_BACKEND_KERNEL : CHAIN_BACKEND_USER);
	t1 = now_ns();
	if (!err)
		err = check_copy_size(s->c[m], s->wr_op, s->out, check_fail,
				      sizeof(check_fail));
	if (err) {
		r->status = "failed";
		snprintf(r->reason, sizeof(r->reason), "%s",
			 m == M_URING ? uring_fail : check_fail);
		note("copy %s: %s", mode_names[m], r->reason);
		s->live[m] = false;
		return;
	}
	if (t >= 0 && check_sampled(t))
		check_copy(m, t);
	else
		check_unchecked(m, 1);
	if (t >= 0)
		r->samples[r->trials++] = (double)(t1 - t0);
}

static void copy_bench(const struct workload *w, struct copy_result *res)
{
	struct copy_state s = { .w = w, .res = res, .wr_op = -1 };
	int m, t;

	if (copy_fds(&s.in, &s.out))
		die("copy: open: %s", strerror(errno));
	if (big_size / COPY_BLOCK * 2 > 4 * MAXN)
		die("copy: file too big for the ring");
	copy_setup(&s);
	/* trial -1 is the warm-up */
	for (t = -1; t < opt_copy_trials; t++)
		for (m = 0; m < NMODES; m++)
			if (s.live[m])
				copy_trial(&s, (enum mode)m, t);
	for (m = 0; m < NMODES; m++) {
		check_counts(m, &res[m].runs, &res[m].checked);
		if (res[m].trials)
			min_median(res[m].samples, res[m].trials, &res[m].min_ns,
				   &res[m].med_ns);
		chain_free(s.c[m]);
	}
	close(s.in);
	close(s.out);
	unlink(path_copy_out);
}

/* ------------------------------------------------------------ JSON */
static void env_json(FILE *f)
{
	struct utsname u;
	static char line[8192];
	char model[256] = "", vendor[64] = "", path[512];
	int pti_flag = -1;
	struct chain_probe probe;
	FILE *ci;
	DIR *d;
	struct dirent *de;
	bool first = true;
	unsigned int i;

	uname(&u);
	ci = fopen("/proc/cpuinfo", "r");
	while (ci && fgets(line, sizeof(line), ci)) {
		char *p = strchr(line, ':');

		if (!p)
			continue;
		for (p++; *p == ' '; p++)
			;
		p[strcspn(p, "\n")] = 0;
		if (!strncmp(line, "model name", 10) && !model[0])
			snprintf(model, sizeof(model), "%s", p);
		else if (!strncmp(line, "vendor_id", 9) && !vendor[0])
			snprintf(vendor, sizeof(vendor), "%s", p);
		else if (!strncmp(line, "flags", 5) && pti_flag < 0) {
			/* X86_FEATURE_PTI: page table isolation is in use */
			char *q = strstr(p, " pti");

			pti_flag = (q && (q[4] == ' ' || !q[4])) ||
				   !strncmp(p, "pti ", 4);
		}
	}
	if (ci)
		fclose(ci);
	fputs("\"env\":{\"kernel_release\":", f);
	json_str(f, u.release);
	fputs(",\"kernel_version\":", f);
	json_str(f, u.version);
	fputs(",\"machine\":", f);
	json_str(f, u.machine);
	fputs(",\"cpu_model\":", f);
	json_str(f, model);
	fputs(",\"cpu_vendor\":", f);
	json_str(f, vendor);
	fprintf(f, ",\"cpu_flag_pti\":%s", pti_flag > 0 ? "true" : "false");
	fprintf(f, ",\"online_cpus\":%ld", sysconf(_SC_NPROCESSORS_ONLN));
	fputs(",\"cmdline\":", f);
	json_str(f, read_line("/proc/cmdline", line, sizeof(line)));
	fputs(",\"clocksource\":", f);
	json_str(f, read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			      line, sizeof(line)));
	fputs(",\"in_vm_harness\":", f);
	fputs(getenv("SYSCHAIN_VM") ? "true" : "false", f);
	fputs(",\"vulnerabilities\":{", f);
	d = opendir("/sys/devices/system/cpu/vulnerabilities");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s",
			 de->d_name);
		if (!first)
			fputc(',', f);
		first = false;
		json_str(f, de->d_name);
		fputc(':', f);
		json_str(f, read_line(path, line, sizeof(line)));
	}
	if (d)
		closedir(d);
	fputs("},\"module\":", f);
	if (kernel_present && !chain_probe(&probe)) {
		fprintf(f, "{\"present\":true,\"abi_version\":%u,\"module_version\":\"%u.%u.%u\","
			"\"max_ops\":%u,\"max_conds\":%u,\"max_steps\":%llu,\"syscalls\":[",
			probe.abi_version, probe.module_version >> 16,
			(probe.module_version >> 8) & 0xff, probe.module_version & 0xff,
			probe.max_ops, probe.max_conds,
			(unsigned long long)probe.max_steps);
		for (i = 0; i < probe.nr_syscalls; i++) {
			const char *nm = sys_name(probe.syscalls[i]);

			if (i)
				fputc(',', f);
			if (nm)
				json_str(f, nm);
			else
				fprintf(f, "\"nr%u\"", probe.syscalls[i]);
		}
		fputs("]}", f);
	} else {
		fputs("{\"present\":false,\"why\":", f);
		json_str(f, kernel_absent_why);
		fputc('}', f);
	}
	fputs(",\"io_uring\":{\"ok\":", f);
	fputs(ring_ok ? "true" : "false", f);
	fprintf(f, ",\"setup_flags\":\"%s%s%s\"",
		ring_flags & IORING_SETUP_SINGLE_ISSUER ? "SINGLE_ISSUER|" : "",
		ring_flags & IORING_SETUP_DEFER_TASKRUN ? "DEFER_TASKRUN" : "",
		ring_flags & IORING_SETUP_COOP_TASKRUN ? "COOP_TASKRUN" : "");
	fputs(",\"error\":", f);
	json_str(f, ring_err);
	fputs("}}", f);
}

static void point_json(FILE *f, const struct point *p)
{
	int i;

	fprintf(f, "{\"n\":%d,\"reps\":%d,\"trials\":%d,\"min_ns\":%llu,\"median_ns\":%llu,\"samples_ns\":[",
		p->n, p->reps, p->trials, (unsigned long long)p->min_ns,
		(unsigned long long)p->med_ns);
	for (i = 0; i < p->trials; i++)
		fprintf(f, "%s%.0f", i ? "," : "", p->samples[i]);
	fputs("]}", f);
}

static bool wanted(const char *name)
{
	const char *s = opt_workloads;
	size_t len = strlen(name);

	while (*s) {
		if (!strncmp(s, name, len) && (s[len] == ',' || !s[len]))
			return true;
		s = strchr(s, ',');
		if (!s)
			break;
		s++;
	}
	return false;
}

static void parse_n(const char *s)
{
	opt_nn = 0;
	while (*s && opt_nn < 32) {
		long v = strtol(s, (char **)&s, 10);

		if (v < 1 || v > MAXN)
			die("N values must be within 1..%d", MAXN);
		opt_n[opt_nn++] = (int)v;
		if (*s == ',')
			s++;
		else if (*s)
			die("bad N list");
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: syschain-bench [--workloads LIST] [--modes LIST] [--n LIST]\n"
		"         [--trials T] [--min-ops K] [--copy-mb MB] [--copy-trials T]\n"
		"         [--dir DIR] [--setup NAME] [-v]\n"
		"workloads: null read-zero pread-cached readfile statwalk copy echo negative\n"
		"modes: loop chain chain-user uring\n");
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "workloads", 1, 0, 'w' }, { "modes", 1, 0, 'm' },
		{ "n", 1, 0, 'n' }, { "trials", 1, 0, 't' },
		{ "min-ops", 1, 0, 'k' }, { "copy-mb", 1, 0, 'c' },
		{ "copy-trials", 1, 0, 'C' }, { "dir", 1, 0, 'd' },
		{ "setup", 1, 0, 's' }, { "verbose", 0, 0, 'v' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	int o, m;

	parse_n("1,2,4,8,16,32,64,128,256,512,1024");
	while ((o = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (o) {
		case 'w': opt_workloads = optarg; break;
		case 'm':
			for (m = 0; m < NMODES; m++) {
				const char *s = strstr(optarg, mode_names[m]);

				/* "chain" must not match "chain-user" */
				while (s && s[strlen(mode_names[m])] == '-')
					s = strstr(s + 1, mode_names[m]);
				opt_mode[m] = s != NULL;
			}
			break;
		case 'n': parse_n(optarg); break;
		case 't': opt_trials = atoi(optarg); break;
		case 'k': opt_min_ops = atoi(optarg); break;
		case 'c': opt_copy_mb = atoi(optarg); break;
		case 'C': opt_copy_trials = atoi(optarg); break;
		case 'd': opt_dir = optarg; break;
		case 's': opt_setup = optarg; break;
		case 'v': opt_verbose = true; break;
		case 'h': usage(); exit(0);
		default: usage(); exit(2);
		}
	}
	if (opt_trials < 1 || opt_trials > MAXTRIALS || opt_copy_trials < 1 ||
	    opt_copy_trials > MAXTRIALS || opt_min_ops < 1 || opt_copy_mb < 1)
		die("bad --trials/--copy-trials/--min-ops/--copy-mb");
}

static void mode_json(FILE *f, int m, const char *status, const char *reason,
		      const char *note, long runs, long checked)
{
	fprintf(f, "%s\n {\"mode\":\"%s\",\"status\":\"%s\",\"reason\":",
		m ? "," : "", mode_names[m], status);
	json_str(f, reason);
	fputs(",\"note\":", f);
	json_str(f, note);
	fprintf(f, ",\"runs\":%ld,\"checked_runs\":%ld", runs, checked);
}

/* The copy's modes as JSON; returns how many failed. */
static int copy_json(FILE *f, const struct copy_result *cres)
{
	int m, i, failed = 0;

	fputs(",\"kind\":\"single\",\"modes\":[", f);
	for (m = 0; m < NMODES; m++) {
		const struct copy_result *r = &cres[m];

		mode_json(f, m, r->status, r->reason, r->note, r->runs, r->checked);
		fprintf(f, ",\"trials\":%d,\"min_ns\":%llu,\"median_ns\":%llu,\"samples_ns\":[",
			r->trials, (unsigned long long)r->min_ns,
			(unsigned long long)r->med_ns);
		for (i = 0; i < r->trials; i++)
			fprintf(f, "%s%.0f", i ? "," : "", r->samples[i]);
		fputs("]}", f);
		failed += !strcmp(r->status, "failed");
	}
	return failed;
}

/* A sweep's modes as JSON; returns how many failed. */
static int sweep_json(FILE *f, const struct mode_result *res)
{
	int m, i, failed = 0;

	fputs(",\"kind\":\"sweep\",\"modes\":[", f);
	for (m = 0; m < NMODES; m++) {
		const struct mode_result *r = &res[m];

		mode_json(f, m, r->status, r->reason, r->note, r->runs, r->checked);
		fputs(",\"backend\":", f);
		json_str(f, r->backend);
		fputs(",\"points\":[", f);
		for (i = 0; i < r->npoints; i++) {
			fputs(i ? "," : "", f);
			point_json(f, &r->pts[i]);
		}
		fputs("]}", f);
		failed += !strcmp(r->status, "failed");
	}
	return failed;
}

/* Measure one workload (results checked, see check.h), print its JSON. */
static int workload(FILE *f, const struct workload *w, bool first)
{
	static struct mode_result res[NMODES];
	static struct copy_result cres[NMODES];
	const char *ops[4] = { "?", "?", "?", "?" };
	uint64_t t0 = now_ns();
	int i, failed;

	fputs(first ? "" : ",", f);
	fputs("{\"name\":", f);
	json_str(f, w->name);
	fputs(",\"what\":", f);
	json_str(f, w->what);
	fputs(",\"ops\":[", f);
	for (i = 0; i < w->nnrs; i++) {
		fputs(i ? "," : "", f);
		json_str(f, sys_name(w->nrs[i]));
		ops[i] = sys_name(w->nrs[i]) ? sys_name(w->nrs[i]) : "?";
	}
	fputs("]", f);
	check_begin(w->name, ops, w->ops_per_item);
	if (!strcmp(w->name, "copy")) {
		copy_bench(w, cres);
		failed = copy_json(f, cres);
	} else {
		sweep(w, res);
		failed = sweep_json(f, res);
	}
	check_end();
	/* every flushed piece ends a line: stderr notes never split one */
	fprintf(f, "],\"elapsed_s\":%.2f}\n", (double)(now_ns() - t0) / 1e9);
	fflush(f);
	note("%s done in %.1f s", w->name, (double)(now_ns() - t0) / 1e9);
	return failed;
}

int main(int argc, char **argv)
{
	struct chain_probe probe;
	FILE *f = stdout;
	unsigned int wi;
	int ret, failed = 0;
	bool first = true;
	time_t now = time(NULL);
	char stamp[64];

	parse_args(argc, argv);
	/* the benchmark picks its backends itself, per mode */
	unsetenv("SYSCHAIN_BACKEND");
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = chain_probe(&probe);
	kernel_present = ret == 0;
	if (ret)
		snprintf(kernel_absent_why, sizeof(kernel_absent_why), "%s",
			 strerror(-ret));

	fixtures();
	uring_init();
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

	printf("@@BENCH-JSON-BEGIN@@\n");
	fputs("{\"schema\":\"syschain-bench-raw/1\",\"setup\":", f);
	json_str(f, opt_setup);
	fputs(",\"started\":", f);
	json_str(f, stamp);
	fprintf(f, ",\"trials\":%d,\"min_ops\":%d,\"copy_trials\":%d,\"copy_bytes\":%zu,",
		opt_trials, opt_min_ops, opt_copy_trials, big_size);
	fprintf(f, "\"check\":{\"first\":%d,\"every\":%d},", CHECK_FIRST, CHECK_EVERY);
	env_json(f);
	fputs(",\"workloads\":[\n", f);
	fflush(f);

	for (wi = 0; wi < NWORKLOADS; wi++) {
		if (!wanted(workloads[wi].name))
			continue;
		failed += workload(f, &workloads[wi], first);
		first = false;
	}
	fputs("]}\n", f);
	printf("@@BENCH-JSON-END@@\n");
	fflush(f);
	if (ring_ok)
		io_uring_queue_exit(&ring);
	if (failed)
		note("%d mode(s) failed (see \"failed\" above): exit 1", failed);
	return failed ? 1 : 0;
}
