/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * bench.h: what the parts of syschain-bench share.
 *
 *   syschain-bench.c  the driver: options, the workload table, the JSON document
 *   common.c          messages, JSON strings, fixtures, syscall names (oplist.h)
 *   uring.c           the ring, its registered files and buffer, one submission
 *   env.c             the machine's description ("env" in the JSON)
 *   floor.c           the ioctl floor under a chain's fixed cost (in "env")
 *   perop.c           where a chain's time per op goes (in "env")
 *   sweep.c           the N-sweep: modes, warm-up, timed trials, checked runs
 *   wl_*.c            one file per workload family: what each mode runs
 *   check.c           the plain-syscall reference and the comparison (check.h)
 *   syscount.c        the syscalls each mode makes per batch (tracefs)
 *
 * A workload is a struct workload (designated initializers, in its
 * family's file); syschain-bench.c's table lists them in the order they run.
 */
#ifndef SYSCHAIN_BENCH_H
#define SYSCHAIN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sys/stat.h>
#include <liburing.h>
#include <libchain.h>
#include "check.h"

#define MAXTRIALS	64

/*
 * chain: one-shot (SYSCHAIN_RUN, chain_set_register(c, false)); chain-reg:
 * the same chain registered by libchain (SYSCHAIN_EXEC), per-run argument
 * changes as patches; chain-user: libchain's user backend; chain-fixed:
 * chain-reg's chain with the workload's buffer registered
 * (chain_register_buffers(): the module pins it) and its data ops flagged
 * chain_fixed(), as io_uring's READ_FIXED/WRITE_FIXED; chain-kbuf:
 * chain-fixed's chain with the buffer registered CHAIN_BUF_KERNEL (the
 * chain's kernel memory stands for it: a read into it and a write from it
 * never touch the program's memory on the kernel backend), copy only
 * (kbuf). uring: io_uring with registered files and buffers; uring-nobuf:
 * registered files, the buffers plain (READ/WRITE for
 * READ_FIXED/WRITE_FIXED); uring-plain: nothing registered. chain-fixed
 * and the last two only where the workload has both (uring_variants):
 * they tell what registration buys.
 */
enum mode { M_LOOP, M_CHAIN, M_CHAIN_REG, M_CHAIN_USER, M_CHAIN_FIXED,
	    M_CHAIN_KBUF, M_URING, M_URING_NOBUF, M_URING_PLAIN, NMODES };
#define IS_CHAIN_MODE(m) ((m) >= M_CHAIN && (m) <= M_CHAIN_KBUF)
/* the modes whose chain has the buffer registered, its data ops chain_fixed() */
#define IS_BUF_MODE(m) ((m) == M_CHAIN_FIXED || (m) == M_CHAIN_KBUF)
/* the modes whose chain runs registered (SYSCHAIN_EXEC) */
#define IS_REG_MODE(m) ((m) == M_CHAIN_REG || IS_BUF_MODE(m))
#define IS_URING_MODE(m) ((m) >= M_URING && (m) <= M_URING_PLAIN)
extern const char *const mode_names[NMODES];

/* ---------------------------------------------------------------- options */
extern int opt_n[32], opt_nn;
extern int opt_trials, opt_min_ops, opt_copy_mb, opt_copy_trials;
extern bool opt_mode[NMODES];
extern const char *opt_dir;
extern bool opt_verbose;
extern bool opt_syscalls;

/* ------------------------------------------------------------- utilities */
__attribute__((format(printf, 1, 2), noreturn))
void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void note(const char *fmt, ...);
void json_str(FILE *f, const char *s);
char *read_line(const char *path, char *buf, size_t len);
/* The minimum and median of k samples. */
void min_median(const double *samples, int k, uint64_t *min, uint64_t *med);
/* The name of syscall nr if it is one of syschain's ops (oplist.h), or NULL. */
const char *sys_name(long nr);

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ fixtures */
extern char *buf_small, *buf_big;
extern int fd_zero, fd_big, dirfd_files;
extern int sock[2];
extern char path_big[256], path_copy_out[256];
extern char path_files[MAXN][512];
extern char name_files[MAXN][16];
extern uint64_t pread_off[MAXN];
extern struct stat st_sink;
extern struct statx stx_sink;
extern char echo_msg[ECHO_SIZE];
extern size_t big_size;

/* Creates the files and descriptors every workload uses; check_init(). */
void fixtures(void);
/* negative: the offset of the i-th 1 MiB read (wl_read.c) */
uint64_t neg_off(int i);

/* the module, as chain_probe() found it at start */
extern bool kernel_present;
extern char kernel_absent_why[96];

/* ------------------------------------------------------------- io_uring */
extern struct io_uring ring;
extern bool ring_ok;
extern unsigned int ring_flags;
extern char ring_err[128];

/* registered files: fixed ones, then one slot per readfile file */
enum { FIX_ZERO, FIX_BIG, FIX_S0, FIX_S1, FIX_COPY_IN, FIX_COPY_OUT, FIX_OPEN0 };
#define NFIXED (FIX_OPEN0 + MAXN)

void uring_init(void);
/* what the uring mode running now registered: URING_* bits, set per batch */
#define URING_FILES	1
#define URING_BUFS	2
extern unsigned int uring_reg;
/* the URING_* bits of mode m (an IS_URING_MODE one) */
unsigned int uring_reg_of(int m);
struct workload;
/* how uring mode m expresses workload w, for the JSON's "note" */
const char *uring_note(const struct workload *w, int m);
struct io_uring_sqe *sqe_get(void);
/*
 * Submit what was queued (nsqe entries, linked) and reap every
 * completion; each must have the result expected[i] (any >= 0 where
 * expected[i] is -1). Returns 0, or -1 with the reason in uring_fail.
 */
int uring_run(unsigned int nsqe, const int *expected);
extern char uring_fail[160];
/* the results the uring modes expect, indexed by user_data */
extern int expect_buf[4 * MAXN + 16];

/* what the ops of the last batch returned, in the loop and uring modes */
extern int64_t run_ret[MAXOPS + 16];
/* why a chain run failed its check_report() */
extern char check_fail[160];

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
	bool uring_variants;		/* chain-fixed, uring-nobuf, uring-plain too */
	bool kbuf;			/* chain-kbuf too (copy) */
	const char *kbuf_na;		/* why not, where chain-fixed runs */
	/*
	 * an N-sweep: one batch of n units in each mode; build flags the data
	 * ops with fixed_op() (chain_fixed() when building chain-fixed's or
	 * chain-kbuf's chain)
	 */
	int (*loop)(int n);
	int (*build)(struct chain *c, int n);
	int (*uring)(int n);
	/*
	 * the registered modes, before each run: what a program changes between
	 * runs of its registered chain, by chain_set_arg() (patches); run
	 * counts the runs of this chain (NULL: nothing changes).
	 */
	int (*patch)(struct chain *c, int n, unsigned long run);
	/* the N values of this workload's sweep (nns 0: --n's) */
	int ns[12];
	int nns;
	/*
	 * Not an N-sweep: measures itself and prints its "kind" and "modes"
	 * (NULL: sweep_measure()). Returns how many modes failed.
	 */
	int (*measure)(FILE *f, const struct workload *w);
};

