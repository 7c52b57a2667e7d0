// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Differential test: random chains over every op the module supports, each
 * run from identical starting states by
 *  - libchain's kernel backend (/dev/syschain),
 *  - libchain's user backend (plain syscalls, but the same interpreter,
 *    module/engine.c, as the module), and
 *  - an independent oracle (oracle.h): a reference interpreter written
 *    from the ABI's documentation, not from engine.c, running the ops as
 *    syscall(2)s. An interpreter bug (references, conditions, budget,
 *    validation) hits both libchain backends alike; the oracle catches it.
 * The kernel is compared with the oracle and with the user backend, and the
 * user backend with the oracle: every field of the report (the ioctl's
 * value, status, steps, stop_op, stop_cond), every op's result and count,
 * the memory the ops wrote, the directory tree (names, types, modes, owners,
 * link counts, sizes, blocks, contents, link targets, and which of atime,
 * mtime and ctime each entry's ops changed), the descriptors (open or not,
 * what they refer to, position, status and descriptor flags), what is left
 * in the pipe and the sockets, the inotify events on the directory and its
 * subdirectory (every one, in order) and the signals the chain's process
 * handled (counting handlers). Any divergence fails and prints the seed,
 * the chain's index and a dump of the chain; DIFF_ONLY=<seed>:<index>
 * replays that one chain.
 *
 * The op boundaries (uapi "Op boundaries"): a chain must cross them as a
 * program crosses the ones between its syscalls, and all three sides are
 * held to it exactly. A closed file is released before the next op: the
 * pipe read after the chain closed the pipe's last write end gets 0, not
 * -EAGAIN (an idiom makes that shape), and a closed file's IN_CLOSE_*
 * event comes before the next op's events. A signal raised by an op
 * (SIGPIPE) has its handler run before the next op, and the chain goes on;
 * the handlers stamp the read/write buffers, so a handler run at another
 * time shows in what later ops write. And one op blocks on purpose, now
 * and then: a read of an empty blocking pipe, which a helper process wakes
 * (helper_main()) with SIGUSR1, whose handler has no SA_RESTART (the read
 * returns -EINTR, an ordinary result: conditions and stop-on-error apply,
 * and the chain goes on), with SIGUSR2, whose handler has SA_RESTART, or
 * with SIGSTOP and SIGCONT (the read is restarted and gets what the helper
 * then writes). Per seed, each of these shapes must have occurred.
 *
 * Besides, each chain the oracle accepts is mutated into one the ABI says
 * must be rejected (a reserved field, an unknown flag or comparison, an
 * argument past the op's count, a reference forward, a jump past the end, a
 * bad size, an unsupported or refused op, ...), sent with the raw ioctl,
 * and the module's errno, status, steps and culprit (stop_op, stop_cond)
 * are compared with the oracle's.
 *
 * It asserts progress, so a run where everything is rejected, stops at
 * once or never runs an op fails: per seed, a minimum share of completed
 * chains, of op slots executed (the generator keeps deliberate errors
 * rare in most chains, budgets mostly large, and builds terminating loops:
 * read to end of file, lseek counters), of each status, of the op
 * boundaries' shapes, and every supported op must have run, and
 * succeeded, at least once. The probe's op list drives the generator
 * through a per-op table keyed by syscall number: an op of
 * module/oplist.h or of the probe that the table lacks fails the test.
 *
 * The state: a scratch directory DIFF_MNT/diff-N on a tmpfs of its own
 * mounted with strictatime, with files, a subdirectory, a symlink and a
 * dangling one, owned by root, by 1000 and by nobody with various modes,
 * some with extended attributes (make_xattrs(): no POSIX ACL);
 * descriptors on them (one O_PATH), a non-blocking pipe, two non-blocking
 * AF_UNIX socketpairs (stream and datagram) with data queued, and two
 * broken ends: a pipe's write end whose read end is closed and a stream
 * socket whose peer is closed (EPIPE and SIGPIPE). It is recreated
 * identically (same descriptor numbers) before each side, with the clock
 * set back to 2001 while it is made (in the guest only): every timestamp
 * an op does not change stays in 2001 and every one it changes is now, so
 * "changed or not" is deterministic for atime, mtime and ctime alike.
 * Keep-alive duplicates of the pipe's read end and of the socketpairs' ends
 * sit out of the chains' reach, so the snapshot can drain what is left; so
 * does the empty blocking pipe, but for the blocking read.
 * A share of the chains runs, on every side, in a forked child as a
 * non-root identity (setresgid/setresuid: nobody, a real/effective split,
 * a setuid-root-like one), which makes permission checks and faccessat's
 * real-id rule part of the comparison.
 *
 * Chains only use descriptors of that state or returned by their own
 * openat and dup ops (or received with SCM_RIGHTS), buffers inside a region
 * that is reset before each side, bounded counts, directory descriptors
 * of that state or their own (openat, mkdirat, newfstatat and faccessat*
 * take any, and half of the openat ops name one). Errors are generated on purpose in some chains: bad
 * descriptors, (void *)1 and NULL buffers, paths, iovec and msghdr arrays,
 * bad counts and lengths, missing paths, bad flags, modes, whence, advice,
 * clock ids and timespecs. Nothing blocks but the blocking read: every
 * other pipe and socket is O_NONBLOCK, the sleeps sleep 0-2 ms.
 *
 * What legitimately differs between the sides is masked, and only that:
 *  - stat buffers (fstat, newfstatat; each op has its own slot): st_ino,
 *    and each timestamp is reduced to "changed since the state was made".
 *  - getdents64 buffers (own slot each): d_ino of each record the last
 *    run of the op returned; past its last result when the op ran more
 *    than once.
 *  - clock_gettime and gettimeofday time buffers, getrandom's bytes: not
 *    compared (the time, random bytes); results are.
 *  - non-root chains do not use getpid/gettid (each side's child has its
 *    own pid); getppid, the ids and everything else are compared.
 *  - SCM_CREDENTIALS are passed (SO_PASSCRED) only in root chains, where
 *    every side is the same process.
 * Where the backends differ by design, the user backend is compared with
 * the oracle run the user backend's way (the module's refused calls run)
 * instead of with the kernel: the calls the README lists as refused are
 * rejected by the module only.
 *
 * DIFF_CHAINS=N in the environment changes the number of chains per seed;
 * DIFF_KEEP_GOING=1 reports every divergence of a seed before failing;
 * DIFF_SELFTEST=1 runs the kernel side on the user backend too (to check
 * the test itself on a host without the module).
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
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/futex.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <libchain.h>

#include "oracle.h"
#include "ops.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE	0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE	0x02
#endif
#ifndef AT_EACCESS
#define AT_EACCESS		0x200
#endif

#define MAX_OPS		16
#define MAX_CONDS	16
#define FD_SPAN		64	/* descriptors checked and closed */
#define FD_HIGH		(FD_SPAN + 8)	/* out of the chains' reach */
#define REGION		(256 * 1024)
#define MEM_OFF		(REGION / 2)
#define SNAP_MAX	(1024 * 1024)
#define EV_MAX		16384
#define DIFF_MNT	"/tmp/syschain-diff"
#define OLD_TIME	1000000000LL	/* the state is made in 2001 */
#define NEW_TIME	1500000000LL	/* and a time from here on is "now" */
#define NOBODY		65534
#define USER		1000

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
#define SLEEP_AREA	29184			/* 16 x (req, rem) timespecs */
#define SLEEP_SLOT	32
#define DENT_AREA	32768			/* 16 x 1024: getdents64 */
#define DENT_SLOT	1024
#define MSG_AREA	49152			/* 16 x 512: msghdr and its parts */
#define MSG_SLOT	512
#define MSG_IOV_AT	64			/* 4 iovecs */
#define MSG_NAME_AT	128			/* sockaddr_un */
#define MSG_CTL_AT	256			/* control, up to 128 bytes */
#define MSG_IOV_MAX	4

static unsigned char *region;	/* MAP_SHARED: a non-root child writes it */
static unsigned char pattern[REGION];	/* what it holds before each side */
#define MEM (region + MEM_OFF)

static int fd_base;		/* first descriptor of the state */
static int dev_fd;		/* /dev/syschain for the raw ioctls */
static bool in_vm, selftest, keep_going;
static char dir[64];
static char rel_dir[64];	/* dir relative to the cwd, /tmp */
static char mnt_rel[32];	/* DIFF_MNT relative to /tmp, or "" */

/* paths of the state; the first P_NDATA have their data compared by name */
enum { P_F0, P_F1, P_F2, P_F3, P_NEW, P_NDATA = P_NEW + 1,
       P_DIR = P_NDATA, P_MISSING, P_SUBG, P_SUB, P_LINK, P_DANGLE, NPATHS };
static char paths[NPATHS][96];
/* names relative to the directory (mkdirat, newfstatat, faccessat*) */
static const char *const names_exist[] = {
	"f0", "f1", "f3", "sub", "sub/g", "link", ".", "..", "sub/.", "f2",
};
static const char *const names_new[] = { "new", "d1", "d2", "sub/d3" };
static const char *const names_bad[] = {
	"dangle", "missing/x", "f0/x", "link/", "", "sub/g/",
};
#define NAME(list) list[rn((int)(sizeof(list) / sizeof(list[0])))]

/* the probe */
static struct chain_probe probe;
static struct oracle_env oenv;

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
/* What a side leaves: written where the chain ran (maybe a child)      */

enum side_id { S_K, S_U, S_O, S_OU, NSIDES };
enum { SG_PIPE, SG_USR1, SG_USR2, NR_SG };
static const char *const sg_name[] = { "SIGPIPE", "SIGUSR1", "SIGUSR2" };
static const char *const side_name[] = {
	"kernel", "user", "oracle", "oracle (as the user backend)",
};

struct side_out {
	int ret;
	struct chain_report rep;
	int64_t res[MAX_OPS];
	uint64_t count[MAX_OPS];
	int nr_culprits;			/* oracle: every culprit */
	struct oracle_culprit culprit[ORACLE_MAX_CULPRITS];
	bool unknown_op, refused;
	/* descriptors, as the chain's process sees them */
	long long fd_pos[FD_SPAN];	/* lseek CUR, -errno, or -EBADF */
	int fd_flags[FD_SPAN];		/* F_GETFL or -errno */
	int fd_fdflags[FD_SPAN];	/* F_GETFD or -errno */
	dev_t fd_dev[FD_SPAN];
	ino_t fd_ino[FD_SPAN];
	int fd_keep[FD_SPAN];		/* keep-alive index, or -1 */
	bool fd_open[FD_SPAN];
	/* inotify events, raw */
	char ev[EV_MAX];
	int ev_len;
	unsigned int sigs[NR_SG];	/* handlers run, per signal */
	/*
	 * The oracle's hook: shapes of the op boundaries, seen on the
	 * oracle's own run (exactly, with resolved arguments and results),
	 * for the coverage (check_progress())
	 */
	bool pipe_writers_gone, pipe_eof_after_close, closed_tree_file;
	bool sig_then_op;		/* an op ran after a handler ran */
	bool eintr, eintr_then_op;	/* an op returned -EINTR; one ran next */
	bool blk_ran, blk_data;		/* the blocking read ran; read data */
	int hook_what;
	int child_err;			/* a non-root child failed: errno */
};

struct shared {
	volatile unsigned int sigs[NR_SG];	/* counted by the handlers */
	/* the blocking read's helper (see helper_main()) */
	volatile pid_t target;		/* the process that runs the chain */
	volatile int helper_kind;	/* enum blk */
	volatile unsigned int helper_gen;	/* a side began (a futex) */
	volatile unsigned int helper_stop;	/* that side ended */
	volatile unsigned int helper_ack;	/* the helper is done with it */
	volatile int helper_ok;		/* and found all as it should be */
	struct side_out cur;
};
static struct shared *sh;
static pid_t helper_pid = -1;

/*
 * The handlers of SIGPIPE (raised by a write to a broken pipe or socket),
 * SIGUSR1 (no SA_RESTART) and SIGUSR2 (SA_RESTART), which the blocking
 * read's helper sends: each run is counted, and stamps the read/write
 * buffers MEM + [0, STAMP_LEN) (adds a value to each byte), so that when
 * a handler runs shows in what the later ops write: between the op that
 * raised the signal and the next op, as between two syscalls, and not,
 * say, when the ioctl returns.
 */
#define STAMP_LEN	2048

static void on_signal(int sig)
{
	int k = sig == SIGPIPE ? SG_PIPE : sig == SIGUSR1 ? SG_USR1 : SG_USR2;
	unsigned char d = (unsigned char)(16 * k + 2 * sh->sigs[k] + 1);
	int i;

	sh->sigs[k]++;
	for (i = 0; i < STAMP_LEN; i++)
		MEM[i] += d;
}

/* ------------------------------------------------------------------ */
/* State                                                                */

enum { FD_RW, FD_RO, FD_WO, FD_APP, FD_DIR, FD_PR, FD_PW, FD_SS0, FD_SS1,
       FD_SD0, FD_SD1, FD_SUB, FD_OPATH, FD_BPW, FD_BSS, NR_FDS };
#define FD_SOCK0 FD_SS0		/* the four socket ends: FD_SOCK0 + 0..3 */
static int fds[NR_FDS];
/* out of reach: the pipe's read end and the four socket ends */
#define NR_KEEP 5
static int keep[NR_KEEP] = { -1, -1, -1, -1, -1 };
static int ev_fd = -1;
static ino_t pipe_ino;		/* the pipe's inode, per state */
/*
 * The blocking pipe, empty: a read of its read end waits until the
 * helper wakes it (gen_blocking(), helper_main()). Made once, at fixed
 * numbers, for the helper's sake; out of the chains' reach but for that
 * read.
 */
#define BLK_FD		(FD_HIGH + 8)
static int blk_r, blk_w;
static dev_t tree_dev;		/* the directory's filesystem */

/* empty, as every side begins (only a failed side leaves data there) */
static void blk_drain(void)
{
	char b[4096];
	int n;

	while (!ioctl(blk_r, FIONREAD, &n) && n > 0)
		assert_true(read(blk_r, b, sizeof(b)) > 0);
}

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
	int i;

	/*
	 * every descriptor from fd_base up (a loop may dup past FD_SPAN)
	 * but the blocking pipe, which stays
	 */
	assert_int_equal(syscall(__NR_close_range, fd_base, blk_r - 1, 0), 0);
	assert_int_equal(syscall(__NR_close_range, blk_w + 1, ~0U, 0), 0);
	for (i = 0; i < NR_KEEP; i++)
		keep[i] = -1;
	ev_fd = -1;
}

