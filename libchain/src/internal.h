/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
#ifndef LIBCHAIN_INTERNAL_H
#define LIBCHAIN_INTERNAL_H

#include "libchain.h"
#include "engine.h"

/* libchain's bounds: the engine's, which are the module's too */
#define CHAIN_MAX_OPS		SC_MAX_OPS_LIMIT
#define CHAIN_MAX_CONDS		SC_MAX_CONDS_LIMIT
#define CHAIN_DEFAULT_STEPS	SC_DEFAULT_MAX_STEPS

/* A condition as added, before it is grouped by op. */
struct chain_cond_src {
	uint32_t op;
	int32_t label;		/* jump target label, or -1 */
	struct syschain_cond cond;
};

struct chain_handler {
	chain_handler_fn fn;
	void *arg;
};

struct chain {
	struct syschain_op *ops;
	struct syschain_result *res;
	struct chain_handler *handlers;
	const struct sc_opdef **defs;
	unsigned char *nargs;		/* each op's argument count, as built */
	unsigned int n, cap;
	unsigned int cleanup_from;	/* chain_finally()'s op index, or -1U */

	struct chain_cond_src *csrc;	/* as added */
	struct syschain_cond *conds;	/* grouped by op, for the executors */
	unsigned int nc, ccap;

	int32_t *labels;		/* label -> op index, -1 while unplaced */
	unsigned int nlabels, lcap;

	/*
	 * The first building call that failed (sticky until chain_reset()):
	 * its errno, and the op it concerned (or the index the op it was
	 * adding would have had; -1: none, and always -1 while build_err is
	 * 0), which chain_run() reports (-1 is SYSCHAIN_NO_INDEX there).
	 */
	int build_err;
	int build_err_op;

	/*
	 * The registered buffers (chain_register_buffers()): as the engine
	 * takes them, and as the module does. A chain with buffers runs on
	 * the kernel backend only registered.
	 */
	struct sc_buf *bufs;
	struct syschain_buf *kbufs;
	unsigned int nbufs;

	bool dirty;			/* conds/labels need regrouping */
	bool stop_on_error;
	uint64_t max_steps;
	enum chain_backend backend;
	struct chain_report rep;

	/*
	 * The chain registered in the kernel (backend_kernel.c): its
	 * descriptor, the shape it was registered at, and the argument
	 * changes since, which the next run carries as patches. The shape
	 * moves with every change that a patch cannot carry.
	 */
	int reg_fd;			/* -1: not registered */
	uint64_t shape, reg_shape;
	uint64_t shape_runs;		/* kernel runs at this shape */
	bool reg_failed;		/* at this shape: run one-shot */
	bool no_register;		/* chain_set_register(c, false) */
	unsigned int npatches;
	struct syschain_patch patches[SYSCHAIN_MAX_PATCHES];

	/*
	 * Asynchronous runs (queue.c): the chain is its own queue entry.
	 * q_state is written under its queue's lock and read without it by
	 * the calls that refuse an in-flight chain (lc_in_flight()).
	 */
	int q_state;			/* enum lc_q_state */
	struct chain *q_next;
	struct chain_queue *q_queue;
	void *q_user;
	int q_ret;
};

enum lc_q_state {
	LC_Q_IDLE,		/* the caller's */
	LC_Q_QUEUED,		/* submitted, not started */
	LC_Q_RUNNING,		/* a worker runs it */
	LC_Q_DONE,		/* completed, not yet taken by chain_wait() */
};

/* Submitted and not yet returned by chain_wait(): not the caller's. */
static inline bool lc_in_flight(const struct chain *c)
{
	return __atomic_load_n(&c->q_state, __ATOMIC_ACQUIRE) != LC_Q_IDLE;
}

/* 0 if @c is the caller's to run or change; -EINVAL (NULL), -EBUSY */
static inline int lc_mutable(const struct chain *c)
{
	if (!c)
		return -EINVAL;
	return lc_in_flight(c) ? -EBUSY : 0;
}

/* chain_run() without the in-flight check, for the queue's workers */
int lc_run(struct chain *c);

/* A change to @c that patches cannot carry: its registration goes. */
void lc_changed(struct chain *c);
int lc_build_failed(struct chain *c, int err, int op);

enum chain_backend lc_env_backend(enum chain_backend requested);

/* backend_kernel.c */
int lc_kernel_run(struct chain *c);
int lc_kernel_can_run(const struct chain *c);
/* the module's max_ops, 0 if the device cannot be used */
unsigned int lc_kernel_max_ops(void);
int lc_kernel_is_dev_fd(uint64_t fd);
void lc_kernel_unregister(struct chain *c);
void lc_kernel_patch(struct chain *c, unsigned int op, unsigned int argno,
		     const struct syschain_op *old);

/* backend_user.c */
int lc_user_run(struct chain *c);
/* the op of syscall @nr, NULL if libchain has none */
const struct sc_opdef *lc_user_def(uint32_t nr);
void lc_set_report(struct chain *c, enum chain_backend backend,
		   uint32_t status, uint64_t steps, uint32_t stop_op,
		   uint32_t stop_cond);
uint64_t lc_kernel_max_steps(void);

#endif /* LIBCHAIN_INTERNAL_H */
