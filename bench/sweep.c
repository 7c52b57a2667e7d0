// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * sweep.c: how syschain-bench measures a workload over N. Per N: the
 * plain-syscall reference (check.c), the chains built outside the timed
 * region and their first run checked, one untimed warm-up round (every
 * batch checked), then `trials` rounds with the modes interleaved, each
 * timing `reps` consecutive batches; min and median per N are kept.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

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

char check_fail[160];
static int last_ret, last_stop_op;

/* Why the chain modes cannot run workload w (or NULL). */
static const char *chain_skip(const struct workload *w, enum mode m,
			      char *buf, size_t len)
{
	int i;

	if (m != M_CHAIN_USER) {
		struct chain_probe probe = { 0 };

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
		if (m == M_CHAIN_REG && (chain_probe(&probe) || probe.abi_version < 3)) {
			snprintf(buf, len, "the module cannot register chains (ABI version %u < 3)",
				 probe.abi_version);
			return buf;
		}
		if (IS_BUF_MODE(m) && (chain_probe(&probe) || probe.abi_version < 5)) {
			snprintf(buf, len, "the module has no registered buffers (ABI version %u < 5)",
				 probe.abi_version);
			return buf;
		}
	}
	return NULL;
}

bool build_fixed;

int fixed_op(struct chain *c, struct chain_handle h)
{
	if (h.op < 0)
		return -1;
	return build_fixed && chain_fixed(c, h) ? -1 : 0;
}

int fixed_buffers(struct chain *c, enum mode m)
{
	struct iovec iov = { buf_small, COPY_BLOCK };

	return chain_register_buffers(c, &iov, 1,
				      m == M_CHAIN_KBUF ? CHAIN_BUF_KERNEL : 0);
}

/* How many registered chains (anon_inode:[syschain]) this process holds. */
int registered_fds(void)
{
	char path[300], link[64];
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int k = 0;

	while (d && (de = readdir(d))) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = 0;
			k += !strcmp(link, "anon_inode:[syschain]");
		}
	}
	if (d)
		closedir(d);
	return k;
}

/* One run of chain c, checked as check_report() says. */
int run_chain(struct chain *c, enum chain_backend want)
{
	int ret = chain_run(c);

	last_ret = ret;
	last_stop_op = chain_report(c)->stop_op;
	return check_report(c, ret, want, check_fail, sizeof(check_fail));
}

/* One batch of N ops in mode m. */
static int run_batch(const struct workload *w, enum mode m, struct chain *c,
		     int n, enum chain_backend want)
{
	static unsigned long reg_runs[NMODES];

	switch (m) {
	case M_LOOP:
		return w->loop(n);
	case M_URING:
	case M_URING_NOBUF:
	case M_URING_PLAIN:
		uring_reg = uring_reg_of(m);
		return w->uring(n);
	case M_CHAIN_REG:
	case M_CHAIN_FIXED:
	case M_CHAIN_KBUF:
		if (w->patch && w->patch(c, n, reg_runs[m]++) < 0) {
			snprintf(check_fail, sizeof(check_fail), "chain_set_arg failed");
			return -1;
		}
		/* fall through */
	default:
		return run_chain(c, want);
	}
}

