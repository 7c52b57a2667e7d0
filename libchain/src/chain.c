// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Building chains, choosing a backend, running, results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Grow *p (of *cap elements of size elem) to hold need elements. */
static int chain_grow(void **p, unsigned int *cap, unsigned int need,
		      size_t elem)
{
	unsigned int ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, (size_t)ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* The per-op arrays share one capacity; grow them all or none. */
static int chain_grow_ops(struct chain *c, unsigned int need)
{
	unsigned int cap = c->cap, tmp;

	if (need <= c->cap)
		return 0;
	tmp = cap;
	if (chain_grow((void **)&c->ops, &tmp, need, sizeof(*c->ops)))
		return -ENOMEM;
	tmp = cap;
	if (chain_grow((void **)&c->res, &tmp, need, sizeof(*c->res)))
		return -ENOMEM;
	tmp = cap;
	if (chain_grow((void **)&c->handlers, &tmp, need,
		       sizeof(*c->handlers)))
		return -ENOMEM;
	tmp = cap;
	if (chain_grow((void **)&c->defs, &tmp, need, sizeof(*c->defs)))
		return -ENOMEM;
	tmp = cap;
	if (chain_grow((void **)&c->nargs, &tmp, need, sizeof(*c->nargs)))
		return -ENOMEM;
	c->cap = tmp;
	return 0;
}

int chain_new(struct chain **cp)
{
	struct chain *c;

	if (!cp)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->stop_on_error = true;
	c->max_steps = 0;
	c->backend = CHAIN_BACKEND_AUTO;
	c->reg_fd = -1;
	c->cleanup_from = -1U;
	c->build_err_op = -1;
	lc_set_report(c, CHAIN_BACKEND_AUTO, CHAIN_STATUS_NOT_RUN, 0,
		      SYSCHAIN_NO_INDEX, SYSCHAIN_NO_INDEX);
	*cp = c;
	return 0;
}

void chain_free(struct chain *c)
{
	if (!c)
		return;
	if (lc_in_flight(c)) {
		/* a worker is about to use it: freeing it would corrupt memory */
		fputs("libchain: chain_free() of a chain submitted and not yet "
		      "waited for (chain_submit(3))\n", stderr);
		abort();
	}
	lc_kernel_unregister(c);
	free(c->ops);
	free(c->res);
	free(c->handlers);
	free(c->defs);
	free(c->nargs);
	free(c->csrc);
	free(c->conds);
	free(c->labels);
	free(c->bufs);
	free(c->kbufs);
	free(c);
}

void chain_reset(struct chain *c)
{
	if (!c || lc_in_flight(c))	/* chain_submit(3): left as it is */
		return;
	c->n = 0;
	c->nc = 0;
	c->nlabels = 0;
	c->dirty = false;
	c->cleanup_from = -1U;
	c->build_err = 0;
	c->build_err_op = -1;
	lc_changed(c);
	lc_set_report(c, CHAIN_BACKEND_AUTO, CHAIN_STATUS_NOT_RUN, 0,
		      SYSCHAIN_NO_INDEX, SYSCHAIN_NO_INDEX);
}

/*
 * A building call failed with @err about op @op (-1: none, or a negative
 * index it was given): the chain remembers the first such failure, and
 * chain_run() refuses to run it (a chain missing an op or a condition is
 * not the chain its program meant). Returns @err.
 */
int lc_build_failed(struct chain *c, int err, int op)
{
	if (!c->build_err) {
		c->build_err = err;
		c->build_err_op = op < 0 ? -1 : op;
	}
	return err;
}

int chain_build_error(const struct chain *c, int *op)
{
	if (!c)
		return -EINVAL;
	if (op)
		*op = c->build_err_op;
	return c->build_err;
}

void lc_changed(struct chain *c)
{
	c->shape++;
	c->shape_runs = 0;
	c->reg_failed = false;
	lc_kernel_unregister(c);
}

/*
 * The one place a run's outcome becomes the caller's struct chain_report:
 * the executors' "no index" is -1 there.
 */
void lc_set_report(struct chain *c, enum chain_backend backend,
		   uint32_t status, uint64_t steps, uint32_t stop_op,
		   uint32_t stop_cond)
{
	memset(&c->rep, 0, sizeof(c->rep));
	c->rep.status = status;
	c->rep.steps = steps;
	c->rep.stop_op = stop_op == SYSCHAIN_NO_INDEX ? -1 : (int)stop_op;
	c->rep.stop_cond = stop_cond == SYSCHAIN_NO_INDEX ? -1 :
			   (int)stop_cond;
	c->rep.backend = backend;
}

int chain_set_backend(struct chain *c, enum chain_backend backend)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (backend > CHAIN_BACKEND_USER)
		return -EINVAL;
	c->backend = backend;
	return 0;
}

