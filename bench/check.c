// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * check.c: the plain-syscall reference of every syschain-bench workload
 * and the comparison of each mode's results and output buffers with it
 * (see check.h for which runs are checked).
 *
 * The reference makes the workload's ops one by one with glibc's
 * wrappers, into buffers of its own that start poisoned like the bench's.
 * A batch's ops share their output buffers (as they do in the timed
 * workload), so what a buffer holds after a batch is the last op's
 * output, plus the poison wherever no op wrote: that whole state is
 * compared, and every op's result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <libchain.h>
#include "check.h"

#define POISON		0xa5
#define MAXMODES	16

static struct check_fix fx;
static const char *const *mnames;
static int nmodes;

/* the reference's own buffers */
static char *ref_small, *ref_big;
static struct stat ref_st;
static int64_t ref_ret[MAXOPS];
static bool ref_anyfd[MAXOPS];	/* the op returns a descriptor: any >= 0 */
static int ref_n, ref_nops;

/* the workload being measured */
static const struct spec *cur;
static const char *cur_name;
static const char *const *cur_ops;
static int cur_per;
static long runs[MAXMODES], checked[MAXMODES];

static void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("syschain-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *ref_alloc(size_t n)
{
	void *p = aligned_alloc(4096, n);

	if (!p)
		fatal("out of memory");
	return p;
}

void check_init(const struct check_fix *fix, const char *const *mode_names,
		int n)
{
	fx = *fix;
	mnames = mode_names;
	/* runs[] and checked[] are indexed by mode unchecked: all must fit */
	if (n > MAXMODES)
		fatal("check: %d modes, MAXMODES is %d", n, MAXMODES);
	nmodes = n;
	ref_small = ref_alloc(COPY_BLOCK);
	ref_big = ref_alloc(BIG_READ);
}

/* ------------------------------------------------- the references */
static void put(int i, long r)
{
	ref_ret[i] = r < 0 ? -errno : r;
	ref_anyfd[i] = false;
}

static void ref_null(int n)
{
	for (int i = 0; i < n; i++)
		put(i, getppid());
}

static void ref_read_zero(int n)
{
	for (int i = 0; i < n; i++)
		put(i, read(fx.fd_zero, ref_small, 8));
}

static void ref_pread(int n)
{
	for (int i = 0; i < n; i++)
		put(i, pread(fx.fd_big, ref_small, PREAD_SIZE,
			     (off_t)fx.pread_off[i]));
}

static void ref_readfile(int n)
{
	for (int i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, fx.path_files[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			fatal("reference: open %s: %s", fx.path_files[i],
			      strerror(errno));
		put(4 * i, fd);
		ref_anyfd[4 * i] = true;
		put(4 * i + 1, fstat(fd, &ref_st));
		put(4 * i + 2, read(fd, ref_small, PREAD_SIZE));
		put(4 * i + 3, close(fd));
	}
}

static void ref_statwalk(int n)
{
	for (int i = 0; i < n; i++)
		put(i, fstatat(fx.dirfd_files, fx.name_files[i], &ref_st, 0));
}

static void ref_echo(int n)
{
	for (int i = 0; i < n; i++) {
		put(2 * i, send(fx.sock[0], fx.echo_msg, ECHO_SIZE, 0));
		put(2 * i + 1, recv(fx.sock[1], ref_small, ECHO_SIZE, 0));
	}
}

static void ref_negative(int n)
{
	for (int i = 0; i < n; i++)
		put(i, pread(fx.fd_big, ref_big, BIG_READ, (off_t)fx.neg_off(i)));
}

/* Where a workload's ops leave output: the bench's buffer, the reference's. */
enum where { W_NONE, W_SMALL, W_BIG, W_STAT };

static const struct spec {
	const char *name;
	void (*ref)(int n);
	struct out {
		enum where where;
		size_t len;	/* bytes compared (W_SMALL, W_BIG) */
	} out[2];
} specs[] = {
	{ "null", ref_null, { { W_NONE, 0 } } },
	{ "fixed", ref_null, { { W_NONE, 0 } } },
	/* 8 bytes read, the rest of the 64 must stay poisoned */
	{ "read-zero", ref_read_zero, { { W_SMALL, 64 } } },
	{ "pread-cached", ref_pread, { { W_SMALL, PREAD_SIZE } } },
	/* a 256-byte read into 4096 bytes: the tail stays poisoned */
	{ "readfile", ref_readfile, { { W_STAT, 0 }, { W_SMALL, PREAD_SIZE } } },
	{ "statwalk", ref_statwalk, { { W_STAT, 0 } } },
	{ "echo", ref_echo, { { W_SMALL, 2 * ECHO_SIZE } } },
	{ "negative", ref_negative, { { W_BIG, BIG_READ } } },
	/* copy: the output file against the input (check_copy) */
	{ "copy", NULL, { { W_NONE, 0 } } },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

void check_begin(const char *workload, const char *const *ops, int per)
{
	unsigned int i;

	cur = NULL;
	for (i = 0; i < NSPECS; i++)
		if (!strcmp(specs[i].name, workload))
			cur = &specs[i];
	if (!cur)
		fatal("check: no reference for workload %s", workload);
	cur_name = workload;
	cur_ops = ops;
	cur_per = per;
	memset(runs, 0, sizeof(runs));
	memset(checked, 0, sizeof(checked));
}

static void poison_ref(void)
{
	memset(ref_small, POISON, COPY_BLOCK);
	memset(ref_big, POISON, BIG_READ);
	memset(&ref_st, POISON, sizeof(ref_st));
}

void check_reference(int n)
{
	poison_ref();
	ref_n = n;
	ref_nops = n * cur_per;
	if (cur->ref)
		cur->ref(n);
}

bool check_sampled(int t)
{
	return t < CHECK_FIRST || (t + 1) % CHECK_EVERY == 0;
}

void check_poison(void)
{
	for (int k = 0; k < 2; k++) {
		const struct out *o = &cur->out[k];

		if (o->where == W_SMALL)
			memset(fx.buf_small, POISON, o->len);
		else if (o->where == W_BIG)
			memset(fx.buf_big, POISON, o->len);
		else if (o->where == W_STAT) {
			memset(fx.st_sink, POISON, sizeof(*fx.st_sink));
			memset(fx.stx_sink, POISON, sizeof(*fx.stx_sink));
		}
	}
}

void check_unchecked(int m, long n)
{
	if (m >= 0 && m < nmodes)
		runs[m] += n;
}

/* ------------------------------------------------- comparisons */
static char why[320];

static bool ret_differs(const int64_t *got)
{
	for (int i = 0; i < ref_nops; i++) {
		bool ok = ref_anyfd[i] ? got[i] >= 0 : got[i] == ref_ret[i];

		if (!ok) {
			snprintf(why, sizeof(why),
				 "op %d (%s of unit %d) returned %lld, the reference %s%lld",
				 i, cur_ops[i % cur_per], i / cur_per,
				 (long long)got[i], ref_anyfd[i] ? "a descriptor, " : "",
				 (long long)ref_ret[i]);
			return true;
		}
	}
	return false;
}

static bool bytes_differ(const char *what, const char *got, const char *want,
			 size_t len)
{
	size_t i;

	if (!memcmp(got, want, len))
		return false;
	for (i = 0; got[i] == want[i]; i++)
		;
	snprintf(why, sizeof(why),
		 "%s differs at byte %zu of %zu: 0x%02x, the reference 0x%02x%s",
		 what, i, len, (unsigned char)got[i], (unsigned char)want[i],
		 (unsigned char)got[i] == POISON ? " (the poison: never written)" : "");
	return true;
}

#define FIELD(name, a, b) do {						\
	if ((long long)(a) != (long long)(b)) {				\
		snprintf(why, sizeof(why), "%s: %s %lld, the reference %lld", \
			 what, name, (long long)(a), (long long)(b));	\
		return true;						\
	}								\
} while (0)

/* Every field but the access time (reading a file may change it). */
static bool stat_differs(const char *what, const struct stat *s)
{
	const struct stat *r = &ref_st;

	FIELD("st_dev", s->st_dev, r->st_dev);
	FIELD("st_ino", s->st_ino, r->st_ino);
	FIELD("st_mode", s->st_mode, r->st_mode);
	FIELD("st_nlink", s->st_nlink, r->st_nlink);
	FIELD("st_uid", s->st_uid, r->st_uid);
	FIELD("st_gid", s->st_gid, r->st_gid);
	FIELD("st_rdev", s->st_rdev, r->st_rdev);
	FIELD("st_size", s->st_size, r->st_size);
	FIELD("st_blksize", s->st_blksize, r->st_blksize);
	FIELD("st_blocks", s->st_blocks, r->st_blocks);
	FIELD("st_mtim.tv_sec", s->st_mtim.tv_sec, r->st_mtim.tv_sec);
	FIELD("st_mtim.tv_nsec", s->st_mtim.tv_nsec, r->st_mtim.tv_nsec);
	FIELD("st_ctim.tv_sec", s->st_ctim.tv_sec, r->st_ctim.tv_sec);
	FIELD("st_ctim.tv_nsec", s->st_ctim.tv_nsec, r->st_ctim.tv_nsec);
	return false;
}

/* io_uring has no fstat: its statx against the reference's stat. */
static bool statx_differs(const char *what, const struct statx *s)
{
	const struct stat *r = &ref_st;

	FIELD("stx_mask & STATX_BASIC_STATS", s->stx_mask & STATX_BASIC_STATS,
	      STATX_BASIC_STATS);
	FIELD("stx_dev", makedev(s->stx_dev_major, s->stx_dev_minor), r->st_dev);
	FIELD("stx_ino", s->stx_ino, r->st_ino);
	FIELD("stx_mode", s->stx_mode, r->st_mode);
	FIELD("stx_nlink", s->stx_nlink, r->st_nlink);
	FIELD("stx_uid", s->stx_uid, r->st_uid);
	FIELD("stx_gid", s->stx_gid, r->st_gid);
	FIELD("stx_rdev", makedev(s->stx_rdev_major, s->stx_rdev_minor), r->st_rdev);
	FIELD("stx_size", s->stx_size, r->st_size);
	FIELD("stx_blksize", s->stx_blksize, r->st_blksize);
	FIELD("stx_blocks", s->stx_blocks, r->st_blocks);
	FIELD("stx_mtime.tv_sec", s->stx_mtime.tv_sec, r->st_mtim.tv_sec);
	FIELD("stx_mtime.tv_nsec", s->stx_mtime.tv_nsec, r->st_mtim.tv_nsec);
	FIELD("stx_ctime.tv_sec", s->stx_ctime.tv_sec, r->st_ctim.tv_sec);
	FIELD("stx_ctime.tv_nsec", s->stx_ctime.tv_nsec, r->st_ctim.tv_nsec);
	return false;
}

static bool out_differs(const struct out *o, bool uring)
{
	switch (o->where) {
	case W_SMALL:
		return bytes_differ("buffer buf_small", fx.buf_small, ref_small, o->len);
	case W_BIG:
		return bytes_differ("buffer buf_big", fx.buf_big, ref_big, o->len);
	case W_STAT:
		return uring ? statx_differs("statx buffer", fx.stx_sink) :
			       stat_differs("stat buffer", fx.st_sink);
	default:
		return false;
	}
}

static void mismatch(int m, const char *when)
{
	char n[32] = "";

	if (ref_n)
		snprintf(n, sizeof(n), "N=%d, ", ref_n);
	fatal("MISMATCH: workload %s, mode %s, %s%s: %s; stopping (the bench "
	      "would time something other than what the reference computes)",
	      cur_name, mnames[m], n, when, why);
}

void check_run(int m, bool uring, const struct chain *c, const int64_t *got,
	       const char *when)
{
	static int64_t chain_got[MAXOPS];

	if (c) {
		for (int i = 0; i < ref_nops; i++)
			chain_got[i] = chain_ret(c, i);
		got = chain_got;
	}
	if (ret_differs(got) || out_differs(&cur->out[0], uring) ||
	    out_differs(&cur->out[1], uring))
		mismatch(m, when);
	runs[m]++;
	checked[m]++;
}

/* ------------------------------------------------- every chain run */
int check_report(const struct chain *c, int ret, int want, char *buf,
		 size_t len)
{
	const struct chain_report *r = chain_report(c);

	if (ret < 0)
		snprintf(buf, len, "chain_run: %s", strerror(-ret));
	else if ((int)r->backend != want)
		snprintf(buf, len, "chain ran on backend %d, not %d",
			 (int)r->backend, want);
	else if (r->status != SYSCHAIN_STATUS_COMPLETED)
		snprintf(buf, len, "chain %s at op %d",
			 chain_status_str(r->status), r->stop_op);
	else
		return 0;
	return -1;
}

/* ------------------------------------------------- the copy */
int check_copy_size(const struct chain *c, int wr_op, int out, char *buf,
		    size_t len)
{
	size_t want = fx.big_size;
	struct stat st;

	if (c && chain_count(c, wr_op) != want / COPY_BLOCK)
		snprintf(buf, len, "%llu writes, expected %zu",
			 (unsigned long long)chain_count(c, wr_op),
			 want / COPY_BLOCK);
	else if (fstat(out, &st) || (size_t)st.st_size != want)
		snprintf(buf, len, "output has %lld bytes, expected %zu",
			 (long long)st.st_size, want);
	else
		return 0;
	return -1;
}

static char *map_file(const char *path, size_t *len)
{
	struct stat st;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		fatal("check: %s: %s", path, strerror(errno));
	*len = (size_t)st.st_size;
	p = *len ? mmap(NULL, *len, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0) :
		   NULL;
	if (p == MAP_FAILED)
		fatal("check: mmap %s: %s", path, strerror(errno));
	close(fd);
	return p;
}

void check_copy(int m, int t)
{
	char when[32];
	size_t lin, lout;
	char *in = map_file(fx.path_big, &lin);
	char *out = map_file(fx.path_copy_out, &lout);
	bool bad = false;

	if (lout != lin) {
		snprintf(why, sizeof(why), "the output has %zu bytes, the input %zu",
			 lout, lin);
		bad = true;
	} else {
		bad = bytes_differ("the output file", out, in, lin);
	}
	if (in)
		munmap(in, lin);
	if (out)
		munmap(out, lout);
	ref_n = 0;
	snprintf(when, sizeof(when), "trial %d", t);
	if (bad)
		mismatch(m, when);
	runs[m]++;
	checked[m]++;
}

void check_counts(int m, long *r, long *c)
{
	*r = runs[m];
	*c = checked[m];
}

void check_end(void)
{
	char line[512];
	size_t k = 0;
	long all = 0, chk = 0;

	for (int m = 0; m < nmodes; m++) {
		if (!runs[m])
			continue;
		k += (size_t)snprintf(line + k, sizeof(line) - k, "%s%s %ld of %ld",
				      k ? ", " : "", mnames[m], checked[m], runs[m]);
		if (k >= sizeof(line))
			k = sizeof(line) - 1;
		all += runs[m];
		chk += checked[m];
	}
	fprintf(stderr, "syschain-bench: checked %s: %ld of %ld runs matched the "
		"plain-syscall reference (%s)\n", cur_name, chk, all,
		k ? line : "no mode ran");
}
