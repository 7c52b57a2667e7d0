/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * The fuzzer's oracle: what /dev/syschain must answer to a SYSCHAIN_RUN,
 * SYSCHAIN_PROBE or SYSCHAIN_REGISTER ioctl, or a registered chain to a
 * SYSCHAIN_EXEC, given the bytes the fuzzer submitted.
 *
 * It is written from the documentation only, never from module/engine.c
 * (whose validator it must be able to contradict):
 *
 *  - uapi/linux/syschain.h: "General ioctl format" (extensible structs read
 *    like openat2(2)/clone3(2): smaller than the first version -EINVAL,
 *    larger with a non-zero unknown tail, or larger than the page size,
 *    -E2BIG; reserved fields and unknown flags -EINVAL), struct
 *    syschain_run's error list (ABI 2: results_uptr required, the results
 *    written as zeros before any op runs, %SYSCHAIN_RUN_RESUME and
 *    %SYSCHAIN_RUN_RESUME_EINTR, "Op boundaries"), and the field rules of
 *    struct syschain_op and struct syschain_cond;
 *  - the same header's "Registered chains" (ABI 3): struct
 *    syschain_register (validated as SYSCHAIN_RUN validates, plus its own
 *    flags and reserved field), struct syschain_exec's error list and
 *    struct syschain_patch (op in the chain, argument below the op's
 *    count, SYSCHAIN_PATCH_REF exactly on reference arguments, no unknown
 *    flag, at most SYSCHAIN_MAX_PATCHES, patch_size as op_size, and
 *    -EOPNOTSUPP where the patched op is one README refuses);
 *  - README.md, "Supported ops" and its "Refused" table, which the uapi's
 *    -EOPNOTSUPP points to (see SYSCHAIN_PROBE): getpgid/getsid of a pid
 *    other than 0 or taken from another op's result, kill of a pid of 0 or
 *    below or taken from another op's result, clock_gettime/clock_getres/clock_nanosleep on a
 *    CPU-time or posix-clock id or an id taken from another op's result,
 *    clock_nanosleep on the ALARM clocks (the refusals made as an op's
 *    result when it runs, getxattr and its variants of a POSIX ACL name,
 *    getcwd outside the root, kill by a task with an unmapped uid, are
 *    no validation answer, and the fuzzer makes none of them);
 *  - each syscall's own signature (man 2) for an op's argument count, which
 *    the includer's op table gives (struct fo_env.nargs).
 *
 * The uapi gives no precedence between faults, so the oracle collects every
 * documented answer a chain allows (errno, and the report's stop_op and
 * stop_cond where the uapi says the report names the culprit) and the
 * module's answer must be one of them; a chain without any must run.
 *
 * Memory is judged through the includer's model of its own mappings
 * (struct fo_env.mem): what the module can read, write, or cannot reach
 * (access_ok() fails). Addresses outside the model make the verdict
 * "unknown" and the call is not judged (random bytes only).
 */
#ifndef SYSCHAIN_FUZZ_ORACLE_H
#define SYSCHAIN_FUZZ_ORACLE_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <linux/syschain.h>

/*
 * Cases where the module deviates from the uapi as written, or where the
 * uapi is silent. Off (0), the default: the oracle accepts both what the
 * module does today and the documented reading, and counts the case (the
 * summary's "unspecified"). On (1): the oracle demands the uapi's reading,
 * and the suite fails until the module (or the uapi) is fixed.
 *
 * (A size above PAGE_SIZE, the struct's, op_size or cond_size, is no such
 * case since ABI 2: the uapi documents -E2BIG for it, whatever the tail.)
 * FUZZ_STRICT_COND_INDEX_UNUSED: an op with cond_count 0 and a non-zero
 *	cond_index. The uapi lists "an op's conditions past @nr_conds" as
 *	-EINVAL, and such an op has no conditions; cond_index is not reserved.
 *	The module refuses it (-EINVAL naming the op). Strict: must run.
 * FUZZ_STRICT_EMPTY_ARRAY: nr_conds 0 with a conds_uptr outside user space.
 *	The uapi calls conds_uptr a pointer to nr_conds conditions, so none is
 *	read; it does not say whether an unused pointer is checked. Strict:
 *	must run. (The same for an EXEC's patches_uptr with no patches.)
 */
#ifndef FUZZ_STRICT_COND_INDEX_UNUSED
#define FUZZ_STRICT_COND_INDEX_UNUSED 0
#endif
#ifndef FUZZ_STRICT_EMPTY_ARRAY
#define FUZZ_STRICT_EMPTY_ARRAY 0
#endif

#define FO_PAGE_SIZE	4096U
#define FO_NO		SYSCHAIN_NO_INDEX

/*
 * sizes of the first published versions, and of the structs the module
 * knows (the structs as declared): struct syschain_run grew resume_expiry
 * in ABI 2, so a size between the two reads the struct without it
 */
#define FO_RUN_SIZE0	((uint32_t)SYSCHAIN_RUN_SIZE_VER0)
#define FO_RUN_SIZE	((uint32_t)sizeof(struct syschain_run))
#define FO_PROBE_SIZE0	((uint32_t)sizeof(struct syschain_probe))
#define FO_REG_SIZE0	((uint32_t)SYSCHAIN_REGISTER_SIZE_VER0)
#define FO_REG_SIZE	((uint32_t)sizeof(struct syschain_register))
#define FO_EXEC_SIZE0	((uint32_t)SYSCHAIN_EXEC_SIZE_VER0)
#define FO_EXEC_SIZE	((uint32_t)sizeof(struct syschain_exec))

