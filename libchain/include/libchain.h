/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libchain: build chains of system calls and run them with one
 * user/kernel crossing through /dev/syschain, or with plain syscalls when
 * the module is absent. See syschain(7) and the chain_*(3) man pages.
 *
 * Every function that can fail returns a negative errno and never sets
 * errno. Builders return a struct chain_handle: the op they added, or
 * their error.
 */
#ifndef LIBCHAIN_H
#define LIBCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <syschain/syschain.h>	/* uapi/linux/syschain.h, installed as syschain/syschain.h */

#ifdef __cplusplus
extern "C" {
#endif

#define LIBCHAIN_VERSION_MAJOR 0
#define LIBCHAIN_VERSION_MINOR 2

/** An opaque chain of ops. */
struct chain;

/**
 * struct chain_handle - an op of a chain, as its builder returns it
 * @op: the op's index in the chain (0 for the first), or the builder's
 *	negative errno
 *
 * Passed where a builder, a condition or chain_set_arg() takes an
 * argument, a handle means that op's result: chain_write(c, 1, buf, n)
 * writes as many bytes as op n read. Passed where a function takes an op
 * (chain_stop_if(), chain_result(), ...), it names the op. A plain integer
 * is never taken for a handle, nor a handle for a plain integer: the type
 * is distinct, and chain_handle_of() is the one way from an index.
 */
struct chain_handle {
	int32_t op;
};

static inline struct chain_handle chain_handle_of(int op)
{
	struct chain_handle h = { op };

	return h;
}

/**
 * struct chain_ref - "the result of op @op plus @addend", as an argument
 *
 * Made with chain_res_add(h, addend) (or chain_res(h)), where h is an op's
 * handle or index, and passed where a builder takes an argument:
 * chain_res_add(n, (intptr_t)buf) is buf plus what op n returned. A
 * distinct type, so no real argument value can be mistaken for one.
 */
struct chain_ref {
	int32_t op;
	uint32_t chain__pad;
	int64_t addend;
};

static inline struct chain_ref chain__res_add(int op, int64_t addend)
{
	struct chain_ref r = { op, 0, addend };

	return r;
}

/*
 * CHAIN__IDX(x): the op index of x, a struct chain_handle or an integer
 * index; anything else does not compile.
 */
static inline int chain__hidx(struct chain_handle h)
{
	return h.op;
}

static inline int chain__iidx(int op)
{
	return op;
}

#ifdef __cplusplus
}
#include <type_traits>
static inline int chain__idx(struct chain_handle h)
{
	return h.op;
}
template <typename T>
static inline typename std::enable_if<std::is_integral<T>::value ||
				      std::is_enum<T>::value, int>::type
chain__idx(T op)
{
	return (int)op;
}
#define CHAIN__IDX(x) chain__idx(x)
extern "C" {
#else
/* no association for any other type (a pointer, a double): an error */
#define CHAIN__IDX(x) _Generic((x), struct chain_handle: chain__hidx,	\
	char: chain__iidx, signed char: chain__iidx,			\
	unsigned char: chain__iidx, short: chain__iidx,			\
	unsigned short: chain__iidx, int: chain__iidx,			\
	unsigned int: chain__iidx, long: chain__iidx,			\
	unsigned long: chain__iidx, long long: chain__iidx,		\
	unsigned long long: chain__iidx)(x)
#endif

/* a reference to the result of op (a handle or an index), plus addend */
#define chain_res_add(op, addend) chain__res_add(CHAIN__IDX(op), (addend))
#define chain_res(op) chain__res_add(CHAIN__IDX(op), 0)

/* chain_arg.ref of a reference to a negative (invalid) op index */
#define CHAIN__BADREF INT32_MIN

/* One argument as the builders see it: a value or a reference. */
struct chain_arg {
	uint64_t value;		/* the value, or the addend of a reference */
	int32_t ref;		/* referenced op, -1 for a plain value, or
				 * CHAIN__BADREF (rejected) */
	uint32_t chain__pad;
};

static inline struct chain_arg chain__arg(struct chain_ref r, int is_ref,
					  uint64_t v)
{
	struct chain_arg a;

	a.value = is_ref ? (uint64_t)r.addend : v;
	/*
	 * A reference to a negative op (chain_res() of a builder's error
	 * return) must not turn into a plain value: it becomes
	 * CHAIN__BADREF, which the builders reject with -EINVAL.
	 */
	a.ref = !is_ref ? -1 : r.op < 0 ? CHAIN__BADREF : r.op;
	a.chain__pad = 0;
	return a;
}

