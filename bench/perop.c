// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * perop.c: where a chain's time per op goes, measured in the same run by
 * chains of getppid made with raw ioctls (no libchain), each kind at
 * N = 1 and N = PEROP_N ops, per op = (t(N) - t(1)) / (N - 1), so that
 * what a run costs once drops out:
 *
 *   copy       SYSCHAIN_RUN whose first op is refused: the module copies
 *              every op in, then validation stops at op 0
 *   validate   SYSCHAIN_RUN whose last op is refused: copy and validation
 *   oneshot    SYSCHAIN_RUN that completes: copy, validation, execution
 *   exec       SYSCHAIN_EXEC of a registered chain: execution only
 *   exec_cond  the same with a condition on every op that never holds
 *   loop       a registered chain of 2 ops, both with a condition, the
 *              second jumping back to the first, run N steps (budget):
 *              exec_cond's work per step on 2 ops instead of N
 *
 * and a plain getppid syscall. Each is the best of PEROP_REPS samples,
 * the kinds in turn within each repetition. The report (targets.py) turns
 * the differences into the per-op breakdown of bench/README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "bench.h"

#define PEROP_N 1024
#define PEROP_REPS 7
#define PEROP_WORK 100000	/* ops per sample, at either N */

enum { P_COPY, P_VALIDATE, P_ONESHOT, P_EXEC, P_EXEC_COND, P_LOOP,
       NPEROP };

static const char *const perop_names[NPEROP] = {
	"copy_ns", "validate_ns", "oneshot_ns", "exec_ns", "exec_cond_ns",
	"loop_ns",
};

/*
 * an op number no kernel's syschain takes (fork: it cannot be an op; clone,
 * fork's form there, where the generic syscall table has no fork: arm64)
 */
#ifdef __NR_fork
#define PEROP_REFUSED __NR_fork
#else
#define PEROP_REFUSED __NR_clone
#endif

struct perop {
	struct syschain_op *ops[2];	/* [0]: getppid x N; [1]: cond'ed */
	struct syschain_cond *conds;	/* never holds x N, then one jump */
	struct syschain_result *res;
	int dev;
	int reg[NPEROP][2];		/* registered fds by kind, 1 op / N */
	long ppid;
};

static struct syschain_op *perop_ops(bool cond)
{
	struct syschain_op *ops = calloc(PEROP_N, sizeof(*ops));
	int i;

	if (!ops)
		die("perop: out of memory");
	for (i = 0; i < PEROP_N; i++) {
		ops[i].nr = __NR_getppid;
		if (cond) {
			ops[i].cond_index = i;
			ops[i].cond_count = 1;
		}
	}
	return ops;
}

/* a registered chain of @n ops: exec_cond's or loop's with conditions */
static int perop_register(struct perop *p, int kind, unsigned int n)
{
	struct syschain_op loop[2] = {
		{ .nr = __NR_getppid, .cond_index = 0, .cond_count = 1 },
		{ .nr = __NR_getppid, .cond_index = PEROP_N, .cond_count = 1 },
	};
	struct syschain_register reg = {
		.size = sizeof(reg),
		.nr_ops = kind == P_LOOP ? 2 : n,
		.op_size = sizeof(struct syschain_op),
		.cond_size = sizeof(struct syschain_cond),
		.ops_uptr = (uintptr_t)(kind == P_LOOP ? loop :
					kind == P_EXEC ? p->ops[0] : p->ops[1]),
	};

	if (kind != P_EXEC) {
		reg.nr_conds = PEROP_N + 1;
		reg.conds_uptr = (uintptr_t)p->conds;
	}
	if (ioctl(p->dev, SYSCHAIN_REGISTER, &reg))
		die("perop: SYSCHAIN_REGISTER: %s", strerror(errno));
	return reg.fd;
}

/* one call of @kind at @n ops; false if it did not do what it is for */
static bool perop_call(struct perop *p, int kind, unsigned int n, int big)
{
	struct syschain_run run = {
		.size = sizeof(run),
		.nr_ops = n,
		.op_size = sizeof(struct syschain_op),
		.cond_size = sizeof(struct syschain_cond),
		.ops_uptr = (uintptr_t)p->ops[0],
		.results_uptr = (uintptr_t)p->res,
	};
	struct syschain_exec x = {
		.size = sizeof(x),
		.results_uptr = (uintptr_t)p->res,
		.max_steps = n,
	};
	unsigned int bad = kind == P_COPY ? 0 : n - 1;
	bool ok;

	switch (kind) {
	case P_COPY:
	case P_VALIDATE:
		p->ops[0][bad].nr = PEROP_REFUSED;
		ok = ioctl(p->dev, SYSCHAIN_RUN, &run) < 0 &&
		     errno == EOPNOTSUPP && run.stop_op == bad;
		p->ops[0][bad].nr = __NR_getppid;
		return ok;
	case P_ONESHOT:
		return !ioctl(p->dev, SYSCHAIN_RUN, &run) &&
		       run.status == SYSCHAIN_STATUS_COMPLETED &&
		       run.steps == n && p->res[n - 1].ret == p->ppid;
	default:
		if (ioctl(p->reg[kind][big], SYSCHAIN_EXEC, &x))
			return false;
		if (kind == P_LOOP)	/* the budget ends it, n steps made */
			return x.status == SYSCHAIN_STATUS_BUDGET &&
			       x.steps == n && p->res[0].ret == p->ppid;
		return x.status == SYSCHAIN_STATUS_COMPLETED && x.steps == n &&
		       p->res[n - 1].ret == p->ppid;
	}
}