/* what a range of the caller's memory is to the module */
enum fo_mem {
	FO_MEM_RW,	/* readable and writable */
	FO_MEM_RO,	/* readable only */
	FO_MEM_BAD,	/* user addresses, but some byte faults */
	FO_MEM_KERNEL,	/* not user addresses: access_ok() fails */
	FO_MEM_UNKNOWN,	/* outside the includer's model */
};

/* why a call must be refused: one per documented rule */
#define FO_REASONS(X)							\
	X(STRUCT_FAULT, EFAULT, "struct unreadable or unwritable")	\
	X(SIZE_SMALL, EINVAL, "size below the first version")		\
	X(SIZE_TAIL, E2BIG, "struct tail not zero")			\
	X(SIZE_PAGE, E2BIG, "size above PAGE_SIZE (openat2)")		\
	X(RUN_FLAGS, EINVAL, "unknown run flag")			\
	X(RUN_RESERVED, EINVAL, "run __reserved set")			\
	X(NR_OPS_ZERO, EINVAL, "nr_ops 0")				\
	X(OP_SIZE, EINVAL, "bad op_size")				\
	X(COND_SIZE, EINVAL, "bad cond_size")				\
	X(NR_OPS_LIMIT, E2BIG, "nr_ops over max_ops")			\
	X(NR_CONDS_LIMIT, E2BIG, "nr_conds over max_conds")		\
	X(RESULTS_FAULT, EFAULT, "results not in user space")		\
	X(RESULTS_NULL, EINVAL, "results_uptr 0")			\
	X(RESULTS_WRITE, EFAULT, "results unwritable (zeroed first)")	\
	X(RESULTS_READ, EFAULT, "results unreadable on RESUME")	\
	X(RESUME_EINTR, EINVAL, "RESUME_EINTR without RESUME")		\
	X(RESUME_STOP_OP, EINVAL, "RESUME with stop_op not an op")	\
	X(OPS_FAULT, EFAULT, "ops unreadable")				\
	X(CONDS_FAULT, EFAULT, "conds unreadable")			\
	X(EMPTY_PTR, EFAULT, "unused conds pointer")			\
	X(OP_TAIL, E2BIG, "op tail not zero")				\
	X(COND_TAIL, E2BIG, "cond tail not zero")			\
	X(OP_UNSUPPORTED, EOPNOTSUPP, "op not supported")		\
	X(OP_REFUSED, EOPNOTSUPP, "op arguments refused (README)")	\
	X(OP_FLAGS, EINVAL, "unknown op flag")				\
	X(OP_CLEANUP, EINVAL, "cleanup op not last, or with a condition") \
	X(OP_REF_MASK, EINVAL, "ref_mask past the arguments")		\
	X(OP_ARG_PAST, EINVAL, "argument past the count set")		\
	X(OP_REF_LATER, EINVAL, "reference not to an earlier op")	\
	X(OP_REF_PLAIN, EINVAL, "arg_ref of a plain argument set")	\
	X(OP_CONDS_PAST, EINVAL, "op conditions past nr_conds")	\
	X(OP_COND_UNUSED, EINVAL, "cond_index without conditions")	\
	X(COND_CMP, EINVAL, "unknown comparison")			\
	X(COND_ACTION, EINVAL, "unknown action")			\
	X(COND_FLAGS, EINVAL, "unknown cond flag")			\
	X(COND_RESERVED, EINVAL, "cond __reserved set")		\
	X(COND_STOP_TARGET, EINVAL, "stop with a target")		\
	X(COND_JUMP_TARGET, EINVAL, "jump past the end")		\
	X(COND_RHS_REF, EINVAL, "rhs_ref out of range")		\
	X(COND_RHS_PLAIN, EINVAL, "rhs_ref without the flag")		\
	X(COND_ALWAYS, EINVAL, "ALWAYS with rhs, rhs_ref or flags")	\
	X(PROBE_FLAGS, EINVAL, "probe flags set")			\
	X(PROBE_LIST_FAULT, EFAULT, "syscall list unwritable")		\
	X(REG_FLAGS, EINVAL, "unknown register flag")			\
	X(REG_RESERVED, EINVAL, "register __reserved set")		\
	X(EXEC_FLAGS, EINVAL, "unknown exec flag")			\
	X(EXEC_RESERVED, EINVAL, "exec __reserved set")		\
	X(EXEC_RESULTS, EFAULT, "exec results not in user space")	\
	X(PATCH_SIZE, EINVAL, "bad patch_size")			\
	X(PATCH_SIZE_UNUSED, EINVAL, "bad patch_size, no patches")	\
	X(PATCHES_LIMIT, E2BIG, "more than SYSCHAIN_MAX_PATCHES")	\
	X(PATCHES_FAULT, EFAULT, "patches unreadable")			\
	X(PATCHES_EMPTY_PTR, EFAULT, "unused patches pointer")		\
	X(PATCH_TAIL, E2BIG, "patch tail not zero")			\
	X(PATCH_OP, EINVAL, "patch of an op past the chain")		\
	X(PATCH_ARG, EINVAL, "patch of an argument past the count")	\
	X(PATCH_NO_REF, EINVAL, "reference patched without PATCH_REF") \
	X(PATCH_REF_VALUE, EINVAL, "PATCH_REF on a value argument")	\
	X(PATCH_FLAGS, EINVAL, "unknown patch flag")			\
	X(PATCH_REFUSED, EOPNOTSUPP, "patched op refused (README)")