#ifdef __cplusplus
}
static inline struct chain_arg chain__a(struct chain_ref r)
{
	return chain__arg(r, 1, 0);
}
static inline struct chain_arg chain__a(struct chain_handle h)
{
	return chain__arg(chain__res_add(h.op, 0), 1, 0);
}
template <typename T> static inline struct chain_arg chain__a(T v)
{
	struct chain_ref none = { -1, 0, 0 };

	return chain__arg(none, 0, (uint64_t)(uintptr_t)v);
}
#define CHAIN_ARG(x) chain__a(x)
extern "C" {
#else
/*
 * CHAIN_ARG(x): x is a struct chain_handle, a struct chain_ref or any
 * integer or pointer. Each branch of _Generic is valid for every type and
 * only the selected one is evaluated, so x is evaluated exactly once.
 */
static inline struct chain_ref chain__h2ref(struct chain_handle h)
{
	return chain__res_add(h.op, 0);
}

static inline struct chain_ref chain__r2ref(struct chain_ref r)
{
	return r;
}

static inline struct chain_ref chain__noref(const volatile void *p)
{
	(void)p;
	return chain__res_add(-1, 0);
}

#define CHAIN__REF(x) _Generic((x),					\
	struct chain_handle: chain__h2ref,				\
	struct chain_ref: chain__r2ref,					\
	default: chain__noref)(_Generic((x),				\
	struct chain_handle: (x), struct chain_ref: (x),		\
	default: (const volatile void *)0))
#define CHAIN__VAL(x) ((uint64_t)(uintptr_t)_Generic((x),		\
	struct chain_handle: 0, struct chain_ref: 0, default: (x)))
#define CHAIN__ISREF(x) _Generic((x), struct chain_handle: 1,		\
	struct chain_ref: 1, default: 0)
#define CHAIN_ARG(x) chain__arg(CHAIN__REF(x), CHAIN__ISREF(x), CHAIN__VAL(x))
#endif

#define CHAIN__NOARG chain__arg(chain_res(-1), 0, 0)

/**
 * chain_op() - add an op for any syscall number
 * @c: the chain
 * @nr: native syscall number
 * @nargs: number of arguments in @args (at most 6)
 * @args: the arguments (CHAIN_ARG() makes them)
 *
 * Return: the op's handle; its index, or -EINVAL (bad @nargs, a reference
 * to a later op), -E2BIG (chain full), -ENOMEM. (The symbol returns the
 * index as an int; the macro makes it a handle.)
 */
int chain_op(struct chain *c, long nr, unsigned int nargs,
	     const struct chain_arg *args);
#define chain_op(c, nr, nargs, args)					\
	chain_handle_of((chain_op)((c), (nr), (nargs), (args)))

int chain__op6(struct chain *c, long nr, unsigned int nargs,
	       struct chain_arg a0, struct chain_arg a1, struct chain_arg a2,
	       struct chain_arg a3, struct chain_arg a4, struct chain_arg a5);

#define CHAIN__OP0(c, nr) chain__op6((c), (nr), 0, CHAIN__NOARG,		\
	CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG)
#define CHAIN__OP1(c, nr, a) chain__op6((c), (nr), 1, CHAIN_ARG(a),	\
	CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG)
#define CHAIN__OP2(c, nr, a, b) chain__op6((c), (nr), 2, CHAIN_ARG(a),	\
	CHAIN_ARG(b), CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG)
#define CHAIN__OP3(c, nr, a, b, d) chain__op6((c), (nr), 3, CHAIN_ARG(a), \
	CHAIN_ARG(b), CHAIN_ARG(d), CHAIN__NOARG, CHAIN__NOARG, CHAIN__NOARG)
#define CHAIN__OP4(c, nr, a, b, d, e) chain__op6((c), (nr), 4,		\
	CHAIN_ARG(a), CHAIN_ARG(b), CHAIN_ARG(d), CHAIN_ARG(e),		\
	CHAIN__NOARG, CHAIN__NOARG)
#define CHAIN__OP5(c, nr, a, b, d, e, f) chain__op6((c), (nr), 5,	\
	CHAIN_ARG(a), CHAIN_ARG(b), CHAIN_ARG(d), CHAIN_ARG(e),		\
	CHAIN_ARG(f), CHAIN__NOARG)