/* the workloads, by family */
extern const struct workload wl_null;			/* wl_process.c */
extern const struct workload wl_fixed;
extern const struct workload wl_read_zero;		/* wl_read.c */
extern const struct workload wl_pread_cached;
extern const struct workload wl_negative;
extern const struct workload wl_readfile;		/* wl_file.c */
extern const struct workload wl_statwalk;
extern const struct workload wl_echo;			/* wl_net.c */
extern const struct workload wl_copy;			/* wl_copy.c */

/* ------------------------------------------------------------ measurement */
/*
 * chain-fixed, chain-kbuf: while its chain is built, build_fixed is set and
 * fixed_op() flags the op h with chain_fixed() (otherwise it only checks
 * that h was added); -1 if either failed. fixed_buffers() registers the
 * workloads' data buffer (buf_small, COPY_BLOCK bytes: io_uring's
 * registered buffer too) with chain c, for mode m: pinned (chain-fixed) or
 * CHAIN_BUF_KERNEL (chain-kbuf).
 */
extern bool build_fixed;
int fixed_op(struct chain *c, struct chain_handle h);
int fixed_buffers(struct chain *c, enum mode m);
/* How many registered chains (anon_inode:[syschain]) this process holds. */
int registered_fds(void);
/* Whether mode m can run w; if not, status and reason say why. */
bool mode_usable(const struct workload *w, enum mode m, const char **status,
		 char *reason, size_t len);
/* One run of chain c, checked as check_report() says. */
int run_chain(struct chain *c, enum chain_backend want);
/* The sweep of w over opt_n, in every mode; prints its modes as JSON. */
int sweep_measure(FILE *f, const struct workload *w);
/* The start of a mode's JSON object (the caller closes it). */
void mode_json(FILE *f, int m, const char *status, const char *reason,
	       const char *note, long runs, long checked);
/* The "env" member of the JSON document. */
void env_json(FILE *f);
/* floor.c: the ioctl floor under a chain's fixed cost, into env_json()'s */
void floor_json(FILE *f);
/* "perop" in env: where a chain's time per op goes (perop.c) */
void perop_json(FILE *f);

/* ------------------------------------------------------- syscall counts */
/*
 * syscount.c: with --syscalls, each mode's batch of SC_N units is traced
 * (tracefs raw_syscalls:sys_enter, filtered by this pid) once per
 * workload, before its sweep; the loop and chain-user must make exactly
 * the chain's ops, chain one SYSCHAIN_RUN ioctl, chain-reg, chain-fixed
 * and chain-kbuf one SYSCHAIN_EXEC.
 */
#define SC_N 3
/* Sets tracing up; dies if it cannot. */
void syscount_init(void);
void syscount_end(void);
/* Start and stop counting one batch of mode m (m < 0: clear). */
void syscount_start(void);
void syscount_stop(const struct workload *w, enum mode m, int n);
/* The "syscalls" member of a workload's JSON (",\"syscalls\":{...}"). */
void syscount_json(FILE *f, const struct workload *w);
/* how many counts did not match */
extern int syscount_failed;

#endif