int chain_set_stop_on_error(struct chain *c, bool stop)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	c->stop_on_error = stop;
	return 0;
}

int chain_set_max_steps(struct chain *c, uint64_t max_steps)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	c->max_steps = max_steps;
	return 0;
}

int chain_set_register(struct chain *c, bool on)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	c->no_register = !on;
	if (!on)
		lc_kernel_unregister(c);
	return 0;
}

unsigned int chain_nr_ops(const struct chain *c)
{
	return c ? c->n : 0;
}

/* Store one argument into op @i; references must point to earlier ops. */
static int chain_put_arg(struct syschain_op *op, unsigned int i,
			 unsigned int k, struct chain_arg a)
{
	op->args[k] = a.value;
	op->ref_mask &= ~(1U << k);
	op->arg_ref[k] = 0;
	if (a.ref == -1)
		return 0;
	if (a.ref < 0 || (unsigned int)a.ref >= i)
		return -EINVAL;
	op->ref_mask |= 1U << k;
	op->arg_ref[k] = (uint32_t)a.ref;
	return 0;
}

static int chain_add_op(struct chain *c, long nr, unsigned int nargs,
			const struct chain_arg *args)
{
	struct syschain_op op;
	unsigned int k;
	int ret;

	if (nr < 0 || nr > UINT32_MAX || nargs > SYSCHAIN_MAX_ARGS ||
	    (nargs && !args))
		return -EINVAL;
	if (c->n >= CHAIN_MAX_OPS)
		return -E2BIG;
	/* the kernel backend: as many ops as the module takes (0: no module) */
	if (lc_env_backend(c->backend) == CHAIN_BACKEND_KERNEL) {
		unsigned int max = lc_kernel_max_ops();

		if (max && c->n >= max)
			return -E2BIG;
	}

	memset(&op, 0, sizeof(op));
	op.nr = (uint32_t)nr;
	if (c->n >= c->cleanup_from)
		op.flags = SYSCHAIN_OP_CLEANUP;
	for (k = 0; k < nargs; k++) {
		ret = chain_put_arg(&op, c->n, k, args[k]);
		if (ret)
			return ret;
	}

	if (chain_grow_ops(c, c->n + 1))
		return -ENOMEM;
	c->ops[c->n] = op;
	c->nargs[c->n] = (unsigned char)nargs;
	memset(&c->res[c->n], 0, sizeof(c->res[0]));
	memset(&c->handlers[c->n], 0, sizeof(c->handlers[0]));
	c->dirty = true;
	lc_changed(c);
	return (int)c->n++;
}

int (chain_op)(struct chain *c, long nr, unsigned int nargs,
	     const struct chain_arg *args)
{
	int ret;

	ret = lc_mutable(c);
	if (ret)
		return ret;
	ret = chain_add_op(c, nr, nargs, args);
	return ret < 0 ? lc_build_failed(c, ret, (int)c->n) : ret;
}