#define CHAIN__OP6(c, nr, a, b, d, e, f, g) chain__op6((c), (nr), 6,	\
	CHAIN_ARG(a), CHAIN_ARG(b), CHAIN_ARG(d), CHAIN_ARG(e),		\
	CHAIN_ARG(f), CHAIN_ARG(g))

/*
 * chain_syscall(c, nr, args...): add an op for any syscall number, with up
 * to six arguments, each a value, a handle or a chain_ref; it returns the
 * op's handle.
 */
#define CHAIN__NARGS(...) CHAIN__NARGS_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define CHAIN__NARGS_(a, b, c, d, e, f, n, ...) n
#define CHAIN__CAT(a, b) CHAIN__CAT_(a, b)
#define CHAIN__CAT_(a, b) a##b
#define chain_syscall0(c, nr) chain_handle_of(CHAIN__OP0(c, nr))
#define chain_syscall(c, nr, ...) chain_handle_of(			\
	CHAIN__CAT(CHAIN__OP, CHAIN__NARGS(__VA_ARGS__))(c, nr, __VA_ARGS__))

/*
 * Builders, one per supported syscall, arguments in the syscall's order:
 * chain_read(c, fd, buf, count) and so on, written from module/oplist.h
 * into <syschain/builders.h>. Each argument is typed as the syscall's: an
 * integer argument takes any integer (or enum) type, an address takes any
 * pointer, and either takes a struct chain_ref (an earlier op's result)
 * instead. Anything else (a pointer for a count, an integer for an
 * address, a floating-point value) does not compile: CHAIN__I() and
 * CHAIN__P() are the checks, in C11 (_Generic) and in C++ (overloads).
 */
#ifdef __cplusplus
}
#include <cstddef>
#include <type_traits>
static inline struct chain_arg chain__i(struct chain_ref r)
{
	return chain__arg(r, 1, 0);
}
static inline struct chain_arg chain__i(struct chain_handle h)
{
	return chain__a(h);
}
template <typename T>
static inline typename std::enable_if<std::is_integral<T>::value ||
				      std::is_enum<T>::value,
				      struct chain_arg>::type chain__i(T v)
{
	return chain__a(v);
}
static inline struct chain_arg chain__p(struct chain_ref r)
{
	return chain__arg(r, 1, 0);
}
static inline struct chain_arg chain__p(struct chain_handle h)
{
	return chain__a(h);
}
template <typename T> static inline struct chain_arg chain__p(T *p)
{
	return chain__a((uintptr_t)p);
}
static inline struct chain_arg chain__p(std::nullptr_t)
{
	return chain__a((uintptr_t)0);
}
#define CHAIN__I(x) chain__i(x)
#define CHAIN__P(x) chain__p(x)
extern "C" {
#else
/* no association for any other type: a compile error */
#define CHAIN__IS_INT(x) _Generic((x), struct chain_handle: 1,		\
	struct chain_ref: 1, _Bool: 1,					\
	char: 1, signed char: 1, unsigned char: 1, short: 1,		\
	unsigned short: 1, int: 1, unsigned int: 1, long: 1,		\
	unsigned long: 1, long long: 1, unsigned long long: 1)
/* the pointer, or a null one for a struct chain_handle or chain_ref */
#define CHAIN__PTR(x) _Generic((x),					\
	struct chain_handle: (const void *)0,				\
	struct chain_ref: (const void *)0, default: (x))
static inline int chain__is_ptr(const volatile void *p)
{
	return p != 0;
}
/* an integer (other than 0) for a pointer: -Wint-conversion */
#define CHAIN__I(x) ((void)CHAIN__IS_INT(x), CHAIN_ARG(x))
#define CHAIN__P(x) ((void)sizeof(chain__is_ptr(CHAIN__PTR(x))), CHAIN_ARG(x))
#endif

#include <syschain/builders.h>

/* Chain life cycle */

/**
 * enum chain_backend - how a chain runs
 * @CHAIN_BACKEND_AUTO: the kernel when /dev/syschain can run the chain,
 *	else plain syscalls for the whole chain (never a mix within one run)
 * @CHAIN_BACKEND_KERNEL: /dev/syschain only; chain_run() fails with the
 *	module's error (-ENOENT if the device is absent, -EOPNOTSUPP for an op
 *	it cannot run)
 * @CHAIN_BACKEND_USER: the same engine, each op a plain syscall
 *
 * SYSCHAIN_BACKEND=kernel|user|auto in the environment overrides the
 * backend of every chain in the process.
 */
