// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Differential test: random valid chains over the supported ops, each run
 * through libchain's kernel backend (/dev/syschain) and its user backend
 * (plain syscalls) from identical starting states. Every result and run
 * count, the report, the memory the ops wrote, the directory tree (names,
 * types, modes, link counts, sizes, blocks, contents, link targets), the
 * descriptors (open or not, what they refer to, position, status and
 * descriptor flags) and what is left in the pipe and the sockets must be
 * equal. Any divergence fails and prints the seed, the chain's index and
 * a dump of the chain; DIFF_ONLY=<seed>:<index> replays that one chain.
 *
 * The state: a scratch directory /tmp/diff-N with files, a subdirectory,
 * a symlink and a dangling one, descriptors on them (one O_PATH), a
 * non-blocking pipe and two non-blocking AF_UNIX socketpairs (stream and
 * datagram) with data queued, recreated identically (same descriptor
 * numbers) before each side. Keep-alive duplicates of the pipe's read end
 * and of every socket sit out of the chains' reach, so no write ever gets
 * EPIPE/SIGPIPE and the snapshot can drain what is left. Chains only use
 * descriptors of that state or returned by their own openat and dup ops,
 * buffers inside a region that is reset before each side, bounded counts,
 * and AT_FDCWD for openat (the kernel executor refuses other directory
 * descriptors; mkdirat and newfstatat take any). Errors are generated on
 * purpose: bad descriptors, (void *)1 and NULL buffers, paths and iovec
 * arrays, bad iovec counts and lengths, missing paths, bad flags, modes,
 * whence, advice and clock ids, reads of write-only descriptors. No
 * signals, no blocking calls (every pipe and socket is O_NONBLOCK).
 *
 * Memory that legitimately differs between the two sides is masked before
 * the comparison, and only there:
 *  - stat buffers (fstat, newfstatat; each op has its own slot): st_ino
 *    and the three timestamps. The two sides stat objects recreated at
 *    different times, so inode numbers (tmpfs, pipefs and sockfs number
 *    them from global or per-superblock counters) and times differ; every
 *    other field (st_dev: same filesystems; mode, nlink, uid, gid, rdev,
 *    size, blksize, blocks) is compared.
 *  - getdents64 buffers (own slot each): d_ino of each record the last run
 *    of the op returned. Names, types, record lengths, d_off and the order
 *    are compared: tmpfs lists a directory in an order and with offsets
 *    that depend only on the sequence of operations on it, identical on
 *    both sides. When the op ran more than once, the slot past its last
 *    result is not compared (it may hold records of an earlier run, with
 *    their d_ino, at offsets that no longer line up).
 *  - clock_gettime buffers: not compared at all (the time); the result
 *    (0, -EINVAL, -EFAULT) is. nanosleep and clock_nanosleep are not
 *    generated: they block for a time-dependent while.
 *
 * DIFF_CHAINS=N in the environment changes the number of chains per seed;
 * DIFF_SELFTEST=1 runs both sides on the user backend (to check the test
 * itself on a host without the module).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <libchain.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE	0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif

#define MAX_OPS		16
#define FD_SPAN		64	/* descriptors checked and closed */
#define REGION		(256 * 1024)
#define MEM_OFF		(REGION / 2)
#define SNAP_MAX	(1024 * 1024)

/*
 * The memory: read/write buffers at MEM + [0, 2048) plus counts (and
 * results added to them) stay below MEM + 16K; the areas of the ops that
 * take structures, one slot per op index, follow.
 */
#define STAT_AREA	16384			/* 16 x 160: struct stat */
#define STAT_SLOT	160
#define IOV_AREA	20480			/* 16 x 8 struct iovec */
#define IOV_MAX_GEN	8
#define OFFS_AREA	24576			/* 8 loff_t for copy_file_range */
#define NR_OFFS		8
#define ADDR_AREA	25600			/* 16 x (sockaddr_un, int) */
#define ADDR_SLOT	128
#define ADDRLEN_AT	112
#define TIME_AREA	28672			/* 16 x 16: timespec, not compared */
#define TIME_SLOT	16
#define DENT_AREA	32768			/* 16 x 1024: getdents64 */
#define DENT_SLOT	1024

static unsigned char region[REGION] __attribute__((aligned(4096)));
#define MEM (region + MEM_OFF)
static unsigned char region_k[REGION];
static unsigned char norm_k[REGION], norm_u[REGION];

static int fd_base;		/* first descriptor of the state */
static char dir[64];
static char rel_dir[64];	/* dir relative to the cwd, /tmp */

/* paths of the state; the first P_NDATA have their data compared by name */
enum { P_F0, P_F1, P_F2, P_F3, P_NEW, P_NDATA = P_NEW + 1,
       P_DIR = P_NDATA, P_MISSING, P_SUBG, P_SUB, P_LINK, P_DANGLE, NPATHS };
static char paths[NPATHS][96];
/* names relative to the directory (mkdirat, newfstatat with a dirfd) */
static const char *const rel_names[] = {
	"f0", "f3", "sub", "sub/g", "link", "dangle", "new", "d1", "d2",
	"sub/d3", "missing/x", "f0/x", "link/", ".", "..", "",
};
#define NR_REL ((int)(sizeof(rel_names) / sizeof(rel_names[0])))

/* ------------------------------------------------------------------ */
/* PRNG                                                                 */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static int rn(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

/* ------------------------------------------------------------------ */
/* State                                                                */

enum { FD_RW, FD_RO, FD_WO, FD_APP, FD_DIR, FD_PR, FD_PW, FD_SS0, FD_SS1,
       FD_SD0, FD_SD1, FD_SUB, FD_OPATH, NR_FDS };
#define FD_SOCK0 FD_SS0		/* the four socket ends: FD_SOCK0 + 0..3 */
static int fds[NR_FDS];
/* out of reach: the pipe's read end and the four socket ends */
#define NR_KEEP 5
static int keep[NR_KEEP] = { -1, -1, -1, -1, -1 };

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(p);
	return 0;
}

static void rm_tree(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void close_all(void)
{
	int fd, i;

	for (fd = fd_base; fd < fd_base + FD_SPAN; fd++)
		close(fd);
	for (i = 0; i < NR_KEEP; i++) {
		if (keep[i] >= 0)
			close(keep[i]);
		keep[i] = -1;
	}
}

static void put_file(const char *path, int len, int seed)
{
	char data[1024];
	int fd, k;

	for (k = 0; k < len; k++)
		data[k] = (char)('a' + (k + seed) % 26);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), len);
	close(fd);
}