int chain__op6(struct chain *c, long nr, unsigned int nargs,
	       struct chain_arg a0, struct chain_arg a1, struct chain_arg a2,
	       struct chain_arg a3, struct chain_arg a4, struct chain_arg a5)
{
	const struct chain_arg args[SYSCHAIN_MAX_ARGS] = {
		a0, a1, a2, a3, a4, a5
	};

	return (chain_op)(c, nr, nargs, args);
}

int chain__set_arg(struct chain *c, int op, unsigned int argno,
		   struct chain_arg arg)
{
	struct syschain_op old;
	int ret;

	ret = lc_mutable(c);
	if (ret)
		return ret;
	if (op < 0 || (unsigned int)op >= c->n || argno >= c->nargs[op])
		return -EINVAL;
	old = c->ops[op];
	ret = chain_put_arg(&c->ops[op], (unsigned int)op, argno, arg);
	if (ret) {
		c->ops[op] = old;
		return ret;
	}
	lc_kernel_patch(c, (unsigned int)op, argno, &old);
	return 0;
}

int chain_register_buffers(struct chain *c, const struct iovec *bufs,
			   unsigned int nr, unsigned int flags)
{
	struct syschain_buf *kb = NULL;
	struct sc_buf *b = NULL;
	uint64_t kernel_bytes = 0;
	unsigned int i;
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (flags & ~CHAIN_BUF_KERNEL)
		return -EINVAL;
	if (nr > SYSCHAIN_MAX_BUFS)
		return -E2BIG;
	if (nr && !bufs)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if (!bufs[i].iov_len)
			return -EINVAL;
		if (bufs[i].iov_len > (1UL << 30))
			return -E2BIG;
		if ((uintptr_t)bufs[i].iov_base + bufs[i].iov_len <
		    (uintptr_t)bufs[i].iov_base)
			return -EFAULT;
		kernel_bytes += bufs[i].iov_len;
	}
	/* the module's bound on a chain's kernel memory */
	if (flags & CHAIN_BUF_KERNEL && kernel_bytes > SYSCHAIN_MAX_KERNEL_BUF)
		return -E2BIG;
	if (nr) {
		b = calloc(nr, sizeof(*b));
		kb = calloc(nr, sizeof(*kb));
		if (!b || !kb) {
			free(b);
			free(kb);
			return -ENOMEM;
		}
	}
	for (i = 0; i < nr; i++) {
		b[i].addr = (uintptr_t)bufs[i].iov_base;
		b[i].len = bufs[i].iov_len;
		kb[i].addr = b[i].addr;
		kb[i].len = b[i].len;
		kb[i].flags = flags;
	}
	free(c->bufs);
	free(c->kbufs);
	c->bufs = b;
	c->kbufs = kb;
	c->nbufs = nr;
	lc_changed(c);
	return 0;
}

int (chain_fixed)(struct chain *c, int op)
{
	const struct sc_opdef *def;
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (op < 0 || (unsigned int)op >= c->n)
		return lc_build_failed(c, -EINVAL, op);
	def = lc_user_def(c->ops[op].nr);
	if (!def || (!def->fixed_arg && !def->fixed_iov))
		return lc_build_failed(c, -EINVAL, op);
	if (!(c->ops[op].flags & SYSCHAIN_OP_FIXED_BUF)) {
		c->ops[op].flags |= SYSCHAIN_OP_FIXED_BUF;
		lc_changed(c);
	}
	return 0;
}

int (chain_ignore_error)(struct chain *c, int op)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (op < 0 || (unsigned int)op >= c->n)
		return lc_build_failed(c, -EINVAL, op);
	if (!(c->ops[op].flags & SYSCHAIN_OP_IGNORE_ERROR)) {
		c->ops[op].flags |= SYSCHAIN_OP_IGNORE_ERROR;
		lc_changed(c);
	}
	return 0;
}