static void put_file(const char *path, int len, int seed, mode_t mode,
		     uid_t uid, gid_t gid)
{
	char data[1024];
	int fd, k;

	for (k = 0; k < len; k++)
		data[k] = (char)('a' + (k + seed) % 26);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), len);
	assert_int_equal(fchown(fd, uid, gid), 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/*
 * The clock goes back to 2001 while the state is made (in the guest, where
 * nothing else runs; never on a host): then every timestamp the chain does
 * not change is in 2001 and every one it changes is now. Monotonic time
 * carries the real time across.
 */
static struct timespec clk_real, clk_mono;

static void clock_old(void)
{
	struct timespec old = { OLD_TIME, 0 };

	if (!in_vm)
		return;
	clock_gettime(CLOCK_REALTIME, &clk_real);
	clock_gettime(CLOCK_MONOTONIC, &clk_mono);
	assert_int_equal(clock_settime(CLOCK_REALTIME, &old), 0);
}

static void clock_now(void)
{
	struct timespec m, t;
	long long ns;

	if (!in_vm)
		return;
	clock_gettime(CLOCK_MONOTONIC, &m);
	ns = (m.tv_sec - clk_mono.tv_sec) * 1000000000LL +
		(m.tv_nsec - clk_mono.tv_nsec) + clk_real.tv_nsec;
	t.tv_sec = clk_real.tv_sec + ns / 1000000000LL;
	t.tv_nsec = ns % 1000000000LL;
	assert_int_equal(clock_settime(CLOCK_REALTIME, &t), 0);
}

/* on a host: at least atime and mtime go back (ctime cannot) */
static int old_one(const char *p, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	struct timespec ts[2] = { { OLD_TIME, 0 }, { OLD_TIME, 0 } };

	(void)st; (void)flag; (void)ftw;
	utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* put descriptor fd at number want (a free one), closing fd */
static void move_fd(int fd, int want)
{
	assert_true(fd >= 0);
	if (fd != want) {
		assert_int_equal(dup3(fd, want, 0), want);
		close(fd);
	}
}

/*
 * Extended attributes for the xattr ops to read, made with the tree (their
 * ctime stays old): trusted.t (read by root only; others get -ENODATA) on
 * every file and directory of the tree and on the symlink itself (values
 * of two lengths), and user.u on f0, f3 and sub where the file system
 * takes user.* (tmpfs from 6.6 on: not 6.1's, whose answer, -EOPNOTSUPP,
 * the ops then compare). No POSIX ACL: the module refuses their names per
 * call (README), which this test does not model.
 */
static void make_xattrs(void)
{
	static const int tr[] = { P_F0, P_F1, P_F2, P_F3, P_DIR, P_SUB,
				  P_SUBG, P_LINK };
	static const int us[] = { P_F0, P_F3, P_SUB };
	char v[32];
	size_t i;
	int r;

	for (i = 0; i < sizeof(tr) / sizeof(tr[0]); i++) {
		r = snprintf(v, sizeof(v), "trusted-%d-%s", tr[i],
			     i & 1 ? "odd" : "even-and-longer");
		r = lsetxattr(paths[tr[i]], "trusted.t", v, (size_t)r, 0);
		if (r && in_vm)
			fail_msg("lsetxattr %s trusted.t: %s", paths[tr[i]],
				 strerror(errno));
	}
	for (i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		r = snprintf(v, sizeof(v), "user-%d", us[i]);
		r = setxattr(paths[us[i]], "user.u", v, (size_t)r, 0);
		if (r && errno != EOPNOTSUPP && in_vm)
			fail_msg("setxattr %s user.u: %s", paths[us[i]],
				 strerror(errno));
	}
}

static void make_files(void)
{
	if (mkdir(dir, 0775))
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	assert_int_equal(chown(dir, 0, USER), 0);
	assert_int_equal(chmod(dir, 0775), 0);
	put_file(paths[P_F0], 100, 0, 0644, 0, 0);
	put_file(paths[P_F1], 400, 1, 0640, 0, USER);
	put_file(paths[P_F2], 700, 2, 0600, 0, 0);
	put_file(paths[P_F3], 1000, 3, 0660, USER, USER);
	assert_int_equal(mkdir(paths[P_SUB], 0770), 0);
	put_file(paths[P_SUBG], 77, 9, 0644, NOBODY, NOBODY);
	assert_int_equal(chown(paths[P_SUB], NOBODY, NOBODY), 0);
	assert_int_equal(symlink("f0", paths[P_LINK]), 0);
	assert_int_equal(symlink("gone", paths[P_DANGLE]), 0);
	make_xattrs();
}

static void make_socks(bool passcred)
{
	int p[2], one = 1;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				    p), 0);
	fds[FD_SS0] = p[0];
	fds[FD_SS1] = p[1];
	/*
	 * Credentials ride on the stream pair: a datagram sent to (or from)
	 * a socket with SO_PASSCRED autobinds its sender to a name from a
	 * global counter, which would differ between the sides.
	 */
	if (passcred)
		assert_int_equal(setsockopt(p[0], SOL_SOCKET, SO_PASSCRED,
					    &one, sizeof(one)), 0);
	assert_int_equal(write(p[1], "stream-to-0:abcdefgh", 20), 20);
	assert_int_equal(write(p[0], "stream-to-1", 11), 11);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0,
				    p), 0);
	fds[FD_SD0] = p[0];
	fds[FD_SD1] = p[1];
	assert_int_equal(send(p[1], "dgram-one", 9, 0), 9);
	assert_int_equal(send(p[1], "dgram-two-longer", 16, 0), 16);
	assert_int_equal(send(p[0], "dgram-back", 10, 0), 10);
}

static void make_state(bool passcred)
{
	int i, p[2];
	struct stat st;

	close_all();
	rm_tree();
	clock_old();
	umask(022);		/* a umask op of the other side set its own */
	make_files();
	fds[FD_RW] = open(paths[P_F0], O_RDWR);
	fds[FD_RO] = open(paths[P_F1], O_RDONLY);
	fds[FD_WO] = open(paths[P_F2], O_WRONLY);
	fds[FD_APP] = open(paths[P_F3], O_WRONLY | O_APPEND);
	fds[FD_DIR] = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	fds[FD_PR] = p[0];
	fds[FD_PW] = p[1];
	assert_int_equal(write(p[1], "pipe-data-0123456789", 20), 20);
	make_socks(passcred);
	fds[FD_SUB] = open(paths[P_SUB], O_RDONLY | O_DIRECTORY);
	fds[FD_OPATH] = open(paths[P_F1], O_PATH);
	/* a pipe without reader: its write end replaces its read end */
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	move_fd(p[1], p[0]);
	fds[FD_BPW] = p[0];
	/* a stream socket whose peer is gone */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				    p), 0);
	close(p[1]);
	fds[FD_BSS] = p[0];
	for (i = 0; i < NR_FDS; i++)
		assert_int_equal(fds[i], fd_base + i);
	keep[0] = fcntl(fds[FD_PR], F_DUPFD_CLOEXEC, fd_base + FD_HIGH);
	for (i = 0; i < 4; i++)
		keep[1 + i] = fcntl(fds[FD_SOCK0 + i], F_DUPFD_CLOEXEC,
				    fd_base + FD_HIGH);
	for (i = 0; i < NR_KEEP; i++)
		assert_true(keep[i] >= fd_base + FD_SPAN);
	blk_drain();
	clock_now();
	if (!in_vm)
		nftw(dir, old_one, 16, FTW_PHYS);
	assert_int_equal(fstat(fds[FD_PR], &st), 0);
	pipe_ino = st.st_ino;
	assert_int_equal(fstat(fds[FD_DIR], &st), 0);
	tree_dev = st.st_dev;
	/* the memory: a pattern */
	memcpy(region, pattern, REGION);
}

/* ------------------------------------------------------------------ */
/* Snapshots                                                            */

/* the directory tree, sorted by path */
#define TREE_MAX 48
struct tree_ent {
	char path[64];
	unsigned int mode, nlink, uid, gid;
	long long size, blocks;
	unsigned int times;	/* bit 0 atime, 1 mtime, 2 ctime: changed */
	uint64_t hash;		/* regular file: contents; symlink: target */
	dev_t dev;		/* not compared: identifies descriptors */
	ino_t ino;
};

