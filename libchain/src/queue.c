// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Asynchronous runs (chain_submit(3)): a queue of chains that worker
 * threads run with chain_run(), and the completions, in the order the
 * chains ended, for chain_wait() or for poll(2) on an eventfd.
 *
 * A queue is a submission side and a completion side with nothing in
 * between that a program sees: a kernel-side asynchronous path (the
 * module running a chain on a kernel worker, as io_uring's io-wq does)
 * can later take the workers' place under the same calls.
 *
 * The chain is its own queue entry (struct chain's q_* members): a
 * submission allocates nothing, and so cannot fail for memory.
 *
 * Copyright (C) 2026 The syschain authors
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "internal.h"

struct chain_queue {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a chain was queued, or the end */
	pthread_cond_t done;		/* a chain completed */
	struct chain *head, *tail;	/* submitted, not started */
	struct chain *chead, *ctail;	/* completed, not yet waited for */
	unsigned int in_flight;		/* submitted, not yet waited for */
	unsigned int running;
	bool stopping;
	int efd;			/* readable while chead is not NULL */
	unsigned int nworkers;
	pthread_t workers[];
};

static void q_push(struct chain **head, struct chain **tail, struct chain *c)
{
	c->q_next = NULL;
	if (*tail)
		(*tail)->q_next = c;
	else
		*head = c;
	*tail = c;
}

/* Under q->lock: @c has ended with @ret; hand it to the completion side. */
static void q_complete(struct chain_queue *q, struct chain *c, int ret)
{
	uint64_t one = 1;

	c->q_ret = ret;
	__atomic_store_n(&c->q_state, LC_Q_DONE, __ATOMIC_RELEASE);
	if (!q->chead && write(q->efd, &one, sizeof(one)) != sizeof(one))
		abort();	/* an eventfd below its limit takes a write */
	q_push(&q->chead, &q->ctail, c);
	pthread_cond_broadcast(&q->done);
}

static void *q_worker(void *arg)
{
	struct chain_queue *q = arg;
	struct chain *c;
	int ret;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->work, &q->lock);
		if (!q->head)
			break;
		c = q->head;
		q->head = c->q_next;
		if (!q->head)
			q->tail = NULL;
		__atomic_store_n(&c->q_state, LC_Q_RUNNING, __ATOMIC_RELEASE);
		q->running++;
		pthread_mutex_unlock(&q->lock);

		ret = lc_run(c);

		pthread_mutex_lock(&q->lock);
		q->running--;
		q_complete(q, c, ret);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void q_stop_workers(struct chain_queue *q, unsigned int n)
{
	unsigned int i;

	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->lock);
	for (i = 0; i < n; i++)
		pthread_join(q->workers[i], NULL);
}

int chain_queue_new(struct chain_queue **qp, unsigned int workers)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	struct chain_queue *q;
	unsigned int i;
	int err = 0;

	if (!qp || !workers || workers > CHAIN_QUEUE_MAX_WORKERS)
		return -EINVAL;
	q = calloc(1, sizeof(*q) + workers * sizeof(q->workers[0]));
	if (!q)
		return -ENOMEM;
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0) {
		err = -errno;
		free(q);
		return err;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	/* chain_wait()'s timeout: the monotonic clock, which no one sets */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->done, &attr);
	pthread_condattr_destroy(&attr);
	/*
	 * The workers block every signal (they inherit the mask): the
	 * program's handlers run on its own threads, and a process-directed
	 * signal does not interrupt an op of some chain that happens to run.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < workers; i++) {
		err = -pthread_create(&q->workers[i], NULL, q_worker, q);
		if (err)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		q_stop_workers(q, i);	/* the i created */
		close(q->efd);
		pthread_cond_destroy(&q->done);
		pthread_cond_destroy(&q->work);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return err;
	}
	q->nworkers = workers;
	*qp = q;
	return 0;
}