static int chain_put_cond(struct chain *c, int op, enum chain_cmp cmp,
			  struct chain_arg rhs, uint8_t action, int target,
			  bool label)
{
	struct chain_cond_src *s;

	/* a cleanup op has no condition (uapi "Cleanup ops") */
	if (op < 0 || (unsigned int)op >= c->n ||
	    (unsigned int)op >= c->cleanup_from ||
	    cmp < CHAIN_ALWAYS || cmp > CHAIN_UGE)
		return -EINVAL;
	if (rhs.ref != -1 && rhs.ref < 0)
		return -EINVAL;
	if (cmp == CHAIN_ALWAYS && (rhs.ref >= 0 || rhs.value))
		return -EINVAL;
	if (action == SYSCHAIN_ACT_JUMP &&
	    (target < 0 || (label && (unsigned int)target >= c->nlabels)))
		return -EINVAL;
	if (c->nc >= CHAIN_MAX_CONDS)
		return -E2BIG;
	if (chain_grow((void **)&c->csrc, &c->ccap, c->nc + 1,
		       sizeof(*c->csrc)))
		return -ENOMEM;
	s = &c->csrc[c->nc];
	memset(s, 0, sizeof(*s));
	s->op = (uint32_t)op;
	s->label = label ? target : -1;
	s->cond.cmp = (uint8_t)cmp;
	s->cond.action = action;
	s->cond.target = action == SYSCHAIN_ACT_JUMP && !label ?
			 (uint32_t)target : 0;
	s->cond.rhs = rhs.value;
	if (rhs.ref >= 0) {
		s->cond.flags = SYSCHAIN_COND_RHS_REF;
		s->cond.rhs_ref = (uint32_t)rhs.ref;
	}
	c->dirty = true;
	lc_changed(c);
	return (int)c->nc++;
}

static int chain_add_cond(struct chain *c, int op, enum chain_cmp cmp,
			  struct chain_arg rhs, uint8_t action, int target,
			  bool label)
{
	int ret;

	ret = lc_mutable(c);
	if (ret)
		return ret;
	ret = chain_put_cond(c, op, cmp, rhs, action, target, label);
	return ret < 0 ? lc_build_failed(c, ret, op) : ret;
}

int chain__stop_if(struct chain *c, int op, enum chain_cmp cmp,
		   struct chain_arg rhs)
{
	return chain_add_cond(c, op, cmp, rhs, SYSCHAIN_ACT_STOP, 0, false);
}

int chain__jump_if(struct chain *c, int op, enum chain_cmp cmp,
		   struct chain_arg rhs, int target, bool label)
{
	return chain_add_cond(c, op, cmp, rhs, SYSCHAIN_ACT_JUMP, target,
			      label);
}

int chain_finally(struct chain *c)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (c->cleanup_from != -1U)
		return lc_build_failed(c, -EALREADY, (int)c->n);
	c->cleanup_from = c->n;
	return 0;
}

int chain_label(struct chain *c)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (c->nlabels >= CHAIN_MAX_OPS)
		return lc_build_failed(c, -E2BIG, -1);
	if (chain_grow((void **)&c->labels, &c->lcap, c->nlabels + 1,
		       sizeof(*c->labels)))
		return lc_build_failed(c, -ENOMEM, -1);
	c->labels[c->nlabels] = -1;
	return (int)c->nlabels++;
}

int chain_label_here(struct chain *c, int label)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (label < 0 || (unsigned int)label >= c->nlabels)
		return lc_build_failed(c, -EINVAL, (int)c->n);
	c->labels[label] = (int32_t)c->n;
	c->dirty = true;
	lc_changed(c);
	return 0;
}

int (chain_on_stop)(struct chain *c, int op, chain_handler_fn fn, void *arg)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	if (op < 0 || (unsigned int)op >= c->n)
		return lc_build_failed(c, -EINVAL, op);
	c->handlers[op].fn = fn;
	c->handlers[op].arg = arg;
	return 0;
}