enum fo_reason {
#define FO_ENUM(name, err, text) FO_##name,
	FO_REASONS(FO_ENUM)
#undef FO_ENUM
	FO_NR_REASONS
};

/* the rules of SYSCHAIN_REGISTER and SYSCHAIN_EXEC's own members */
#define FO_FIRST_REGISTERED	FO_REG_FLAGS

static const struct {
	const char *name;
	int err;
	const char *text;
} fo_reasons[FO_NR_REASONS] = {
#define FO_DESC(name, e, t) [FO_##name] = { #name, e, t },
	FO_REASONS(FO_DESC)
#undef FO_DESC
};

/* one answer the module may give */
struct fo_answer {
	uint8_t reason;		/* enum fo_reason; the errno is its */
	uint8_t report;		/* the report must name @op/@cond */
	uint8_t any_index;	/* EFAULT on an array: NO_INDEX also fine */
	uint8_t optional;	/* unspecified by the uapi: running is fine */
	uint32_t op, cond;
};

#define FO_MAX_ANSWERS 256

struct fo_verdict {
	unsigned int n;		/* answers, FO_MAX_ANSWERS at most kept */
	unsigned int mandatory;	/* answers that forbid running */
	bool unknown;		/* memory outside the model: no verdict */
	bool overflow;		/* more answers than kept */
	enum fo_mem results;	/* where the results go */
	bool resume;		/* SYSCHAIN_RUN_RESUME set */
	uint32_t body_end;	/* first cleanup op read, FO_NO: none yet */
	bool results_fault;	/* if it runs: status SYSCHAIN_STATUS_FAULT */
	struct fo_answer a[FO_MAX_ANSWERS];
};

struct fo_env {
	uint32_t max_ops, max_conds;
	/* the state of [addr, addr + len); *readable: leading readable bytes */
	enum fo_mem (*mem)(uint64_t addr, uint64_t len, uint64_t *readable);
	/* argument count of an op the module supports (probe), else -1 */
	int (*nargs)(uint32_t nr);
};

static void fo_put(struct fo_verdict *v, enum fo_reason why, bool report,
		   uint32_t op, uint32_t cond, bool optional)
{
	struct fo_answer *a;

	if (!optional)
		v->mandatory++;
	if (v->n >= FO_MAX_ANSWERS) {
		v->overflow = true;
		return;
	}
	a = &v->a[v->n++];
	a->reason = why;
	a->report = report;
	a->any_index = 0;
	a->optional = optional;
	a->op = op;
	a->cond = cond;
}

/* an answer the uapi requires: the call must not run */
static void fo_add(struct fo_verdict *v, enum fo_reason why, bool report,
		   uint32_t op, uint32_t cond)
{
	fo_put(v, why, report, op, cond, false);
}

/* an answer the uapi leaves open: the module may give it, or run */
static void fo_add_optional(struct fo_verdict *v, enum fo_reason why,
			    bool report, uint32_t op, uint32_t cond)
{
	fo_put(v, why, report, op, cond, true);
}

static void fo_init(struct fo_verdict *v)
{
	v->n = 0;
	v->mandatory = 0;
	v->unknown = false;
	v->overflow = false;
	v->results = FO_MEM_RW;
	v->resume = false;
	v->body_end = FO_NO;
	v->results_fault = false;
}

static bool fo_nonzero(const void *p, uint64_t len)
{
	const unsigned char *c = p;
	uint64_t i;

	for (i = 0; i < len; i++)
		if (c[i])
			return true;
	return false;
}

static const void *fo_ptr(uint64_t addr)
{
	return (const void *)(uintptr_t)addr;
}

/*
 * An extensible struct of @ksize bytes at @uptr whose first member is its
 * size: the rules of the "General ioctl format". Returns true if the module
 * must go on to read its members, false if the struct itself is refused (or
 * unknown). @usize is set from the memory.
 */
static bool fo_struct(const struct fo_env *env, struct fo_verdict *v,
		      uint64_t uptr, uint32_t minsize, uint32_t ksize,
		      uint32_t *usize)
{
	uint64_t rd;
	enum fo_mem m = env->mem(uptr, 4, &rd);

	if (m == FO_MEM_UNKNOWN) {
		v->unknown = true;
		return false;
	}
	if (m == FO_MEM_BAD || m == FO_MEM_KERNEL) {
		fo_add(v, FO_STRUCT_FAULT, false, FO_NO, FO_NO);
		return false;
	}
	memcpy(usize, fo_ptr(uptr), 4);
	if (*usize < minsize)
		fo_add(v, FO_SIZE_SMALL, false, FO_NO, FO_NO);
	m = env->mem(uptr, *usize > 4 ? *usize : 4, &rd);
	if (m == FO_MEM_UNKNOWN) {
		v->unknown = true;
		return false;
	}
	if (m == FO_MEM_BAD || m == FO_MEM_KERNEL)
		fo_add(v, FO_STRUCT_FAULT, false, FO_NO, FO_NO);
	else
		rd = *usize;
	if (*usize > ksize && rd > ksize &&
	    fo_nonzero((const char *)fo_ptr(uptr) + ksize, rd - ksize))
		fo_add(v, FO_SIZE_TAIL, false, FO_NO, FO_NO);
	if (*usize > FO_PAGE_SIZE)
		fo_add(v, FO_SIZE_PAGE, false, FO_NO, FO_NO);
	return !v->mandatory;
}