static void make_state(void)
{
	int i, p[2];

	close_all();
	rm_tree();
	if (mkdir(dir, 0755))
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	for (i = P_F0; i <= P_F3; i++)
		put_file(paths[i], 100 + 300 * i, i);
	assert_int_equal(mkdir(paths[P_SUB], 0750), 0);
	put_file(paths[P_SUBG], 77, 9);
	assert_int_equal(symlink("f0", paths[P_LINK]), 0);
	assert_int_equal(symlink("gone", paths[P_DANGLE]), 0);
	fds[FD_RW] = open(paths[P_F0], O_RDWR);
	fds[FD_RO] = open(paths[P_F1], O_RDONLY);
	fds[FD_WO] = open(paths[P_F2], O_WRONLY);
	fds[FD_APP] = open(paths[P_F3], O_WRONLY | O_APPEND);
	fds[FD_DIR] = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	fds[FD_PR] = p[0];
	fds[FD_PW] = p[1];
	assert_int_equal(write(p[1], "pipe-data-0123456789", 20), 20);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				    p), 0);
	fds[FD_SS0] = p[0];
	fds[FD_SS1] = p[1];
	assert_int_equal(write(p[1], "stream-to-0:abcdefgh", 20), 20);
	assert_int_equal(write(p[0], "stream-to-1", 11), 11);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0,
				    p), 0);
	fds[FD_SD0] = p[0];
	fds[FD_SD1] = p[1];
	assert_int_equal(send(p[1], "dgram-one", 9, 0), 9);
	assert_int_equal(send(p[1], "dgram-two-longer", 16, 0), 16);
	assert_int_equal(send(p[0], "dgram-back", 10, 0), 10);
	fds[FD_SUB] = open(paths[P_SUB], O_RDONLY | O_DIRECTORY);
	fds[FD_OPATH] = open(paths[P_F1], O_PATH);
	for (i = 0; i < NR_FDS; i++)
		assert_int_equal(fds[i], fd_base + i);
	keep[0] = fcntl(fds[FD_PR], F_DUPFD_CLOEXEC, fd_base + FD_SPAN + 8);
	for (i = 0; i < 4; i++)
		keep[1 + i] = fcntl(fds[FD_SOCK0 + i], F_DUPFD_CLOEXEC,
				    fd_base + FD_SPAN + 8);
	for (i = 0; i < NR_KEEP; i++)
		assert_true(keep[i] >= fd_base + FD_SPAN);
	/* the memory: a pattern */
	for (i = 0; i < REGION; i++)
		region[i] = (unsigned char)(i * 7 + 3);
}

/* the directory tree, sorted by path */
#define TREE_MAX 48
struct tree_ent {
	char path[64];
	unsigned int mode, nlink, uid;
	long long size, blocks;
	uint64_t hash;		/* regular file: contents; symlink: target */
	dev_t dev;		/* not compared: identifies descriptors */
	ino_t ino;
};

struct snap {
	long long fd_pos[FD_SPAN];	/* lseek CUR, -errno, or -EBADF */
	int fd_flags[FD_SPAN];		/* F_GETFL or -errno */
	int fd_fdflags[FD_SPAN];	/* F_GETFD or -errno */
	int fd_ident[FD_SPAN];		/* tree entry, 100 + keep index, -1 */
	long long size[P_NDATA];
	int len[P_NDATA];
	char *data[P_NDATA];
	char pipe[65536 + 1];
	int pipe_len;
	/* each socket end: what is left to read, datagrams length-prefixed */
	char sock[4][8192];
	int sock_len[4];
	struct tree_ent tree[TREE_MAX];
	int ntree;
};

static struct snap snap_k, snap_u;
static struct snap *snap_cur;

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

static int tree_one(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	struct snap *s = snap_cur;
	struct tree_ent *e;
	static char buf[65536];

	(void)flag; (void)ftw;
	if (s->ntree >= TREE_MAX)
		return 1;
	e = &s->tree[s->ntree++];
	memset(e, 0, sizeof(*e));
	snprintf(e->path, sizeof(e->path), "%s", p + strlen(dir));
	e->mode = st->st_mode;
	e->nlink = (unsigned int)st->st_nlink;
	e->uid = st->st_uid;
	e->size = st->st_size;
	e->blocks = st->st_blocks;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->hash = 14695981039346656037ULL;
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(p, buf, sizeof(buf));

		e->hash = n < 0 ? (uint64_t)-errno : fnv(buf, n, e->hash);
	} else if (S_ISREG(st->st_mode)) {
		int fd = open(p, O_RDONLY);
		ssize_t n;

		assert_true(fd >= 0);
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			e->hash = fnv(buf, n, e->hash);
		close(fd);
	}
	return 0;
}

static int tree_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tree_ent *)a)->path,
		      ((const struct tree_ent *)b)->path);
}

static void drain(int fd, bool dgram, char *out, int *len, int max)
{
	char b[4096];

	*len = 0;
	for (;;) {
		ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

		if (n < 0)
			break;
		if (!dgram && n == 0)
			break;
		if (dgram && *len + 4 <= max) {
			memcpy(out + *len, &n, 4);
			*len += 4;
		}
		if (n > max - *len)
			n = max - *len;
		memcpy(out + *len, b, n);
		*len += (int)n;
	}
}

static void take_snap(struct snap *s)
{
	int i, fd, j;

	/* the tree first: descriptors are identified by its inodes */
	s->ntree = 0;
	snap_cur = s;
	assert_int_equal(nftw(dir, tree_one, 16, FTW_PHYS), 0);
	qsort(s->tree, s->ntree, sizeof(s->tree[0]), tree_cmp);
	for (i = 0; i < FD_SPAN; i++) {
		int fl = fcntl(fd_base + i, F_GETFL), fdf;
		struct stat st, kst;
		off_t pos;

		s->fd_flags[i] = fl < 0 ? -errno : fl;
		fdf = fcntl(fd_base + i, F_GETFD);
		s->fd_fdflags[i] = fdf < 0 ? -errno : fdf;
		pos = fl < 0 ? -1 : lseek(fd_base + i, 0, SEEK_CUR);
		s->fd_pos[i] = fl < 0 ? -EBADF : pos < 0 ? -errno : pos;
		s->fd_ident[i] = -1;
		if (fl < 0 || fstat(fd_base + i, &st))
			continue;
		s->fd_ident[i] = -2;
		for (j = 0; j < s->ntree; j++)
			if (s->tree[j].dev == st.st_dev &&
			    s->tree[j].ino == st.st_ino)
				s->fd_ident[i] = j;
		for (j = 0; j < NR_KEEP; j++)
			if (!fstat(keep[j], &kst) && kst.st_dev == st.st_dev &&
			    kst.st_ino == st.st_ino)
				s->fd_ident[i] = 100 + j;
	}
	for (i = 0; i < P_NDATA; i++) {
		struct stat st;
		ssize_t n;

		s->len[i] = 0;
		if (stat(paths[i], &st)) {
			s->size[i] = -errno;
			continue;
		}
		s->size[i] = st.st_size;
		if (!s->data[i])
			s->data[i] = malloc(SNAP_MAX);
		assert_non_null(s->data[i]);
		fd = open(paths[i], O_RDONLY);
		assert_true(fd >= 0);
		n = read(fd, s->data[i], SNAP_MAX);
		s->len[i] = n < 0 ? -errno : (int)n;
		close(fd);
	}
	s->pipe_len = 0;
	for (;;) {
		ssize_t n = read(keep[0], s->pipe + s->pipe_len,
				 sizeof(s->pipe) - 1 - s->pipe_len);

		if (n <= 0)
			break;
		s->pipe_len += (int)n;
	}
	for (i = 0; i < 4; i++)
		drain(keep[1 + i], i >= 2, s->sock[i], &s->sock_len[i],
		      (int)sizeof(s->sock[i]));
}