struct snap {
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

static struct snap *snap_cur;

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

static unsigned int changed(const struct stat *st)
{
	return (st->st_atim.tv_sec >= NEW_TIME) |
		(st->st_mtim.tv_sec >= NEW_TIME) << 1 |
		(st->st_ctim.tv_sec >= NEW_TIME) << 2;
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
	e->gid = st->st_gid;
	e->size = st->st_size;
	e->blocks = st->st_blocks;
	e->times = changed(st);
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

/* the descriptors, in the process that ran the chain */
static void snap_fds(struct side_out *o)
{
	int i, j;

	for (i = 0; i < FD_SPAN; i++) {
		int fl = fcntl(fd_base + i, F_GETFL), fdf;
		struct stat st, kst;
		off_t pos;

		o->fd_flags[i] = fl < 0 ? -errno : fl;
		fdf = fcntl(fd_base + i, F_GETFD);
		o->fd_fdflags[i] = fdf < 0 ? -errno : fdf;
		pos = fl < 0 ? -1 : lseek(fd_base + i, 0, SEEK_CUR);
		o->fd_pos[i] = fl < 0 ? -EBADF : pos < 0 ? -errno : pos;
		o->fd_open[i] = false;
		o->fd_keep[i] = -1;
		if (fl < 0 || fstat(fd_base + i, &st))
			continue;
		o->fd_open[i] = true;
		o->fd_dev[i] = st.st_dev;
		o->fd_ino[i] = st.st_ino;
		for (j = 0; j < NR_KEEP; j++)
			if (!fstat(keep[j], &kst) && kst.st_dev == st.st_dev &&
			    kst.st_ino == st.st_ino)
				o->fd_keep[i] = j;
	}
}

/* the rest, in the test's process, after the chain */
static void take_snap(struct snap *s, const struct side_out *o)
{
	int i, fd, j;

	s->ntree = 0;
	snap_cur = s;
	assert_int_equal(nftw(dir, tree_one, 16, FTW_PHYS), 0);
	qsort(s->tree, s->ntree, sizeof(s->tree[0]), tree_cmp);
	for (i = 0; i < FD_SPAN; i++) {
		s->fd_ident[i] = o->fd_open[i] ? -2 : -1;
		for (j = 0; o->fd_open[i] && j < s->ntree; j++)
			if (s->tree[j].dev == o->fd_dev[i] &&
			    s->tree[j].ino == o->fd_ino[i])
				s->fd_ident[i] = j;
		if (o->fd_keep[i] >= 0)
			s->fd_ident[i] = 100 + o->fd_keep[i];
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

/* inotify: a watch on the directory and on sub, out of the chains' reach */
static void ev_open(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(fd >= 0);
	ev_fd = fcntl(fd, F_DUPFD_CLOEXEC, fd_base + FD_HIGH);
	assert_true(ev_fd >= fd_base + FD_SPAN);
	close(fd);
	assert_int_equal(inotify_add_watch(ev_fd, dir, IN_ALL_EVENTS), 1);
	assert_int_equal(inotify_add_watch(ev_fd, paths[P_SUB], IN_ALL_EVENTS),
			 2);
}

static void ev_read(struct side_out *o)
{
	ssize_t n;

	o->ev_len = 0;
	while ((n = read(ev_fd, o->ev + o->ev_len,
			 sizeof(o->ev) - o->ev_len)) > 0)
		o->ev_len += (int)n;
}

/* ------------------------------------------------------------------ */
/* The generator                                                        */

/* what an op's result is: a descriptor, a byte count, bytes read */
#define CL_FD	1U
#define CL_RW	2U
#define CL_RD	4U

enum ident { ID_ROOT, ID_NOBODY, ID_SPLIT, ID_SUID, NR_IDENTS };
static const char *const ident_name[] = {
	"root", "nobody (65534 x3)", "real 65534, effective 1000",
	"real 65534, effective root",
};

/*
 * How the blocking read is woken, per chain (the helper, helper_main()):
 * SIGUSR1, whose handler has no SA_RESTART: the read returns -EINTR;
 * SIGUSR2, whose handler has SA_RESTART: the read is restarted, and then
 * reads what the helper writes; SIGSTOP and SIGCONT, no handler: the
 * same.
 */
enum blk { BLK_NONE, BLK_EINTR, BLK_RESTART, BLK_STOP, NR_BLK };
static const char *const blk_name[] = {
	"-", "SIGUSR1 (no SA_RESTART): -EINTR",
	"SIGUSR2 (SA_RESTART), then data", "SIGSTOP, SIGCONT, then data",
};
#define BLK_DATA	"wake-up"
#define BLK_LEN		7

struct gcond {
	int op, cmp, act, target, label;	/* label -1: target is an index */
	bool ref, loop;				/* loop: of gen_idiom() */
	int rref;
	int64_t rhs;
};

struct msgspec {
	bool send;
	int name;		/* 0 NULL, 1 the slot's address, 2 (void *)1 */
	int namelen;
	int iovlen;		/* may be bad */
	bool bad_iov;		/* msg_iov (void *)1 */
	struct iovec iov[MSG_IOV_MAX];
	int ctl;		/* 0 none, 1 rights, 2 creds, 3 both, 4 bad */
	int ctllen;		/* recvmsg: the buffer's size */
	int rights[2], nrights;
	unsigned int cred_uid;
};

struct gen {
	struct chain *c;
	int n;
	long nr[MAX_OPS];
	unsigned int cls[MAX_OPS];
	struct syschain_op raw[MAX_OPS];
	struct gcond gc[MAX_CONDS];
	int ngc;
	struct syschain_cond conds[MAX_CONDS];
	int nconds;
	int label_at[2];
	bool soe;
	int max_steps;
	int err_pct;		/* chance of a deliberately bad argument */
	enum ident ident;
	enum blk blk;		/* how the blocking read is woken */
	int blk_op;		/* the blocking read's index, or -1 */
	/* per op: its stat or dirent buffer (offset from MEM), or -1 */
	int stat_at[MAX_OPS], dent_at[MAX_OPS];
	/* per op: the structures it reads, set up before each side */
	bool has_iov[MAX_OPS], has_addr[MAX_OPS], has_sleep[MAX_OPS];
	bool has_msg[MAX_OPS];
	struct iovec iov[MAX_OPS][IOV_MAX_GEN];
	int addrlen[MAX_OPS];
	struct timespec sleep_req[MAX_OPS];
	struct msgspec msg[MAX_OPS];
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

static bool bad(struct gen *g)
{
	return rn(100) < g->err_pct;
}

/* an earlier op of one of the classes in mask, or -1 */
static int pick_op(struct gen *g, unsigned int mask)
{
	int cand[MAX_OPS], nc = 0, i;

	for (i = 0; i < g->n; i++)
		if (mask & g->cls[i])
			cand[nc++] = i;
	return nc ? cand[rn(nc)] : -1;
}

#define FB(x) (1U << (x))
#define F_BROKEN (FB(FD_BPW) | FB(FD_BSS))
#define F_SOCK (FB(FD_SS0) | FB(FD_SS1) | FB(FD_SD0) | FB(FD_SD1) | \
		FB(FD_BSS))
#define F_RD (FB(FD_RW) | FB(FD_RO) | FB(FD_PR) | F_SOCK)
#define F_WR (FB(FD_RW) | FB(FD_WO) | FB(FD_APP) | FB(FD_PW) | F_SOCK | \
	      FB(FD_BPW))
#define F_FILE (FB(FD_RW) | FB(FD_RO) | FB(FD_WO) | FB(FD_APP))
#define F_FIN (FB(FD_RW) | FB(FD_RO))
#define F_FOUT (FB(FD_RW) | FB(FD_WO) | FB(FD_APP))
#define F_ANY ((1U << NR_FDS) - 1)

/* a state descriptor from mask; the broken ends only now and then */
static int pick_fd(unsigned int mask)
{
	int cand[32], nc = 0, i;

	if (rn(4) && (mask & ~F_BROKEN))
		mask &= ~F_BROKEN;
	for (i = 0; i < NR_FDS; i++)
		if (mask & FB(i))
			cand[nc++] = i;
	return fds[cand[rn(nc)]];
}

static struct chain_arg gen_fd(struct gen *g, unsigned int pref)
{
	int r = rn(100), o, fd;

	if (bad(g)) {
		r = rn(4);
		fd = r == 0 ? -1 : r == 1 ? 999 : r == 2 ?
			fd_base + NR_FDS + 2 : pick_fd(F_ANY);
	} else if (r < 20 && (o = pick_op(g, CL_FD)) >= 0) {
		say(g, " res(%d)", o);
		return CHAIN_ARG(chain_res(o));
	} else {
		fd = pick_fd(r < 95 ? pref : F_ANY);
	}
	say(g, " fd%d", fd);
	return CHAIN_ARG(fd);
}

/* a directory descriptor for the *at ops; rel_ok: relative names stay in */
static struct chain_arg gen_dfd(struct gen *g, bool *rel_ok)
{
	int r = rn(20), o, v;

	*rel_ok = true;
	if (bad(g)) {
		v = rn(3) == 0 ? fds[FD_RW] : rn(2) ? fds[FD_OPATH] : 999;
		say(g, " %d", v);
		return CHAIN_ARG(v);
	}
	if (r < 6) {
		say(g, " AT_FDCWD");
		*rel_ok = false;	/* relative names resolve from /tmp */
		return CHAIN_ARG(AT_FDCWD);
	}
	if (r < 13) {
		say(g, " fd%d(dir)", fds[FD_DIR]);
		return CHAIN_ARG(fds[FD_DIR]);
	}
	if (r < 17 || (o = pick_op(g, CL_FD)) < 0) {
		say(g, " fd%d(sub)", fds[FD_SUB]);
		return CHAIN_ARG(fds[FD_SUB]);
	}
	say(g, " res(%d)", o);
	return CHAIN_ARG(chain_res(o));
}

/*
 * A path for mkdirat (mk: a new name mostly), newfstatat or faccessat*
 * (an existing one mostly): relative to the directory or absolute; now
 * and then a bad one.
 */
static struct chain_arg gen_path(struct gen *g, bool rel_ok, bool mk)
{
	char *s = g->strs[g->n];
	const char *name;
	bool b = bad(g);

	if (b && rn(2)) {
		if (rn(2) || mk) {
			say(g, " (void*)1");
			return CHAIN_ARG((void *)1);
		}
		say(g, " NULL");
		return CHAIN_ARG((void *)0);
	}
	name = b || !rn(8) ? NAME(names_bad) : mk && rn(10) < 7 ?
		NAME(names_new) : NAME(names_exist);
	/*
	 * From AT_FDCWD (/tmp) a relative name goes through the directory
	 * (mkdirat must not create anything outside it); now and then an
	 * absolute path.
	 */
	if (!rn(4) || (!rel_ok && (mk || !b)))
		snprintf(s, 128, "%s/%s", rn(2) || rel_ok ? dir : rel_dir,
			 name);
	else
		snprintf(s, 128, "%s", name);
	say(g, " \"%s\"", s);
	return CHAIN_ARG((const char *)s);
}

static struct chain_arg gen_buf(struct gen *g)
{
	int r = rn(20), o, k = rn(2048);

	if (bad(g)) {
		say(g, r < 10 ? " (void*)1" : " NULL");
		return CHAIN_ARG(r < 10 ? (void *)1 : (void *)0);
	}
	if (r < 16 || (o = pick_op(g, CL_RD)) < 0) {
		say(g, " mem+%d", k);
		return CHAIN_ARG(MEM + k);
	}
	say(g, " mem+%d+res(%d)", k, o);
	return CHAIN_ARG(chain_res_add(o, (int64_t)(uintptr_t)(MEM + k)));
}

/* a structure buffer: the op's slot at area, or a bad pointer */
static struct chain_arg gen_slot(struct gen *g, int area, int size, int *at)
{
	*at = -1;
	if (!bad(g)) {
		*at = area + g->n * size;
		say(g, " mem+%d", *at);
		return CHAIN_ARG(MEM + *at);
	}
	if (rn(2)) {
		say(g, " (void*)1");
		return CHAIN_ARG((void *)1);
	}
	say(g, " NULL");
	return CHAIN_ARG((void *)0);
}

static struct chain_arg gen_count(struct gen *g)
{
	int r = rn(10), o;

	if (r < 7 || (o = pick_op(g, CL_RW)) < 0) {
		int v = rn(12) ? rn(513) : 0;

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

	if (bad(g)) {
		say(g, " -1");
		return CHAIN_ARG(-1);
	}
	if (r < 7 || (o = pick_op(g, ~0U)) < 0) {
		long long v = rn(2000) - (r == 1 ? 100 : 0);

		say(g, " %lld", v);
		return CHAIN_ARG(v);
	}
	r = rn(200) - 50;
	say(g, " res(%d)%+d", o, r);
	return CHAIN_ARG(chain_res_add(o, r));
}

/* one of the good values, or now and then one of the bad ones */
static struct chain_arg gen_val(struct gen *g, const char *what,
				const long long *v, int n, int nbad)
{
	long long x = bad(g) && nbad ? v[n - 1 - rn(nbad)] : v[rn(n - nbad)];

	say(g, " %s%lld", what, x);
	return CHAIN_ARG(x);
}
#define GEN_VAL(g, what, nbad, ...) gen_val((g), (what), (const long long[]){ \
	__VA_ARGS__ }, (int)(sizeof((const long long[]){ __VA_ARGS__ }) /	\
			     sizeof(long long)), (nbad))

/* readv/writev: the iovec array in the op's slot, or a bad pointer */
static void gen_iov(struct gen *g, struct chain_arg *a)
{
	struct iovec *v = g->iov[g->n];
	int i, cnt;
	bool b = bad(g);

	for (i = 0; i < IOV_MAX_GEN; i++) {
		int q = b ? rn(8) : 9;

		v[i].iov_base = MEM + rn(2048);
		v[i].iov_len = rn(4) ? (size_t)rn(257) : 0;
		if (q == 0) {
			v[i].iov_base = (void *)1;
			if (!v[i].iov_len)
				v[i].iov_len = 8;
		} else if (q == 1) {
			v[i].iov_len = (size_t)-5;	/* negative: -EINVAL */
		}
	}
	g->has_iov[g->n] = true;
	if (!b || rn(3)) {
		a[1] = CHAIN_ARG(MEM + IOV_AREA + g->n * IOV_MAX_GEN *
				 (int)sizeof(struct iovec));
		say(g, " iov[");
	} else {
		a[1] = CHAIN_ARG(rn(2) ? (void *)1 : (void *)0);
		say(g, " bad[");
	}
	cnt = b && !rn(3) ? (rn(2) ? 1025 : -1) : rn(IOV_MAX_GEN + 1);
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

/* ------------------------------------------------------------------ */
/* One generator per op, in a table keyed by syscall number             */

static int gen_rw(struct gen *g, long nr, struct chain_arg *a)
{
	a[0] = gen_fd(g, nr == __NR_read ? F_RD : F_WR);
	a[1] = gen_buf(g);
	a[2] = gen_count(g);
	return 3;
}

static int gen_prw(struct gen *g, long nr, struct chain_arg *a)
{
	a[0] = gen_fd(g, nr == __NR_pread64 ? F_FIN : F_FOUT);
	a[1] = gen_buf(g);
	a[2] = gen_count(g);
	a[3] = gen_off(g);
	return 4;
}

static int gen_lseek(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	a[0] = gen_fd(g, F_FILE | FB(FD_DIR));
	a[1] = gen_off(g);
	a[2] = GEN_VAL(g, "whence=", 1, SEEK_SET, SEEK_CUR, SEEK_CUR, SEEK_END,
		       SEEK_DATA, SEEK_HOLE, 7);
	return 3;
}

static int gen_openat(struct gen *g, long nr, struct chain_arg *a)
{
	static const int open_flags[] = {
		O_RDONLY, O_WRONLY | O_CREAT, O_RDWR | O_CREAT | O_TRUNC,
		O_RDONLY | O_DIRECTORY, O_WRONLY | O_APPEND,
		O_RDWR | O_CREAT | O_EXCL, O_RDWR | O_CLOEXEC, O_RDWR,
	};
	int f = open_flags[rn(8)];

	(void)nr;
	if (rn(2)) {
		/* relative to a directory: the *at ops' descriptors and names */
		bool rel_ok;

		a[0] = gen_dfd(g, &rel_ok);
		a[1] = gen_path(g, rel_ok, f & O_CREAT);
		goto flags;
	}
	say(g, " AT_FDCWD");
	a[0] = CHAIN_ARG(AT_FDCWD);
	if (bad(g) && rn(2)) {
		say(g, " (void*)1");
		a[1] = CHAIN_ARG((void *)1);
	} else {
		static const int good[] = { P_F0, P_F1, P_F3, P_NEW, P_DIR,
					    P_SUBG, P_LINK, P_SUB };
		const char *path = bad(g) || !rn(10) ? paths[rn(NPATHS)] :
			paths[good[rn(8)]];

		say(g, " %s", path);
		a[1] = CHAIN_ARG(path);
	}
flags:
	say(g, " flags=%#x", f);
	a[2] = CHAIN_ARG(f);
	a[3] = GEN_VAL(g, "mode=", 0, 0644, 0600, 0);
	return 4;
}

static int gen_fd_only(struct gen *g, long nr, struct chain_arg *a)
{
	a[0] = gen_fd(g, nr == __NR_close || nr == __NR_dup ? F_ANY :
		      F_FILE | FB(FD_DIR));
	return 1;
}

static int gen_rwv(struct gen *g, long nr, struct chain_arg *a)
{
	a[0] = gen_fd(g, nr == __NR_readv ? F_RD : F_WR);
	gen_iov(g, a);
	return 3;
}

static int gen_falloc(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	a[0] = gen_fd(g, F_FILE);
	a[1] = GEN_VAL(g, "mode=", 1, 0, 0, FALLOC_FL_KEEP_SIZE,
		       FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0x80);
	a[2] = GEN_VAL(g, "off=", 1, 0, 10, 100, 333, 1000, 5000, -1);
	a[3] = GEN_VAL(g, "len=", 2, 1, 100, 512, 4096, 10000, 0, -5);
	return 4;
}

static int gen_fadvise(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	a[0] = gen_fd(g, F_FILE | FB(FD_PR));
	a[1] = GEN_VAL(g, "off=", 1, 0, 100, 4096, -1);
	a[2] = GEN_VAL(g, "len=", 0, 0, 10, 4096, 1 << 20);
	a[3] = GEN_VAL(g, "advice=", 2, 0, 1, 2, 3, 4, 5, 6, 99);
	return 4;
}

static struct chain_arg gen_offp(struct gen *g)
{
	int r = rn(10), i;

	if (bad(g)) {
		say(g, " (void*)1");
		return CHAIN_ARG((void *)1);
	}
	if (r < 5) {
		say(g, " NULL");
		return CHAIN_ARG((void *)0);
	}
	i = rn(NR_OFFS);
	say(g, " &offs[%d]", i);
	return CHAIN_ARG(MEM + OFFS_AREA + 8 * i);
}

static int gen_cfr(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	a[0] = gen_fd(g, F_FIN);
	a[1] = gen_offp(g);
	a[2] = gen_fd(g, FB(FD_RW) | FB(FD_WO));
	a[3] = gen_offp(g);
	a[4] = gen_count(g);
	a[5] = GEN_VAL(g, "flags=", 1, 0, 1);
	return 6;
}

static int gen_fstat(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	a[0] = gen_fd(g, F_ANY);
	a[1] = gen_slot(g, STAT_AREA, STAT_SLOT, &g->stat_at[g->n]);
	return 2;
}

static int gen_statat(struct gen *g, long nr, struct chain_arg *a)
{
	bool rel_ok;

	(void)nr;
	a[0] = gen_dfd(g, &rel_ok);
	a[1] = gen_path(g, rel_ok, false);
	a[2] = gen_slot(g, STAT_AREA, STAT_SLOT, &g->stat_at[g->n]);
	a[3] = GEN_VAL(g, "flags=", 1, 0, 0, AT_SYMLINK_NOFOLLOW,
		       AT_EMPTY_PATH, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
		       AT_NO_AUTOMOUNT, 0x1);
	return 4;
}

static int gen_getdents(struct gen *g, long nr, struct chain_arg *a)
{
	int r = rn(10), o;

	(void)nr;
	if (r < 5) {
		say(g, " fd%d(dir)", fds[FD_DIR]);
		a[0] = CHAIN_ARG(fds[FD_DIR]);
	} else if (r < 7) {
		say(g, " fd%d(sub)", fds[FD_SUB]);
		a[0] = CHAIN_ARG(fds[FD_SUB]);
	} else if (r < 9 && (o = pick_op(g, CL_FD)) >= 0) {
		say(g, " res(%d)", o);
		a[0] = CHAIN_ARG(chain_res(o));
	} else {
		a[0] = gen_fd(g, r < 9 ? FB(FD_DIR) : F_ANY);
	}
	a[1] = gen_slot(g, DENT_AREA, DENT_SLOT, &g->dent_at[g->n]);
	a[2] = GEN_VAL(g, "count=", 2, 40, 100, 1024, 1024, 1024, 0, 8);
	return 3;
}

static int gen_mkdirat(struct gen *g, long nr, struct chain_arg *a)
{
	bool rel_ok;

	(void)nr;
	a[0] = gen_dfd(g, &rel_ok);
	a[1] = gen_path(g, rel_ok, true);
	a[2] = GEN_VAL(g, "mode=", 0, 0755, 0700, 01777, 0);
	return 3;
}

static int gen_access(struct gen *g, long nr, struct chain_arg *a)
{
	bool rel_ok;

	a[0] = gen_dfd(g, &rel_ok);
	a[1] = gen_path(g, rel_ok, false);
	a[2] = GEN_VAL(g, "mode=", 2, F_OK, R_OK, W_OK, X_OK, R_OK | W_OK,
		       R_OK | X_OK, 8, -1);
	if (nr == __NR_faccessat)
		return 3;
	a[3] = GEN_VAL(g, "flags=", 2, 0, 0, AT_EACCESS, AT_SYMLINK_NOFOLLOW,
		       AT_EACCESS | AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
		       AT_EACCESS | AT_EMPTY_PATH, 0x1, 0x10000);
	return 4;
}

static int gen_sendrecv(struct gen *g, long nr, struct chain_arg *a)
{
	int at = ADDR_AREA + g->n * ADDR_SLOT, r = rn(10);
	bool b = bad(g);

	a[0] = gen_fd(g, F_SOCK);
	a[1] = gen_buf(g);
	a[2] = gen_count(g);
	if (nr == __NR_sendto)
		a[3] = GEN_VAL(g, "flags=", 1, 0, MSG_DONTWAIT, MSG_NOSIGNAL,
			       MSG_DONTWAIT | MSG_NOSIGNAL, MSG_OOB);
	else
		a[3] = GEN_VAL(g, "flags=", 1, 0, MSG_DONTWAIT, MSG_PEEK,
			       MSG_TRUNC, MSG_WAITALL | MSG_DONTWAIT,
			       MSG_PEEK | MSG_TRUNC, MSG_OOB);
	g->has_addr[g->n] = true;
	g->addrlen[g->n] = !b ? (int)sizeof(struct sockaddr_un) :
		rn(2) ? 0 : -1;
	if ((r < 6 || (nr == __NR_sendto && r < 9)) && !b) {
		say(g, " NULL 0");
		a[4] = CHAIN_ARG((void *)0);
		a[5] = CHAIN_ARG(0);
	} else if (nr == __NR_sendto) {
		int len = !b ? 21 : rn(2) ? -1 : 200;

		say(g, " &addr(@abstract) %d", len);
		a[4] = CHAIN_ARG(MEM + at);
		a[5] = CHAIN_ARG(len);
	} else {
		bool bad_addr = b && rn(2);

		say(g, " %s &addrlen(=%d)", bad_addr ? "(void*)1" : "&addr",
		    g->addrlen[g->n]);
		a[4] = CHAIN_ARG(bad_addr ? (void *)1 : MEM + at);
		a[5] = CHAIN_ARG(MEM + at + ADDRLEN_AT);
	}
	return 6;
}

static void say_msg(struct gen *g, const struct msgspec *m)
{
	int i;

	say(g, " {name=%s/%d iov=%s[", m->name == 0 ? "NULL" :
	    m->name == 1 ? "&addr" : "(void*)1", m->namelen,
	    m->bad_iov ? "(void*)1" : "");
	for (i = 0; i < m->iovlen && i < MSG_IOV_MAX; i++)
		say(g, " {mem+%d,%zu}",
		    (int)((unsigned char *)m->iov[i].iov_base - MEM),
		    m->iov[i].iov_len);
	say(g, " ]/%d ctl=%s", m->iovlen,
	    (const char *[]){ "none", "rights", "creds", "rights+creds",
			      "(void*)1" }[m->ctl]);
	if (m->ctl == 1 || m->ctl == 3)
		for (i = 0; i < m->nrights; i++)
			say(g, "%sfd%d", i ? "," : ":", m->rights[i]);
	if (m->ctl == 2 || m->ctl == 3)
		say(g, " cred_uid=%u", m->cred_uid);
	if (!m->send)
		say(g, " ctllen=%d", m->ctllen);
	say(g, "}");
}

/* sendmsg/recvmsg: a msghdr in the op's slot (set up before each side) */
static int gen_msg(struct gen *g, long nr, struct chain_arg *a)
{
	struct msgspec *m = &g->msg[g->n];
	bool b = bad(g);
	int i;

	memset(m, 0, sizeof(*m));
	m->send = nr == __NR_sendmsg;
	a[0] = gen_fd(g, F_SOCK);
	m->name = b && !rn(3) ? 2 : !rn(3);
	m->namelen = m->send ? 21 : rn(2) ? (int)sizeof(struct sockaddr_un) : 4;
	m->iovlen = b && !rn(3) ? 1025 : rn(MSG_IOV_MAX + 1);
	m->bad_iov = b && !rn(3);
	for (i = 0; i < MSG_IOV_MAX; i++) {
		m->iov[i].iov_base = MEM + rn(2048);
		m->iov[i].iov_len = rn(4) ? (size_t)rn(129) : 0;
	}
	m->ctl = b && !rn(3) ? 4 : m->send ? rn(4) : rn(3) ? 1 : 0;
	m->ctllen = rn(3) ? 128 : 20;
	m->nrights = 1 + rn(2);
	for (i = 0; i < 2; i++)
		m->rights[i] = b && !rn(2) ? 999 : pick_fd(F_ANY);
	m->cred_uid = rn(4) ? 0 : NOBODY;
	g->has_msg[g->n] = true;
	if (b && !rn(4)) {
		say(g, " (void*)1");
		a[1] = CHAIN_ARG((void *)1);
	} else {
		say_msg(g, m);
		a[1] = CHAIN_ARG(MEM + MSG_AREA + g->n * MSG_SLOT);
	}
	if (m->send)
		a[2] = GEN_VAL(g, "flags=", 1, 0, MSG_DONTWAIT, MSG_NOSIGNAL,
			       MSG_DONTWAIT | MSG_NOSIGNAL, MSG_OOB);
	else
		a[2] = GEN_VAL(g, "flags=", 1, 0, MSG_DONTWAIT, MSG_PEEK,
			       MSG_TRUNC, MSG_CMSG_CLOEXEC,
			       MSG_WAITALL | MSG_DONTWAIT, MSG_OOB);
	return 3;
}

static int gen_clock(struct gen *g, long nr, struct chain_arg *a)
{
	int at;

	(void)nr;
	if (!rn(300)) {
		/* refused by the module (README): the chain is rejected */
		a[0] = GEN_VAL(g, "clock=", 0, CLOCK_PROCESS_CPUTIME_ID,
			       CLOCK_THREAD_CPUTIME_ID);
	} else {
		a[0] = GEN_VAL(g, "clock=", 2, CLOCK_REALTIME,
			       CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
			       CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
			       CLOCK_BOOTTIME, CLOCK_TAI,
			       8 /* REALTIME_ALARM */, 10, 100);
	}
	a[1] = gen_slot(g, TIME_AREA, TIME_SLOT, &at);
	return 2;
}

/*
 * truncate: a name of the state from the directory (a relative one from
 * AT_FDCWD names nothing), sizes that cut, keep and extend, or -EINVAL
 */
static int gen_truncate(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	a[0] = gen_path(g, false, false);
	a[1] = GEN_VAL(g, "length=", 1, 0, 1, 7, 100, 5000, -1);
	return 2;
}

/* gettimeofday: the time in the op's (uncompared) slot; the zone compared */
static int gen_tod(struct gen *g, long nr, struct chain_arg *a)
{
	int at;

	(void)nr;
	if (rn(8)) {
		a[0] = gen_slot(g, TIME_AREA, TIME_SLOT, &at);
	} else {
		say(g, " NULL");
		a[0] = CHAIN_ARG((void *)0);
	}
	if (rn(2)) {
		say(g, " NULL");
		a[1] = CHAIN_ARG((void *)0);
	} else {
		a[1] = gen_buf(g);
	}
	return 2;
}

/* getrandom: at most a slot of random bytes (not compared), or bad */
static int gen_getrandom(struct gen *g, long nr, struct chain_arg *a)
{
	int at;

	(void)nr;
	a[0] = gen_slot(g, TIME_AREA, TIME_SLOT, &at);
	a[1] = GEN_VAL(g, "count=", 0, 0, 1, 7, TIME_SLOT);
	a[2] = GEN_VAL(g, "flags=", 3, 0, GRND_NONBLOCK, GRND_INSECURE,
		       GRND_RANDOM, GRND_INSECURE | GRND_RANDOM, 0x8,
		       GRND_NONBLOCK | 0x10);
	return 3;
}

/*
 * kill: signal 0 (the checks, no signal) to this process (root chains: the
 * same process on every side), to init (non-root: EPERM) or to no one;
 * now and then a group or every process, which the module refuses (README)
 */
static int gen_kill(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	if (!rn(300))
		a[0] = GEN_VAL(g, "pid=", 0, 0, -1);
	else if (g->ident == ID_ROOT)
		a[0] = GEN_VAL(g, "pid=", 0, getpid(), 1, 0x3ffffff0);
	else
		a[0] = GEN_VAL(g, "pid=", 0, 1, 0x3ffffff0);
	a[1] = GEN_VAL(g, "sig=", 2, 0, 65, -1);
	return 2;
}

/* a sleep's request: 0-2 ms, or bad; and the remaining-time buffer */
static void gen_sleep(struct gen *g, struct chain_arg *req,
		      struct chain_arg *rem)
{
	struct timespec *t = &g->sleep_req[g->n];
	int at = SLEEP_AREA + g->n * SLEEP_SLOT, r = rn(3);

	t->tv_sec = 0;
	t->tv_nsec = rn(3) ? rn(2000001) : 0;
	if (bad(g)) {
		if (r == 0)
			t->tv_nsec = 1000000000;
		else
			t->tv_sec = -1;
	}
	g->has_sleep[g->n] = true;
	if (bad(g) && !rn(2)) {
		say(g, " (void*)1");
		*req = CHAIN_ARG((void *)1);
	} else {
		say(g, " {%lld,%ld}", (long long)t->tv_sec, t->tv_nsec);
		*req = CHAIN_ARG(MEM + at);
	}
	say(g, rn(2) ? " &rem" : " NULL");
	*rem = CHAIN_ARG(rn(2) ? MEM + at + 16 : (void *)0);
}

static int gen_nanosleep(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	gen_sleep(g, &a[0], &a[1]);
	return 2;
}

/*
 * An extended attribute's name: one make_xattrs() set, one it did not, a
 * namespace the file systems lack; now and then an empty one, one past
 * XATTR_NAME_MAX, a bad pointer. Never a POSIX ACL name (make_xattrs()).
 */
static struct chain_arg gen_xname(struct gen *g)
{
	static const char *const names[] = {
		"trusted.t", "trusted.t", "trusted.t", "trusted.t", "user.u",
		"user.u", "trusted.none", "user.none", "security.none",
		"other.x",
	};
	static char long_name[257];
	const char *name;

	if (!long_name[0]) {
		memset(long_name, 'x', sizeof(long_name) - 1);
		memcpy(long_name, "user.", 5);
	}
	if (bad(g)) {
		switch (rn(4)) {
		case 0:
			say(g, " (void*)1");
			return CHAIN_ARG((void *)1);
		case 1:
			say(g, " NULL");
			return CHAIN_ARG((void *)0);
		case 2:
			name = "";
			break;
		default:
			say(g, " \"user.x...\"(256)");
			return CHAIN_ARG((const char *)long_name);
		}
	} else {
		name = NAME(names);
	}
	say(g, " \"%s\"", name);
	return CHAIN_ARG(name);
}

/*
 * getxattr, lgetxattr, fgetxattr, listxattr, llistxattr, flistxattr: an
 * existing path mostly (absolute, so that the attributes are there), a
 * descriptor of a file or a directory mostly (the O_PATH one: -EBADF)
 */
static int gen_xattr(struct gen *g, long nr, struct chain_arg *a)
{
	bool byfd = nr == __NR_fgetxattr || nr == __NR_flistxattr ||
		    nr == __NR_fremovexattr;
	bool rm = nr == __NR_removexattr || nr == __NR_lremovexattr ||
		  nr == __NR_fremovexattr;
	int k = 0;

	a[k++] = byfd ? gen_fd(g, F_FILE | FB(FD_DIR) | FB(FD_SUB) |
			       FB(FD_OPATH)) :
		 gen_path(g, false, false);
	if (nr == __NR_getxattr || nr == __NR_lgetxattr ||
	    nr == __NR_fgetxattr || rm)
		a[k++] = gen_xname(g);
	if (rm)
		return k;
	a[k++] = gen_buf(g);
	a[k++] = gen_count(g);
	return k;
}

static int gen_clock_nanosleep(struct gen *g, long nr, struct chain_arg *a)
{
	(void)nr;
	if (!rn(300))
		a[0] = GEN_VAL(g, "clock=", 0, CLOCK_PROCESS_CPUTIME_ID,
			       8 /* REALTIME_ALARM */, 9 /* BOOTTIME_ALARM */);
	else
		a[0] = GEN_VAL(g, "clock=", 2, CLOCK_REALTIME,
			       CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI,
			       CLOCK_MONOTONIC_RAW, 100);
	a[1] = GEN_VAL(g, "flags=", 0, 0, 0, TIMER_ABSTIME);
	gen_sleep(g, &a[2], &a[3]);
	return 4;
}

typedef int (*gen_fn)(struct gen *g, long nr, struct chain_arg *a);

struct opgen {
	long nr;
	const char *name;
	unsigned int cls;
	int weight;
	gen_fn fn;
};

/*
 * The ops without a line in opgens[] below are generated from their
 * argument kinds in module/oplist.h (SC_I/SC_P(kind, name)): an op added
 * to the list is compared with no change here, as long as its kinds are
 * among those gen_kind() makes. An op with a kind it cannot make fails
 * test_ops_table, naming the op: it needs a generator of its own.
 */
enum dkind {
	D_ZERO, D_FD, D_SOCK, D_DIRFD, D_PATH, D_OFLAGS, D_MODE, D_BUF, D_LEN,
	D_OFF, D_WHENCE, D_IOV, D_IOVCNT, D_ATFL, D_AMODE, D_ACCFL, D_FALLOC,
	D_ADVICE, D_OFFP, D_MSGFL, D_ADDRP, D_ADDRLEN, D_ADDRLENP, D_MSG,
	D_RMSG, D_CLOCK, D_SCLOCK, D_TSIN, D_TSREM, D_TIMERFL, D_GRNDFL, D_PID,
	D_KPID, D_SIG, D_XNAME, D_NONE,
	D_IOBUF = D_BUF,	/* a D_BUF a registered buffer may hold */
};

static const struct {
	unsigned char nargs;
	unsigned char kind[SYSCHAIN_MAX_ARGS];
} op_kinds[G_OPTAB_SIZE] = {
#define SC_I(kind, name) D_##kind
#define SC_P(kind, name) D_##kind
#define SC_OP(sys, n, check, ...) [__NR_##sys] = { n, { __VA_ARGS__ } },
#include "../../module/oplist.h"
#undef SC_OP
#undef SC_P
#undef SC_I
};

/*
 * Argument @k of @nr from its kind, or false if gen_kind() cannot make
 * it (@g NULL: only say whether it can). *@rel_ok carries a DIRFD's
 * answer to the PATH after it.
 */
static bool gen_kind(struct gen *g, long nr, int k, struct chain_arg *a,
		     bool *rel_ok)
{
	switch ((enum dkind)op_kinds[nr].kind[k]) {
	case D_FD: if (g) a[k] = gen_fd(g, F_ANY); return true;
	case D_SOCK: if (g) a[k] = gen_fd(g, F_SOCK); return true;
	case D_DIRFD: if (g) a[k] = gen_dfd(g, rel_ok); return true;
	case D_PATH: if (g) a[k] = gen_path(g, *rel_ok, false); return true;
	case D_BUF: if (g) a[k] = gen_buf(g); return true;
	case D_LEN: if (g) a[k] = gen_count(g); return true;
	case D_OFF: if (g) a[k] = gen_off(g); return true;
	case D_OFFP: if (g) a[k] = gen_offp(g); return true;
	case D_ZERO: if (g) a[k] = GEN_VAL(g, "", 1, 0, 1); return true;
	case D_MODE:
		if (g)
			a[k] = GEN_VAL(g, "mode=", 0, 0644, 0755, 0600, 0);
		return true;
	case D_WHENCE:
		if (g)
			a[k] = GEN_VAL(g, "whence=", 1, SEEK_SET, SEEK_CUR,
				       SEEK_END, 7);
		return true;
	case D_ATFL:
		if (g)
			a[k] = GEN_VAL(g, "flags=", 1, 0, AT_SYMLINK_NOFOLLOW,
				       AT_EMPTY_PATH, 0x1);
		return true;
	case D_AMODE:
		if (g)
			a[k] = GEN_VAL(g, "mode=", 1, F_OK, R_OK, W_OK, X_OK,
				       8);
		return true;
	case D_XNAME: if (g) a[k] = gen_xname(g); return true;
	case D_PID:	/* the caller: another pid is refused (README) */
		if (g)
			a[k] = GEN_VAL(g, "pid=", 0, 0);
		return true;
	case D_MSGFL:
		if (g)
			a[k] = GEN_VAL(g, "flags=", 0, MSG_DONTWAIT,
				       MSG_DONTWAIT | MSG_PEEK);
		return true;
	case D_OFLAGS: case D_IOV: case D_IOVCNT: case D_ACCFL: case D_FALLOC:
	case D_ADVICE: case D_ADDRP: case D_ADDRLEN: case D_ADDRLENP:
	case D_MSG: case D_RMSG: case D_CLOCK: case D_SCLOCK: case D_TSIN:
	case D_TSREM: case D_TIMERFL: case D_GRNDFL: case D_KPID: case D_SIG:
	case D_NONE:
		break;
	}
	return false;
}

static int gen_from_kinds(struct gen *g, long nr, struct chain_arg *a)
{
	bool rel_ok = true;
	int k;

	for (k = 0; k < op_kinds[nr].nargs; k++)
		gen_kind(g, nr, k, a, &rel_ok);
	return op_kinds[nr].nargs;
}

/* whether every argument of oplist.h's op @nr is a kind gen_kind() makes */
static bool kinds_generable(long nr)
{
	bool rel_ok = true;
	int k;

	if (nr < 0 || nr >= G_OPTAB_SIZE || oracle_nargs((uint32_t)nr) < 0)
		return false;
	for (k = 0; k < op_kinds[nr].nargs; k++)
		if (!gen_kind(NULL, nr, k, NULL, &rel_ok))
			return false;
	return true;
}

/*
 * Keyed by syscall number. An op of module/oplist.h without a line here is
 * generated from its kinds, with weight 1 (gen_from_kinds(): the ops
 * without arguments are); one gen_kind() cannot make fails
 * test_ops_table, and so does an op the probe lists that is in neither.
 */
#define OPGEN(sys, c, w, f) \
	[__NR_##sys] = { .nr = __NR_##sys, .name = #sys, .cls = (c), \
			 .weight = (w), .fn = (f) }

static struct opgen opgens[G_OPTAB_SIZE] = {
	OPGEN(read, CL_RW | CL_RD, 8, gen_rw),
	OPGEN(write, CL_RW, 8, gen_rw),
	OPGEN(openat, CL_FD, 6, gen_openat),
	OPGEN(close, 0, 3, gen_fd_only),
	OPGEN(lseek, 0, 4, gen_lseek),
	OPGEN(pread64, CL_RW | CL_RD, 4, gen_prw),
	OPGEN(pwrite64, CL_RW, 4, gen_prw),
	OPGEN(readv, CL_RW | CL_RD, 4, gen_rwv),
	OPGEN(writev, CL_RW, 4, gen_rwv),
	OPGEN(fsync, 0, 2, gen_fd_only),
	OPGEN(fdatasync, 0, 2, gen_fd_only),
	OPGEN(fallocate, 0, 3, gen_falloc),
	OPGEN(fadvise64, 0, 2, gen_fadvise),
	OPGEN(copy_file_range, CL_RW, 3, gen_cfr),
	OPGEN(fstat, 0, 3, gen_fstat),
	OPGEN(newfstatat, 0, 3, gen_statat),
	OPGEN(getdents64, 0, 3, gen_getdents),
	OPGEN(mkdirat, 0, 2, gen_mkdirat),
	OPGEN(faccessat, 0, 3, gen_access),
	OPGEN(faccessat2, 0, 3, gen_access),
	OPGEN(dup, CL_FD, 3, gen_fd_only),
	OPGEN(sendto, CL_RW, 4, gen_sendrecv),
	OPGEN(recvfrom, CL_RW | CL_RD, 4, gen_sendrecv),
	OPGEN(sendmsg, CL_RW, 4, gen_msg),
	OPGEN(recvmsg, CL_RW, 4, gen_msg),
	OPGEN(clock_gettime, 0, 2, gen_clock),
	OPGEN(clock_getres, 0, 1, gen_clock),
	OPGEN(nanosleep, 0, 1, gen_nanosleep),
	OPGEN(clock_nanosleep, 0, 1, gen_clock_nanosleep),
	OPGEN(truncate, 0, 1, gen_truncate),
	OPGEN(gettimeofday, 0, 1, gen_tod),
	OPGEN(getrandom, 0, 1, gen_getrandom),
	OPGEN(kill, 0, 1, gen_kill),
	OPGEN(getxattr, 0, 2, gen_xattr),
	OPGEN(lgetxattr, 0, 2, gen_xattr),
	OPGEN(fgetxattr, 0, 2, gen_xattr),
	OPGEN(listxattr, 0, 1, gen_xattr),
	OPGEN(llistxattr, 0, 1, gen_xattr),
	OPGEN(flistxattr, 0, 1, gen_xattr),
	OPGEN(removexattr, 0, 1, gen_xattr),
	OPGEN(lremovexattr, 0, 1, gen_xattr),
	OPGEN(fremovexattr, 0, 1, gen_xattr),
};

/* the ops the probe lists, by syscall number, and their total weight */
static long gen_ops[G_OPTAB_SIZE];
static int nr_gen_ops, gen_weight;

/* the op's line in opgens[], or one made from its kinds (weight 1) */
static const struct opgen *opgen(long nr)
{
	static const char *const names[G_OPTAB_SIZE] = {
#define SC_OP(sys, n, check, ...) [__NR_##sys] = #sys,
#include "../../module/oplist.h"
#undef SC_OP
	};

	if (nr < 0 || nr >= G_OPTAB_SIZE)
		return NULL;
	if (!opgens[nr].fn && names[nr] && kinds_generable(nr))
		opgens[nr] = (struct opgen){ .nr = nr, .name = names[nr],
					     .weight = 1,
					     .fn = gen_from_kinds };
	return opgens[nr].fn ? &opgens[nr] : NULL;
}

static bool has_opgen(uint32_t nr)
{
	return opgen(nr) != NULL;
}

/* Every op the probe lists must have a generator (and an oracle entry) */
static void setup_gen_ops(void)
{
	uint32_t i;
	long k;

	nr_gen_ops = gen_weight = 0;
	for (i = 0; i < probe.nr_syscalls; i++) {
		k = probe.syscalls[i];
		if (!opgen(k))
			fail_msg("the probe lists syscall %u, which the "
				 "generator cannot make: add it to opgens[]",
				 probe.syscalls[i]);
		if (oracle_nargs(probe.syscalls[i]) < 0)
			fail_msg("the probe lists syscall %u, which the "
				 "oracle does not know", probe.syscalls[i]);
		gen_ops[nr_gen_ops++] = k;
		gen_weight += opgens[k].weight;
	}
	for (k = 0; k < G_OPTAB_SIZE; k++)
		if (opgen(k) && !chain_kernel_supports(k) && !selftest)
			printf("test_diff: %s not in the probe: not "
			       "generated\n", opgens[k].name);
}

static const struct opgen *pick_gen(struct gen *g)
{
	for (;;) {
		int w = rn(gen_weight), i;
		const struct opgen *o = NULL;

		for (i = 0; i < nr_gen_ops; i++) {
			o = &opgens[gen_ops[i]];
			if (w < o->weight)
				break;
			w -= o->weight;
		}
		/* each side's child has a pid of its own */
		if (g->ident != ID_ROOT &&
		    (o->nr == __NR_getpid || o->nr == __NR_gettid))
			continue;
		return o;
	}
}

/* ------------------------------------------------------------------ */
/* Chains: libchain's and the raw arrays the oracle reads, built alike  */

static void op_begin(struct gen *g)
{
	int n = g->n;

	g->stat_at[n] = g->dent_at[n] = -1;
	g->has_iov[n] = g->has_addr[n] = g->has_sleep[n] = false;
	g->has_msg[n] = false;
}

static int emit_op(struct gen *g, long nr, unsigned int cls, int nargs,
		   const struct chain_arg *a)
{
	struct syschain_op *op = &g->raw[g->n];
	int i, k;

	memset(op, 0, sizeof(*op));
	op->nr = (uint32_t)nr;
	for (k = 0; k < nargs; k++) {
		if (a[k].ref >= 0) {
			op->ref_mask |= 1U << k;
			op->arg_ref[k] = (uint32_t)a[k].ref;
		}
		op->args[k] = a[k].value;
	}
	i = chain_op(g->c, nr, (unsigned int)nargs, a).op;
	assert_int_equal(i, g->n);
	g->nr[i] = nr;
	g->cls[i] = cls;
	g->n++;
	return i;
}

static int gen_op(struct gen *g)
{
	const struct opgen *o = pick_gen(g);
	struct chain_arg a[SYSCHAIN_MAX_ARGS];
	int nargs;

	op_begin(g);
	say(g, "  op %d: %s(", g->n, o->name);
	nargs = o->fn(g, o->nr, a);
	say(g, " )\n");
	return emit_op(g, o->nr, o->cls, nargs, a);
}

static const char *const cmp_name[] = {
	"?", "ALWAYS", "EQ", "NE", "LT", "LE", "GT", "GE",
	"ULT", "ULE", "UGT", "UGE",
};

static int labels[2];

static void add_cond(struct gen *g, const struct gcond *c)
{
	struct chain_arg rhs = c->ref ?
		CHAIN_ARG(chain_res_add(c->rref, c->rhs)) : CHAIN_ARG(c->rhs);
	int ret;

	say(g, "  cond op %d %s ", c->op, cmp_name[c->cmp]);
	if (c->ref)
		say(g, "res(%d)%+lld", c->rref, (long long)c->rhs);
	else
		say(g, "%lld", (long long)c->rhs);
	if (c->act == SYSCHAIN_ACT_STOP) {
		say(g, " stop\n");
		ret = chain__stop_if(g->c, c->op, (enum chain_cmp)c->cmp, rhs);
	} else if (c->label >= 0) {
		say(g, " goto label %d\n", c->label);
		ret = chain__jump_if(g->c, c->op, (enum chain_cmp)c->cmp, rhs,
				     labels[c->label], true);
	} else {
		say(g, " jump %d\n", c->target);
		ret = chain__jump_if(g->c, c->op, (enum chain_cmp)c->cmp, rhs,
				     c->target, false);
	}
	assert_true(ret >= 0);
	assert_true(g->ngc < MAX_CONDS);
	g->gc[g->ngc++] = *c;
}

/*
 * Loops that end: read a file to its end, an lseek counter looping on
 * itself, or on an op before it (the loop's body); now and then, close
 * the pipe's write end and read the pipe to its end (once the last write
 * end is released, before the next op, the read gets 0, not -EAGAIN).
 */
static void gen_idiom(struct gen *g)
{
	struct gcond c = { .act = SYSCHAIN_ACT_JUMP, .label = -1,
			   .loop = true, .cmp = CHAIN_GT };
	struct chain_arg a[3];
	int r = rn(40), x = r >= 20 && r < 30 ? gen_op(g) : -1, k = rn(2048);
	int fd = fds[rn(2) ? FD_RO : FD_RW], v = 30 + rn(200);

	op_begin(g);
	if (r == 39) {
		say(g, "  op %d: close( fd%d ) [the pipe's write end]\n", g->n,
		    fds[FD_PW]);
		a[0] = CHAIN_ARG(fds[FD_PW]);
		emit_op(g, __NR_close, 0, 1, a);
		op_begin(g);
		fd = fds[FD_PR];
		v = 8;
	}
	a[0] = CHAIN_ARG(fd);
	if (r < 10 || r == 39) {
		say(g, "  op %d: read( fd%d mem+%d %d ) [to the end]\n", g->n,
		    fd, k, v);
		a[1] = CHAIN_ARG(MEM + k);
		a[2] = CHAIN_ARG(v);
		c.op = emit_op(g, __NR_read, CL_RW | CL_RD, 3, a);
		c.target = c.op;
	} else {
		v = 10 + rn(30);
		say(g, "  op %d: lseek( fd%d %d SEEK_CUR ) [counter]\n", g->n,
		    fd, v);
		a[1] = CHAIN_ARG(v);
		a[2] = CHAIN_ARG(SEEK_CUR);
		c.op = emit_op(g, __NR_lseek, 0, 3, a);
		c.cmp = CHAIN_LT;
		c.rhs = 60 + rn(240);
		c.target = x >= 0 ? x : c.op;
	}
	add_cond(g, &c);
}

/*
 * The blocking read: of the blocking pipe, which stays empty until the
 * helper writes to it, after the signal (BLK_RESTART, BLK_STOP). Now and
 * then a condition on -EINTR, as a program checks for it.
 */
static void gen_blocking(struct gen *g)
{
	struct gcond c = { .label = -1, .cmp = CHAIN_EQ, .rhs = -EINTR };
	struct chain_arg a[3];
	int k = rn(2048), v = BLK_LEN + 1 + rn(120), r = rn(4);

	op_begin(g);
	say(g, "  op %d: read( fd%d mem+%d %d ) [blocks; woken by %s]\n",
	    g->n, blk_r, k, v, blk_name[g->blk]);
	a[0] = CHAIN_ARG(blk_r);
	a[1] = CHAIN_ARG(MEM + k);
	a[2] = CHAIN_ARG(v);
	c.op = g->blk_op = emit_op(g, __NR_read, CL_RW | CL_RD, 3, a);
	if (r >= 2)
		return;
	c.act = r ? SYSCHAIN_ACT_STOP : SYSCHAIN_ACT_JUMP;
	c.target = r ? 0 : c.op + 1;	/* a jump that goes on */
	add_cond(g, &c);
}

static void gen_random_cond(struct gen *g, int nl)
{
	static const long long rhs_vals[] = { -11, -9, -2, -1, 0, 1, 5, 20,
					      100 };
	struct gcond c = { .label = -1 };
	int r = rn(10);

	c.op = rn(g->n);
	c.cmp = 1 + rn(11);
	c.ref = c.cmp != CHAIN_ALWAYS && !rn(4);
	if (c.ref) {
		/* mostly an op that has run: an earlier one or itself */
		c.rref = rn(8) ? rn(c.op + 1) : rn(g->n);
		c.rhs = rn(5) - 2;
	} else if (c.cmp != CHAIN_ALWAYS) {
		c.rhs = rhs_vals[rn(9)];
	}
	c.act = r < 2 ? SYSCHAIN_ACT_STOP : SYSCHAIN_ACT_JUMP;
	if (c.act == SYSCHAIN_ACT_STOP && rn(5) < 3) {
		/* mostly on a failure, as programs do */
		c.ref = false;
		c.cmp = rn(2) ? CHAIN_LT : CHAIN_EQ;
		c.rhs = c.cmp == CHAIN_LT ? 0 : rhs_vals[rn(3)];
	}
	if (c.act == SYSCHAIN_ACT_JUMP && nl && r < 4) {
		c.label = rn(nl);
	} else if (c.act == SYSCHAIN_ACT_JUMP) {
		/* a short skip forward mostly; now and then past the end */
		if (!rn(60))
			c.target = g->n + 1;
		else if (rn(20))
			c.target = c.op + 1 + (rn(5) < 2 ? 0 :
				rn(g->n - c.op < 3 ? g->n - c.op : 3));
		else
			c.target = rn(c.op + 1);
	}
	add_cond(g, &c);
}

/* the conditions grouped by op, in the order added (chain_run(3)) */
static void build_raw(struct gen *g)
{
	int i, j, k = 0;

	for (i = 0; i < g->n; i++) {
		g->raw[i].cond_index = (uint32_t)k;
		for (j = 0; j < g->ngc; j++) {
			const struct gcond *c = &g->gc[j];
			struct syschain_cond *d = &g->conds[k];

			if (c->op != i)
				continue;
			memset(d, 0, sizeof(*d));
			d->cmp = (uint8_t)c->cmp;
			d->action = (uint8_t)c->act;
			if (c->act == SYSCHAIN_ACT_JUMP)
				d->target = (uint32_t)(c->label >= 0 ?
					g->label_at[c->label] : c->target);
			if (c->ref) {
				d->flags = SYSCHAIN_COND_RHS_REF;
				d->rhs_ref = (uint32_t)c->rref;
			}
			d->rhs = (uint64_t)c->rhs;
			k++;
		}
		g->raw[i].cond_count = (uint32_t)k - g->raw[i].cond_index;
		if (!g->raw[i].cond_count)
			g->raw[i].cond_index = 0;
	}
	g->nconds = k;
}

/*
 * The step budget: now and then a small one (BUDGET); else large enough
 * for the loops that end, but never the module's cap (a million steps)
 * when a random jump goes backwards: a loop that does not end would take
 * minutes under TCG. Chains without loops get the cap (0) half the time.
 */
static void set_budget(struct gen *g)
{
	bool back = false, loop = false;
	int i;

	for (i = 0; i < g->ngc; i++) {
		const struct gcond *c = &g->gc[i];
		int t = c->label >= 0 ? g->label_at[c->label] : c->target;

		if (c->act == SYSCHAIN_ACT_JUMP && t <= c->op) {
			back |= !c->loop;
			loop |= c->loop;
		}
	}
	if (!rn(8) && !loop)
		g->max_steps = 1 + g->n / 2 + rn(g->n);
	else if (back)
		g->max_steps = g->n + 20 + rn(60);
	else if (loop || rn(2))
		g->max_steps = g->n + 80 + rn(120);
	else
		g->max_steps = 0;
	chain_set_max_steps(g->c, (uint64_t)g->max_steps);
	say(g, "max_steps=%d\n", g->max_steps);
}

static void place_labels(struct gen *g, int nl, bool *placed, bool end)
{
	int l;

	for (l = 0; l < nl; l++) {
		if (placed[l] || (!end && g->label_at[l] > g->n))
			continue;
		chain_label_here(g->c, labels[l]);
		g->label_at[l] = g->n;
		placed[l] = true;
		say(g, "  label %d here (%d)\n", l, g->n);
	}
}

static void gen_chain(struct gen *g)
{
	int nops = 2 + rn(MAX_OPS - 1), i, nl = 0, first, blk_at;
	bool placed[2] = { false, false };

	g->n = g->ngc = 0;
	g->dlen = 0;
	chain_reset(g->c);
	g->soe = rn(10) < 3;
	g->err_pct = g->soe || rn(10) < 6 ? 1 : 20;
	g->ident = rn(6) ? ID_ROOT : (enum ident)(1 + rn(NR_IDENTS - 1));
	g->blk = rn(12) ? BLK_NONE : (enum blk)(1 + rn(NR_BLK - 1));
	g->blk_op = -1;
	blk_at = g->blk ? rn(nops) : -1;
	chain_set_stop_on_error(g->c, g->soe);
	say(g, "stop_on_error=%d errors=%d%% identity=%s\n", g->soe,
	    g->err_pct, ident_name[g->ident]);
	for (i = 0; i < 2; i++) {
		if (rn(3))
			continue;
		labels[nl] = chain_label(g->c);
		g->label_at[nl] = rn(nops + 1);
		nl++;
	}
	while (g->n < nops) {
		place_labels(g, nl, placed, false);
		first = g->n;
		if (blk_at >= 0 && g->n >= blk_at) {
			gen_blocking(g);
			blk_at = -1;
		} else if (!rn(6) && nops - g->n >= 2) {
			gen_idiom(g);
		} else {
			gen_op(g);
		}
		for (i = first; i < g->n; i++)
			if (rn(5) < (g->soe ? 3 : 1)) {
				chain_ignore_error(g->c, i);
				g->raw[i].flags |= SYSCHAIN_OP_IGNORE_ERROR;
				say(g, "    ignore_error op %d\n", i);
			}
	}
	if (blk_at >= 0)
		g->blk = BLK_NONE;	/* an idiom took its place */
	place_labels(g, nl, placed, true);
	for (i = rn(g->n / 3 + 2); i > 0 && g->ngc < MAX_CONDS; i--)
		gen_random_cond(g, nl);
	build_raw(g);
	set_budget(g);
}

/* ------------------------------------------------------------------ */
/* The structures the ops read: written after each side's make_state()  */

static void setup_msg(const struct gen *g, int i)
{
	const struct msgspec *m = &g->msg[i];
	unsigned char *slot = MEM + MSG_AREA + i * MSG_SLOT;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct msghdr h;
	struct cmsghdr *cm;
	struct ucred cr = { getpid(), m->cred_uid, 0 };
	size_t len = 0;

	memset(&h, 0, sizeof(h));
	memcpy(sun.sun_path, "\0syschain-diff-none", 19);
	if (m->name == 1) {
		h.msg_name = slot + MSG_NAME_AT;
		if (m->send)
			memcpy(slot + MSG_NAME_AT, &sun, sizeof(sun));
	} else if (m->name == 2) {
		h.msg_name = (void *)1;
	}
	h.msg_namelen = m->name ? (socklen_t)m->namelen : 0;
	h.msg_iov = m->bad_iov ? (void *)1 : (void *)(slot + MSG_IOV_AT);
	h.msg_iovlen = (size_t)m->iovlen;
	memcpy(slot + MSG_IOV_AT, m->iov, sizeof(m->iov));
	h.msg_control = slot + MSG_CTL_AT;
	memset(slot + MSG_CTL_AT, 0, 128);
	if (m->ctl == 4) {
		h.msg_control = (void *)1;
		len = 32;
	} else if (!m->send && m->ctl) {
		len = (size_t)m->ctllen;
	} else if (m->ctl) {
		h.msg_controllen = 128;
		cm = CMSG_FIRSTHDR(&h);
		if (m->ctl & 1) {
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * m->nrights);
			memcpy(CMSG_DATA(cm), m->rights,
			       sizeof(int) * m->nrights);
			len += CMSG_SPACE(sizeof(int) * m->nrights);
			cm = (struct cmsghdr *)((unsigned char *)cm +
				CMSG_SPACE(sizeof(int) * m->nrights));
		}
		if (m->ctl & 2) {
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_CREDENTIALS;
			cm->cmsg_len = CMSG_LEN(sizeof(cr));
			memcpy(CMSG_DATA(cm), &cr, sizeof(cr));
			len += CMSG_SPACE(sizeof(cr));
		}
	}
	if (!len)
		h.msg_control = NULL;
	h.msg_controllen = len;
	memcpy(slot, &h, sizeof(h));
}

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
		if (g->has_sleep[i])
			memcpy(MEM + SLEEP_AREA + i * SLEEP_SLOT,
			       &g->sleep_req[i], sizeof(struct timespec));
		if (g->has_msg[i])
			setup_msg(g, i);
	}
}