/* README's "Refused" table: the op's arguments, not the op, are refused */
static bool fo_clock_refused(int32_t id, bool sleep)
{
	if (id < 0)	/* other tasks' CPU clocks, posix clocks (PTP) */
		return true;
	if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID)
		return true;
	return sleep && (id == CLOCK_REALTIME_ALARM ||
			 id == CLOCK_BOOTTIME_ALARM);
}

static bool fo_op_refused(const struct syschain_op *op)
{
	switch (op->nr) {
	case __NR_getpgid:
	case __NR_getsid:
		return (op->ref_mask & 1) || (int32_t)op->args[0] != 0;
	case __NR_kill:
		return (op->ref_mask & 1) || (int32_t)op->args[0] <= 0;
	case __NR_clock_gettime:
	case __NR_clock_getres:
		return (op->ref_mask & 1) ||
		       fo_clock_refused((int32_t)op->args[0], false);
	case __NR_clock_nanosleep:
		return (op->ref_mask & 1) ||
		       fo_clock_refused((int32_t)op->args[0], true);
	}
	return false;
}

/* struct syschain_op's rules for op @i of @nr_conds conditions */
static void fo_op(const struct fo_env *env, struct fo_verdict *v,
		  const struct syschain_op *op, uint32_t i, uint32_t nr_conds)
{
	int nargs = env->nargs(op->nr);
	unsigned int k;

	if (nargs < 0)
		fo_add(v, FO_OP_UNSUPPORTED, true, i, FO_NO);
	/* FIXED_BUF too: the fuzzer's chains have no registered buffers */
	if (op->flags & ~(SYSCHAIN_OP_IGNORE_ERROR | SYSCHAIN_OP_CLEANUP))
		fo_add(v, FO_OP_FLAGS, true, i, FO_NO);
	/* uapi "Cleanup ops": the last ops, without conditions */
	if (op->flags & SYSCHAIN_OP_CLEANUP) {
		if (v->body_end == FO_NO)
			v->body_end = i;
		if (op->cond_count)
			fo_add(v, FO_OP_CLEANUP, true, i, FO_NO);
	} else if (v->body_end != FO_NO) {
		fo_add(v, FO_OP_CLEANUP, true, i, FO_NO);
	}
	/* bits 6..15 are past any op's argument count */
	if (op->ref_mask >> (nargs < 0 ? SYSCHAIN_MAX_ARGS : nargs))
		fo_add(v, FO_OP_REF_MASK, true, i, FO_NO);
	for (k = nargs < 0 ? SYSCHAIN_MAX_ARGS : nargs; k < SYSCHAIN_MAX_ARGS; k++)
		if (op->args[k]) {
			fo_add(v, FO_OP_ARG_PAST, true, i, FO_NO);
			break;
		}
	for (k = 0; k < SYSCHAIN_MAX_ARGS; k++) {
		if ((op->ref_mask >> k) & 1) {
			if (op->arg_ref[k] >= i)
				fo_add(v, FO_OP_REF_LATER, true, i, FO_NO);
		} else if (op->arg_ref[k]) {
			fo_add(v, FO_OP_REF_PLAIN, true, i, FO_NO);
		}
	}
	if (op->cond_count &&
	    (uint64_t)op->cond_index + op->cond_count > nr_conds)
		fo_add(v, FO_OP_CONDS_PAST, true, i, FO_NO);
	if (!op->cond_count && op->cond_index && !FUZZ_STRICT_COND_INDEX_UNUSED)
		fo_add_optional(v, FO_OP_COND_UNUSED, true, i, FO_NO);
	if (nargs >= 0 && fo_op_refused(op))
		fo_add(v, FO_OP_REFUSED, true, i, FO_NO);
}

/* struct syschain_cond's rules for condition @j of a chain of @nr_ops */
static void fo_cond(struct fo_verdict *v, const struct syschain_cond *c,
		    uint32_t j, uint32_t nr_ops)
{
	const bool ref = c->flags & SYSCHAIN_COND_RHS_REF;

	if (c->cmp < SYSCHAIN_CMP_ALWAYS || c->cmp > SYSCHAIN_CMP_UGE)
		fo_add(v, FO_COND_CMP, true, FO_NO, j);
	if (c->action != SYSCHAIN_ACT_STOP && c->action != SYSCHAIN_ACT_JUMP)
		fo_add(v, FO_COND_ACTION, true, FO_NO, j);
	if (c->flags & ~SYSCHAIN_COND_RHS_REF)
		fo_add(v, FO_COND_FLAGS, true, FO_NO, j);
	if (c->__reserved)
		fo_add(v, FO_COND_RESERVED, true, FO_NO, j);
	if (c->action == SYSCHAIN_ACT_STOP && c->target)
		fo_add(v, FO_COND_STOP_TARGET, true, FO_NO, j);
	/* past the end of the body (of the chain, if no cleanup op) */
	if (c->action == SYSCHAIN_ACT_JUMP &&
	    c->target > (v->body_end == FO_NO ? nr_ops : v->body_end))
		fo_add(v, FO_COND_JUMP_TARGET, true, FO_NO, j);
	if (ref && c->rhs_ref >= nr_ops)
		fo_add(v, FO_COND_RHS_REF, true, FO_NO, j);
	if (!ref && c->rhs_ref)
		fo_add(v, FO_COND_RHS_PLAIN, true, FO_NO, j);
	if (c->cmp == SYSCHAIN_CMP_ALWAYS && (c->rhs || c->rhs_ref || c->flags))
		fo_add(v, FO_COND_ALWAYS, true, FO_NO, j);
}

