// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * wl_copy.c: the copy workload, not an N-sweep: copy the big file in
 * 64 KiB blocks. loop: read/write until EOF; chain: one chain, read, stop
 * at 0, write chain_res(read) bytes, jump back (chain-fixed: the read and
 * the write flagged chain_fixed(), the buffer registered; chain-kbuf: the
 * same with the buffer a kernel buffer, CHAIN_BUF_KERNEL, so that the
 * blocks stay in the kernel); uring: every block's READ_FIXED/WRITE_FIXED
 * pair at explicit offsets in one linked submission. One warm-up and
 * copy_trials timed copies per mode, the output file truncated before
 * each, outside the timed region.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "bench.h"

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
	struct chain_handle rd, wr;
	int done;

	done = chain_label(c);
	rd = chain_read(c, in, buf_small, COPY_BLOCK);
	if (fixed_op(c, rd) < 0)
		return -1;
	chain_goto_if(c, rd, CHAIN_EQ, 0, done);
	wr = chain_write(c, out, buf_small, rd);
	if (fixed_op(c, wr) < 0)
		return -1;
	chain_stop_if(c, wr, CHAIN_NE, rd);
	chain_jump_if(c, wr, CHAIN_ALWAYS, 0, rd);
	chain_label_here(c, done);
	if (chain_getpid(c).op < 0)	/* the label needs an op to land on */
		return -1;
	return wr.op;
}

/* one block's read or write, as uring_reg says what is registered */
static void copy_sqe(bool wr, int fix, int fd, uint64_t off, bool link,
		     unsigned int k)
{
	struct io_uring_sqe *sqe = sqe_get();
	int f = uring_reg & URING_FILES ? fix : fd;

	if (uring_reg & URING_BUFS) {
		if (wr)
			io_uring_prep_write_fixed(sqe, f, buf_small, COPY_BLOCK, off, 0);
		else
			io_uring_prep_read_fixed(sqe, f, buf_small, COPY_BLOCK, off, 0);
	} else if (wr) {
		io_uring_prep_write(sqe, f, buf_small, COPY_BLOCK, off);
	} else {
		io_uring_prep_read(sqe, f, buf_small, COPY_BLOCK, off);
	}
	if (uring_reg & URING_FILES)
		sqe->flags |= IOSQE_FIXED_FILE;
	if (link)
		sqe->flags |= IOSQE_IO_LINK;
	sqe->user_data = k;
	expect_buf[k] = COPY_BLOCK;
}

static int copy_uring(int in, int out)
{
	unsigned int blocks = (unsigned int)(big_size / COPY_BLOCK), i, k = 0;

	for (i = 0; i < blocks; i++) {
		uint64_t off = (uint64_t)i * COPY_BLOCK;

		copy_sqe(false, FIX_COPY_IN, in, off, true, k++);
		copy_sqe(true, FIX_COPY_OUT, out, off, i < blocks - 1, k++);
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
		if (IS_CHAIN_MODE(m)) {
			chain_new(&s->c[m]);
			chain_set_backend(s->c[m], m == M_CHAIN_USER ? CHAIN_BACKEND_USER :
					  CHAIN_BACKEND_KERNEL);
			/*
			 * chain-reg registers on its second run (the first
			 * trial), chain-fixed and chain-kbuf (buffers) on their
			 * first (the warm-up)
			 */
			chain_set_register(s->c[m], IS_REG_MODE(m));
			if (IS_BUF_MODE(m) && fixed_buffers(s->c[m], (enum mode)m))
				die("copy: chain_register_buffers failed");
			build_fixed = IS_BUF_MODE(m);
			s->wr_op = copy_build(s->c[m], s->in, s->out);
			build_fixed = false;
			if (s->wr_op < 0)
				die("copy: building the chain failed");
		}
		if (IS_URING_MODE(m) && (uring_reg_of(m) & URING_FILES)) {
			int fds[2] = { s->in, s->out };

			if (io_uring_register_files_update(&ring, FIX_COPY_IN, fds, 2) != 2)
				die("copy: register files failed");
		}
		if (IS_URING_MODE(m))
			res[m].note = uring_note(s->w, m);
	}
}

/*
 * chain-kbuf: on the kernel backend its read and write use the chain's
 * kernel buffer, never the program's range (buf_small), which is filled
 * with KBUF_MARK before every copy in that mode (outside the timed region)
 * and must still hold it after: otherwise the copy went through the
 * program's memory and is not what chain-kbuf stands for.
 */
#define KBUF_MARK 0x6b

static int kbuf_untouched(void)
{
	size_t i;

	for (i = 0; i < COPY_BLOCK; i++)
		if (buf_small[i] != KBUF_MARK) {
			snprintf(check_fail, sizeof(check_fail), "the program's buffer changed "
				 "at byte %zu (0x%02x, not 0x%02x): the copy went through it, "
				 "not the kernel buffer", i, (unsigned char)buf_small[i],
				 KBUF_MARK);
			return -1;
		}
	return 0;
}

/* One copy in mode m (trial -1: the warm-up); sampled trials checked after. */
static void copy_trial(struct copy_state *s, enum mode m, int t)
{
	struct copy_result *r = &s->res[m];
	int before = IS_BUF_MODE(m) && t < 0 ? registered_fds() : 0;
	uint64_t t0, t1;
	int err;

	if (lseek(s->in, 0, SEEK_SET) || ftruncate(s->out, 0) ||
	    lseek(s->out, 0, SEEK_SET))
		die("copy: reset: %s", strerror(errno));
	check_fail[0] = 0;
	if (m == M_CHAIN_KBUF)
		memset(buf_small, KBUF_MARK, COPY_BLOCK);
	t0 = now_ns();
	if (m == M_LOOP)
		err = copy_loop(s->in, s->out);
	else if (IS_URING_MODE(m))
		err = (uring_reg = uring_reg_of(m), copy_uring(s->in, s->out));
	else
		err = run_chain(s->c[m], m == M_CHAIN_USER ? CHAIN_BACKEND_USER :
				CHAIN_BACKEND_KERNEL);
	t1 = now_ns();
	if (!err)
		err = check_copy_size(s->c[m], s->wr_op, s->out, check_fail,
				      sizeof(check_fail));
	/*
	 * chain-fixed's and chain-kbuf's first run (the warm-up) registered the
	 * chain with the buffer (as sweep.c's reg_check() says): one
	 * descriptor more
	 */
	if (!err && IS_BUF_MODE(m) && t < 0 && registered_fds() != before + 1) {
		snprintf(check_fail, sizeof(check_fail), "libchain did not register the "
			 "chain (no new anon_inode:[syschain] descriptor)");
		err = -1;
	}
	if (!err && m == M_CHAIN_KBUF)
		err = kbuf_untouched();
	if (err) {
		r->status = "failed";
		snprintf(r->reason, sizeof(r->reason), "%s",
			 IS_URING_MODE(m) ? uring_fail : check_fail);
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

static int copy_measure(FILE *f, const struct workload *w)
{
	static struct copy_result cres[NMODES];

	copy_bench(w, cres);
	return copy_json(f, cres);
}

const struct workload wl_copy = {
	.name = "copy",
	.what = "copy a 64 MiB file in 64 KiB blocks (not an N-sweep)",
	.nrs = { __NR_read, __NR_write },
	.nnrs = 2,
	.uring_note = "READ_FIXED/WRITE_FIXED pairs at explicit offsets, registered files "
		      "and buffer, all blocks in one linked submission",
	.uring_variants = true,
	.kbuf = true,
	.measure = copy_measure,
};