/*
 * Group the conditions by op (stable, in the order they were added) into
 * the flat array both executors take, and resolve label targets. A label
 * placed after the last op targets the end of the chain.
 */
static int chain_finalize(struct chain *c)
{
	unsigned int i, pos = 0;

	if (!c->dirty)
		return 0;
	if (c->nc) {
		struct syschain_cond *conds;

		conds = realloc(c->conds, (size_t)c->nc * sizeof(*conds));
		if (!conds)
			return -ENOMEM;
		c->conds = conds;
	}
	for (i = 0; i < c->n; i++) {
		c->ops[i].cond_index = 0;
		c->ops[i].cond_count = 0;
	}
	for (i = 0; i < c->nc; i++)
		c->ops[c->csrc[i].op].cond_count++;
	for (i = 0; i < c->n; i++) {
		if (c->ops[i].cond_count)
			c->ops[i].cond_index = pos;
		pos += c->ops[i].cond_count;
		c->ops[i].cond_count = 0;
	}
	for (i = 0; i < c->nc; i++) {
		const struct chain_cond_src *s = &c->csrc[i];
		struct syschain_op *op = &c->ops[s->op];
		struct syschain_cond cond = s->cond;

		if (s->label >= 0) {
			if (c->labels[s->label] < 0)
				return -EINVAL;
			cond.target = (uint32_t)c->labels[s->label];
		}
		c->conds[op->cond_index + op->cond_count++] = cond;
	}
	c->dirty = false;
	return 0;
}

enum chain_backend lc_env_backend(enum chain_backend requested)
{
	static int env = -1;	/* benign race: every thread computes the same */
	const char *s;

	if (env < 0) {
		s = getenv("SYSCHAIN_BACKEND");
		if (s && !strcmp(s, "kernel"))
			env = CHAIN_BACKEND_KERNEL;
		else if (s && !strcmp(s, "user"))
			env = CHAIN_BACKEND_USER;
		else if (s && !strcmp(s, "auto"))
			env = CHAIN_BACKEND_AUTO;
		else
			env = 3;	/* unset: the chain decides */
		if (s && env == 3)
			fprintf(stderr, "libchain: SYSCHAIN_BACKEND=%s is not "
				"kernel, user or auto: ignored\n", s);
	}
	return env == 3 ? requested : (enum chain_backend)env;
}

static void chain_call_handler(struct chain *c)
{
	const struct chain_report *r = &c->rep;
	const struct chain_handler *h;
	int64_t ret;

	switch (r->status) {
	case SYSCHAIN_STATUS_STOPPED:
	case SYSCHAIN_STATUS_FAILED:
		break;
	default:
		return;
	}
	if (r->stop_op < 0 || (unsigned int)r->stop_op >= c->n)
		return;
	h = &c->handlers[r->stop_op];
	ret = c->res[r->stop_op].ret;
	if (h->fn)
		h->fn(c, r->stop_op, ret, h->arg);
}

int chain_run(struct chain *c)
{
	int ret = lc_mutable(c);

	if (ret)
		return ret;
	return lc_run(c);
}