/*
 * An array of @n elements of @usize bytes (the module knows @ksize) at
 * @uptr: each element is read like an extensible struct. @is_op selects
 * the element rules. Elements are judged as far as they can be read.
 */
static void fo_array(const struct fo_env *env, struct fo_verdict *v,
		     const struct syschain_run *r, bool is_op)
{
	const uint64_t uptr = is_op ? r->ops_uptr : r->conds_uptr;
	const uint32_t n = is_op ? r->nr_ops : r->nr_conds;
	const uint32_t usize = is_op ? r->op_size : r->cond_size;
	const uint32_t ksize = is_op ? SYSCHAIN_OP_SIZE_VER0 :
				       SYSCHAIN_COND_SIZE_VER0;
	const uint64_t len = (uint64_t)n * usize;
	uint64_t rd, full, i;
	enum fo_mem m = env->mem(uptr, len, &rd);
	union {
		struct syschain_op op;
		struct syschain_cond cond;
	} elem;

	if (m == FO_MEM_UNKNOWN) {
		v->unknown = true;
		return;
	}
	if (!n) {
		/* nothing to read: is the unused pointer checked? */
		if (m == FO_MEM_KERNEL && !FUZZ_STRICT_EMPTY_ARRAY)
			fo_add_optional(v, FO_EMPTY_PTR, true, FO_NO, FO_NO);
		return;
	}
	if (m == FO_MEM_RW || m == FO_MEM_RO) {
		rd = len;
	} else {
		/* NO_INDEX (the pointer) or the first element that faults */
		fo_add(v, is_op ? FO_OPS_FAULT : FO_CONDS_FAULT, true,
		       is_op ? (uint32_t)(rd / usize) : FO_NO,
		       is_op ? FO_NO : (uint32_t)(rd / usize));
		if (!v->overflow)
			v->a[v->n - 1].any_index = 1;	/* uapi: either */
	}
	full = rd / usize;
	for (i = 0; i <= full && i < n; i++) {
		const char *p = (const char *)fo_ptr(uptr) + i * usize;
		uint64_t have = i < full ? usize : rd - i * usize;

		if (have > ksize && fo_nonzero(p + ksize, have - ksize))
			fo_add(v, is_op ? FO_OP_TAIL : FO_COND_TAIL, true,
			       is_op ? (uint32_t)i : FO_NO,
			       is_op ? FO_NO : (uint32_t)i);
		if (i == full)
			break;
		memcpy(&elem, p, ksize);
		if (is_op)
			fo_op(env, v, &elem.op, (uint32_t)i, r->nr_conds);
		else
			fo_cond(v, &elem.cond, (uint32_t)i, r->nr_ops);
	}
}

/*
 * The chain of @r (nr_ops, nr_conds, op_size, cond_size), what
 * SYSCHAIN_RUN and SYSCHAIN_REGISTER validate alike: its counts and sizes.
 * True if the arrays are read (fo_array()).
 */
static bool fo_chain_sizes(const struct fo_env *env, struct fo_verdict *v,
			   const struct syschain_run *r, bool report)
{
	bool layout_ok = true;

	if (!r->nr_ops) {
		fo_add(v, FO_NR_OPS_ZERO, report, FO_NO, FO_NO);
		layout_ok = false;
	}
	if (r->op_size < SYSCHAIN_OP_SIZE_VER0 || r->op_size % 8) {
		fo_add(v, FO_OP_SIZE, report, FO_NO, FO_NO);
		layout_ok = false;
	}
	if (r->cond_size < SYSCHAIN_COND_SIZE_VER0 || r->cond_size % 8) {
		fo_add(v, FO_COND_SIZE, report, FO_NO, FO_NO);
		layout_ok = false;
	}
	if (r->nr_ops > env->max_ops) {
		fo_add(v, FO_NR_OPS_LIMIT, report, FO_NO, FO_NO);
		layout_ok = false;
	}
	if (r->nr_conds > env->max_conds) {
		fo_add(v, FO_NR_CONDS_LIMIT, report, FO_NO, FO_NO);
		layout_ok = false;
	}
	if (r->op_size > FO_PAGE_SIZE || r->cond_size > FO_PAGE_SIZE) {
		/* refused before the arrays are read */
		fo_add(v, FO_SIZE_PAGE, report, FO_NO, FO_NO);
		layout_ok = false;
	}
	return layout_ok;
}

/* nothing is reported through a struct the module cannot write */
static void fo_no_report(struct fo_verdict *v, bool report)
{
	unsigned int i;

	for (i = 0; !report && i < v->n; i++)
		v->a[i].report = 0;
}