/* ------------------------------------------------------------------ */
/* Running a side                                                       */

struct side {
	struct side_out o;
	struct snap s;
	unsigned char mem[REGION];
};
static struct side sides[NSIDES];

/* what descriptor fd is, for the oracle's hook */
enum { H_OTHER, H_PIPE_R, H_PIPE_W, H_TREE };

static int fd_what(uint64_t fd)
{
	struct stat st;
	int fl;

	if ((int)fd < 0 || fstat((int)fd, &st))
		return H_OTHER;
	if (S_ISFIFO(st.st_mode) && st.st_ino == pipe_ino) {
		fl = fcntl((int)fd, F_GETFL);
		return (fl & O_ACCMODE) == O_WRONLY ? H_PIPE_W : H_PIPE_R;
	}
	if (st.st_dev == tree_dev)
		return H_TREE;
	return H_OTHER;
}

static bool pipe_has_writer(void)
{
	int fd;

	for (fd = fd_base; fd < fd_base + FD_SPAN; fd++)
		if (fd_what((uint64_t)fd) == H_PIPE_W)
			return true;
	return false;
}

/*
 * The oracle's hook: the shapes of the op boundaries, seen on the
 * oracle's own run (exactly, with resolved arguments and results): what
 * the kernel's chains must do as the syscalls do, counted for the
 * coverage. A read of the pipe that gets its end (0) after the chain
 * closed the pipe's last write end; a file of the tree closed (its
 * IN_CLOSE_* event comes before the next op's events); an op run after
 * a SIGPIPE's handler ran; an op that returned -EINTR, and an op run
 * after it; the blocking read, and whether it read data.
 */
