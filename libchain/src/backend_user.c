// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The user backend: the shared engine, each op a plain syscall. It runs
 * exactly the ops the kernel executor knows (oplist.h), with the same
 * validation, so a chain behaves the same on either backend.
 */
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "internal.h"

static inline __s64 chain_syscall6(long nr, const __u64 *a)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = (long)a[3];
	register long r8 __asm__("r8") = (long)a[4];
	register long r9 __asm__("r9") = (long)a[5];
	long ret;

	__asm__ volatile ("syscall"
			  : "=a"(ret)
			  : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]),
			    "r"(r10), "r"(r8), "r"(r9)
			  : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = (long)a[0];
	register long x1 __asm__("x1") = (long)a[1];
	register long x2 __asm__("x2") = (long)a[2];
	register long x3 __asm__("x3") = (long)a[3];
	register long x4 __asm__("x4") = (long)a[4];
	register long x5 __asm__("x5") = (long)a[5];

	__asm__ volatile ("svc #0"
			  : "+r"(x0)
			  : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4),
			    "r"(x5)
			  : "memory");
	return x0;
#else
	long ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	return ret == -1 ? -errno : ret;
#endif
}

/*
 * As the module's close op, close refuses libchain's own /dev/syschain
 * descriptor: a chain cannot close the device it would run through.
 */
#define SC_OP(sys, n, chk, ...)						\
static __s64 chain_user_##sys(const __u64 *a, struct sc_exec *x)	\
{									\
	(void)x;							\
	if (__NR_##sys == __NR_close && lc_kernel_is_dev_fd(a[0]))	\
		return -EBADF;						\
	return chain_syscall6(__NR_##sys, a);				\
}
#include "oplist.h"
#undef SC_OP

#define SC_I(kind, name)	0
#define SC_P(kind, name)	SC_KIND_##kind
static const struct sc_opdef chain_user_ops[] = {
#define SC_OP(sys, n, chk, ...)						\
	[__NR_##sys] = {						\
		.nr = __NR_##sys,					\
		.nargs = n,						\
		.name = #sys,						\
		.fn = chain_user_##sys,					\
		.fixed_arg = SC_ARG_OF(SC_KIND_IOBUF, ##__VA_ARGS__),	\
		.fixed_iov = SC_ARG_OF(SC_KIND_IOV, ##__VA_ARGS__),	\
	},
#include "oplist.h"
#undef SC_OP
};
#undef SC_I
#undef SC_P

static const struct sc_env chain_user_env = {
	.table = chain_user_ops,
	.table_len = sizeof(chain_user_ops) / sizeof(chain_user_ops[0]),
};

/*
 * readv/writev on registered buffers (the engine's SC_ENV_CALL_FIXED_IOV):
 * as the module does, read the iovec array once (without faulting: an
 * array the syscall would refuse is left to its answer), check it with
 * sc_check_iov(), and make the syscall on that copy.
 */
static __s64 chain_user_fixed_iov(const struct sc_chain *c,
				  const struct sc_opdef *def, const __u64 *args)
{
	static __thread struct iovec iov[SC_IOV_MAX];
	static __thread struct sc_iovec siov[SC_IOV_MAX];
	__u64 a[SYSCHAIN_MAX_ARGS];
	__u64 n = args[def->fixed_iov];
	struct iovec local, remote;
	unsigned int i;
	int ret;

	if (!n || n > SC_IOV_MAX)
		return def->fn(args, c->exec);
	local.iov_base = iov;
	local.iov_len = n * sizeof(*iov);
	remote.iov_base = (void *)(uintptr_t)args[def->fixed_iov - 1];
	remote.iov_len = local.iov_len;
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
	    (ssize_t)local.iov_len)
		return def->fn(args, c->exec);
	for (i = 0; i < n; i++) {
		siov[i].base = (uintptr_t)iov[i].iov_base;
		siov[i].len = iov[i].iov_len;
	}
	ret = sc_check_iov(c, siov, (__u32)n);
	if (ret)
		return ret;
	for (i = 0; i < SYSCHAIN_MAX_ARGS; i++)
		a[i] = args[i];
	a[def->fixed_iov - 1] = (uintptr_t)iov;
	return def->fn(a, c->exec);
}

const struct sc_opdef *lc_user_def(uint32_t nr)
{
	if (nr >= sizeof(chain_user_ops) / sizeof(chain_user_ops[0]) ||
	    !chain_user_ops[nr].fn)
		return NULL;
	return &chain_user_ops[nr];
}

int lc_user_run(struct chain *c)
{
	struct sc_chain sc = {
		.ops = c->ops,
		.conds = c->conds,
		.defs = c->defs,
		.results = c->res,
		.nr_ops = c->n,
		.nr_conds = c->nc,
		.flags = c->stop_on_error ? SYSCHAIN_RUN_STOP_ON_ERROR : 0,
		.bufs = c->bufs,
		.nr_bufs = c->nbufs,
		.fixed_iov = chain_user_fixed_iov,
	};
	struct sc_report rep = { 0 };
	/* the same step cap as the module when it is loaded */
	uint64_t cap = lc_kernel_max_steps();
	int ret;

	if (!cap)
		cap = CHAIN_DEFAULT_STEPS;
	sc.max_steps = c->max_steps && c->max_steps < cap ? c->max_steps : cap;
	ret = sc_validate(&sc, &chain_user_env, &rep);
	if (!ret)
		sc_run(&sc, &chain_user_env, &rep);
	lc_set_report(c, CHAIN_BACKEND_USER, rep.status, rep.steps,
		      rep.stop_op, rep.stop_cond);
	return ret;
}