/* the best time per call of @kind at @n ops over this repetition */
static double perop_sample(struct perop *p, int kind, unsigned int n, int big)
{
	unsigned int calls = PEROP_WORK / n, i;
	uint64_t t0 = now_ns();

	for (i = 0; i < calls; i++)
		if (!perop_call(p, kind, n, big))
			die("perop: %s at N = %u: call %u did not do what it is for (%s)",
			    perop_names[kind], n, i, strerror(errno));
	return (double)(now_ns() - t0) / calls;
}

static double perop_getppid(long ppid)
{
	uint64_t t0 = now_ns();
	int i;

	for (i = 0; i < PEROP_WORK; i++)
		if (syscall(SYS_getppid) != ppid)
			die("perop: getppid returned another pid");
	return (double)(now_ns() - t0) / PEROP_WORK;
}

static void perop_setup(struct perop *p)
{
	int i, k;

	p->ppid = getppid();
	p->ops[0] = perop_ops(false);
	p->ops[1] = perop_ops(true);
	p->conds = calloc(PEROP_N + 1, sizeof(*p->conds));
	p->res = calloc(PEROP_N, sizeof(*p->res));
	if (!p->conds || !p->res)
		die("perop: out of memory");
	for (i = 0; i < PEROP_N; i++) {	/* a pid is never negative */
		p->conds[i].cmp = SYSCHAIN_CMP_LT;
		p->conds[i].action = SYSCHAIN_ACT_STOP;
	}
	p->conds[PEROP_N].cmp = SYSCHAIN_CMP_ALWAYS;
	p->conds[PEROP_N].action = SYSCHAIN_ACT_JUMP;
	p->conds[PEROP_N].target = 0;
	for (k = P_EXEC; k < NPEROP; k++) {
		p->reg[k][0] = perop_register(p, k, 1);
		p->reg[k][1] = perop_register(p, k, PEROP_N);
	}
}

static void perop_teardown(struct perop *p)
{
	int k;

	for (k = P_EXEC; k < NPEROP; k++) {
		close(p->reg[k][0]);
		close(p->reg[k][1]);
	}
	free(p->ops[0]);
	free(p->ops[1]);
	free(p->conds);
	free(p->res);
}

/*
 * Heavier units, alone in their run and among many: an openat() of a
 * name that does not exist (-ENOENT: a path walk, nothing opened), and an
 * openat() of /dev/null with the close() of what it opened (a file's
 * final fput: task work, which on 6.1 makes the chain leave the kernel
 * after the close); as syscalls, as the one unit of a registered chain
 * (per run) and as one of PEROP_HEAVY units of one (per unit). Set beside
 * floor.c's getppid and one-op run, they show what a unit costs in a
 * chain beyond its syscalls.
 */
#define PEROP_HEAVY 64
#define PEROP_MISSING "/nonexistent-syschain-bench/x"

enum { H_ENOENT, H_OPEN_CLOSE, NHEAVY };

static const char *const heavy_names[NHEAVY] = { "openat_enoent", "open_close" };
static const unsigned int heavy_ops[NHEAVY] = { 1, 2 };	/* ops per unit */

/* one unit of @kind as syscalls; false if it did not do what it is for */
static bool perop_heavy_sys(int kind)
{
	long fd;

	if (kind == H_ENOENT)
		return syscall(SYS_openat, AT_FDCWD, PEROP_MISSING, O_RDONLY, 0) == -1 &&
		       errno == ENOENT;
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY, 0);
	return fd >= 0 && !syscall(SYS_close, fd);
}