enum chain_backend {
	CHAIN_BACKEND_AUTO,
	CHAIN_BACKEND_KERNEL,
	CHAIN_BACKEND_USER,
};

int chain_new(struct chain **cp);
void chain_free(struct chain *c);
void chain_reset(struct chain *c);
int chain_set_backend(struct chain *c, enum chain_backend backend);
int chain_set_stop_on_error(struct chain *c, bool stop);
int chain_set_max_steps(struct chain *c, uint64_t max_steps);
int chain_set_register(struct chain *c, bool on);
unsigned int chain_nr_ops(const struct chain *c);

/* Conditions and control flow */

/** enum chain_cmp - comparisons, as enum syschain_cmp */
enum chain_cmp {
	CHAIN_ALWAYS = SYSCHAIN_CMP_ALWAYS,
	CHAIN_EQ = SYSCHAIN_CMP_EQ,
	CHAIN_NE = SYSCHAIN_CMP_NE,
	CHAIN_LT = SYSCHAIN_CMP_LT,
	CHAIN_LE = SYSCHAIN_CMP_LE,
	CHAIN_GT = SYSCHAIN_CMP_GT,
	CHAIN_GE = SYSCHAIN_CMP_GE,
	CHAIN_ULT = SYSCHAIN_CMP_ULT,
	CHAIN_ULE = SYSCHAIN_CMP_ULE,
	CHAIN_UGT = SYSCHAIN_CMP_UGT,
	CHAIN_UGE = SYSCHAIN_CMP_UGE,
};

int chain__stop_if(struct chain *c, int op, enum chain_cmp cmp,
		   struct chain_arg rhs);
int chain__jump_if(struct chain *c, int op, enum chain_cmp cmp,
		   struct chain_arg rhs, int target, bool label);

/*
 * Where these take an op (or a jump's target op), it is the op's handle or
 * its index.
 */
/* stop the chain after op if its result <cmp> rhs (value or reference) */
#define chain_stop_if(c, op, cmp, rhs)					\
	chain__stop_if((c), CHAIN__IDX(op), (cmp), CHAIN_ARG(rhs))
/* after op, if its result <cmp> rhs, continue at op target */
#define chain_jump_if(c, op, cmp, rhs, target)				\
	chain__jump_if((c), CHAIN__IDX(op), (cmp), CHAIN_ARG(rhs),	\
		       CHAIN__IDX(target), false)
/* after op, if its result <cmp> rhs, continue at label */
#define chain_goto_if(c, op, cmp, rhs, label)				\
	chain__jump_if((c), CHAIN__IDX(op), (cmp), CHAIN_ARG(rhs),	\
		       (label), true)
/* after op, always continue at label */
#define chain_goto(c, op, label)					\
	chain__jump_if((c), CHAIN__IDX(op), CHAIN_ALWAYS, CHAIN_ARG(0),	\
		       (label), true)
/* stop the chain after op if it failed (result < 0) */
#define chain_stop_if_failed(c, op)					\
	chain__stop_if((c), CHAIN__IDX(op), CHAIN_LT, CHAIN_ARG(0))

/*
 * The ops added after chain_finally() are the chain's cleanup: they run
 * however the chain ends (completed, stopped, failed, out of budget), in
 * the same run, each once; see chain_finally(3).
 */
int chain_finally(struct chain *c);
int chain_label(struct chain *c);
int chain_label_here(struct chain *c, int label);
int chain_ignore_error(struct chain *c, int op);
#define chain_ignore_error(c, op) (chain_ignore_error)((c), CHAIN__IDX(op))

/*
 * Registered buffers (0.3): memory the kernel pins once for the chain, and
 * ops flagged with chain_fixed() whose data lies in it; see
 * chain_register_buffers(3).
 */
/* chain_register_buffers()'s flags: the chain's kernel memory stands in */
#define CHAIN_BUF_KERNEL	SYSCHAIN_BUF_KERNEL
int chain_register_buffers(struct chain *c, const struct iovec *bufs,
			   unsigned int nr, unsigned int flags);
int chain_fixed(struct chain *c, int op);
#define chain_fixed(c, op) (chain_fixed)((c), CHAIN__IDX(op))

/* Arguments changed in place, to run a built chain again */
int chain__set_arg(struct chain *c, int op, unsigned int argno,
		   struct chain_arg arg);