/* ------------------------------------------------------------------ */
/* The generator                                                        */

enum kind { K_READ, K_WRITE, K_PREAD, K_PWRITE, K_LSEEK, K_OPEN, K_CLOSE,
	    K_GETPID, K_GETTID, K_GETPPID, K_READV, K_WRITEV, K_FSYNC,
	    K_FDATASYNC, K_FALLOC, K_FADVISE, K_CFR, K_FSTAT, K_STATAT,
	    K_GETDENTS, K_MKDIRAT, K_DUP, K_SENDTO, K_RECVFROM, K_IDS,
	    K_YIELD, K_CLOCK, NR_KINDS };
static const char *const kind_name[] = {
	"read", "write", "pread64", "pwrite64", "lseek", "openat", "close",
	"getpid", "gettid", "getppid", "readv", "writev", "fsync",
	"fdatasync", "fallocate", "fadvise64", "copy_file_range", "fstat",
	"newfstatat", "getdents64", "mkdirat", "dup", "sendto", "recvfrom",
	"get*id", "sched_yield", "clock_gettime",
};

struct gen {
	struct chain *c;
	int n;
	enum kind kind[MAX_OPS];
	/* per op: its stat or dirent buffer (offset from MEM), or -1 */
	int stat_at[MAX_OPS], dent_at[MAX_OPS];
	/* per op: the iovec array and the socket address slot, if any */
	bool has_iov[MAX_OPS], has_addr[MAX_OPS];
	struct iovec iov[MAX_OPS][IOV_MAX_GEN];
	int addrlen[MAX_OPS];
	char strs[MAX_OPS][128];	/* paths built for the op */
	char dump[16384];
	int dlen;
};

static void say(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	if (g->dlen >= (int)sizeof(g->dump) - 1)
		return;
	va_start(ap, fmt);
	g->dlen += vsnprintf(g->dump + g->dlen, sizeof(g->dump) - g->dlen,
			     fmt, ap);
	va_end(ap);
	if (g->dlen > (int)sizeof(g->dump) - 1)
		g->dlen = sizeof(g->dump) - 1;
}

/* an earlier op of one of the kinds in mask, or -1 */
static int pick_op(struct gen *g, unsigned int mask)
{
	int cand[MAX_OPS], nc = 0, i;

	for (i = 0; i < g->n; i++)
		if (mask & (1U << g->kind[i]))
			cand[nc++] = i;
	return nc ? cand[rn(nc)] : -1;
}

#define BIT(k) (1U << (k))
#define RW_KINDS (BIT(K_READ) | BIT(K_PREAD) | BIT(K_WRITE) | \
		  BIT(K_PWRITE) | BIT(K_READV) | BIT(K_WRITEV) | \
		  BIT(K_SENDTO) | BIT(K_RECVFROM) | BIT(K_CFR))
#define RD_KINDS (BIT(K_READ) | BIT(K_PREAD) | BIT(K_READV) | \
		  BIT(K_RECVFROM))
#define FD_KINDS (BIT(K_OPEN) | BIT(K_DUP))

static struct chain_arg gen_fd(struct gen *g)
{
	int r = rn(20), o;

	if (r < 12) {
		int fd = fds[rn(NR_FDS)];

		say(g, " fd%d", fd);
		return CHAIN_ARG(fd);
	}
	if (r < 17 && (o = pick_op(g, FD_KINDS)) >= 0) {
		say(g, " res(%d)", o);
		return CHAIN_ARG(chain_res(o));
	}
	r = r == 17 ? -1 : r == 18 ? 999 : fd_base + NR_FDS + 2;
	say(g, " %d", r);
	return CHAIN_ARG(r);
}

/* a socket end most of the time, else any descriptor */
static struct chain_arg gen_sock_fd(struct gen *g)
{
	if (rn(10) < 7) {
		int fd = fds[FD_SOCK0 + rn(4)];

		say(g, " fd%d", fd);
		return CHAIN_ARG(fd);
	}
	return gen_fd(g);
}

/* a directory descriptor for the *at ops */
static struct chain_arg gen_dfd(struct gen *g, bool *rel_ok)
{
	int r = rn(20), o, v;

	*rel_ok = true;
	if (r < 6) {
		say(g, " AT_FDCWD");
		*rel_ok = false;	/* relative names resolve from /tmp */
		return CHAIN_ARG(AT_FDCWD);
	}
	if (r < 12) {
		say(g, " fd%d(dir)", fds[FD_DIR]);
		return CHAIN_ARG(fds[FD_DIR]);
	}
	if (r < 15) {
		say(g, " fd%d(sub)", fds[FD_SUB]);
		return CHAIN_ARG(fds[FD_SUB]);
	}
	if (r < 17 && (o = pick_op(g, FD_KINDS)) >= 0) {
		say(g, " res(%d)", o);
		return CHAIN_ARG(chain_res(o));
	}
	v = r == 17 ? fds[FD_RW] : r == 18 ? fds[FD_OPATH] : 999;
	say(g, " %d", v);
	return CHAIN_ARG(v);
}

/*
 * A path for mkdirat (allow_null false) or newfstatat: relative to the
 * directory, absolute, bad.
 */
static struct chain_arg gen_path(struct gen *g, bool rel_ok, bool allow_null)
{
	char *s = g->strs[g->n];
	int r = rn(20);