/* ns per unit of @kind: as syscalls (@fd < 0), or runs of chain @fd */
static double perop_heavy(struct perop *p, int kind, int fd, unsigned int units)
{
	struct syschain_exec x = {
		.size = sizeof(x),
		.results_uptr = (uintptr_t)p->res,
	};
	unsigned int calls = 2000 / units, nops = units * heavy_ops[kind], i;
	uint64_t t0 = now_ns();

	for (i = 0; i < calls; i++) {
		if (fd < 0) {
			if (!perop_heavy_sys(kind))
				die("perop: %s as syscalls failed", heavy_names[kind]);
			continue;
		}
		if (ioctl(fd, SYSCHAIN_EXEC, &x) || x.status != SYSCHAIN_STATUS_COMPLETED ||
		    x.steps != nops || p->res[nops - 1].ret != (kind == H_ENOENT ? -ENOENT : 0))
			die("perop: the %s chain did not do what it is for", heavy_names[kind]);
	}
	return (double)(now_ns() - t0) / calls / units;
}

static int perop_heavy_chain(struct perop *p, int kind, unsigned int units)
{
	unsigned int nops = units * heavy_ops[kind], i;
	struct syschain_op *ops = calloc(nops, sizeof(*ops));
	struct syschain_register reg = {
		.size = sizeof(reg),
		.nr_ops = nops,
		.op_size = sizeof(struct syschain_op),
		.cond_size = sizeof(struct syschain_cond),
	};

	if (!ops)
		die("perop: out of memory");
	for (i = 0; i < nops; i++) {
		struct syschain_op *op = &ops[i];

		if (kind == H_OPEN_CLOSE && i % 2) {	/* close(the open's fd) */
			op->nr = __NR_close;
			op->ref_mask = 1;
			op->arg_ref[0] = i - 1;
			continue;
		}
		op->nr = __NR_openat;
		op->flags = kind == H_ENOENT ? SYSCHAIN_OP_IGNORE_ERROR : 0;
		op->args[0] = (uint64_t)AT_FDCWD;
		op->args[1] = (uintptr_t)(kind == H_ENOENT ? PEROP_MISSING : "/dev/null");
		op->args[2] = O_RDONLY;
	}
	reg.ops_uptr = (uintptr_t)ops;
	if (ioctl(p->dev, SYSCHAIN_REGISTER, &reg))
		die("perop: SYSCHAIN_REGISTER (%s): %s", heavy_names[kind], strerror(errno));
	free(ops);
	return reg.fd;
}

/* ,"<kind>":{...} of perop, each kind: best of PEROP_REPS, in turn */
static void perop_heavy_json(FILE *f, struct perop *p)
{
	double best[NHEAVY][3] = { { 0 } }, t;
	int fds[NHEAVY][2], r, k, m;

	for (k = 0; k < NHEAVY; k++) {
		fds[k][0] = perop_heavy_chain(p, k, 1);
		fds[k][1] = perop_heavy_chain(p, k, PEROP_HEAVY);
	}
	for (r = 0; r < PEROP_REPS; r++)
		for (k = 0; k < NHEAVY; k++)
			for (m = 0; m < 3; m++) {
				t = perop_heavy(p, k, m ? fds[k][m - 1] : -1,
						m == 2 ? PEROP_HEAVY : 1);
				if (!r || t < best[k][m])
					best[k][m] = t;
			}
	for (k = 0; k < NHEAVY; k++) {
		close(fds[k][0]);
		close(fds[k][1]);
		fprintf(f, ",\"%s\":{\"sys_ns\":%.1f,\"one_ns\":%.1f,"
			"\"many_ns\":%.1f,\"many\":%d}", heavy_names[k],
			best[k][0], best[k][1], best[k][2], PEROP_HEAVY);
	}
}

/* "perop":{...} in the env object; null without the device */
void perop_json(FILE *f)
{
	double best[NPEROP][2], getppid_ns = 0, t;
	struct perop p = { 0 };
	int r, k, big;

	p.dev = open("/dev/syschain", O_RDWR | O_CLOEXEC);
	if (p.dev < 0) {
		fputs(",\"perop\":null", f);
		return;
	}
	perop_setup(&p);
	for (r = 0; r < PEROP_REPS; r++) {
		t = perop_getppid(p.ppid);
		if (!r || t < getppid_ns)
			getppid_ns = t;
		for (k = 0; k < NPEROP; k++)
			for (big = 0; big < 2; big++) {
				t = perop_sample(&p, k, big ? PEROP_N : 1, big);
				if (!r || t < best[k][big])
					best[k][big] = t;
			}
	}
	fprintf(f, ",\"perop\":{\"n\":%d,\"getppid_ns\":%.1f", PEROP_N,
		getppid_ns);
	for (k = 0; k < NPEROP; k++)
		fprintf(f, ",\"%s\":%.1f", perop_names[k],
			(best[k][1] - best[k][0]) / (PEROP_N - 1));
	perop_heavy_json(f, &p);
	fputs("}", f);
	perop_teardown(&p);
	close(p.dev);
}