static void hook(void *ctx, enum oracle_when when, uint32_t op, uint32_t nr,
		 const uint64_t *args, int64_t ret)
{
	struct side_out *o = ctx;

	(void)op;
	if (when == ORACLE_BEFORE) {
		o->sig_then_op |= sh->sigs[SG_PIPE] > 0;
		o->eintr_then_op |= o->eintr;
	} else {
		o->eintr |= ret == -EINTR;
		if (nr == __NR_read && args[0] == (uint64_t)blk_r) {
			o->blk_ran = true;
			o->blk_data |= ret > 0;
		}
	}
	if (nr != __NR_close && nr != __NR_read && nr != __NR_readv)
		return;
	if (when == ORACLE_BEFORE) {
		o->hook_what = fd_what(args[0]);
		return;
	}
	if (nr == __NR_close && !ret) {
		if (o->hook_what == H_PIPE_W && !pipe_has_writer())
			o->pipe_writers_gone = true;
		if (o->hook_what == H_TREE)
			o->closed_tree_file = true;
	} else if (nr != __NR_close && o->hook_what == H_PIPE_R &&
		   o->pipe_writers_gone && ret == 0 &&
		   (nr == __NR_readv || args[2] > 0)) {
		o->pipe_eof_after_close = true;
	}
}