	if (r < 12) {
		const char *name = rel_names[rn(NR_REL)];

		/*
		 * From AT_FDCWD (/tmp) a relative name goes through the
		 * directory: mkdirat must not create anything outside it.
		 */
		if (!rel_ok && (!allow_null || rn(3)))
			snprintf(s, 128, "%s/%s", rel_dir, name);
		else
			snprintf(s, 128, "%s", name);
	} else if (r < 17) {
		int p = rn(NPATHS);

		snprintf(s, 128, "%s", paths[p]);
		if (!rn(4))
			snprintf(s, 128, "%s/d%d", dir, rn(3));
	} else if (r < 19 || !allow_null) {
		say(g, " (void*)1");
		return CHAIN_ARG((void *)1);
	} else {
		say(g, " NULL");
		return CHAIN_ARG((void *)0);
	}
	say(g, " \"%s\"", s);
	return CHAIN_ARG((const char *)s);
}

static struct chain_arg gen_buf(struct gen *g)
{
	int r = rn(20), o, k = rn(2048);

	if (r < 14) {
		say(g, " mem+%d", k);
		return CHAIN_ARG(MEM + k);
	}
	if (r < 17 && (o = pick_op(g, RD_KINDS)) >= 0) {
		say(g, " mem+%d+res(%d)", k, o);
		return CHAIN_ARG(chain_res_add(o, (int64_t)(uintptr_t)(MEM + k)));
	}
	if (r < 19) {
		say(g, " (void*)1");
		return CHAIN_ARG((void *)1);
	}
	say(g, " NULL");
	return CHAIN_ARG((void *)0);
}

/* a structure buffer: the op's slot at area, or a bad pointer */
static struct chain_arg gen_slot(struct gen *g, int area, int size, int *at)
{
	int r = rn(12);

	*at = -1;
	if (r < 10) {
		*at = area + g->n * size;
		say(g, " mem+%d", *at);
		return CHAIN_ARG(MEM + *at);
	}
	say(g, r == 10 ? " (void*)1" : " NULL");
	return CHAIN_ARG(r == 10 ? (void *)1 : (void *)0);
}

static struct chain_arg gen_count(struct gen *g)
{
	int r = rn(10), o;

	if (r < 7 || (o = pick_op(g, RW_KINDS)) < 0) {
		int v = rn(10) ? rn(513) : 0;

		say(g, " %d", v);
		return CHAIN_ARG(v);
	}
	r = rn(611) - 10;
	say(g, " res(%d)%+d", o, r);
	return CHAIN_ARG(chain_res_add(o, r));
}

static struct chain_arg gen_off(struct gen *g)
{
	int r = rn(10), o;

	if (r < 7 || (o = pick_op(g, ~0U)) < 0) {
		long long v = r == 0 ? -1 : rn(2000) - (r == 1 ? 100 : 0);

		say(g, " %lld", v);
		return CHAIN_ARG(v);
	}
	r = rn(200) - 50;
	say(g, " res(%d)%+d", o, r);
	return CHAIN_ARG(chain_res_add(o, r));
}

static struct chain_arg gen_val(struct gen *g, const char *what,
				const long long *v, int n)
{
	long long x = v[rn(n)];

	say(g, " %s%lld", what, x);
	return CHAIN_ARG(x);
}
#define GEN_VAL(g, what, ...) gen_val((g), (what), (const long long[]){	\
	__VA_ARGS__ }, (int)(sizeof((const long long[]){ __VA_ARGS__ }) /	\
			     sizeof(long long)))

/* readv/writev: the iovec array in the op's slot, or a bad pointer */
static void gen_iov(struct gen *g, struct chain_arg *a)
{
	struct iovec *v = g->iov[g->n];
	int r = rn(20), i, cnt;

	for (i = 0; i < IOV_MAX_GEN; i++) {
		int k = rn(2048), q = rn(20);

		v[i].iov_base = MEM + k;
		v[i].iov_len = rn(4) ? (size_t)rn(257) : 0;
		if (q == 0) {
			v[i].iov_base = (void *)1;
			if (!v[i].iov_len)
				v[i].iov_len = 8;
		} else if (q == 1) {
			v[i].iov_base = NULL;
			v[i].iov_len = 0;
		} else if (q == 2) {
			v[i].iov_len = (size_t)-5;	/* negative: -EINVAL */
		}
	}
	g->has_iov[g->n] = true;
	if (r < 17) {
		a[1] = CHAIN_ARG(MEM + IOV_AREA + g->n * IOV_MAX_GEN *
				 (int)sizeof(struct iovec));
		say(g, " iov[");
	} else {
		a[1] = CHAIN_ARG(r == 17 ? (void *)1 : (void *)0);
		say(g, " %s[", r == 17 ? "(void*)1" : "NULL");
	}
	r = rn(20);
	cnt = r < 2 ? 0 : r < 18 ? 1 + rn(IOV_MAX_GEN) : r == 18 ? 1025 : -1;
	for (i = 0; i < cnt && i < IOV_MAX_GEN; i++) {
		if ((uintptr_t)v[i].iov_base <= 1)
			say(g, " {%p,%zd}", v[i].iov_base, v[i].iov_len);
		else
			say(g, " {mem+%d,%zd}",
			    (int)((unsigned char *)v[i].iov_base - MEM),
			    (ssize_t)v[i].iov_len);
	}
	say(g, " ] cnt=%d", cnt);
	a[2] = CHAIN_ARG((long)cnt);
}