#define chain_set_arg(c, op, argno, v)					\
	chain__set_arg((c), CHAIN__IDX(op), (argno), CHAIN_ARG(v))

/* Handlers, called in userspace after a run that stopped at their op */
typedef void (*chain_handler_fn)(struct chain *c, int op, int64_t result,
				 void *arg);
int chain_on_stop(struct chain *c, int op, chain_handler_fn fn, void *arg);
#define chain_on_stop(c, op, fn, arg)					\
	(chain_on_stop)((c), CHAIN__IDX(op), (fn), (arg))

/* Running and results */

/*
 * chain_report()'s status before a chain's first run (after chain_new()
 * and chain_reset()): no enum syschain_status, which only runs report.
 */
#define CHAIN_STATUS_NOT_RUN 0xffffffffU

/**
 * struct chain_report - how the last run ended
 * @status: enum syschain_status, or CHAIN_STATUS_NOT_RUN
 * @steps: op executions
 * @stop_op: op it stopped at, or -1
 * @stop_cond: condition that fired, or -1
 * @backend: CHAIN_BACKEND_KERNEL or CHAIN_BACKEND_USER, set by every
 *	chain_run(): what ran the chain (or was to run it, when the run was
 *	refused); CHAIN_BACKEND_AUTO only with CHAIN_STATUS_NOT_RUN
 */
struct chain_report {
	uint32_t status;
	uint64_t steps;
	int stop_op;
	int stop_cond;
	enum chain_backend backend;
};

int chain_run(struct chain *c);
int64_t chain_ret(const struct chain *c, int op);
int chain_result(const struct chain *c, int op, int64_t *ret);
uint64_t chain_count(const struct chain *c, int op);
/* op: the op's handle or index */
#define chain_ret(c, op) (chain_ret)((c), CHAIN__IDX(op))
#define chain_result(c, op, ret) (chain_result)((c), CHAIN__IDX(op), (ret))
#define chain_count(c, op) (chain_count)((c), CHAIN__IDX(op))
const struct chain_report *chain_report(const struct chain *c);
const char *chain_status_str(uint32_t status);
/* The first building call that failed (0: none), and its op; see chain_run(3) */
int chain_build_error(const struct chain *c, int *op);

/* The ops by name, for diagnostics: "read" for __NR_read, and back */
const char *chain_op_name(long nr);
long chain_op_nr(const char *name);

/* What the loaded module supports */

/**
 * struct chain_probe - what /dev/syschain supports
 * @abi_version: SYSCHAIN_ABI_VERSION of the module
 * @module_version: (major << 16) | (minor << 8) | patch
 * @max_ops: most ops per chain
 * @max_conds: most conditions per chain
 * @max_steps: cap on op executions per run
 * @nr_syscalls: number of entries in @syscalls
 * @syscalls: supported syscall numbers, ascending
 */
struct chain_probe {
	uint32_t abi_version;
	uint32_t module_version;
	uint32_t max_ops;
	uint32_t max_conds;
	uint64_t max_steps;
	uint32_t nr_syscalls;
	uint32_t syscalls[512];
};

int chain_probe(struct chain_probe *p);
bool chain_kernel_supports(long nr);

/*
 * Asynchronous runs (chain_submit(3)): worker threads run submitted chains
 * with chain_run(); completions come back in the order the chains ended,
 * from chain_wait() or when chain_queue_fd() polls readable. A submitted
 * chain is not the caller's until chain_wait() returns it.
 */
struct chain_queue;

/**
 * struct chain_completion - a submitted chain that has ended
 * @chain: the chain, the caller's again: results and report as chain_run()
 *	leaves them
 * @user_data: as given to chain_submit()
 * @ret: what chain_run() returned, or -ECANCELED (chain_cancel())
 */
struct chain_completion {
	struct chain *chain;
	void *user_data;
	int ret;
};

#define CHAIN_QUEUE_MAX_WORKERS 256

int chain_queue_new(struct chain_queue **qp, unsigned int workers);
void chain_queue_free(struct chain_queue *q);
int chain_submit(struct chain_queue *q, struct chain *c, void *user_data);
int chain_cancel(struct chain_queue *q, struct chain *c);
int chain_queue_fd(const struct chain_queue *q);
int chain_wait(struct chain_queue *q, struct chain_completion *cc,
	       int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* LIBCHAIN_H */