static void exec_libchain(struct gen *g, enum chain_backend b,
			  struct side_out *o)
{
	int i;

	chain_set_backend(g->c, b);
	o->ret = chain_run(g->c);
	o->rep = *chain_report(g->c);
	for (i = 0; i < g->n; i++) {
		o->res[i] = chain_ret(g->c, i);
		o->count[i] = chain_count(g->c, i);
	}
}

static void raw_chain(const struct gen *g, struct oracle_chain *c)
{
	memset(c, 0, sizeof(*c));
	c->flags = g->soe ? SYSCHAIN_RUN_STOP_ON_ERROR : 0;
	c->nr_ops = (uint32_t)g->n;
	c->nr_conds = (uint32_t)g->nconds;
	c->op_size = sizeof(struct syschain_op);
	c->cond_size = sizeof(struct syschain_cond);
	c->ops = g->raw;
	c->conds = g->conds;
	c->max_steps = (uint64_t)g->max_steps;
}

/* kernel_mode: the module's refused calls are rejected (oracle A8) */
static void exec_oracle(struct gen *g, bool kernel_mode, struct side_out *o)
{
	struct syschain_result res[MAX_OPS];
	static struct oracle_report r;
	struct oracle_env env = oenv;
	struct oracle_chain c;
	int i;

	raw_chain(g, &c);
	env.refuse = kernel_mode;
	env.hook = hook;
	env.ctx = o;
	r.results = res;
	o->ret = oracle_run(&c, &env, &r);
	o->rep.status = r.status;
	o->rep.steps = r.steps;
	o->rep.stop_op = r.stop_op == ORACLE_NO ? -1 : (int)r.stop_op;
	o->rep.stop_cond = r.stop_cond == ORACLE_NO ? -1 : (int)r.stop_cond;
	o->rep.backend = CHAIN_BACKEND_USER;
	for (i = 0; i < g->n; i++) {
		o->res[i] = res[i].ret;
		o->count[i] = res[i].count;
	}
	o->nr_culprits = r.nr_culprits;
	memcpy(o->culprit, r.culprit, sizeof(r.culprit));
	o->unknown_op = r.unknown_op;
	o->refused = r.refused;
}

static void exec_side(struct gen *g, enum side_id side, struct side_out *o)
{
	if (side == S_K)
		exec_libchain(g, selftest ? CHAIN_BACKEND_USER :
			      CHAIN_BACKEND_KERNEL, o);
	else if (side == S_U)
		exec_libchain(g, CHAIN_BACKEND_USER, o);
	else
		exec_oracle(g, side == S_O, o);
	ev_read(o);
	memcpy(o->sigs, (const void *)sh->sigs, sizeof(o->sigs));
	snap_fds(o);
}