static int gen_op(struct gen *g)
{
	static const int open_flags[] = {
		O_RDONLY, O_WRONLY | O_CREAT, O_RDWR | O_CREAT | O_TRUNC,
		O_RDONLY | O_DIRECTORY, O_WRONLY | O_APPEND,
		O_RDWR | O_CREAT | O_EXCL, O_RDWR | O_CLOEXEC,
	};
	enum kind k = (enum kind)rn(NR_KINDS);
	struct chain_arg a[6];
	long nr = 0;
	int nargs = 0, i, n = g->n;
	bool rel_ok;

	g->stat_at[n] = g->dent_at[n] = -1;
	g->has_iov[n] = g->has_addr[n] = false;
	say(g, "  op %d: %s(", n, kind_name[k]);
	switch (k) {
	case K_READ:
	case K_WRITE:
		nr = k == K_READ ? __NR_read : __NR_write;
		a[0] = gen_fd(g);
		a[1] = gen_buf(g);
		a[2] = gen_count(g);
		nargs = 3;
		break;
	case K_PREAD:
	case K_PWRITE:
		nr = k == K_PREAD ? __NR_pread64 : __NR_pwrite64;
		a[0] = gen_fd(g);
		a[1] = gen_buf(g);
		a[2] = gen_count(g);
		a[3] = gen_off(g);
		nargs = 4;
		break;
	case K_LSEEK:
		nr = __NR_lseek;
		a[0] = gen_fd(g);
		a[1] = gen_off(g);
		i = rn(10);
		i = i < 3 ? SEEK_SET : i < 6 ? SEEK_CUR : i < 9 ? SEEK_END : 7;
		say(g, " whence=%d", i);
		a[2] = CHAIN_ARG(i);
		nargs = 3;
		break;
	case K_OPEN: {
		int p = rn(20), f = open_flags[rn(7)];
		const char *path = p < 16 ? paths[rn(NPATHS)] : NULL;

		nr = __NR_openat;
		a[0] = CHAIN_ARG(AT_FDCWD);
		if (p == 19) {
			say(g, " (void*)1");
			a[1] = CHAIN_ARG((void *)1);
		} else {
			if (!path)
				path = paths[P_MISSING];
			say(g, " %s", path);
			a[1] = CHAIN_ARG(path);
		}
		say(g, " flags=%#x", f);
		a[2] = CHAIN_ARG(f);
		a[3] = CHAIN_ARG(0644);
		nargs = 4;
		break;
	}
	case K_CLOSE:
		nr = __NR_close;
		a[0] = gen_fd(g);
		nargs = 1;
		break;
	case K_GETPID:
		nr = __NR_getpid;
		break;
	case K_GETTID:
		nr = __NR_gettid;
		break;
	case K_GETPPID:
		nr = __NR_getppid;
		break;
	case K_READV:
	case K_WRITEV:
		nr = k == K_READV ? __NR_readv : __NR_writev;
		a[0] = gen_fd(g);
		gen_iov(g, a);
		nargs = 3;
		break;
	case K_FSYNC:
	case K_FDATASYNC:
		nr = k == K_FSYNC ? __NR_fsync : __NR_fdatasync;
		a[0] = gen_fd(g);
		nargs = 1;
		break;
	case K_FALLOC:
		nr = __NR_fallocate;
		a[0] = gen_fd(g);
		a[1] = GEN_VAL(g, "mode=", 0, 0, 0, FALLOC_FL_KEEP_SIZE,
			       FALLOC_FL_KEEP_SIZE,
			       FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       FALLOC_FL_PUNCH_HOLE, 0x80);
		a[2] = GEN_VAL(g, "off=", 0, 0, 10, 100, 333, 1000, 5000, -1);
		a[3] = GEN_VAL(g, "len=", 1, 100, 512, 4096, 10000, 0, -5);
		nargs = 4;
		break;
	case K_FADVISE:
		nr = __NR_fadvise64;
		a[0] = gen_fd(g);
		a[1] = GEN_VAL(g, "off=", 0, 0, 100, 4096, -1);
		a[2] = GEN_VAL(g, "len=", 0, 10, 4096, 1 << 20);
		a[3] = GEN_VAL(g, "advice=", 0, 1, 2, 3, 4, 5, 6, 99);
		nargs = 4;
		break;
	case K_CFR: {
		int r;

		nr = __NR_copy_file_range;
		a[0] = gen_fd(g);
		r = rn(10);
		if (r < 5) {
			say(g, " NULL");
			a[1] = CHAIN_ARG((void *)0);
		} else if (r < 9) {
			i = rn(NR_OFFS);
			say(g, " &offs[%d]", i);
			a[1] = CHAIN_ARG(MEM + OFFS_AREA + 8 * i);
		} else {
			say(g, " (void*)1");
			a[1] = CHAIN_ARG((void *)1);
		}
		a[2] = gen_fd(g);
		r = rn(10);
		if (r < 5) {
			say(g, " NULL");
			a[3] = CHAIN_ARG((void *)0);
		} else if (r < 9) {
			i = rn(NR_OFFS);
			say(g, " &offs[%d]", i);
			a[3] = CHAIN_ARG(MEM + OFFS_AREA + 8 * i);
		} else {
			say(g, " (void*)1");
			a[3] = CHAIN_ARG((void *)1);
		}
		a[4] = gen_count(g);
		a[5] = GEN_VAL(g, "flags=", 0, 0, 0, 0, 0, 0, 0, 1);
		nargs = 6;
		break;
	}
	case K_FSTAT:
		nr = __NR_fstat;
		a[0] = gen_fd(g);
		a[1] = gen_slot(g, STAT_AREA, STAT_SLOT, &g->stat_at[n]);
		nargs = 2;
		break;
	case K_STATAT:
		nr = __NR_newfstatat;
		a[0] = gen_dfd(g, &rel_ok);
		a[1] = gen_path(g, rel_ok, true);
		a[2] = gen_slot(g, STAT_AREA, STAT_SLOT, &g->stat_at[n]);
		a[3] = GEN_VAL(g, "flags=", 0, 0, AT_SYMLINK_NOFOLLOW,
			       AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
			       AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
			       AT_NO_AUTOMOUNT, 0x1);
		nargs = 4;
		break;
	case K_GETDENTS: {
		int r = rn(10), o;

		nr = __NR_getdents64;
		if (r < 5) {
			say(g, " fd%d(dir)", fds[FD_DIR]);
			a[0] = CHAIN_ARG(fds[FD_DIR]);
		} else if (r < 7) {
			say(g, " fd%d(sub)", fds[FD_SUB]);
			a[0] = CHAIN_ARG(fds[FD_SUB]);
		} else if (r < 8 && (o = pick_op(g, FD_KINDS)) >= 0) {
			say(g, " res(%d)", o);
			a[0] = CHAIN_ARG(chain_res(o));
		} else {
			a[0] = gen_fd(g);
		}
		a[1] = gen_slot(g, DENT_AREA, DENT_SLOT, &g->dent_at[n]);
		a[2] = GEN_VAL(g, "count=", 0, 8, 40, 100, 1024, 1024, 1024);
		nargs = 3;
		break;
	}
	case K_MKDIRAT:
		nr = __NR_mkdirat;
		a[0] = gen_dfd(g, &rel_ok);
		a[1] = gen_path(g, rel_ok, false);
		i = (int[]){ 0755, 0700, 01777, 0 }[rn(4)];
		say(g, " mode=%#o", i);
		a[2] = CHAIN_ARG(i);
		nargs = 3;
		break;
	case K_DUP:
		nr = __NR_dup;
		a[0] = gen_fd(g);
		nargs = 1;
		break;
	case K_SENDTO:
	case K_RECVFROM: {
		int r = rn(10), at = ADDR_AREA + n * ADDR_SLOT;

		nr = k == K_SENDTO ? __NR_sendto : __NR_recvfrom;
		a[0] = gen_sock_fd(g);
		a[1] = gen_buf(g);
		a[2] = gen_count(g);
		if (k == K_SENDTO)
			a[3] = GEN_VAL(g, "flags=", 0, MSG_DONTWAIT,
				       MSG_NOSIGNAL, MSG_DONTWAIT | MSG_NOSIGNAL,
				       MSG_OOB);
		else
			a[3] = GEN_VAL(g, "flags=", 0, MSG_DONTWAIT, MSG_PEEK,
				       MSG_TRUNC, MSG_WAITALL | MSG_DONTWAIT,
				       MSG_PEEK | MSG_TRUNC, MSG_OOB);
		g->has_addr[n] = true;
		g->addrlen[n] = rn(3) ? (int)sizeof(struct sockaddr_un) :
			rn(2) ? 0 : -1;
		if (r < 6) {
			say(g, " NULL 0");
			a[4] = CHAIN_ARG((void *)0);
			a[5] = CHAIN_ARG(0);
		} else if (k == K_SENDTO) {
			int len = r < 9 ? 12 : (r == 9 && rn(2)) ? -1 : 200;

			say(g, " &addr(@abstract) %d", len);
			a[4] = CHAIN_ARG(MEM + at);
			a[5] = CHAIN_ARG(len);
		} else {
			bool bad_addr = r == 9 && rn(2);
			bool bad_len = r == 9 && !bad_addr;

			say(g, " %s %s(=%d)", bad_addr ? "(void*)1" : "&addr",
			    bad_len ? "(void*)1" : "&addrlen", g->addrlen[n]);
			a[4] = CHAIN_ARG(bad_addr ? (void *)1 : MEM + at);
			a[5] = CHAIN_ARG(bad_len ? (void *)1 :
					 MEM + at + ADDRLEN_AT);
		}
		nargs = 6;
		break;
	}
	case K_IDS: {
		static const long ids[] = { __NR_getuid, __NR_geteuid,
					    __NR_getgid, __NR_getegid };
		static const char *const id_names[] = { "uid", "euid", "gid",
							"egid" };

		i = rn(4);
		nr = ids[i];
		say(g, " %s", id_names[i]);
		break;
	}
	case K_YIELD:
		nr = __NR_sched_yield;
		break;
	case K_CLOCK: {
		int at;

		nr = __NR_clock_gettime;
		a[0] = GEN_VAL(g, "clock=", CLOCK_REALTIME, CLOCK_MONOTONIC,
			       CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE,
			       CLOCK_BOOTTIME, CLOCK_TAI,
			       8 /* REALTIME_ALARM */, 10, 100);
		a[1] = gen_slot(g, TIME_AREA, TIME_SLOT, &at);
		nargs = 2;
		break;
	}
	default:
		fail_msg("kind %d", k);
	}
	say(g, " )\n");
	i = chain_op(g->c, nr, (unsigned int)nargs, a);
	assert_int_equal(i, g->n);
	g->kind[g->n++] = k;
	return i;
}