/* struct syschain_run's members, once the struct itself is accepted */
static void fo_run_members(const struct fo_env *env, struct fo_verdict *v,
			   const struct syschain_run *r, bool report)
{
	bool layout_ok;
	uint64_t rd;

	if (r->flags & ~(SYSCHAIN_RUN_STOP_ON_ERROR | SYSCHAIN_RUN_RESUME |
			 SYSCHAIN_RUN_RESUME_EINTR))
		fo_add(v, FO_RUN_FLAGS, report, FO_NO, FO_NO);
	v->resume = r->flags & SYSCHAIN_RUN_RESUME;
	if ((r->flags & SYSCHAIN_RUN_RESUME_EINTR) && !v->resume)
		fo_add(v, FO_RESUME_EINTR, report, FO_NO, FO_NO);
	if (r->__reserved)
		fo_add(v, FO_RUN_RESERVED, report, FO_NO, FO_NO);
	layout_ok = fo_chain_sizes(env, v, r, report);
	/*
	 * The results: required; a fresh run writes them (zeros) before any
	 * op runs, a resumed one reads them back first and writes them when
	 * the chain leaves the kernel, where a failure is status FAULT.
	 */
	if (!r->results_uptr) {
		fo_add(v, FO_RESULTS_NULL, report, FO_NO, FO_NO);
		v->results = FO_MEM_BAD;
	} else if (r->nr_ops > env->max_ops) {
		/*
		 * No results array of that many ops can exist: -E2BIG
		 * (NR_OPS_LIMIT) is the answer, whatever lies at
		 * results_uptr (up to 64 GiB for 2^32 - 1 ops, which the
		 * memory model cannot tell in general).
		 */
	} else {
		v->results = env->mem(r->results_uptr,
				      (uint64_t)r->nr_ops * 16, &rd);
		if (v->results == FO_MEM_UNKNOWN)
			v->unknown = true;
		else if (v->results == FO_MEM_KERNEL)
			fo_add(v, FO_RESULTS_FAULT, report, FO_NO, FO_NO);
		else if (v->results != FO_MEM_RW && !v->resume)
			fo_add(v, FO_RESULTS_WRITE, report, FO_NO, FO_NO);
		/*
		 * The uapi does not say what the struct holds when a
		 * resumed run cannot read its results back: no report.
		 */
		else if (v->results == FO_MEM_BAD)
			fo_add(v, FO_RESULTS_READ, false, FO_NO, FO_NO);
		else if (v->results == FO_MEM_RO)
			v->results_fault = true;
	}
	if (layout_ok) {
		fo_array(env, v, r, true);
		fo_array(env, v, r, false);
	}
	/* the report names the op to go on at, which is none: not an op of
	 * the body (as far as the ops could be read) */
	if (v->resume && r->stop_op >= (v->body_end == FO_NO ? r->nr_ops :
					v->body_end))
		fo_add(v, FO_RESUME_STOP_OP, report, r->stop_op, FO_NO);
	fo_no_report(v, report);
}

/* The verdict on SYSCHAIN_RUN with the struct at @uptr. */
static void fo_run(const struct fo_env *env, uint64_t uptr,
		   struct fo_verdict *v)
{
	struct syschain_run r;
	uint32_t usize, have;
	uint64_t rd;
	bool report;

	fo_init(v);
	if (!fo_struct(env, v, uptr, FO_RUN_SIZE0, FO_RUN_SIZE, &usize))
		return;
	/* a struct of the first version has no resume_expiry: zero */
	have = usize < sizeof(r) ? usize : (uint32_t)sizeof(r);
	memset(&r, 0, sizeof(r));
	memcpy(&r, fo_ptr(uptr), have);
	/* the report goes to the output members: a read-only struct is bad */
	report = env->mem(uptr, have, &rd) == FO_MEM_RW;
	if (!report)
		fo_add(v, FO_STRUCT_FAULT, false, FO_NO, FO_NO);
	fo_run_members(env, v, &r, report);
}

/* The verdict on SYSCHAIN_PROBE with the struct at @uptr. */
static void fo_probe(const struct fo_env *env, uint64_t uptr,
		     uint32_t nr_supported, struct fo_verdict *v)
{
	struct syschain_probe p;
	uint32_t usize, cap;
	uint64_t rd;
	enum fo_mem m;

	fo_init(v);
	if (!fo_struct(env, v, uptr, FO_PROBE_SIZE0, FO_PROBE_SIZE0, &usize))
		return;
	memcpy(&p, fo_ptr(uptr), sizeof(p));
	if (env->mem(uptr, sizeof(p), &rd) != FO_MEM_RW)
		fo_add(v, FO_STRUCT_FAULT, false, FO_NO, FO_NO);
	if (p.flags)
		fo_add(v, FO_PROBE_FLAGS, false, FO_NO, FO_NO);
	cap = p.nr_syscalls < nr_supported ? p.nr_syscalls : nr_supported;
	if (!cap)
		return;
	m = env->mem(p.syscalls_uptr, (uint64_t)cap * 4, &rd);
	if (m == FO_MEM_UNKNOWN)
		v->unknown = true;
	else if (m != FO_MEM_RW)
		fo_add(v, FO_PROBE_LIST_FAULT, false, FO_NO, FO_NO);
}

/* The verdict on SYSCHAIN_REGISTER with the struct at @uptr. */
static void fo_register(const struct fo_env *env, uint64_t uptr,
			struct fo_verdict *v)
{
	struct syschain_register reg;
	struct syschain_run r;
	uint32_t usize;
	uint64_t rd;
	bool report;