static void mode_fail(struct mode_result *r, enum mode m, int n,
		      const char *why)
{
	r->status = "failed";
	snprintf(r->reason, sizeof(r->reason), "N=%d: %s", n,
		 why && *why ? why : IS_URING_MODE(m) ? uring_fail :
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

bool mode_usable(const struct workload *w, enum mode m, const char **status,
		 char *reason, size_t len)
{
	*status = "skipped";
	if (!opt_mode[m]) {
		snprintf(reason, len, "mode not selected");
		return false;
	}
	if (IS_CHAIN_MODE(m) && chain_skip(w, m, reason, len))
		return false;
	if (IS_URING_MODE(m) && (w->uring_na || !ring_ok)) {
		*status = w->uring_na ? "unsupported" : "skipped";
		snprintf(reason, len, "%s", w->uring_na ? w->uring_na : ring_err);
		return false;
	}
	if (IS_URING_MODE(m) && m != M_URING && !w->uring_variants) {
		snprintf(reason, len, "only pread-cached and copy run io_uring's variants");
		return false;
	}
	if (m == M_CHAIN_FIXED && !w->uring_variants) {
		snprintf(reason, len, "only pread-cached and copy (io_uring's registered-buffer "
			 "workloads) run chain-fixed");
		return false;
	}
	if (m == M_CHAIN_KBUF && !w->kbuf) {
		snprintf(reason, len, "%s", w->kbuf_na ? w->kbuf_na :
			 "only copy (a read handing its bytes to a write) runs chain-kbuf");
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
	s->want[M_CHAIN_REG] = CHAIN_BACKEND_KERNEL;
	s->want[M_CHAIN_USER] = CHAIN_BACKEND_USER;
	s->want[M_CHAIN_FIXED] = CHAIN_BACKEND_KERNEL;
	s->want[M_CHAIN_KBUF] = CHAIN_BACKEND_KERNEL;
	for (m = 0; m < NMODES; m++) {
		struct mode_result *r = &s->res[m];

		memset(r, 0, sizeof(*r));
		s->live[m] = mode_usable(s->w, (enum mode)m, &r->status,
					 r->reason, sizeof(r->reason));
		if (IS_CHAIN_MODE(m) && opt_mode[m])
			r->backend = m == M_CHAIN_USER ? "user" : "kernel";
		if (!s->live[m])
			continue;
		if (IS_CHAIN_MODE(m)) {
			if (chain_new(&s->chains[m]) < 0)
				die("chain_new");
			chain_set_backend(s->chains[m], s->want[m]);
			/* one-shot unless it is a registered mode */
			chain_set_register(s->chains[m], IS_REG_MODE(m));
			/* chain_reset() keeps them: registered once */
			if (IS_BUF_MODE(m) && fixed_buffers(s->chains[m], (enum mode)m))
				die("chain_register_buffers");
		}
		if (IS_URING_MODE(m))
			r->note = uring_note(s->w, m);
	}
}

/*
 * chain-reg: the first run of a built chain is one-shot, the second
 * registers it (libchain does so by itself); check that second run and
 * that the chain holds a registration now (libchain would otherwise run
 * it one-shot, silently): one descriptor more than before the first run
 * (before, counted after chain_reset() dropped the old registration; the
 * other registered modes' chains may hold one). chain-fixed, chain-kbuf:
 * libchain registers a chain with buffers at its first run (the one just
 * checked); its flagged ops pass the module's validation only in a chain
 * whose buffers were registered with it, and the run completed on the
 * kernel backend (check_report()), so the new descriptor is a chain with
 * the buffer pinned (chain-kbuf: its kernel buffer).
 */
static bool reg_check(struct sweep_state *s, enum mode m, int n, int before)
{
	struct chain *c = s->chains[m];

	if (m == M_CHAIN_REG) {
		check_poison();
		if (run_batch(s->w, m, c, n, s->want[m])) {
			mode_fail(&s->res[m], m, n, NULL);
			return false;
		}
		check_run(m, false, c, run_ret, "second run (registers)");
	}
	if (registered_fds() != before + 1) {
		mode_fail(&s->res[m], m, n,
			  "libchain did not register the chain (no new anon_inode:[syschain] descriptor)");
		return false;
	}
	return true;
}

/* Build the chains for n units outside the timed region; check a first run. */
static void sweep_build(struct sweep_state *s, int first, int n)
{
	const struct workload *w = s->w;
	struct mode_result *res = s->res;
	int m;

	for (m = M_CHAIN; IS_CHAIN_MODE(m); m++) {
		int before, err;

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
		build_fixed = IS_BUF_MODE(m);
		err = w->build(s->chains[m], n);
		build_fixed = false;
		if (err < 0) {
			mode_fail(&res[m], (enum mode)m, n, "building the chain failed");
			s->live[m] = false;
			continue;
		}
		/* first run: must complete on the right backend, right results */
		check_fail[0] = 0;
		last_ret = 0;
		check_poison();
		before = registered_fds();
		if (!run_batch(w, (enum mode)m, s->chains[m], n, s->want[m])) {
			check_run(m, false, s->chains[m], run_ret, "first run");
			if (IS_REG_MODE(m) && !reg_check(s, (enum mode)m, n, before))
				s->live[m] = false;
			continue;
		}
		/* a refusal at validation is a skip, not a failure */
		if (last_ret == -EOPNOTSUPP && first) {
			const char *nm = last_stop_op >= 0 ?
				sys_name(w->nrs[last_stop_op % w->ops_per_item]) : NULL;

			res[m].status = "skipped";
			snprintf(res[m].reason, sizeof(res[m].reason),
				 "op %s not supported by %s", nm ? nm : "?",
				 m == M_CHAIN_USER ? "libchain's user backend" : "the module");
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
			check_run(m, IS_URING_MODE(m), s->chains[m], run_ret, when);
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
		check_run(m, IS_URING_MODE(m), s->chains[m], run_ret, when);
	}
	check_unchecked(m, checked ? reps - 1 : reps);
	p->samples[p->trials++] = (double)(t1 - t0) / reps;
}

/*
 * The syscalls of one batch of SC_N units in each mode (syscount.c),
 * before the sweep: the chains are built for SC_N and run twice (so that
 * chain-reg runs registered) before the counted run.
 */
static void sweep_count(struct sweep_state *s)
{
	int m, r;

	check_reference(SC_N);
	sweep_build(s, true, SC_N);
	for (m = 0; m < NMODES; m++) {
		if (!s->live[m])
			continue;
		for (r = 0; r < 2; r++)
			if (run_batch(s->w, (enum mode)m, s->chains[m], SC_N, s->want[m]))
				break;
		if (r == 2) {
			syscount_start();
			r = run_batch(s->w, (enum mode)m, s->chains[m], SC_N, s->want[m]);
			syscount_stop(s->w, (enum mode)m, SC_N);
		}
		if (r) {
			mode_fail(&s->res[m], (enum mode)m, SC_N, NULL);
			s->live[m] = false;
		}
	}
}

/* The sweep of w over its N values, every mode interleaved. */
static void sweep(const struct workload *w, struct mode_result *res)
{
	struct sweep_state s = { .w = w, .res = res };
	const int *ns = w->nns ? w->ns : opt_n;
	int nn = w->nns ? w->nns : opt_nn;
	int m, ni, t;

	sweep_setup(&s);
	if (opt_syscalls)
		sweep_count(&s);
	for (ni = 0; ni < nn; ni++) {
		int n = ns[ni];
		int min_ops = w->min_ops ? w->min_ops : opt_min_ops;
		int reps = (min_ops + n - 1) / n;

		if ((w->nmax && n > w->nmax) || n > MAXN)
			break;
		check_reference(n);
		sweep_build(&s, ni == 0 && !opt_syscalls, n);
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

void mode_json(FILE *f, int m, const char *status, const char *reason,
		      const char *note, long runs, long checked)
{
	fprintf(f, "%s\n {\"mode\":\"%s\",\"status\":\"%s\",\"reason\":",
		m ? "," : "", mode_names[m], status);
	json_str(f, reason);
	fputs(",\"note\":", f);
	json_str(f, note);
	fprintf(f, ",\"runs\":%ld,\"checked_runs\":%ld", runs, checked);
}

/* A sweep's modes as JSON; returns how many failed. */
static int sweep_json(FILE *f, const struct workload *w,
		      const struct mode_result *res)
{
	int m, i, failed = 0;

	if (opt_syscalls)
		syscount_json(f, w);
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

int sweep_measure(FILE *f, const struct workload *w)
{
	static struct mode_result res[NMODES];

	sweep(w, res);
	return sweep_json(f, w, res);
}