/* the structures the ops read: written after each side's make_state() */
static void setup_mem(const struct gen *g)
{
	static const long long offs[NR_OFFS] = {
		0, 10, 100, 1000, -1, 5000, 3, 50,
	};
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int i;

	memcpy(sun.sun_path, "\0syschain-diff-none", 19);
	memcpy(MEM + OFFS_AREA, offs, sizeof(offs));
	memset(MEM + DENT_AREA, 0, MAX_OPS * DENT_SLOT);
	for (i = 0; i < g->n; i++) {
		if (g->has_iov[i])
			memcpy(MEM + IOV_AREA + i * IOV_MAX_GEN *
			       sizeof(struct iovec), g->iov[i],
			       sizeof(g->iov[i]));
		if (g->has_addr[i]) {
			memcpy(MEM + ADDR_AREA + i * ADDR_SLOT, &sun,
			       sizeof(sun));
			memcpy(MEM + ADDR_AREA + i * ADDR_SLOT + ADDRLEN_AT,
			       &g->addrlen[i], sizeof(int));
		}
	}
}
static const char *const cmp_name[] = {
	"?", "ALWAYS", "EQ", "NE", "LT", "LE", "GT", "GE",
	"ULT", "ULE", "UGT", "UGE",
};

static void gen_chain(struct gen *g, int *max_steps, bool *soe)
{
	int nops = 1 + rn(MAX_OPS), i, labels[2], nl = 0;
	int label_at[2] = { -1, -1 };
	static const long long rhs_vals[] = { -9, -2, -1, 0, 1, 5, 20, 100 };

	g->n = 0;
	g->dlen = 0;
	chain_reset(g->c);
	*soe = rn(2);
	*max_steps = 1 + rn(40);
	chain_set_stop_on_error(g->c, *soe);
	chain_set_max_steps(g->c, *max_steps);
	say(g, "stop_on_error=%d max_steps=%d\n", *soe, *max_steps);
	for (i = 0; i < 2; i++) {
		if (rn(3))
			continue;
		labels[nl] = chain_label(g->c);
		label_at[nl] = rn(nops + 1);
		nl++;
	}
	for (i = 0; i < nops; i++) {
		int l;

		for (l = 0; l < nl; l++)
			if (label_at[l] == i) {
				chain_label_here(g->c, labels[l]);
				say(g, "  label %d here\n", l);
			}
		gen_op(g);
		if (!rn(6)) {
			chain_ignore_error(g->c, i);
			say(g, "    ignore_error\n");
		}
	}
	for (i = 0; i < nl; i++)
		if (label_at[i] == nops) {
			chain_label_here(g->c, labels[i]);
			say(g, "  label %d at end\n", i);
		}
	/* conditions, added in random op order */
	for (i = rn(nops + 1); i > 0; i--) {
		int op = rn(nops), cmp = 1 + rn(11), ret;
		struct chain_arg rhs;
		bool ref = cmp != CHAIN_ALWAYS && !rn(4);

		if (cmp == CHAIN_ALWAYS) {
			rhs = CHAIN_ARG(0);
			say(g, "  cond op %d ALWAYS", op);
		} else if (ref) {
			int ro = rn(nops), add = rn(5) - 2;

			rhs = CHAIN_ARG(chain_res_add(ro, add));
			say(g, "  cond op %d %s res(%d)%+d", op, cmp_name[cmp],
			    ro, add);
		} else {
			long long v = rhs_vals[rn(8)];

			rhs = CHAIN_ARG(v);
			say(g, "  cond op %d %s %lld", op, cmp_name[cmp], v);
		}
		if (rn(3) == 0) {
			ret = chain__stop_if(g->c, op, (enum chain_cmp)cmp, rhs);
			say(g, " stop\n");
		} else if (nl && rn(2)) {
			int l = rn(nl);

			ret = chain__jump_if(g->c, op, (enum chain_cmp)cmp, rhs,
					     labels[l], true);
			say(g, " goto label %d\n", l);
		} else {
			/* now and then a target past the end: invalid */
			int t = rn(50) ? rn(nops + 1) : nops + 1;

			ret = chain__jump_if(g->c, op, (enum chain_cmp)cmp, rhs,
					     t, false);
			say(g, " jump %d\n", t);
		}
		assert_true(ret >= 0);
	}
}