	fo_init(v);
	if (!fo_struct(env, v, uptr, FO_REG_SIZE0, FO_REG_SIZE, &usize))
		return;
	memcpy(&reg, fo_ptr(uptr), sizeof(reg));
	/* fd, stop_op and stop_cond are written: a read-only struct is bad */
	report = env->mem(uptr, sizeof(reg), &rd) == FO_MEM_RW;
	if (!report)
		fo_add(v, FO_STRUCT_FAULT, false, FO_NO, FO_NO);
	if (reg.flags & ~SYSCHAIN_REGISTER_CLOEXEC)
		fo_add(v, FO_REG_FLAGS, report, FO_NO, FO_NO);
	if (reg.__reserved)
		fo_add(v, FO_REG_RESERVED, report, FO_NO, FO_NO);
	/* "validates it as SYSCHAIN_RUN does" */
	memset(&r, 0, sizeof(r));
	r.nr_ops = reg.nr_ops;
	r.nr_conds = reg.nr_conds;
	r.op_size = reg.op_size;
	r.cond_size = reg.cond_size;
	r.ops_uptr = reg.ops_uptr;
	r.conds_uptr = reg.conds_uptr;
	if (fo_chain_sizes(env, v, &r, report)) {
		fo_array(env, v, &r, true);
		fo_array(env, v, &r, false);
	}
	fo_no_report(v, report);
}

/*
 * Patch @i of the @n read (@ps) against the registered chain (@nr_ops
 * ops, @ops as the accepted patches left them): struct syschain_patch's
 * rules and SYSCHAIN_EXEC's -EINVAL and -EOPNOTSUPP. A refusal names the
 * patch's op where there is one.
 */
static void fo_patch(const struct fo_env *env, struct fo_verdict *v,
		     const struct syschain_patch *ps, uint32_t n, uint32_t i,
		     uint32_t nr_ops, const struct syschain_op *ops,
		     bool report)
{
	const struct syschain_patch *p = &ps[i];
	struct syschain_op op;
	bool ref;
	int nargs;
	uint32_t k;

	if (p->op >= nr_ops) {
		fo_add(v, FO_PATCH_OP, report, FO_NO, FO_NO);
		return;
	}
	if (p->flags & ~SYSCHAIN_PATCH_REF)
		fo_add(v, FO_PATCH_FLAGS, report, p->op, FO_NO);
	op = ops[p->op];
	nargs = env->nargs(op.nr);
	if (p->arg >= (nargs < 0 ? 0 : nargs)) {
		fo_add(v, FO_PATCH_ARG, report, p->op, FO_NO);
		return;
	}
	ref = (op.ref_mask >> p->arg) & 1;
	if (ref && !(p->flags & SYSCHAIN_PATCH_REF))
		fo_add(v, FO_PATCH_NO_REF, report, p->op, FO_NO);
	if (!ref && (p->flags & SYSCHAIN_PATCH_REF))
		fo_add(v, FO_PATCH_REF_VALUE, report, p->op, FO_NO);
	/* the op as this run's patches of it leave it, in order */
	for (k = 0; k < n; k++)
		if (ps[k].op == p->op && ps[k].arg < SYSCHAIN_MAX_ARGS)
			op.args[ps[k].arg] = ps[k].value;
	if (fo_op_refused(&op))
		fo_add(v, FO_PATCH_REFUSED, report, p->op, FO_NO);
}

/* struct syschain_exec's patches: their count, size, memory, each one */
static void fo_patches(const struct fo_env *env, struct fo_verdict *v,
		       const struct syschain_exec *ex, uint32_t nr_ops,
		       const struct syschain_op *ops, bool report)
{
	const uint32_t n = ex->nr_patches, usize = ex->patch_size;
	struct syschain_patch ps[SYSCHAIN_MAX_PATCHES];
	uint64_t rd, full, i, len = (uint64_t)n * usize;
	bool ok = true;
	enum fo_mem m;

	if (!n) {
		/* "may be 0 when nr_patches is 0": other sizes unspecified */
		if (usize && (usize < SYSCHAIN_PATCH_SIZE_VER0 || usize % 8 ||
			      usize > FO_PAGE_SIZE))
			fo_add_optional(v, FO_PATCH_SIZE_UNUSED, report,
					FO_NO, FO_NO);
		if (env->mem(ex->patches_uptr, 0, &rd) == FO_MEM_KERNEL &&
		    !FUZZ_STRICT_EMPTY_ARRAY)
			fo_add_optional(v, FO_PATCHES_EMPTY_PTR, report, FO_NO,
					FO_NO);
		return;
	}
	if (usize < SYSCHAIN_PATCH_SIZE_VER0 || usize % 8) {
		fo_add(v, FO_PATCH_SIZE, report, FO_NO, FO_NO);
		ok = false;
	}
	if (usize > FO_PAGE_SIZE) {	/* op_size's rules */
		fo_add(v, FO_SIZE_PAGE, report, FO_NO, FO_NO);
		ok = false;
	}
	if (n > SYSCHAIN_MAX_PATCHES) {
		fo_add(v, FO_PATCHES_LIMIT, report, FO_NO, FO_NO);
		ok = false;
	}
	if (!ok)
		return;
	m = env->mem(ex->patches_uptr, len, &rd);
	if (m == FO_MEM_UNKNOWN) {
		v->unknown = true;
		return;
	}
	if (m == FO_MEM_RW || m == FO_MEM_RO)
		rd = len;
	else
		fo_add(v, FO_PATCHES_FAULT, false, FO_NO, FO_NO);
	full = rd / usize;
	for (i = 0; i <= full && i < n; i++) {
		const char *p = (const char *)fo_ptr(ex->patches_uptr) + i * usize;
		uint64_t have = i < full ? usize : rd - i * usize;

		if (have > sizeof(ps[0]) &&
		    fo_nonzero(p + sizeof(ps[0]), have - sizeof(ps[0])))
			fo_add(v, FO_PATCH_TAIL, false, FO_NO, FO_NO);
		if (i < full)
			memcpy(&ps[i], p, sizeof(ps[0]));
	}
	for (i = 0; i < full && i < n; i++)
		fo_patch(env, v, ps, (uint32_t)full, (uint32_t)i, nr_ops, ops,
			 report);
}

