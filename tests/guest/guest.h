/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * Raw-ioctl helpers for the in-guest tests. These tests speak the ABI
 * directly (no libchain), so they test the module and nothing else.
 */
#ifndef SYSCHAIN_GUEST_H
#define SYSCHAIN_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/syschain.h>

#define G_MAX_OPS	64
#define G_MAX_CONDS	64

struct g_chain {
	struct syschain_op ops[G_MAX_OPS];
	struct syschain_cond conds[G_MAX_CONDS];
	struct syschain_result res[G_MAX_OPS];
	struct syschain_run run;
	unsigned int n, nc;
};

/* The device; a test that cannot open it fails, it is never skipped. */
static inline int g_dev(void)
{
	static int fd = -1;

	if (fd < 0) {
		fd = open("/dev/syschain", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fail_msg("cannot open /dev/syschain: %s", strerror(errno));
	}
	return fd;
}

static inline void g_init(struct g_chain *c)
{
	memset(c, 0, sizeof(*c));
}

#define G_ARGC(...) G_ARGC_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define G_ARGC_(a, b, c, d, e, f, n, ...) n
/* Append an op and return its index: g_op0(c, nr), g_opn(c, nr, args...). */
#define g_op0(c, nr) g_op_u64((c), (nr), 0, NULL)
#define g_opn(c, nr, ...) g_op_u64((c), (nr), G_ARGC(__VA_ARGS__), \
	(uint64_t[]){ G_MAP_U64(__VA_ARGS__) })
#define G_MAP_U64(...) G_MAP_U64_N(G_ARGC(__VA_ARGS__), __VA_ARGS__)
#define G_MAP_U64_N(n, ...) G_CAT(G_MAP_U64_, n)(__VA_ARGS__)
#define G_CAT(a, b) G_CAT_(a, b)
#define G_CAT_(a, b) a##b
#define G_MAP_U64_1(a) (uint64_t)(a)
#define G_MAP_U64_2(a, b) (uint64_t)(a), (uint64_t)(b)
#define G_MAP_U64_3(a, b, c) G_MAP_U64_2(a, b), (uint64_t)(c)
#define G_MAP_U64_4(a, b, c, d) G_MAP_U64_3(a, b, c), (uint64_t)(d)
#define G_MAP_U64_5(a, b, c, d, e) G_MAP_U64_4(a, b, c, d), (uint64_t)(e)
#define G_MAP_U64_6(a, b, c, d, e, f) G_MAP_U64_5(a, b, c, d, e), (uint64_t)(f)

static inline unsigned int g_op_u64(struct g_chain *c, uint32_t nr, int nargs,
				    const uint64_t *args)
{
	struct syschain_op *op = &c->ops[c->n];
	int k;

	assert_true(c->n < G_MAX_OPS);
	op->nr = nr;
	for (k = 0; k < nargs; k++)
		op->args[k] = args[k];
	return c->n++;
}

/* Make argument @k of op @i the result of op @j plus @addend. */
static inline void g_ref(struct g_chain *c, unsigned int i, int k,
			 unsigned int j, int64_t addend)
{
	c->ops[i].ref_mask |= 1u << k;
	c->ops[i].arg_ref[k] = j;
	c->ops[i].args[k] = (uint64_t)addend;
}

/* Add a condition to op @i (its conditions must be added consecutively). */
static inline unsigned int g_cond(struct g_chain *c, unsigned int i,
				  uint8_t cmp, uint64_t rhs, uint8_t action,
				  uint32_t target)
{
	struct syschain_cond *cd = &c->conds[c->nc];

	assert_true(c->nc < G_MAX_CONDS);
	if (!c->ops[i].cond_count)
		c->ops[i].cond_index = c->nc;
	assert_int_equal(c->ops[i].cond_index + c->ops[i].cond_count, c->nc);
	c->ops[i].cond_count++;
	cd->cmp = cmp;
	cd->action = action;
	cd->target = target;
	cd->rhs = cmp == SYSCHAIN_CMP_ALWAYS ? 0 : rhs;
	return c->nc++;
}

/* Fill in the run struct for the chain as built. */
static inline struct syschain_run *g_prepare(struct g_chain *c, uint32_t flags)
{
	struct syschain_run *r = &c->run;

	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->flags = flags;
	r->nr_ops = c->n;
	r->nr_conds = c->nc;
	r->op_size = sizeof(struct syschain_op);
	r->cond_size = sizeof(struct syschain_cond);
	r->ops_uptr = (uintptr_t)c->ops;
	r->conds_uptr = (uintptr_t)c->conds;
	r->results_uptr = (uintptr_t)c->res;
	return r;
}

/* ioctl returning 0 or -errno */
static inline int g_ioctl(unsigned long cmd, void *arg)
{
	return ioctl(g_dev(), cmd, arg) < 0 ? -errno : 0;
}

static inline int g_run_prepared(struct g_chain *c)
{
	memset(c->res, 0xa5, sizeof(c->res));
	return g_ioctl(SYSCHAIN_RUN, &c->run);
}

static inline int g_run(struct g_chain *c, uint32_t flags)
{
	g_prepare(c, flags);
	return g_run_prepared(c);
}

/* The plain syscall, returning -errno like the chain does. */
static inline long g_sys(long nr, uint64_t a0, uint64_t a1, uint64_t a2,
			 uint64_t a3, uint64_t a4, uint64_t a5)
{
	long ret = syscall(nr, a0, a1, a2, a3, a4, a5);

	return ret == -1 ? -errno : ret;
}

/* Run one op alone through the chain; returns its result. */
static inline long g_chain1(uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			    uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct g_chain c;

	g_init(&c);
	g_opn(&c, nr, a0, a1, a2, a3, a4, a5);
	assert_int_equal(g_run(&c, 0), 0);
	assert_int_equal(c.run.status, SYSCHAIN_STATUS_COMPLETED);
	assert_int_equal(c.run.steps, 1);
	assert_int_equal(c.res[0].count, 1);
	return c.res[0].ret;
}

/* A read-only counter of the module (chains_total, chains_in_flight). */
static inline long g_module_counter(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/syschain/parameters/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &v), 1);
	fclose(f);
	return v;
}

#endif /* SYSCHAIN_GUEST_H */
