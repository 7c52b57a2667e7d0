/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * check.h: syschain-bench compares what every mode produced (each op's
 * result and the output buffers: bytes read, stat contents, the copied
 * file) with a plain-syscall reference, outside the timed region.
 *
 * Which runs are checked: the first run of a chain after it is built,
 * every batch of the untimed warm-up round, and the last batch of timed
 * trials 0..CHECK_FIRST-1 and of every CHECK_EVERY-th trial after (the
 * output buffers are poisoned before such a trial starts its clock, so
 * what they hold after it was written by that trial). The copy: the
 * output file of the same trials (not the warm-up's: comparing 64 MiB
 * costs about a second in a TCG guest). A mismatch prints what differed
 * and ends the program with exit status 1.
 */
#ifndef SYSCHAIN_BENCH_CHECK_H
#define SYSCHAIN_BENCH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* sizes shared by syschain-bench.c and check.c */
#define MAXN		1024
#define SMALL_SIZE	256		/* readfile: bytes per small file */
#define PREAD_SIZE	4096
#define BIG_READ	(1 << 20)	/* negative control */
#define COPY_BLOCK	(64 * 1024)
#define ECHO_SIZE	64
#define MAXOPS		(4 * MAXN)	/* readfile: four ops per file */

#define CHECK_FIRST	3	/* timed trials 0..2 are checked */
#define CHECK_EVERY	16	/* and then every 16th: 15, 31, 47, ... */

/* The bench's fixtures: inputs the reference reads, buffers the modes fill. */
struct check_fix {
	char *buf_small, *buf_big;
	struct stat *st_sink;
	struct statx *stx_sink;
	int fd_zero, fd_big, dirfd_files, sock[2];
	const char (*path_files)[512];
	const char (*name_files)[16];
	const uint64_t *pread_off;
	uint64_t (*neg_off)(int i);
	const char *echo_msg;
	const char *path_big, *path_copy_out;
	size_t big_size;
};

void check_init(const struct check_fix *fix, const char *const *mode_names,
		int nmodes);

/* A workload's sweep (or the copy): ops[k] names op k of each unit. */
void check_begin(const char *workload, const char *const *ops, int per);
/* Per N, before the chains are built: the plain-syscall reference. */
void check_reference(int n);
/* Trial t (0-based) of a timed round is checked. */
bool check_sampled(int t);
/* Before a checked run: fill the output buffers with a poison byte. */
void check_poison(void);
/* A run of mode m that is not checked (counted only). */
void check_unchecked(int m, long runs);
/*
 * After a checked run of mode m: its per-op results (the chain's if c,
 * else got[0..nops)) and the output buffers against the reference (statx
 * for io_uring). when says which run ("first run", "warm-up run 3 of 64",
 * "trial 2"). Returns only if everything matched.
 */
struct chain;
void check_run(int m, bool uring, const struct chain *c, const int64_t *got,
	       const char *when);
/*
 * Every chain run, timed or not: chain_run()'s return ret, the chain
 * completed, on backend want. 0, or -1 with the reason in buf.
 */
int check_report(const struct chain *c, int ret, int want, char *buf,
		 size_t len);
/*
 * Every copy, timed or not: the output file's size, and the chain's
 * count of writes (c: the chain, wr_op its write op; NULL for the other
 * modes). 0, or -1 with the reason in buf.
 */
int check_copy_size(const struct chain *c, int wr_op, int out, char *buf,
		    size_t len);
/* Copy trial t, sampled: the output file against the input, byte for byte. */
void check_copy(int m, int t);
/* Runs of mode m so far in this workload, and how many were checked. */
void check_counts(int m, long *runs, long *checked);
/* One summary line per workload on stderr. */
void check_end(void);

#endif