/* a registered chain's body: its ops before the first cleanup op */
static uint32_t fo_body_end(const struct syschain_op *ops, uint32_t nr_ops)
{
	uint32_t i;

	for (i = 0; i < nr_ops; i++)
		if (ops[i].flags & SYSCHAIN_OP_CLEANUP)
			return i;
	return nr_ops;
}

/* struct syschain_exec's members, once the struct itself is accepted */
static void fo_exec_members(const struct fo_env *env, struct fo_verdict *v,
			    const struct syschain_exec *ex, uint32_t nr_ops,
			    const struct syschain_op *ops, bool report)
{
	uint64_t rd;

	/* "flags: as for SYSCHAIN_RUN" */
	if (ex->flags & ~(SYSCHAIN_RUN_STOP_ON_ERROR | SYSCHAIN_RUN_RESUME |
			  SYSCHAIN_RUN_RESUME_EINTR))
		fo_add(v, FO_EXEC_FLAGS, report, FO_NO, FO_NO);
	v->resume = ex->flags & SYSCHAIN_RUN_RESUME;
	if ((ex->flags & SYSCHAIN_RUN_RESUME_EINTR) && !v->resume)
		fo_add(v, FO_RESUME_EINTR, report, FO_NO, FO_NO);
	if (v->resume && ex->stop_op >= fo_body_end(ops, nr_ops))
		fo_add(v, FO_RESUME_STOP_OP, report, ex->stop_op, FO_NO);
	if (ex->__reserved)
		fo_add(v, FO_EXEC_RESERVED, report, FO_NO, FO_NO);
	/* written once, after the run: where that fails, status FAULT */
	if (!ex->results_uptr) {
		fo_add(v, FO_RESULTS_NULL, report, FO_NO, FO_NO);
		v->results = FO_MEM_BAD;
	} else {
		v->results = env->mem(ex->results_uptr, (uint64_t)nr_ops * 16,
				      &rd);
		if (v->results == FO_MEM_UNKNOWN)
			v->unknown = true;
		else if (v->results == FO_MEM_BAD && v->resume)
			fo_add(v, FO_RESULTS_READ, false, FO_NO, FO_NO);
		else if (v->results != FO_MEM_RW)
			v->results_fault = true;
		/* the uapi: -EFAULT for results outside user space */
		if (v->results == FO_MEM_KERNEL)
			fo_add(v, FO_EXEC_RESULTS, report, FO_NO, FO_NO);
	}
	fo_patches(env, v, ex, nr_ops, ops, report);
}

/*
 * The verdict on SYSCHAIN_EXEC with the struct at @uptr, on a registered
 * chain of @nr_ops ops (@ops, with the patches accepted so far).
 */
static void fo_exec(const struct fo_env *env, uint64_t uptr, uint32_t nr_ops,
		    const struct syschain_op *ops, struct fo_verdict *v)
{
	struct syschain_exec ex;
	uint32_t usize;
	uint64_t rd;
	bool report;

	fo_init(v);
	if (!fo_struct(env, v, uptr, FO_EXEC_SIZE0, FO_EXEC_SIZE, &usize))
		return;
	memcpy(&ex, fo_ptr(uptr), sizeof(ex));
	/* "-EFAULT: a bad pointer to the struct", without running any op */
	report = env->mem(uptr, sizeof(ex), &rd) == FO_MEM_RW;
	if (!report)
		fo_add(v, FO_STRUCT_FAULT, false, FO_NO, FO_NO);
	fo_exec_members(env, v, &ex, nr_ops, ops, report);
	fo_no_report(v, report);
}

/*
 * Is the module's answer (@ret, and the report @rep read back after the
 * call) one the verdict allows? NULL if so, with *@reason the rule it
 * matched (-1 for a run), else what is wrong.
 */
static const char *fo_judge(const struct fo_verdict *v, int ret,
			    const struct syschain_run *rep, int *reason)
{
	bool errno_seen = false;
	unsigned int i;

	*reason = -1;
	if (!ret)
		return v->mandatory ? "invalid call accepted" : NULL;
	for (i = 0; i < v->n; i++) {
		const struct fo_answer *a = &v->a[i];

		if (ret != -fo_reasons[a->reason].err)
			continue;
		errno_seen = true;
		if (a->report && rep &&
		    (rep->status != SYSCHAIN_STATUS_INVALID || rep->steps ||
		     !((rep->stop_op == a->op && rep->stop_cond == a->cond) ||
		       (a->any_index && rep->stop_op == FO_NO &&
			rep->stop_cond == FO_NO))))
			continue;
		*reason = a->reason;
		return NULL;
	}
	if (v->overflow && (ret == -EINVAL || ret == -E2BIG ||
			    ret == -EOPNOTSUPP || ret == -EFAULT))
		return NULL;	/* not all answers kept: the errno class only */
	if (!v->n)
		return "valid call refused";
	return errno_seen ? "right errno, wrong report" : "wrong errno";
}

#endif /* SYSCHAIN_FUZZ_ORACLE_H */