/* ------------------------------------------------------------------ */
/* Running and comparing                                                */

struct outcome {
	int ret;
	struct chain_report rep;
	int64_t res[MAX_OPS];
	uint64_t count[MAX_OPS];
};

static void run_side(struct gen *g, enum chain_backend b, struct outcome *o,
		     struct snap *s)
{
	int i;

	make_state();
	setup_mem(g);
	chain_set_backend(g->c, b);
	o->ret = chain_run(g->c);
	o->rep = *chain_report(g->c);
	for (i = 0; i < g->n; i++) {
		o->res[i] = chain_ret(g->c, i);
		o->count[i] = chain_count(g->c, i);
	}
	take_snap(s);
}

static int diverge(const char *what, uint64_t seed, int idx, struct gen *g)
{
	printf("test_diff: DIVERGENCE in %s: seed %#llx chain %d "
	       "(replay: DIFF_ONLY=%#llx:%d)\n%s", what,
	       (unsigned long long)seed, idx, (unsigned long long)seed, idx,
	       g->dump);
	return 1;
}

/* what may differ between the sides (see the top of the file) */
static void mask_stat(unsigned char *m, int at)
{
	memset(m + MEM_OFF + at + offsetof(struct stat, st_ino), 0,
	       sizeof(((struct stat *)0)->st_ino));
	memset(m + MEM_OFF + at + offsetof(struct stat, st_atim), 0,
	       3 * sizeof(struct timespec));
}

static void mask_dents(unsigned char *m, int at, int64_t ret, uint64_t cnt)
{
	unsigned char *b = m + MEM_OFF + at;
	int64_t pos = 0, n = ret > 0 && ret <= DENT_SLOT ? ret : 0;

	while (pos + 19 < n) {
		uint16_t reclen;

		memcpy(&reclen, b + pos + 16, 2);
		memset(b + pos, 0, 8);		/* d_ino */
		if (reclen < 20 || pos + reclen > n)
			break;
		pos += reclen;
	}
	if (cnt > 1)
		memset(b + n, 0, DENT_SLOT - n);
}

static void normalize(unsigned char *m, const struct gen *g,
		      const struct outcome *o)
{
	int i;

	memcpy(m, m == norm_k ? region_k : region, REGION);
	memset(m + MEM_OFF + TIME_AREA, 0, MAX_OPS * TIME_SLOT);
	for (i = 0; i < g->n; i++) {
		if (g->stat_at[i] >= 0)
			mask_stat(m, g->stat_at[i]);
		if (g->dent_at[i] >= 0)
			mask_dents(m, g->dent_at[i], o->res[i], o->count[i]);
	}
}

static int compare(uint64_t seed, int idx, struct gen *g,
		   const struct outcome *k, const struct outcome *u)
{
	int i, bad = 0;

	if (k->ret != u->ret) {
		printf("chain_run: kernel %d, user %d\n", k->ret, u->ret);
		return diverge("chain_run()", seed, idx, g);
	}
	if (k->rep.status != u->rep.status || k->rep.steps != u->rep.steps ||
	    k->rep.stop_op != u->rep.stop_op ||
	    k->rep.stop_cond != u->rep.stop_cond) {
		printf("report: kernel %s steps %llu op %d cond %d, "
		       "user %s steps %llu op %d cond %d\n",
		       chain_status_str(k->rep.status),
		       (unsigned long long)k->rep.steps, k->rep.stop_op,
		       k->rep.stop_cond, chain_status_str(u->rep.status),
		       (unsigned long long)u->rep.steps, u->rep.stop_op,
		       u->rep.stop_cond);
		return diverge("report", seed, idx, g);
	}
	if (!k->ret && k->rep.backend != CHAIN_BACKEND_KERNEL &&
	    !getenv("DIFF_SELFTEST"))
		return diverge("backend (kernel side ran in user)", seed, idx,
			       g);
	for (i = 0; i < g->n; i++)
		if (k->res[i] != u->res[i] || k->count[i] != u->count[i]) {
			printf("op %d: kernel %lld x%llu, user %lld x%llu\n", i,
			       (long long)k->res[i],
			       (unsigned long long)k->count[i],
			       (long long)u->res[i],
			       (unsigned long long)u->count[i]);
			bad = 1;
		}
	if (bad)
		return diverge("results", seed, idx, g);
	normalize(norm_k, g, k);
	normalize(norm_u, g, u);
	if (memcmp(norm_k, norm_u, REGION)) {
		for (i = 0; i < REGION && norm_k[i] == norm_u[i]; i++)
			;
		printf("memory differs first at mem%+d (kernel %#x, user "
		       "%#x)\n", i - MEM_OFF, norm_k[i], norm_u[i]);
		return diverge("memory", seed, idx, g);
	}
	for (i = 0; i < FD_SPAN; i++)
		if (snap_k.fd_pos[i] != snap_u.fd_pos[i] ||
		    snap_k.fd_flags[i] != snap_u.fd_flags[i] ||
		    snap_k.fd_fdflags[i] != snap_u.fd_fdflags[i] ||
		    snap_k.fd_ident[i] != snap_u.fd_ident[i]) {
			printf("fd %d: kernel pos %lld flags %#x/%#x object %d, "
			       "user pos %lld flags %#x/%#x object %d\n",
			       fd_base + i, snap_k.fd_pos[i],
			       snap_k.fd_flags[i], snap_k.fd_fdflags[i],
			       snap_k.fd_ident[i], snap_u.fd_pos[i],
			       snap_u.fd_flags[i], snap_u.fd_fdflags[i],
			       snap_u.fd_ident[i]);
			return diverge("descriptors", seed, idx, g);
		}
	for (i = 0; i < P_NDATA; i++)
		if (snap_k.size[i] != snap_u.size[i] ||
		    snap_k.len[i] != snap_u.len[i] ||
		    (snap_k.len[i] > 0 &&
		     memcmp(snap_k.data[i], snap_u.data[i], snap_k.len[i]))) {
			printf("file %s: kernel size %lld, user size %lld\n",
			       paths[i], snap_k.size[i], snap_u.size[i]);
			return diverge("files", seed, idx, g);
		}
	if (snap_k.ntree != snap_u.ntree)
		bad = 1;
	for (i = 0; !bad && i < snap_k.ntree; i++) {
		const struct tree_ent *a = &snap_k.tree[i], *b = &snap_u.tree[i];

		if (strcmp(a->path, b->path) || a->mode != b->mode ||
		    a->nlink != b->nlink || a->uid != b->uid ||
		    a->size != b->size || a->blocks != b->blocks ||
		    a->hash != b->hash)
			bad = 1;
	}
	if (bad) {
		for (i = 0; i < snap_k.ntree || i < snap_u.ntree; i++) {
			const struct tree_ent *a = &snap_k.tree[i];
			const struct tree_ent *b = &snap_u.tree[i];

			printf("  tree %2d: kernel %-14s %06o n%u s%lld b%lld "
			       "%016llx | user %-14s %06o n%u s%lld b%lld "
			       "%016llx\n", i,
			       i < snap_k.ntree ? a->path : "-", a->mode,
			       a->nlink, a->size, a->blocks,
			       (unsigned long long)a->hash,
			       i < snap_u.ntree ? b->path : "-", b->mode,
			       b->nlink, b->size, b->blocks,
			       (unsigned long long)b->hash);
		}
		return diverge("directory tree", seed, idx, g);
	}
	if (snap_k.pipe_len != snap_u.pipe_len ||
	    memcmp(snap_k.pipe, snap_u.pipe, snap_k.pipe_len)) {
		printf("pipe: kernel %d bytes, user %d bytes\n",
		       snap_k.pipe_len, snap_u.pipe_len);
		return diverge("pipe", seed, idx, g);
	}
	for (i = 0; i < 4; i++)
		if (snap_k.sock_len[i] != snap_u.sock_len[i] ||
		    memcmp(snap_k.sock[i], snap_u.sock[i],
			   snap_k.sock_len[i])) {
			printf("socket fd%d: kernel %d bytes left, user %d\n",
			       fds[FD_SOCK0 + i], snap_k.sock_len[i],
			       snap_u.sock_len[i]);
			return diverge("socket", seed, idx, g);
		}
	return 0;
}