static int drop_ids(enum ident id)
{
	if (setgroups(0, NULL))
		return -1;
	switch (id) {
	case ID_NOBODY:
		return setresgid(NOBODY, NOBODY, NOBODY) ||
			setresuid(NOBODY, NOBODY, NOBODY);
	case ID_SPLIT:
		return setresgid(NOBODY, USER, USER) ||
			setresuid(NOBODY, USER, USER);
	case ID_SUID:
		return setresuid(NOBODY, 0, 0);
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* The blocking read's helper                                           */

/* /proc/<pid>/<what>, or "" */
static void proc_read(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

/* asleep in a pipe's read: the blocking read (nothing else blocks) */
static bool in_pipe_read(pid_t pid)
{
	char b[128];

	proc_read(pid, "wchan", b, sizeof(b));
	return strstr(b, "pipe_read") != NULL;
}

static char proc_state(pid_t pid)
{
	char b[512], *p;

	proc_read(pid, "stat", b, sizeof(b));
	p = strrchr(b, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* what the helper waits for, after a signal */
enum { HW_USR1, HW_USR2, HW_STOPPED, HW_EMPTY };
static const char *const hw_name[] = {
	"SIGUSR1's handler to run", "SIGUSR2's handler to run",
	"the process to stop", "the read to take the data",
};

/* the side the helper watches ended, or another began */
static bool helper_gone(unsigned int gen)
{
	return sh->helper_stop == gen || sh->helper_gen != gen;
}

/* until it is so: false if the side ended first, or after 20 s */
static bool helper_wait(pid_t t, int what, unsigned int n0, unsigned int gen)
{
	double t0 = now();
	char c;
	int n;

	for (;;) {
		/* taken first: once the side ended, its effects are there */
		bool gone = helper_gone(gen) || now() - t0 > 20;

		switch (what) {
		case HW_USR1:
		case HW_USR2:
			if (sh->sigs[what == HW_USR1 ? SG_USR1 : SG_USR2] != n0)
				return true;
			break;
		case HW_STOPPED:
			c = proc_state(t);
			if (c == 'T' || c == 't')
				return true;
			break;
		default:
			if (!ioctl(blk_w, FIONREAD, &n) && !n)
				return true;
		}
		if (gone)
			return false;
		usleep(100);
	}
}

/*
 * One side: whenever the chain's process sleeps in the blocking read, wake
 * it as the chain says (enum blk), and wait until that took effect, so
 * that each side sees the same. Until the side ends; false if something
 * did not happen (printed; the chain's process is woken all the same).
 */
static bool helper_watch(enum blk kind, unsigned int gen)
{
	int what = -1, n = -1;
	pid_t t = 0;
	bool ok = true;
	char b[128];

	while (ok && !helper_gone(gen)) {
		unsigned int n0;

		t = sh->target;
		if (!t || !in_pipe_read(t)) {
			usleep(100);
			continue;
		}
		switch (kind) {
		case BLK_EINTR:
			n0 = sh->sigs[SG_USR1];
			what = HW_USR1;
			ok = !kill(t, SIGUSR1) && helper_wait(t, what, n0, gen);
			break;
		case BLK_RESTART:
			n0 = sh->sigs[SG_USR2];
			what = HW_USR2;
			ok = !kill(t, SIGUSR2) && helper_wait(t, what, n0, gen);
			break;
		default:
			what = HW_STOPPED;
			ok = !kill(t, SIGSTOP) && helper_wait(t, what, 0, gen);
			ok = !kill(t, SIGCONT) && ok;
		}
		if (ok && kind != BLK_EINTR) {
			what = HW_EMPTY;
			ok = write(blk_w, BLK_DATA, BLK_LEN) == BLK_LEN &&
				helper_wait(t, what, 0, gen);
		}
	}
	if (ok)
		return true;
	proc_read(t, "wchan", b, sizeof(b));
	ioctl(blk_w, FIONREAD, &n);
	printf("test_diff: helper: waited in vain for %s (%s; process %d, "
	       "state %c, in %s; %d bytes in the pipe; handled %u %u %u)\n",
	       hw_name[what], helper_gone(gen) ? "the side ended" : "20 s",
	       (int)t, proc_state(t), b, n, sh->sigs[0], sh->sigs[1],
	       sh->sigs[2]);
	fflush(stdout);
	/* never leave the chain asleep */
	kill(t, SIGCONT);
	if (write(blk_w, BLK_DATA, BLK_LEN) < 0)
		perror("test_diff: helper: write");
	while (!helper_gone(gen))
		usleep(1000);
	return false;
}

/*
 * The helper: a process of its own, made before any state, with no
 * descriptor of the chains' but the blocking pipe's write end. It sleeps
 * until a side with a blocking read begins (helper_gen), watches it, and
 * says how it went (helper_ok, helper_ack).
 */
static void __attribute__((noreturn)) helper_main(void)
{
	unsigned int seen = sh->helper_gen;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(blk_r);
	for (;;) {
		unsigned int gen = sh->helper_gen;

		if (gen == seen) {
			syscall(__NR_futex, &sh->helper_gen, FUTEX_WAIT, gen,
				&(struct timespec){ 1, 0 }, NULL, 0);
			continue;
		}
		seen = gen;
		sh->helper_ok = helper_watch((enum blk)sh->helper_kind, gen);
		__sync_synchronize();
		sh->helper_ack = gen;
	}
}

static void helper_spawn(void)
{
	fflush(stdout);
	fflush(stderr);
	helper_pid = fork();
	if (!helper_pid)
		helper_main();
}

/* a side with a blocking read begins: the helper watches it */
static unsigned int helper_start(enum blk kind)
{
	sh->target = 0;
	sh->helper_kind = kind;
	sh->helper_ok = 0;
	__sync_synchronize();
	sh->helper_gen++;
	syscall(__NR_futex, &sh->helper_gen, FUTEX_WAKE, 1, NULL, NULL, 0);
	return sh->helper_gen;
}

/* it ended: the helper says how it went */
static void helper_end(unsigned int gen, const struct gen *g,
		       enum side_id side)
{
	double t0 = now();

	sh->helper_stop = gen;
	while (sh->helper_ack != gen) {
		if (now() - t0 > 60 || waitpid(helper_pid, NULL, WNOHANG))
			fail_msg("the blocking read's helper is gone");
		usleep(50);
	}
	if (!sh->helper_ok)
		fail_msg("the blocking read's helper failed on the %s side; "
			 "the chain:\n%s", side_name[side], g->dump);
}

/* make the state, run the chain on one side (as its identity), snapshot */
static void run_side(struct gen *g, enum side_id side)
{
	struct side *sd = &sides[side];
	unsigned int hg = 0;
	pid_t pid;
	int st;

	make_state(g->ident == ID_ROOT);
	setup_mem(g);
	ev_open();
	memset(&sh->cur, 0, sizeof(sh->cur));
	memset((void *)sh->sigs, 0, sizeof(sh->sigs));
	if (g->blk_op >= 0)
		hg = helper_start(g->blk);
	if (g->ident == ID_ROOT) {
		sh->target = getpid();
		exec_side(g, side, &sh->cur);
		if (hg)
			helper_end(hg, g, side);
	} else {
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		assert_true(pid >= 0);
		if (!pid) {
			if (drop_ids(g->ident)) {
				sh->cur.child_err = errno;
				_exit(1);
			}
			exec_side(g, side, &sh->cur);
			_exit(0);
		}
		sh->target = pid;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		if (hg)
			helper_end(hg, g, side);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fail_msg("the %s side's child (%s) failed: status %#x, "
				 "%s", side_name[side], ident_name[g->ident],
				 st, strerror(sh->cur.child_err));
	}
	close(ev_fd);
	ev_fd = -1;
	sd->o = sh->cur;
	memcpy(sd->mem, region, REGION);
	take_snap(&sd->s, &sd->o);
}

/* ------------------------------------------------------------------ */
/* Comparing two sides                                                  */

static int divergences;
#define note(...) printf(__VA_ARGS__)

static int diverge(const char *what, uint64_t seed, int idx, struct gen *g,
		   enum side_id a, enum side_id b)
{
	note("test_diff: DIVERGENCE %s vs %s in %s: seed %#llx chain %d "
	       "(replay: DIFF_ONLY=%#llx:%d)\n%s", side_name[a], side_name[b],
	       what, (unsigned long long)seed, idx, (unsigned long long)seed,
	       idx, g->dump);
	divergences++;
	return 1;
}

static uint32_t idx_u32(int i)
{
	return i < 0 ? SYSCHAIN_NO_INDEX : (uint32_t)i;
}

/* is a's rejection one of the culprits the oracle found in b? (A1) */
static bool culprit_ok(const struct side_out *a, const struct side_out *b)
{
	int i;

	for (i = 0; i < b->nr_culprits; i++)
		if (b->culprit[i].err == a->ret &&
		    b->culprit[i].op == idx_u32(a->rep.stop_op) &&
		    b->culprit[i].cond == idx_u32(a->rep.stop_cond))
			return true;
	return false;
}

static bool same_report(const struct side_out *a, const struct side_out *b,
			bool b_oracle)
{
	if (b_oracle && a->ret && b->ret && b->nr_culprits > 1 &&
	    a->rep.status == SYSCHAIN_STATUS_INVALID && !a->rep.steps &&
	    culprit_ok(a, b))
		return true;
	return a->ret == b->ret && a->rep.status == b->rep.status &&
		a->rep.steps == b->rep.steps &&
		a->rep.stop_op == b->rep.stop_op &&
		a->rep.stop_cond == b->rep.stop_cond;
}

static int cmp_outcome(const struct gen *g, enum side_id ia, enum side_id ib)
{
	const struct side_out *a = &sides[ia].o, *b = &sides[ib].o;
	int i, bad = 0;

	if (!same_report(a, b, ib == S_O || ib == S_OU)) {
		note("ret %d/%d, %s steps %llu op %d cond %d / %s steps %llu "
		       "op %d cond %d\n", a->ret, b->ret,
		       chain_status_str(a->rep.status),
		       (unsigned long long)a->rep.steps, a->rep.stop_op,
		       a->rep.stop_cond, chain_status_str(b->rep.status),
		       (unsigned long long)b->rep.steps, b->rep.stop_op,
		       b->rep.stop_cond);
		return 1;
	}
	for (i = 0; i < g->n; i++)
		if (a->res[i] != b->res[i] || a->count[i] != b->count[i]) {
			note("op %d: %lld x%llu / %lld x%llu\n", i,
			       (long long)a->res[i],
			       (unsigned long long)a->count[i],
			       (long long)b->res[i],
			       (unsigned long long)b->count[i]);
			bad = 1;
		}
	return bad;
}

/* what may differ between the sides (see the top of the file) */
static void mask_stat(unsigned char *m, int at)
{
	struct stat st;

	memcpy(&st, m + MEM_OFF + at, sizeof(st));
	st.st_ino = 0;
	st.st_atim.tv_sec = st.st_atim.tv_sec >= NEW_TIME;
	st.st_mtim.tv_sec = st.st_mtim.tv_sec >= NEW_TIME;
	st.st_ctim.tv_sec = st.st_ctim.tv_sec >= NEW_TIME;
	st.st_atim.tv_nsec = st.st_mtim.tv_nsec = st.st_ctim.tv_nsec = 0;
	memcpy(m + MEM_OFF + at, &st, sizeof(st));
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

static void normalize(unsigned char *m, const struct gen *g, enum side_id s)
{
	int i;

	memcpy(m, sides[s].mem, REGION);
	memset(m + MEM_OFF + TIME_AREA, 0, MAX_OPS * TIME_SLOT);
	for (i = 0; i < g->n; i++) {
		if (g->stat_at[i] >= 0 && sides[s].o.count[i])
			mask_stat(m, g->stat_at[i]);
		if (g->dent_at[i] >= 0)
			mask_dents(m, g->dent_at[i], sides[s].o.res[i],
				   sides[s].o.count[i]);
	}
}

static int cmp_mem(const struct gen *g, enum side_id a, enum side_id b)
{
	static unsigned char na[REGION], nb[REGION];
	int i;

	normalize(na, g, a);
	normalize(nb, g, b);
	if (!memcmp(na, nb, REGION))
		return 0;
	for (i = 0; i < REGION && na[i] == nb[i]; i++)
		;
	note("memory differs first at mem%+d (%#x / %#x)\n", i - MEM_OFF,
	       na[i], nb[i]);
	return 1;
}

static int cmp_fds(enum side_id ia, enum side_id ib)
{
	const struct side_out *a = &sides[ia].o, *b = &sides[ib].o;
	const struct snap *sa = &sides[ia].s, *sb = &sides[ib].s;
	int i;

	for (i = 0; i < FD_SPAN; i++)
		if (a->fd_pos[i] != b->fd_pos[i] ||
		    a->fd_flags[i] != b->fd_flags[i] ||
		    a->fd_fdflags[i] != b->fd_fdflags[i] ||
		    sa->fd_ident[i] != sb->fd_ident[i]) {
			note("fd %d: pos %lld flags %#x/%#x object %d / pos "
			       "%lld flags %#x/%#x object %d\n", fd_base + i,
			       a->fd_pos[i], a->fd_flags[i], a->fd_fdflags[i],
			       sa->fd_ident[i], b->fd_pos[i], b->fd_flags[i],
			       b->fd_fdflags[i], sb->fd_ident[i]);
			return 1;
		}
	return 0;
}

static bool same_ent(const struct tree_ent *a, const struct tree_ent *b)
{
	return !strcmp(a->path, b->path) && a->mode == b->mode &&
		a->nlink == b->nlink && a->uid == b->uid && a->gid == b->gid &&
		a->size == b->size && a->blocks == b->blocks &&
		a->times == b->times && a->hash == b->hash;
}

static int cmp_tree(const struct snap *a, const struct snap *b)
{
	int i, bad = a->ntree != b->ntree;

	for (i = 0; !bad && i < a->ntree; i++)
		bad = !same_ent(&a->tree[i], &b->tree[i]);
	if (!bad)
		return 0;
	for (i = 0; i < a->ntree || i < b->ntree; i++) {
		const struct tree_ent *x = &a->tree[i], *y = &b->tree[i];

		note("  tree %2d: %-14s %06o n%u %u:%u s%lld b%lld t%u "
		       "%016llx | %-14s %06o n%u %u:%u s%lld b%lld t%u "
		       "%016llx\n", i, i < a->ntree ? x->path : "-", x->mode,
		       x->nlink, x->uid, x->gid, x->size, x->blocks, x->times,
		       (unsigned long long)x->hash,
		       i < b->ntree ? y->path : "-", y->mode, y->nlink, y->uid,
		       y->gid, y->size, y->blocks, y->times,
		       (unsigned long long)y->hash);
	}
	return 1;
}

static int cmp_data(const struct snap *a, const struct snap *b)
{
	int i;

	for (i = 0; i < P_NDATA; i++)
		if (a->size[i] != b->size[i] || a->len[i] != b->len[i] ||
		    (a->len[i] > 0 &&
		     memcmp(a->data[i], b->data[i], a->len[i]))) {
			note("file %s: size %lld / %lld\n", paths[i],
			       a->size[i], b->size[i]);
			return 1;
		}
	if (a->pipe_len != b->pipe_len ||
	    memcmp(a->pipe, b->pipe, a->pipe_len)) {
		note("pipe: %d bytes left / %d\n", a->pipe_len, b->pipe_len);
		return 1;
	}
	for (i = 0; i < 4; i++)
		if (a->sock_len[i] != b->sock_len[i] ||
		    memcmp(a->sock[i], b->sock[i], a->sock_len[i])) {
			note("socket fd%d: %d bytes left / %d\n",
			       fds[FD_SOCK0 + i], a->sock_len[i],
			       b->sock_len[i]);
			return 1;
		}
	return 0;
}

/* inotify events, parsed */
struct ev {
	int wd;
	uint32_t mask, cookie;
	char name[32];
};
#define EV_N 1024

/* every event, in order */
static int ev_parse(const struct side_out *o, struct ev *out)
{
	int pos = 0, n = 0;

	while (pos + (int)sizeof(struct inotify_event) <= o->ev_len &&
	       n < EV_N) {
		struct inotify_event e;

		memcpy(&e, o->ev + pos, sizeof(e));
		memset(&out[n], 0, sizeof(out[n]));
		out[n].wd = e.wd;
		out[n].mask = e.mask;
		out[n].cookie = e.cookie;
		if (e.len)
			snprintf(out[n].name, sizeof(out[n].name), "%s",
				 o->ev + pos + sizeof(e));
		pos += (int)sizeof(e) + (int)e.len;
		n++;
	}
	return n;
}

static int cmp_events(enum side_id ia, enum side_id ib)
{
	static struct ev a[EV_N], b[EV_N];
	int na = ev_parse(&sides[ia].o, a);
	int nb = ev_parse(&sides[ib].o, b), i;

	if (na == nb && !memcmp(a, b, na * sizeof(a[0])))
		return 0;
	note("inotify events: %d / %d\n", na, nb);
	for (i = 0; i < na || i < nb; i++)
		note("  ev %2d: wd%d %#x %s | wd%d %#x %s\n", i,
		       i < na ? a[i].wd : 0, i < na ? a[i].mask : 0,
		       i < na ? a[i].name : "-", i < nb ? b[i].wd : 0,
		       i < nb ? b[i].mask : 0, i < nb ? b[i].name : "-");
	return 1;
}

/* everything; 1 if a and b diverge (printed) */
static int compare(uint64_t seed, int idx, struct gen *g, enum side_id a,
		   enum side_id b)
{
	const struct side_out *oa = &sides[a].o, *ob = &sides[b].o;
	int i;

	if (cmp_outcome(g, a, b))
		return diverge("the report or the results", seed, idx, g, a,
			       b);
	if (a == S_K && !oa->ret && oa->rep.backend != CHAIN_BACKEND_KERNEL &&
	    !selftest)
		return diverge("backend (kernel side ran in user)", seed, idx,
			       g, a, b);
	if (cmp_mem(g, a, b))
		return diverge("memory", seed, idx, g, a, b);
	if (cmp_fds(a, b))
		return diverge("descriptors", seed, idx, g, a, b);
	if (cmp_tree(&sides[a].s, &sides[b].s))
		return diverge("directory tree", seed, idx, g, a, b);
	if (cmp_data(&sides[a].s, &sides[b].s))
		return diverge("file, pipe or socket data", seed, idx, g, a, b);
	if (cmp_events(a, b))
		return diverge("inotify events", seed, idx, g, a, b);
	for (i = 0; i < NR_SG; i++)
		if (oa->sigs[i] != ob->sigs[i]) {
			note("%s handled: %u / %u\n", sg_name[i], oa->sigs[i],
			     ob->sigs[i]);
			return diverge("signals", seed, idx, g, a, b);
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rejections: a chain the oracle accepts, mutated into an invalid one  */

enum mut { M_NR_OPS0, M_RUN_FLAGS, M_RUN_RESERVED, M_OP_SIZE_SMALL,
	   M_OP_SIZE_ODD, M_OP_TAIL, M_COND_SIZE_SMALL, M_COND_TAIL,
	   M_TOO_MANY_OPS, M_TOO_MANY_CONDS, M_UNSUPPORTED, M_OP_FLAGS,
	   M_REF_MASK_HIGH, M_ARG_PAST, M_REF_FORWARD, M_COND_RANGE, M_CMP,
	   M_ACTION, M_COND_FLAGS, M_COND_RESERVED, M_ALWAYS_RHS,
	   M_STOP_TARGET, M_JUMP_PAST, M_RHS_REF_RANGE, M_RHS_REF_NOFLAG,
	   M_CLOCK_CPU, M_RESUME_EINTR, M_RESUME_OP,
	   M_NO_RESULTS, M_SIZE_PAGE, NR_MUT };
static const char *const mut_name[] = {
	"nr_ops 0", "run flags", "run reserved", "op_size < VER0",
	"op_size % 8", "op tail", "cond_size < VER0", "cond tail",
	"nr_ops > max_ops", "nr_conds > max_conds", "unsupported nr",
	"op flags", "ref_mask past nargs", "arg past nargs",
	"forward reference", "conds past nr_conds", "bad cmp", "bad action",
	"cond flags", "cond reserved", "ALWAYS with rhs", "STOP with target",
	"jump past the end", "rhs_ref out of range", "rhs_ref without flag",
	"CPU-time clock", "RESUME_EINTR without RESUME",
	"RESUME at no op", "no results", "op or cond size > page",
};

#define MUT_OPS_MAX 4097
#define MUT_SIZE_MAX 8192	/* op or cond size past the page size */
static unsigned char mut_ops[MUT_OPS_MAX * 96], mut_conds[MUT_OPS_MAX * 32];
static struct syschain_result mut_res[MUT_OPS_MAX];

/* an op of the chain with fewer than 6 arguments, or -1 */
static int op_under6(const struct gen *g)
{
	int i, start = rn(g->n);

	for (i = 0; i < g->n; i++) {
		int k = (start + i) % g->n;

		if (oracle_nargs(g->raw[k].nr) < SYSCHAIN_MAX_ARGS)
			return k;
	}
	return -1;
}

static struct syschain_op *mop(int i)
{
	return (struct syschain_op *)(mut_ops + i * sizeof(struct syschain_op));
}

static struct syschain_cond *mcond(int j)
{
	return (struct syschain_cond *)(mut_conds +
					j * sizeof(struct syschain_cond));
}

/* widen the ops' or conditions' entries to size to, zero tails */
static void widen(struct oracle_chain *c, bool ops, size_t to)
{
	static unsigned char tmp[MAX_OPS * MUT_SIZE_MAX];
	uint32_t n = ops ? c->nr_ops : c->nr_conds, i;
	size_t from = ops ? sizeof(struct syschain_op) :
		sizeof(struct syschain_cond);
	unsigned char *arr = ops ? mut_ops : mut_conds;

	assert_true(to <= MUT_SIZE_MAX && n <= MAX_OPS);
	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i < n; i++)
		memcpy(tmp + i * to, arr + i * from, from);
	memcpy(arr, tmp, n * to);
	if (ops)
		c->op_size = (uint32_t)to;
	else
		c->cond_size = (uint32_t)to;
}

/* mutations of the run struct and the arrays' layout; false: n/a */
static bool mutate_run(const struct gen *g, struct oracle_chain *c, int m)
{
	long page = sysconf(_SC_PAGESIZE);

	switch (m) {
	case M_NR_OPS0: c->nr_ops = 0; return true;
	case M_RUN_FLAGS: c->flags |= 8U << rn(29); return true;
	case M_RESUME_EINTR: c->flags |= SYSCHAIN_RUN_RESUME_EINTR; return true;
	case M_RESUME_OP:
		c->flags |= SYSCHAIN_RUN_RESUME |
			(rn(2) ? SYSCHAIN_RUN_RESUME_EINTR : 0);
		c->stop_op = rn(4) ? c->nr_ops + (uint32_t)rn(3) :
			SYSCHAIN_NO_INDEX;
		return true;
	case M_NO_RESULTS: c->no_results = true; return true;
	case M_SIZE_PAGE:
		if (rn(2) && g->nconds)
			widen(c, false, (size_t)page + 8 * (1 + rn(8)));
		else
			widen(c, true, (size_t)page + 8 * (1 + rn(8)));
		return true;
	case M_RUN_RESERVED: c->reserved = 1 + rn(100); return true;
	case M_OP_SIZE_SMALL: c->op_size = SYSCHAIN_OP_SIZE_VER0 - 8; return true;
	case M_OP_SIZE_ODD: c->op_size = SYSCHAIN_OP_SIZE_VER0 + 4; return true;
	case M_COND_SIZE_SMALL: c->cond_size = 16; return true;
	case M_TOO_MANY_OPS: c->nr_ops = probe.max_ops + 1; return true;
	case M_TOO_MANY_CONDS: c->nr_conds = probe.max_conds + 1; return true;
	case M_OP_TAIL:
		widen(c, true, 96);
		mut_ops[rn(g->n) * 96 + 88 + rn(8)] = 1 + rn(255);
		return true;
	case M_COND_TAIL:
		if (!g->nconds)
			return false;
		widen(c, false, 32);
		mut_conds[rn(g->nconds) * 32 + 24 + rn(8)] = 1 + rn(255);
		return true;
	}
	return false;
}

static bool mutate_op(const struct gen *g, int m)
{
	static const long unsupported[] = { __NR_unlinkat, __NR_ftruncate,
					    __NR_pipe2, __NR_fcntl, 999 };
	int i = rn(g->n), k;
	struct syschain_op *op = mop(i);

	switch (m) {
	case M_UNSUPPORTED:
		op->nr = (uint32_t)unsupported[rn(5)];
		return !chain_kernel_supports(op->nr) || selftest;
	/* an unknown flag: bits 2..14 (bit 1 is SYSCHAIN_OP_CLEANUP) */
	case M_OP_FLAGS: op->flags |= 4U << rn(13); return true;
	case M_REF_MASK_HIGH:
	case M_ARG_PAST:
		if ((i = op_under6(g)) < 0)
			return false;
		op = mop(i);
		k = oracle_nargs(op->nr) + rn(SYSCHAIN_MAX_ARGS -
					      oracle_nargs(op->nr));
		if (m == M_REF_MASK_HIGH)
			op->ref_mask |= 1U << k;
		else
			op->args[k] = 1 + rn(1000);
		return true;
	case M_REF_FORWARD:
		if ((k = oracle_nargs(op->nr)) <= 0)
			return false;
		k = rn(k);
		op->ref_mask |= 1U << k;
		op->arg_ref[k] = (uint32_t)(i + rn(g->n - i + 2));
		return true;
	case M_COND_RANGE:
		op->cond_index = (uint32_t)g->nconds - (rn(2) && g->nconds);
		op->cond_count = 2 + rn(3);
		return true;
	case M_CLOCK_CPU:
		memset(op, 0, sizeof(*op));
		op->nr = __NR_clock_gettime;
		op->args[0] = (uint64_t)(2 + rn(2));
		op->args[1] = (uint64_t)(uintptr_t)((const char *)MEM + TIME_AREA);
		return true;
	}
	return false;
}

static bool mutate_cond(const struct gen *g, int m)
{
	struct syschain_cond *c;

	if (!g->nconds)
		return false;
	c = mcond(rn(g->nconds));
	switch (m) {
	case M_CMP: c->cmp = rn(2) ? 0 : 12 + rn(200); return true;
	case M_ACTION: c->action = rn(2) ? 0 : 3 + rn(200); return true;
	case M_COND_FLAGS: c->flags |= 2U << rn(15); return true;
	case M_COND_RESERVED: c->__reserved = 1 + rn(1000); return true;
	case M_ALWAYS_RHS:
		c->cmp = SYSCHAIN_CMP_ALWAYS;
		c->flags = 0;
		c->rhs_ref = 0;
		c->rhs = 1 + rn(1000);
		return true;
	case M_STOP_TARGET:
		c->action = SYSCHAIN_ACT_STOP;
		c->target = 1 + rn(g->n);
		return true;
	case M_JUMP_PAST:
		c->action = SYSCHAIN_ACT_JUMP;
		c->target = (uint32_t)g->n + 1 + rn(1000);
		return true;
	case M_RHS_REF_RANGE:
		if (c->cmp == SYSCHAIN_CMP_ALWAYS)
			c->cmp = SYSCHAIN_CMP_EQ;
		c->flags |= SYSCHAIN_COND_RHS_REF;
		c->rhs_ref = (uint32_t)g->n + rn(3);
		return true;
	case M_RHS_REF_NOFLAG:
		c->flags &= ~SYSCHAIN_COND_RHS_REF;
		c->rhs_ref = 1 + rn(g->n);
		return true;
	}
	return false;
}

static int mut_count[NR_MUT];

/* 1 if the module's rejection differs from the oracle's (printed) */
static int check_mutation(struct gen *g, uint64_t seed, int idx)
{
	struct oracle_chain c;
	static struct oracle_report r;
	struct syschain_run run;
	struct side_out ko, oo;
	uint64_t saved = rng;
	int m, tries, ret, i;

	/* a generator of its own: DIFF_ONLY replays the same chains */
	rng = (seed ^ 0x6d75746174650000ULL) + 0x9e3779b97f4a7c15ULL * idx;
	for (tries = 0; tries < 8; tries++) {
		raw_chain(g, &c);
		memcpy(mut_ops, g->raw, g->n * sizeof(g->raw[0]));
		memcpy(mut_conds, g->conds, g->nconds * sizeof(g->conds[0]));
		c.ops = mut_ops;
		c.conds = mut_conds;
		m = rn(NR_MUT);
		if (mutate_run(g, &c, m) || mutate_op(g, m) ||
		    mutate_cond(g, m))
			break;
	}
	rng = saved;
	r.results = mut_res;
	if (tries == 8 || !oracle_validate(&c, &oenv, &r) || r.unknown_op)
		fail_msg("mutation %s of chain %d: the oracle accepts it",
			 tries == 8 ? "?" : mut_name[m], idx);
	mut_count[m]++;
	if (selftest)
		return 0;	/* no module to ask */
	memset(&run, 0, sizeof(run));
	run.size = sizeof(run);
	run.flags = c.flags;
	run.__reserved = c.reserved;
	run.nr_ops = c.nr_ops;
	run.nr_conds = c.nr_conds;
	run.op_size = c.op_size;
	run.cond_size = c.cond_size;
	run.ops_uptr = (uintptr_t)c.ops;
	run.conds_uptr = (uintptr_t)c.conds;
	run.results_uptr = c.no_results ? 0 : (uintptr_t)mut_res;
	run.max_steps = c.max_steps;
	run.stop_op = c.stop_op;
	memset(mut_res, 0xa5, sizeof(mut_res));
	ret = ioctl(dev_fd, SYSCHAIN_RUN, &run);
	memset(&ko, 0, sizeof(ko));
	ko.ret = ret < 0 ? -errno : ret;
	ko.rep.status = run.status;
	ko.rep.steps = run.steps;
	ko.rep.stop_op = run.stop_op == SYSCHAIN_NO_INDEX ? -1 :
		(int)run.stop_op;
	ko.rep.stop_cond = run.stop_cond == SYSCHAIN_NO_INDEX ? -1 :
		(int)run.stop_cond;
	oo.nr_culprits = r.nr_culprits;
	memcpy(oo.culprit, r.culprit, sizeof(r.culprit));
	for (i = 1; i < g->n && i < MUT_OPS_MAX; i++)
		if (memcmp(&mut_res[i], &mut_res[0], sizeof(mut_res[0])))
			break;
	if (ko.ret < 0 && ko.rep.status == SYSCHAIN_STATUS_INVALID &&
	    !ko.rep.steps && culprit_ok(&ko, &oo) && i == g->n)
		return 0;
	printf("test_diff: DIVERGENCE kernel vs oracle in a rejection (%s): "
	       "seed %#llx chain %d\nkernel: ret %d %s steps %llu op %d cond "
	       "%d%s; oracle: ", mut_name[m], (unsigned long long)seed, idx,
	       ko.ret, chain_status_str(ko.rep.status),
	       (unsigned long long)ko.rep.steps, ko.rep.stop_op,
	       ko.rep.stop_cond, i == g->n ? "" : ", results written");
	for (i = 0; i < r.nr_culprits; i++)
		printf("%s%d op %d cond %d", i ? " or " : "", r.culprit[i].err,
		       (int)r.culprit[i].op, (int)r.culprit[i].cond);
	printf("\n%s", g->dump);
	divergences++;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Seeds                                                                */

struct stats {
	int chains, rejected, status[SYSCHAIN_STATUS_DENIED + 1];
	long long slots, slots_run, steps;
	int op_ran[G_OPTAB_SIZE], op_ok[G_OPTAB_SIZE];
	int nonroot, mutations, refused, culprits;
	/* the op boundaries' shapes (the oracle's hook) */
	int sigpipe, sigpipe_on, pipe_eof, closed_tree;
	int blk_ran[NR_BLK], blk_data, eintr, eintr_on;
};

static void account(const struct gen *g, struct stats *st)
{
	const struct side_out *k = &sides[S_K].o, *o = &sides[S_O].o;
	int i;

	st->chains++;
	st->nonroot += g->ident != ID_ROOT;
	st->refused += o->refused;
	st->culprits += o->nr_culprits > 1;
	st->sigpipe += o->sigs[SG_PIPE] > 0;
	st->sigpipe_on += o->sig_then_op;
	st->pipe_eof += o->pipe_eof_after_close;
	st->closed_tree += o->closed_tree_file;
	st->blk_ran[g->blk] += o->blk_ran;
	st->blk_data += o->blk_data;
	st->eintr += o->eintr;
	st->eintr_on += o->eintr_then_op;
	if (k->ret) {
		st->rejected++;
		return;
	}
	assert_true(k->rep.status <= SYSCHAIN_STATUS_DENIED);
	st->status[k->rep.status]++;
	st->steps += (long long)k->rep.steps;
	st->slots += g->n;
	for (i = 0; i < g->n; i++) {
		long t = g->nr[i];

		assert_non_null(opgen(t));
		if (!k->count[i])
			continue;
		st->slots_run++;
		st->op_ran[t]++;
		st->op_ok[t] += k->res[i] >= 0;
	}
}

/* all sides of one chain, and the comparisons; 1 if any diverged */
static int run_chain(struct gen *g, uint64_t seed, int idx, struct stats *st)
{
	const struct side_out *o;
	enum side_id ko;
	bool ou;
	int bad = 0;

	run_side(g, S_K);
	if (sides[S_K].o.ret == -ENOENT || sides[S_K].o.ret == -EACCES)
		fail_msg("cannot use /dev/syschain: %s",
			 strerror(-sides[S_K].o.ret));
	run_side(g, S_U);
	run_side(g, S_O);
	o = &sides[S_O].o;
	if (o->unknown_op)
		fail_msg("chain %d: a chain the oracle cannot judge", idx);
	/*
	 * Where the backends differ by design, the user backend is compared
	 * with the oracle run the user backend's way instead, and not with
	 * the kernel: the user backend runs the calls the module refuses
	 * (README, "Refused"). Everything else, signals and op boundaries
	 * too, all three sides must do alike.
	 */
	ou = o->refused;
	if (ou)
		run_side(g, S_OU);
	/* DIFF_SELFTEST: the "kernel" side is the user backend */
	ko = ou && selftest ? S_OU : S_O;
	bad |= compare(seed, idx, g, S_K, ko);
	if (!ou || selftest)
		bad |= compare(seed, idx, g, S_K, S_U);
	bad |= compare(seed, idx, g, S_U, ou ? S_OU : S_O);
	if (!o->ret) {
		bad |= check_mutation(g, seed, idx);
		st->mutations++;
	}
	account(g, st);
	return bad;
}

static int nr_chains(void)
{
	const char *s = getenv("DIFF_CHAINS");

	return s && atoi(s) > 0 ? atoi(s) : 500;
}

static void set_paths(int n_dir)
{
	static const char *const names[NPATHS] = {
		[P_F0] = "/f0", [P_F1] = "/f1", [P_F2] = "/f2", [P_F3] = "/f3",
		[P_NEW] = "/new", [P_DIR] = "", [P_MISSING] = "/missing/x",
		[P_SUBG] = "/sub/g", [P_SUB] = "/sub", [P_LINK] = "/link",
		[P_DANGLE] = "/dangle",
	};
	int i;

	snprintf(dir, sizeof(dir), "%s/diff-%d", *mnt_rel ? DIFF_MNT : "/tmp",
		 n_dir);
	snprintf(rel_dir, sizeof(rel_dir), "%s%sdiff-%d", mnt_rel,
		 *mnt_rel ? "/" : "", n_dir);
	for (i = 0; i < NPATHS; i++)
		snprintf(paths[i], sizeof(paths[i]), "%s%s", dir, names[i]);
}

static void print_stats(uint64_t seed, const struct stats *st, double t)
{
	int i;

	printf("test_diff: seed %#llx: %d chains, kernel = oracle = user "
	       "backend (completed %d, stopped %d, failed %d, budget %d, "
	       "unresolved %d, rejected %d) in %.1f s\n",
	       (unsigned long long)seed, st->chains,
	       st->status[SYSCHAIN_STATUS_COMPLETED],
	       st->status[SYSCHAIN_STATUS_STOPPED],
	       st->status[SYSCHAIN_STATUS_FAILED],
	       st->status[SYSCHAIN_STATUS_BUDGET],
	       st->status[SYSCHAIN_STATUS_UNRESOLVED], st->rejected, t);
	printf("test_diff: seed %#llx: %lld op executions, %lld of %lld op "
	       "slots run (%.0f%%); %d chains as non-root, %d refused by the "
	       "module, %d rejected with several culprits; %d mutated "
	       "chains' rejections checked against the oracle\n",
	       (unsigned long long)seed, st->steps, st->slots_run, st->slots,
	       st->slots ? 100.0 * st->slots_run / st->slots : 0.0,
	       st->nonroot, st->refused, st->culprits, st->mutations);
	printf("test_diff: seed %#llx: op boundaries: %d chains with SIGPIPE "
	       "(%d went on after the handler), %d read the pipe's end after "
	       "closing its write end, %d closed a file of the tree; the "
	       "blocking read ran in %d chains woken by SIGUSR1 (%d got "
	       "-EINTR, %d went on after it), %d by SIGUSR2 and %d by "
	       "SIGSTOP/SIGCONT (%d read data after the restart)\n",
	       (unsigned long long)seed, st->sigpipe, st->sigpipe_on,
	       st->pipe_eof, st->closed_tree, st->blk_ran[BLK_EINTR],
	       st->eintr, st->eintr_on, st->blk_ran[BLK_RESTART],
	       st->blk_ran[BLK_STOP], st->blk_data);
	printf("test_diff: rejections checked:");
	for (i = 0; i < NR_MUT; i++)
		printf("%s %s %d", i ? "," : "", mut_name[i], mut_count[i]);
	printf("\n");
	printf("test_diff: ops run (succeeded):");
	for (i = 0; i < nr_gen_ops; i++)
		printf(" %s %d (%d)", opgens[gen_ops[i]].name,
		       st->op_ran[gen_ops[i]], st->op_ok[gen_ops[i]]);
	printf("\n");
}

/* progress: a run where everything is rejected or nothing runs fails */
static void check_progress(const struct stats *st)
{
	int i, n = st->chains;

	assert_int_equal(st->status[SYSCHAIN_STATUS_FAULT], 0);
	assert_true(st->status[SYSCHAIN_STATUS_COMPLETED] >= n * 35 / 100);
	assert_true(st->rejected <= n * 10 / 100);
	assert_true(st->rejected >= 1);
	assert_true(st->status[SYSCHAIN_STATUS_STOPPED] >= n / 50);
	assert_true(st->status[SYSCHAIN_STATUS_FAILED] >= n / 50);
	assert_true(st->status[SYSCHAIN_STATUS_BUDGET] >= n / 100);
	assert_true(st->status[SYSCHAIN_STATUS_UNRESOLVED] >= n / 100);
	assert_true(st->slots_run * 100 >= st->slots * 70);
	assert_true(st->steps >= 5LL * n);
	assert_true(st->nonroot >= n / 10);
	assert_true(st->mutations >= n / 2);
	/* every shape of the op boundaries, compared exactly */
	assert_true(st->sigpipe >= n / 100);
	assert_true(st->sigpipe_on >= 1);
	assert_true(st->pipe_eof >= 1);
	assert_true(st->closed_tree >= n / 50);
	for (i = BLK_EINTR; i < NR_BLK; i++)
		if (!st->blk_ran[i])
			fail_msg("the blocking read never ran woken by %s",
				 blk_name[i]);
	assert_true(st->eintr >= 1);
	assert_true(st->eintr_on >= 1);
	assert_true(st->blk_data >= 1);
	for (i = 0; i < NR_MUT; i++)
		if (!mut_count[i])
			fail_msg("no rejection of kind \"%s\" checked",
				 mut_name[i]);
	for (i = 0; i < nr_gen_ops; i++)
		if (!st->op_ran[gen_ops[i]] || !st->op_ok[gen_ops[i]])
			fail_msg("%s never ran, or never succeeded",
				 opgens[gen_ops[i]].name);
}

static void diff_seed(uint64_t seed, int n_dir)
{
	static struct gen g;
	static struct stats st;
	int i, n = nr_chains(), only = -1;
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
	memset(&st, 0, sizeof(st));
	memset(mut_count, 0, sizeof(mut_count));
	if (!nr_gen_ops)
		fail_msg("no op to generate (see test_ops_table)");
	divergences = 0;
	set_paths(n_dir);
	assert_int_equal(chain_new(&g.c), 0);
	rng = seed;
	for (i = 0; i < n; i++) {
		gen_chain(&g);
		if (only >= 0 && i != only)
			continue;
		if (only >= 0)
			printf("%s", g.dump);
		if (run_chain(&g, seed, i, &st) && !keep_going)
			fail_msg("the sides diverge");
	}
	close_all();
	rm_tree();
	chain_free(g.c);
	print_stats(seed, &st, now() - t0);
	if (divergences)
		fail_msg("%d divergences", divergences);
	if (only < 0 && n >= 200)
		check_progress(&st);
}

static void test_seed_1(void **state) { (void)state; diff_seed(0x5eed0001, 1); }
static void test_seed_2(void **state) { (void)state; diff_seed(0x5eed0002, 2); }
static void test_seed_3(void **state) { (void)state; diff_seed(0xc0ffee, 3); }
static void test_seed_4(void **state) { (void)state; diff_seed(0xdeadbeef, 4); }

/* without the module (DIFF_SELFTEST): every op of the table, default caps */
static void fake_probe(void)
{
	int i, j;

	memset(&probe, 0, sizeof(probe));
	probe.max_ops = probe.max_conds = 4096;
	probe.max_steps = 1048576;
	for (i = 0; i < G_OPTAB_SIZE; i++)
		if (opgen(i))
			probe.syscalls[probe.nr_syscalls++] = (uint32_t)i;
	for (i = 1; i < (int)probe.nr_syscalls; i++)
		for (j = i; j > 0 && probe.syscalls[j - 1] > probe.syscalls[j];
		     j--) {
			uint32_t t = probe.syscalls[j];

			probe.syscalls[j] = probe.syscalls[j - 1];
			probe.syscalls[j - 1] = t;
		}
}

/* the guest: a strictatime tmpfs of our own, a clock in the present */
static void setup_vm(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	if (t.tv_sec < NEW_TIME + 100000000LL) {
		t.tv_sec = NEW_TIME + 200000000LL;
		if (clock_settime(CLOCK_REALTIME, &t))
			fprintf(stderr, "test_diff: clock_settime: %s\n",
				strerror(errno));
	}
	mkdir(DIFF_MNT, 0755);
	if (mount("tmpfs", DIFF_MNT, "tmpfs", MS_STRICTATIME | MS_NOSUID,
		  "size=64m,mode=0755"))
		fprintf(stderr, "test_diff: mount %s: %s (using /tmp)\n",
			DIFF_MNT, strerror(errno));
	else
		snprintf(mnt_rel, sizeof(mnt_rel), "%s",
			 DIFF_MNT + strlen("/tmp/"));
}

static int group_setup(void **state)
{
	struct sigaction sa;
	int ret, i, p[2];

	(void)state;
	in_vm = getenv("SYSCHAIN_VM") != NULL;
	selftest = getenv("DIFF_SELFTEST") != NULL;
	keep_going = getenv("DIFF_KEEP_GOING") != NULL;
	/* opens the device first, so it sits below the state's descriptors */
	ret = chain_probe(&probe);
	if (ret < 0 && selftest) {
		fake_probe();	/* host check of the test itself */
		ret = 0;
	}
	if (ret < 0) {
		fprintf(stderr, "test_diff: /dev/syschain: %s\n",
			strerror(-ret));
		return -1;	/* a failure, never a skip */
	}
	dev_fd = selftest ? -1 : open("/dev/syschain", O_RDWR | O_CLOEXEC);
	if (!selftest && dev_fd < 0)
		return -1;
	oenv.syscalls = probe.syscalls;
	oenv.nr_syscalls = probe.nr_syscalls;
	oenv.max_ops = probe.max_ops;
	oenv.max_conds = probe.max_conds;
	oenv.max_steps = probe.max_steps;
	oenv.refuse = true;
	region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || sh == MAP_FAILED)
		return -1;
	for (i = 0; i < REGION; i++)
		pattern[i] = (unsigned char)(i * 7 + 3);
	/* the handlers: SIGUSR2's alone restarts what it interrupts */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) || sigaction(SIGUSR1, &sa, NULL))
		return -1;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR2, &sa, NULL))
		return -1;
	if (in_vm)
		setup_vm();
	/* relative names with AT_FDCWD resolve from /tmp, as in the guest */
	if (chdir("/tmp"))
		return -1;
	fd_base = open("/dev/null", O_RDONLY);
	if (fd_base < 0)
		return -1;
	close(fd_base);
	/* what make_state() makes (and asserts), for the generator */
	for (i = 0; i < NR_FDS; i++)
		fds[i] = fd_base + i;
	blk_r = fd_base + BLK_FD;
	blk_w = blk_r + 1;
	if (pipe2(p, O_CLOEXEC) || dup2(p[0], blk_r) != blk_r ||
	    dup2(p[1], blk_w) != blk_w || close(p[0]) || close(p[1]))
		return -1;
	helper_spawn();
	if (helper_pid < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (helper_pid > 0) {
		kill(helper_pid, SIGKILL);
		waitpid(helper_pid, NULL, 0);
	}
	if (*mnt_rel)
		umount2(DIFF_MNT, MNT_DETACH);
	return 0;
}

/* a generator for every op of oplist.h, and for every op the probe lists */
static void test_ops_table(void **state)
{
	(void)state;
	g_assert_every_op("test_diff's opgens[]", has_opgen);
	setup_gen_ops();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_table),
		cmocka_unit_test(test_seed_1),
		cmocka_unit_test(test_seed_2),
		cmocka_unit_test(test_seed_3),
		cmocka_unit_test(test_seed_4),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