void chain_queue_free(struct chain_queue *q)
{
	struct chain *c, *next;

	if (!q)
		return;
	/* the chains not started are not run; the running ones end */
	pthread_mutex_lock(&q->lock);
	for (c = q->head; c; c = next) {
		next = c->q_next;
		c->q_queue = NULL;
		__atomic_store_n(&c->q_state, LC_Q_IDLE, __ATOMIC_RELEASE);
	}
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->lock);
	q_stop_workers(q, q->nworkers);
	for (c = q->chead; c; c = next) {
		next = c->q_next;
		c->q_queue = NULL;
		__atomic_store_n(&c->q_state, LC_Q_IDLE, __ATOMIC_RELEASE);
	}
	close(q->efd);
	pthread_cond_destroy(&q->done);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

int chain_submit(struct chain_queue *q, struct chain *c, void *user_data)
{
	int idle = LC_Q_IDLE;

	if (!q || !c)
		return -EINVAL;
	/* one submission at a time, whichever the queue */
	if (!__atomic_compare_exchange_n(&c->q_state, &idle, LC_Q_QUEUED,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return -EBUSY;
	pthread_mutex_lock(&q->lock);
	c->q_user = user_data;
	c->q_queue = q;
	q->in_flight++;
	q_push(&q->head, &q->tail, c);
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int chain_cancel(struct chain_queue *q, struct chain *c)
{
	struct chain **pp, *prev = NULL;
	int ret = -ENOENT;

	if (!q || !c)
		return -EINVAL;
	pthread_mutex_lock(&q->lock);
	if (c->q_queue == q && c->q_state == LC_Q_RUNNING) {
		ret = -EALREADY;
	} else if (c->q_queue == q && c->q_state == LC_Q_QUEUED) {
		for (pp = &q->head; *pp != c; pp = &(*pp)->q_next)
			prev = *pp;
		*pp = c->q_next;
		if (q->tail == c)
			q->tail = prev;
		q_complete(q, c, -ECANCELED);
		ret = 0;
	}
	pthread_mutex_unlock(&q->lock);
	return ret;
}

int chain_queue_fd(const struct chain_queue *q)
{
	return q ? q->efd : -EINVAL;
}

/* The deadline @timeout_ms from now, for pthread_cond_timedwait(). */
static struct timespec q_deadline(int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int chain_wait(struct chain_queue *q, struct chain_completion *cc,
	       int timeout_ms)
{
	struct timespec deadline;
	struct chain *c;
	uint64_t v;

	if (!q || !cc)
		return -EINVAL;
	if (timeout_ms > 0)
		deadline = q_deadline(timeout_ms);
	pthread_mutex_lock(&q->lock);
	while (!q->chead) {
		int err = 0;

		if (!q->in_flight) {
			pthread_mutex_unlock(&q->lock);
			return -ENOENT;	/* nothing would ever complete */
		}
		if (!timeout_ms) {
			pthread_mutex_unlock(&q->lock);
			return -EAGAIN;
		}
		if (timeout_ms < 0)
			pthread_cond_wait(&q->done, &q->lock);
		else
			err = pthread_cond_timedwait(&q->done, &q->lock,
						     &deadline);
		if (err == ETIMEDOUT && !q->chead) {
			pthread_mutex_unlock(&q->lock);
			return -ETIME;
		}
	}
	c = q->chead;
	q->chead = c->q_next;
	if (!q->chead) {
		q->ctail = NULL;
		/* nothing left to wait for: the descriptor is not readable */
		if (read(q->efd, &v, sizeof(v)) != sizeof(v))
			abort();
	}
	q->in_flight--;
	__atomic_store_n(&c->q_state, LC_Q_IDLE, __ATOMIC_RELEASE);
	c->q_queue = NULL;
	cc->chain = c;
	cc->user_data = c->q_user;
	cc->ret = c->q_ret;
	pthread_mutex_unlock(&q->lock);
	return 0;
}