static int nr_chains(void)
{
	const char *s = getenv("DIFF_CHAINS");

	return s && atoi(s) > 0 ? atoi(s) : 1000;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void diff_seed(uint64_t seed, int n_dir)
{
	static struct gen g;
	struct outcome ok, ou;
	int i, n = nr_chains(), statuses[SYSCHAIN_STATUS_INVALID + 1] = { 0 };
	int invalid = 0, only = -1, ran = 0;
	const char *o = getenv("DIFF_ONLY");
	double t0 = now();

	if (o) {
		char *end;
		unsigned long long s = strtoull(o, &end, 0);

		if (s != seed) {
			printf("test_diff: seed %#llx: skipped (DIFF_ONLY)\n",
			       (unsigned long long)seed);
			return;
		}
		only = *end == ':' ? atoi(end + 1) : -1;
		if (only >= n)
			n = only + 1;
	}
	snprintf(dir, sizeof(dir), "/tmp/diff-%d", n_dir);
	snprintf(rel_dir, sizeof(rel_dir), "diff-%d", n_dir);
	snprintf(paths[P_F0], sizeof(paths[0]), "%s/f0", dir);
	snprintf(paths[P_F1], sizeof(paths[0]), "%s/f1", dir);
	snprintf(paths[P_F2], sizeof(paths[0]), "%s/f2", dir);
	snprintf(paths[P_F3], sizeof(paths[0]), "%s/f3", dir);
	snprintf(paths[P_NEW], sizeof(paths[0]), "%s/new", dir);
	snprintf(paths[P_DIR], sizeof(paths[0]), "%s", dir);
	snprintf(paths[P_MISSING], sizeof(paths[0]), "%s/missing/x", dir);
	snprintf(paths[P_SUBG], sizeof(paths[0]), "%s/sub/g", dir);
	snprintf(paths[P_SUB], sizeof(paths[0]), "%s/sub", dir);
	snprintf(paths[P_LINK], sizeof(paths[0]), "%s/link", dir);
	snprintf(paths[P_DANGLE], sizeof(paths[0]), "%s/dangle", dir);

	assert_int_equal(chain_new(&g.c), 0);
	rng = seed;
	for (i = 0; i < n; i++) {
		int max_steps;
		bool soe;

		gen_chain(&g, &max_steps, &soe);
		if (only >= 0 && i != only)
			continue;
		if (only >= 0)
			printf("%s", g.dump);
		ran++;
		run_side(&g, getenv("DIFF_SELFTEST") ? CHAIN_BACKEND_USER :
			 CHAIN_BACKEND_KERNEL, &ok, &snap_k);
		memcpy(region_k, region, REGION);
		if (ok.ret == -ENOENT || ok.ret == -EACCES)
			fail_msg("cannot use /dev/syschain: %s",
				 strerror(-ok.ret));
		run_side(&g, CHAIN_BACKEND_USER, &ou, &snap_u);
		if (compare(seed, i, &g, &ok, &ou))
			fail_msg("kernel and user backends diverge");
		if (ok.ret)
			invalid++;
		else
			statuses[ok.rep.status]++;
	}
	close_all();
	rm_tree();
	chain_free(g.c);
	printf("test_diff: seed %#llx: %d chains identical (completed %d, "
	       "stopped %d, failed %d, budget %d, unresolved %d, "
	       "rejected %d) in %.1f s\n", (unsigned long long)seed, ran,
	       statuses[SYSCHAIN_STATUS_COMPLETED],
	       statuses[SYSCHAIN_STATUS_STOPPED],
	       statuses[SYSCHAIN_STATUS_FAILED],
	       statuses[SYSCHAIN_STATUS_BUDGET],
	       statuses[SYSCHAIN_STATUS_UNRESOLVED], invalid, now() - t0);
	assert_int_equal(statuses[SYSCHAIN_STATUS_INTERRUPTED], 0);
	assert_int_equal(statuses[SYSCHAIN_STATUS_FAULT], 0);
}

static void test_seed_1(void **state) { (void)state; diff_seed(0x5eed0001, 1); }
static void test_seed_2(void **state) { (void)state; diff_seed(0x5eed0002, 2); }
static void test_seed_3(void **state) { (void)state; diff_seed(0xc0ffee, 3); }
static void test_seed_4(void **state) { (void)state; diff_seed(0xdeadbeef, 4); }

static int group_setup(void **state)
{
	struct chain_probe p;
	int ret;

	(void)state;
	/* opens the device first, so it sits below the state's descriptors */
	ret = chain_probe(&p);
	if (ret < 0 && getenv("DIFF_SELFTEST"))
		ret = 0;	/* host check of the test itself, user vs user */
	if (ret < 0) {
		fprintf(stderr, "test_diff: /dev/syschain: %s\n",
			strerror(-ret));
		return -1;	/* a failure, never a skip */
	}
	/* relative names with AT_FDCWD resolve from /tmp, as in the guest */
	if (chdir("/tmp"))
		return -1;
	fd_base = open("/dev/null", O_RDONLY);
	if (fd_base < 0)
		return -1;
	close(fd_base);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_1),
		cmocka_unit_test(test_seed_2),
		cmocka_unit_test(test_seed_3),
		cmocka_unit_test(test_seed_4),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