/* chain_run() of a chain known to be the caller's (queue.c's workers). */
int lc_run(struct chain *c)
{
	enum chain_backend b;
	bool fallback;
	int ret;

	ret = c->build_err ? c->build_err : c->n ? chain_finalize(c) : -EINVAL;
	/*
	 * The backend that runs it: the kernel when it can run the whole
	 * chain (a registered chain is one it took), else plain syscalls for
	 * the whole chain; under auto, a kernel that refuses the chain at
	 * validation or refuses this caller (-EPERM: e.g. a task under a
	 * seccomp filter, which must see the real syscalls) passes it to
	 * plain syscalls too. Nothing ran in the kernel then.
	 */
	b = lc_env_backend(c->backend);
	fallback = b == CHAIN_BACKEND_AUTO;
	if (fallback)
		b = !ret && (c->reg_fd >= 0 || lc_kernel_can_run(c)) ?
			CHAIN_BACKEND_KERNEL : CHAIN_BACKEND_USER;
	/*
	 * Until a backend says otherwise, the run did not happen: a failing
	 * chain_run() leaves this report (status INVALID, the culprit in
	 * stop_op/stop_cond when a backend names one) and zeroed results,
	 * never those of an earlier run. A run that succeeds writes every
	 * result (zeros for ops that did not run): the results are cleared
	 * only when it fails.
	 */
	lc_set_report(c, b, SYSCHAIN_STATUS_INVALID, 0,
		      (uint32_t)c->build_err_op, SYSCHAIN_NO_INDEX);
	if (ret)
		goto out_clear;
	if (b == CHAIN_BACKEND_KERNEL) {
		ret = lc_kernel_run(c);
		if (fallback && (ret == -EOPNOTSUPP || ret == -EPERM)) {
			lc_set_report(c, CHAIN_BACKEND_USER,
				      SYSCHAIN_STATUS_INVALID, 0,
				      SYSCHAIN_NO_INDEX, SYSCHAIN_NO_INDEX);
			ret = lc_user_run(c);
		}
	} else {
		ret = lc_user_run(c);
	}
	if (!ret) {
		chain_call_handler(c);
		return 0;
	}
out_clear:
	memset(c->res, 0, (size_t)c->n * sizeof(*c->res));
	return ret;
}

int64_t (chain_ret)(const struct chain *c, int op)
{
	if (!c || op < 0 || (unsigned int)op >= c->n)
		return -EINVAL;
	return c->res[op].ret;
}

int (chain_result)(const struct chain *c, int op, int64_t *ret)
{
	if (!c || op < 0 || (unsigned int)op >= c->n || !ret)
		return -EINVAL;
	if (!c->res[op].count)
		return -ENODATA;
	*ret = c->res[op].ret;
	return 0;
}

/* the ops syschain supports, by name (module/oplist.h) */
static const struct {
	long nr;
	const char *name;
} chain_op_names[] = {
#define SC_OP(sys, n, chk, ...) { __NR_##sys, #sys },
#include "oplist.h"
#undef SC_OP
};

#define CHAIN_NR_NAMES (sizeof(chain_op_names) / sizeof(chain_op_names[0]))

const char *chain_op_name(long nr)
{
	size_t i;

	for (i = 0; i < CHAIN_NR_NAMES; i++)
		if (chain_op_names[i].nr == nr)
			return chain_op_names[i].name;
	return NULL;
}

long chain_op_nr(const char *name)
{
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < CHAIN_NR_NAMES; i++)
		if (!strcmp(chain_op_names[i].name, name))
			return chain_op_names[i].nr;
	return -ENOENT;
}

uint64_t (chain_count)(const struct chain *c, int op)
{
	if (!c || op < 0 || (unsigned int)op >= c->n)
		return 0;
	return c->res[op].count;
}

const struct chain_report *chain_report(const struct chain *c)
{
	return c ? &c->rep : NULL;
}

const char *chain_status_str(uint32_t status)
{
	static const char *const names[] = {
		[SYSCHAIN_STATUS_COMPLETED] = "completed",
		[SYSCHAIN_STATUS_STOPPED] = "stopped",
		[SYSCHAIN_STATUS_FAILED] = "failed",
		[SYSCHAIN_STATUS_INTERRUPTED] = "interrupted",
		[SYSCHAIN_STATUS_BUDGET] = "budget exhausted",
		[SYSCHAIN_STATUS_UNRESOLVED] = "unresolved reference",
		[SYSCHAIN_STATUS_FAULT] = "fault writing results",
		[SYSCHAIN_STATUS_INVALID] = "invalid",
		[SYSCHAIN_STATUS_DENIED] = "denied",
	};

	if (status == CHAIN_STATUS_NOT_RUN)
		return "not run";
	if (status >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[status];
}
