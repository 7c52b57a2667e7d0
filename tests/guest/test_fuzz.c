// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Fuzz the ioctls of /dev/syschain from userspace, deterministically.
 *
 * Every ioctl must return 0 or a documented errno (EINVAL, E2BIG,
 * EOPNOTSUPP, EFAULT, ENOMEM, EPERM, ENOTTY); a chain that ran must report
 * a sane status, step count and results. Kernel BUG/WARNING/oops are caught
 * by the VM harness from the log.
 *
 * The chains do whatever random ops do, so they run in a forked child that
 * cannot hurt the guest: it is chrooted into a small private tmpfs (4 MiB,
 * 1024 inodes) holding only a device node for /dev/syschain, runs as
 * nobody (65534) in its own session with stdio on /dev/null, has
 * RLIMIT_NOFILE 64 and RLIMIT_FSIZE 1 MiB (SIGXFSZ and SIGPIPE ignored),
 * every chain has max_steps <= 64, and a 50 ms interval timer (SIGALRM,
 * no-op handler) interrupts any op that blocks (sleeps with a wild
 * timespec, socket ops), so such chains end INTERRUPTED. It reports through a MAP_SHARED
 * page rather than a pipe, because random close()/write() ops would hit a
 * pipe's descriptor; the parent enforces a progress watchdog.
 *
 * Environment: FUZZ_SEED (default 0x5c5eed), FUZZ_CALLS (total ioctls,
 * default 100000, split over the parts). Each call's inputs derive from
 * (seed, part, index) alone; a failure prints them.
 */
#include <dirent.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include "guest.h"

#define PAGE		4096UL
#define NOBODY		65534
#define FUZZ_MAX_STEPS	64
#define SCRATCH		"/tmp/syschain-fuzz"

/* the ops the module knows, with their argument counts */
static const struct {
	uint32_t nr;
	uint8_t nargs;
} known_ops[] = {
#define SC_OP(name, n, chk) { __NR_##name, n },
#include "../../module/oplist.h"
#undef SC_OP
};

/* ------------------------------------------------------------------ */
/* reporting through a shared page */

#define NMSG 8
struct shared {
	volatile uint64_t calls;	/* ioctls made */
	volatile uint64_t progress;	/* bumped every call, for the watchdog */
	volatile uint64_t bad;		/* violations */
	volatile uint64_t ran;		/* chains that ran (ret 0, RUN) */
	volatile uint64_t status[8];
	volatile uint64_t err[8];	/* by errno class, see err_class() */
	volatile int part;
	volatile uint64_t index;
	volatile int done;
	char msg[NMSG][200];
	/* the last chain, for a report on a hang */
	struct syschain_run last_run;
	struct syschain_op last_ops[8];
	struct syschain_cond last_conds[8];
};
static struct shared *sh;

static const int good_errnos[] = { EINVAL, E2BIG, EOPNOTSUPP, EFAULT, ENOMEM,
				   EPERM, ENOTTY };
static const char *const err_names[] = { "0", "EINVAL", "E2BIG", "EOPNOTSUPP",
					 "EFAULT", "ENOMEM", "EPERM", "ENOTTY" };

static int err_class(int ret)
{
	unsigned int i;

	if (ret == 0)
		return 0;
	for (i = 0; i < sizeof(good_errnos) / sizeof(good_errnos[0]); i++)
		if (ret == -good_errnos[i])
			return (int)i + 1;
	return -1;
}

static void violation(const char *fmt, ...)
{
	va_list ap;
	uint64_t n = sh->bad++;

	if (n < NMSG) {
		int len = snprintf(sh->msg[n], sizeof(sh->msg[n]),
				   "part %d index %" PRIu64 ": ", sh->part,
				   sh->index);
		va_start(ap, fmt);
		vsnprintf(sh->msg[n] + len, sizeof(sh->msg[n]) - len, fmt, ap);
		va_end(ap);
	}
}

/* ------------------------------------------------------------------ */
/* deterministic randomness: splitmix64 seeded per call */

static uint64_t rng;

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)	/* 0 .. n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int chance(unsigned int percent)
{
	return rnd(100) < percent;
}

static void reseed(uint64_t seed, int part, uint64_t index)
{
	rng = seed ^ ((uint64_t)part << 56) ^ (index * 0xd1b54a32d192ed03ULL);
	rnd64();
}

/* ------------------------------------------------------------------ */
/* memory of the child */

static uint64_t seed = 0x5c5eed;
static struct syschain_probe pinfo;	/* the module's answer */
static uint32_t sup[512];		/* supported syscall numbers */
static int devfd = -1;
static int as_root;
static dev_t devrdev;

/* a region of @pages RW pages followed by one PROT_NONE guard page */
struct region {
	char *base;
	size_t len;	/* RW part */
};

static struct region arena, opsr, condsr, resr, structr;
static char *ro_page, *none_page, *unmapped_page;

static struct region mkregion(size_t pages)
{
	struct region r;
	char *p = mmap(NULL, (pages + 1) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(90);
	mprotect(p + pages * PAGE, PAGE, PROT_NONE);
	r.base = p;
	r.len = pages * PAGE;
	return r;
}

static char *guard(const struct region *r)
{
	return r->base + r->len;
}

static const char *const paths[] = {
	"a", "b", "d", "d/e", ".", "..", "/", "/syschain", "a/", "nonexistent/x",
	"", "d/../a",
};
static char *path_ptr[sizeof(paths) / sizeof(paths[0]) + 1];
static struct timespec *short_ts;	/* {0, < 100 us} for the sleeping ops */

static void setup_memory(void)
{
	unsigned int i;
	size_t off;

	arena = mkregion(16);
	opsr = mkregion((4100UL * 96 + PAGE - 1) / PAGE + 2);
	condsr = mkregion((4100UL * 32 + PAGE - 1) / PAGE + 2);
	resr = mkregion((4100UL * 16 + PAGE - 1) / PAGE + 1);
	structr = mkregion(3);
	ro_page = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none_page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped_page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
	if (ro_page == MAP_FAILED || none_page == MAP_FAILED ||
	    unmapped_page == MAP_FAILED)
		_exit(91);
	munmap(unmapped_page, PAGE);

	/* the arena: path strings first, random bytes after */
	for (i = 0; i < arena.len; i++)
		arena.base[i] = (char)(i * 131 + 7);
	off = 0;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		path_ptr[i] = arena.base + off;
		memcpy(arena.base + off, paths[i], strlen(paths[i]) + 1);
		off += strlen(paths[i]) + 1;
	}
	off = (off + 15) & ~15UL;
	short_ts = (void *)(arena.base + off);
	short_ts->tv_sec = 0;
	short_ts->tv_nsec = 1000;
	/* a path without a terminator, running into the guard page */
	path_ptr[i] = guard(&arena) - 64;
	memset(path_ptr[i], 'z', 64);
}

/* ------------------------------------------------------------------ */
/* value pools */

static uint64_t wild_ptr(void)
{
	switch (rnd(16)) {
	case 0: return 0;
	case 1: return 1 + rnd(PAGE);
	case 2: return 0xffff888000000000ULL + rnd(4) * PAGE;
	case 3: return 0xffffffff81000000ULL;
	case 4: return ~0ULL - rnd(8);
	case 5: return (uintptr_t)unmapped_page + rnd(PAGE);
	case 6: return (uintptr_t)none_page + rnd(PAGE);
	case 7: return (uintptr_t)ro_page + rnd(PAGE);
	case 8: return (uintptr_t)guard(&arena) - 1 - rnd(128);
	case 9: return (uintptr_t)path_ptr[rnd(sizeof(path_ptr) / sizeof(path_ptr[0]))];
	case 10: return 0x0000800000000000ULL - rnd(2) * PAGE; /* top of user */
	default: return (uintptr_t)arena.base + PAGE + rnd(arena.len - PAGE);
	}
}

static uint64_t wild_int(void)
{
	static const uint64_t special[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 63, 64, (uint64_t)-1,
		(uint64_t)-100 /* AT_FDCWD */, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 4096, 65536, 1 << 20,
		O_RDONLY, O_WRONLY | O_CREAT, O_RDWR | O_CREAT | O_TRUNC,
		O_DIRECTORY, O_CREAT | O_EXCL | O_WRONLY, 0644, 0777,
		(uint64_t)-4096, (uint64_t)-4095,
	};

	switch (rnd(4)) {
	case 0: return rnd64();
	case 1: return rnd(16);
	default: return special[rnd(sizeof(special) / sizeof(special[0]))];
	}
}

static uint64_t wild_arg(void)
{
	return chance(40) ? wild_ptr() : wild_int();
}

/* an index near the interesting boundaries of [0, n) seen from op i */
static uint32_t wild_index(uint32_t i, uint32_t n)
{
	switch (rnd(8)) {
	case 0: return 0;
	case 1: return i - 1;
	case 2: return i;
	case 3: return n - 1;
	case 4: return n;
	case 5: return n + 1;
	case 6: return 0xffffffff;
	default: return rnd(n + 2);
	}
}

static uint32_t pick_nr(unsigned int *nargs)
{
	uint32_t nr;
	unsigned int i;

	if (chance(88) && pinfo.nr_syscalls) {
		nr = sup[rnd(pinfo.nr_syscalls)];
	} else {
		static const uint32_t odd[] = { 0xffffffff, 0x80000000, 512,
						 1024, 65535 };
		nr = chance(70) ? rnd(460) : odd[rnd(5)];
	}
	*nargs = 6;
	for (i = 0; i < sizeof(known_ops) / sizeof(known_ops[0]); i++)
		if (known_ops[i].nr == nr)
			*nargs = known_ops[i].nargs;
	return nr;
}

/* ------------------------------------------------------------------ */
/* the checks */

static int ioctl_checked(unsigned long cmd, void *arg)
{
	int ret = ioctl(devfd, cmd, arg) < 0 ? -errno : 0;
	int cls = err_class(ret);

	sh->calls++;
	sh->progress++;
	if (cls < 0)
		violation("ioctl(0x%lx) returned %d (%s), not a documented errno",
			  cmd, ret, strerror(-ret));
	else
		sh->err[cls]++;
	return ret;
}

/* The device descriptor survives whatever the chains close. */
static void keep_device(uint64_t index)
{
	struct stat st;

	if (fstat(devfd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != devrdev) {
		int fd = open(as_root ? "/syschain" : "/dev/syschain", O_RDWR);

		if (fd < 0)
			_exit(92);
		if (fd != devfd) {
			dup2(fd, devfd);
			close(fd);
		}
	}
	/* now and then, drop what the chains opened (keep 0..devfd) */
	if (index % 32 == 31)
		syscall(__NR_close_range, devfd + 1, ~0U, 0);
}

/* ------------------------------------------------------------------ */
/* part 0: random bytes as the run/probe struct, random sizes */

static void fuzz_raw(uint64_t index)
{
	static const uint32_t sizes[] = { 0, 1, 7, 8, 23, 24, 56, 63, 64, 72, 79,
					  80, 81, 88, 96, 4096, 8192,
					  0xffffffff, 0x80000000 };
	unsigned long cmd = chance(60) ? SYSCHAIN_RUN : SYSCHAIN_PROBE;
	size_t len = rnd(3) == 0 ? rnd(2 * PAGE) : rnd(160);
	char *p;
	size_t i;

	(void)index;
	/* the struct ends right at the guard page, or somewhere before */
	if (len > structr.len)
		len = structr.len;
	p = chance(50) ? guard(&structr) - len :
	    structr.base + rnd(structr.len - len + 1);
	for (i = 0; i < len; i++)
		p[i] = chance(50) ? 0 : (char)rnd64();
	if (len >= 4 && chance(80)) {
		uint32_t sz = chance(80) ? sizes[rnd(sizeof(sizes) / 4)] :
					   (uint32_t)rnd64();
		memcpy(p, &sz, 4);
	}
	/* keep any loop short, should the bytes ever form a chain */
	if (cmd == SYSCHAIN_RUN &&
	    len >= offsetof(struct syschain_run, max_steps) + 8) {
		uint64_t ms = 1 + rnd(FUZZ_MAX_STEPS);

		memcpy(p + offsetof(struct syschain_run, max_steps), &ms, 8);
	}
	if (chance(5))
		p = (char *)(uintptr_t)wild_ptr();
	ioctl_checked(cmd, p);
}

/* part 1: command numbers around SYSCHAIN_TYPE */

static void fuzz_cmd(uint64_t index)
{
	struct syschain_probe *pr = (void *)structr.base;
	unsigned int type = SYSCHAIN_TYPE - 4 + rnd(9);
	unsigned int nr = chance(60) ? rnd(4) : rnd(256);
	unsigned int dir = rnd(4), size = chance(50) ? rnd(1 << 14) :
			   (chance(50) ? sizeof(struct syschain_run) :
			    sizeof(struct syschain_probe));
	unsigned long cmd = _IOC(dir, type, nr, size);
	int ret;

	(void)index;
	memset(pr, 0, sizeof(*pr));
	pr->size = sizeof(*pr);
	ret = ioctl_checked(cmd, chance(80) ? (void *)pr :
				 (void *)(uintptr_t)wild_ptr());
	if (cmd != SYSCHAIN_RUN && cmd != SYSCHAIN_PROBE && ret != -ENOTTY)
		violation("unknown command 0x%lx returned %d, not -ENOTTY",
			  cmd, ret);
}

/* part 2: structurally valid-but-wild chains */

enum ptr_kind { P_GOOD, P_NULL, P_STRADDLE, P_RO, P_KERNEL, P_UNMAPPED,
		P_NONE, P_SMALL };

static uint64_t array_ptr(const struct region *r, size_t len, enum ptr_kind k)
{
	switch (k) {
	case P_GOOD:
		if (len > r->len)
			len = r->len;
		return (uintptr_t)guard(r) - len - 8 * rnd(4);
	case P_NULL: return 0;
	case P_STRADDLE:
		return (uintptr_t)guard(r) - (len > 8 ? len - 8 * (1 + rnd(len / 8)) : 0);
	case P_RO: return (uintptr_t)ro_page;
	case P_KERNEL: return chance(50) ? 0xffff888000000000ULL : ~0ULL - 15;
	case P_UNMAPPED: return (uintptr_t)unmapped_page;
	case P_NONE: return (uintptr_t)none_page;
	default: return 8 * rnd(512);
	}
}

static enum ptr_kind pick_kind(void)
{
	return chance(85) ? P_GOOD : (enum ptr_kind)(1 + rnd(7));
}

static void fuzz_chain(uint64_t index)
{
	static const uint32_t op_sizes[] = { 80, 88, 96, 4096, 0xfffffff8, 92 };
	static const uint32_t cond_sizes[] = { 16, 24, 32, 4096, 0xfffffff8, 28 };
	const int wild = chance(30);	/* one or more fields out of range */
	struct syschain_run *r;
	uint32_t n, nc, op_size, cond_size, i;
	enum ptr_kind ok, ck, rk;
	struct syschain_op *ops;
	struct syschain_cond *conds;
	struct syschain_result *res;
	uint64_t max_steps, sum;
	int ret, big = 0;

	(void)index;
	/* counts */
	/* chains of max_ops ops are rare: they cost ~1 ms each under TCG */
	switch (rnd(wild ? 20 : 100)) {
	case 0: n = pinfo.max_ops; big = 1; break;
	case 1: n = pinfo.max_ops - 1; big = 1; break;
	case 2: n = pinfo.max_ops + 1; big = 1; break;
	case 3: case 4: n = 0; break;
	case 5: case 6: n = 0xffffffff; break;
	default: n = 1 + rnd(chance(70) ? 6 : 40); break;
	}
	switch (rnd(wild ? 20 : 100)) {
	case 0: nc = pinfo.max_conds; break;
	case 1: nc = pinfo.max_conds + 1; break;
	case 2: nc = 0xffffffff; break;
	default: nc = chance(30) ? 0 : rnd(2 * (n < 40 ? n : 40) + 1); break;
	}
	op_size = sizeof(struct syschain_op);
	cond_size = sizeof(struct syschain_cond);
	if (wild && chance(30))
		op_size = op_sizes[rnd(6)];
	if (wild && chance(30))
		cond_size = cond_sizes[rnd(6)];
	/* what fits in the regions (a larger size needs a small count) */
	if ((uint64_t)op_size * (n < 4100 ? n : 4100) > opsr.len)
		op_size = op_size > 4096 ? op_size : 88;
	if ((uint64_t)cond_size * (nc < 4100 ? nc : 4100) > condsr.len)
		cond_size = cond_size > 4096 ? cond_size : 24;

	ok = pick_kind();
	ck = nc ? pick_kind() : (chance(50) ? P_NULL : pick_kind());
	rk = chance(10) ? P_NULL : pick_kind();

	/* the ops, built in a kernel-sized array, then laid out */
	{
		uint32_t nb = n > 4100 ? 4100 : n;
		uint32_t ncb = nc > 4100 ? 4100 : nc;
		size_t osz = op_size <= 4096 ? op_size : 96;
		size_t csz = cond_size <= 4096 ? cond_size : 32;
		char *obuf, *cbuf;

		if ((uint64_t)nb * osz > opsr.len)
			nb = opsr.len / osz;
		if ((uint64_t)ncb * csz > condsr.len)
			ncb = condsr.len / csz;
		obuf = (char *)(uintptr_t)array_ptr(&opsr, (size_t)nb * osz, P_GOOD);
		cbuf = (char *)(uintptr_t)array_ptr(&condsr, (size_t)ncb * csz, P_GOOD);
		if (obuf < opsr.base)
			obuf = opsr.base;
		if (cbuf < condsr.base)
			cbuf = condsr.base;
		memset(obuf, 0, (size_t)nb * osz);
		memset(cbuf, 0, (size_t)ncb * csz);

		for (i = 0; i < nb; i++) {
			struct syschain_op opbuf = { 0 }, *op = &opbuf;
			char *slot = obuf + (size_t)i * osz;
			unsigned int nargs, k;

			if (big && i > 8 && !chance(2)) {
				op->nr = __NR_getpid;
				memcpy(slot, op, osz < sizeof(*op) ? osz : sizeof(*op));
				continue;
			}
			op->nr = pick_nr(&nargs);
			if (op->nr == __NR_openat && chance(90))
				op->args[0] = (uint64_t)-100; /* AT_FDCWD */
			for (k = op->nr == __NR_openat; k < nargs && k < 6; k++)
				op->args[k] = wild_arg();
			/* sleeps short mostly (a timer interrupts long ones) */
#ifdef __NR_nanosleep
			if (op->nr == __NR_nanosleep && chance(80))
				op->args[0] = (uintptr_t)short_ts;
#endif
#ifdef __NR_clock_nanosleep
			if (op->nr == __NR_clock_nanosleep && chance(80)) {
				op->args[0] = rnd(2) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
				op->args[1] = 0;
				op->args[2] = (uintptr_t)short_ts;
			}
#endif
			if (wild && chance(10))
				op->args[rnd(6)] = wild_arg();
			if (chance(20))
				op->flags = SYSCHAIN_OP_IGNORE_ERROR;
			if (wild && chance(10))
				op->flags = (uint16_t)rnd64();
			if (chance(25)) {
				/* references: valid ones mostly */
				op->ref_mask = wild && chance(30) ?
					1u << rnd(16) : rnd(1u << (nargs < 6 ? nargs : 6));
				for (k = 0; k < 6; k++) {
					if (!(op->ref_mask & (1u << k)))
						continue;
					op->arg_ref[k] = wild ? wild_index(i, n) :
							 (i ? rnd(i) : 0);
					op->args[k] = chance(50) ? 0 : wild_int();
				}
				if (!i && !wild)
					op->ref_mask = 0, memset(op->arg_ref, 0,
								 sizeof(op->arg_ref));
			}
			if (wild && chance(5))
				op->arg_ref[rnd(6)] = wild_index(i, n);
			if (nc && chance(40)) {
				op->cond_index = rnd(nc);
				op->cond_count = 1 + rnd(nc - op->cond_index);
				if (op->cond_count > 4)
					op->cond_count = 1 + rnd(4);
			}
			if (wild && chance(20)) {
				op->cond_index = wild_index(0, nc);
				op->cond_count = wild_index(0, nc);
			}
			memcpy(slot, op, osz < sizeof(*op) ? osz : sizeof(*op));
			if (osz > sizeof(*op) && wild && chance(30))
				slot[sizeof(*op) + rnd(osz - sizeof(*op))] = 1;
		}
		for (i = 0; i < ncb; i++) {
			struct syschain_cond cdbuf = { 0 }, *cd = &cdbuf;
			char *slot = cbuf + (size_t)i * csz;
			static const uint64_t rhss[] = { 0, 1, (uint64_t)-1,
				(uint64_t)-EBADF, (uint64_t)-EFAULT, 4096,
				0x8000000000000000ULL };

			cd->cmp = wild && chance(30) ? rnd(256) : 1 + rnd(11);
			cd->action = wild && chance(30) ? rnd(256) : 1 + rnd(2);
			if (cd->action == SYSCHAIN_ACT_JUMP)
				cd->target = wild ? wild_index(i, n) : rnd(n + 1);
			if (wild && chance(20))
				cd->target = wild_index(i, n);
			if (cd->cmp != SYSCHAIN_CMP_ALWAYS) {
				cd->rhs = chance(50) ? rhss[rnd(7)] : wild_int();
				if (chance(20)) {
					cd->flags = SYSCHAIN_COND_RHS_REF;
					cd->rhs_ref = wild ? wild_index(i, n) : rnd(n);
				}
			}
			if (wild && chance(15))
				cd->flags = (uint16_t)rnd64();
			if (wild && chance(10))
				cd->__reserved = (uint32_t)rnd64();
			if (wild && chance(10))
				cd->rhs_ref = wild_index(i, n);
			memcpy(slot, cd, csz < sizeof(*cd) ? csz : sizeof(*cd));
			if (csz > sizeof(*cd) && wild && chance(30))
				slot[sizeof(*cd) + rnd(csz - sizeof(*cd))] = 1;
		}
		ops = (void *)obuf;
		conds = (void *)cbuf;
		if (ok != P_GOOD)
			ops = (void *)(uintptr_t)array_ptr(&opsr, (size_t)nb * osz, ok);
		if (ck != P_GOOD)
			conds = (void *)(uintptr_t)array_ptr(&condsr, (size_t)ncb * csz, ck);
	}
	res = (void *)(uintptr_t)array_ptr(&resr, (size_t)(n < 4100 ? n : 4100) *
					   sizeof(*res), rk);
	if (rk == P_GOOD)
		memset(res, 0xa5, (size_t)(n < 4100 ? n : 4100) * sizeof(*res));

	/* the run struct, at the end of its page or anywhere */
	r = (void *)(guard(&structr) - sizeof(*r) - 8 * rnd(3));
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	if (wild && chance(20))
		r->size = (uint32_t[]){ 0, 1, 72, 79, 88, 4096, 0xffffffff }[rnd(7)];
	r->flags = chance(50) ? SYSCHAIN_RUN_STOP_ON_ERROR : 0;
	if (wild && chance(10))
		r->flags = (uint32_t)rnd64();
	r->nr_ops = n;
	r->nr_conds = nc;
	r->op_size = op_size;
	r->cond_size = cond_size;
	r->ops_uptr = (uintptr_t)ops;
	r->conds_uptr = (uintptr_t)conds;
	r->results_uptr = (uintptr_t)res;
	max_steps = 1 + rnd(FUZZ_MAX_STEPS);
	r->max_steps = max_steps;
	r->steps = rnd64();	/* output fields are ignored on input */
	r->status = (uint32_t)rnd64();
	if (wild && chance(10))
		r->__reserved = 1;

	sh->last_run = *r;
	memset(sh->last_ops, 0, sizeof(sh->last_ops));
	memset(sh->last_conds, 0, sizeof(sh->last_conds));
	if (ok == P_GOOD && op_size <= 4096)
		for (i = 0; i < 8 && i < n; i++)
			memcpy(&sh->last_ops[i], (char *)ops + (size_t)i * op_size,
			       sizeof(*ops) < op_size ? sizeof(*ops) : op_size);
	if (ck == P_GOOD && cond_size <= 4096)
		for (i = 0; i < 8 && i < nc; i++)
			memcpy(&sh->last_conds[i], (char *)conds + (size_t)i * cond_size,
			       sizeof(*conds) < cond_size ? sizeof(*conds) : cond_size);
	ret = ioctl_checked(SYSCHAIN_RUN, r);
	if (ret)
		return;
	sh->ran++;
	if (rk == P_KERNEL || (ok != P_GOOD && ok != P_RO) ||
	    (nc && ck != P_GOOD && ck != P_RO))
		violation("chain ran with bad pointers (ops %d conds %d results %d)",
			  ok, ck, rk);
	if (r->status > SYSCHAIN_STATUS_FAULT) {
		violation("chain ran with status %u", r->status);
		return;
	}
	sh->status[r->status]++;
	if (r->steps > max_steps)
		violation("steps %llu > max_steps %llu",
			  (unsigned long long)r->steps,
			  (unsigned long long)max_steps);
	if (r->status == SYSCHAIN_STATUS_COMPLETED && r->stop_op != SYSCHAIN_NO_INDEX)
		violation("completed with stop_op %u", r->stop_op);
	if (r->status != SYSCHAIN_STATUS_COMPLETED &&
	    r->status != SYSCHAIN_STATUS_FAULT && r->stop_op >= n)
		violation("status %u with stop_op %u of %u", r->status,
			  r->stop_op, n);
	if (rk == P_RO || rk == P_STRADDLE || rk == P_NONE || rk == P_UNMAPPED ||
	    (rk == P_SMALL && res)) {
		if (r->status != SYSCHAIN_STATUS_FAULT &&
		    !(rk == P_STRADDLE && n * sizeof(*res) <= 8))
			violation("results at an unwritable address (kind %d), status %u",
				  rk, r->status);
		return;
	}
	if (r->status == SYSCHAIN_STATUS_FAULT)
		violation("status FAULT with writable results (kind %d)", rk);
	if (rk != P_GOOD)
		return;
	sum = 0;
	for (i = 0; i < n; i++) {
		if (res[i].count > max_steps)
			violation("op %u count %llu", i,
				  (unsigned long long)res[i].count);
		if (!res[i].count && res[i].ret)
			violation("op %u never ran but ret %lld", i,
				  (long long)res[i].ret);
		sum += res[i].count;
	}
	if (sum != r->steps)
		violation("counts sum to %llu, steps %llu",
			  (unsigned long long)sum, (unsigned long long)r->steps);
}

/* part 3: the probe */

static void fuzz_probe(uint64_t index)
{
	static const uint32_t sizes[] = { 0, 1, 7, 40, 47, 48, 56, 63, 64, 72,
					  4096, 0xffffffff };
	struct syschain_probe *p;
	uint32_t count = pinfo.nr_syscalls, cap, size = sizeof(*p);
	int clean = 1, ret, writable;
	enum ptr_kind k = pick_kind();
	uint64_t uptr;

	(void)index;
	switch (rnd(8)) {
	case 0: cap = 0; break;
	case 1: cap = 1; break;
	case 2: cap = count - 1; break;
	case 3: cap = count + 1; break;
	case 4: cap = 0xffffffff; break;
	case 5: cap = rnd(1024); break;
	default: cap = count; break;
	}
	/* writable: the first min(cap, count) entries fit before the guard */
	uptr = array_ptr(&arena, (size_t)(cap < count ? cap : count) * 4, k);
	writable = k == P_GOOD;
	if (k == P_STRADDLE && (cap < count ? cap : count) <= 2)
		writable = -1;	/* may or may not fit: no oracle */

	if (chance(20)) {
		size = sizes[rnd(sizeof(sizes) / 4)];
		clean = size == sizeof(*p);
	}
	if (size <= structr.len && chance(70))
		p = (void *)(guard(&structr) - (size < sizeof(*p) ? sizeof(*p) : size));
	else
		p = (void *)structr.base;
	memset(p, 0, sizeof(*p));
	if (size > sizeof(*p) && size <= structr.len)
		memset(p, 0, size);
	p->size = size;
	p->nr_syscalls = cap;
	p->syscalls_uptr = uptr;
	if (chance(5)) {
		p->flags = 1u << rnd(32);
		clean = 0;
	}
	if (chance(5)) {
		p->abi_version = (uint32_t)rnd64(); /* output: ignored */
		p->max_steps = rnd64();
	}
	if (chance(3)) {
		p = (void *)(uintptr_t)wild_ptr();
		clean = 0;
	}
	ret = ioctl_checked(SYSCHAIN_PROBE, p);
	if (!clean || writable < 0)
		return;
	if (cap && !writable) {
		if (ret != -EFAULT)
			violation("probe with an unwritable list (kind %d, cap %u) returned %d",
				  k, cap, ret);
		return;
	}
	if (ret) {
		violation("clean probe (cap %u, kind %d) returned %d", cap, k, ret);
		return;
	}
	if (p->abi_version != SYSCHAIN_ABI_VERSION || p->nr_syscalls != count ||
	    p->op_size != pinfo.op_size || p->max_ops != pinfo.max_ops ||
	    p->result_size != sizeof(struct syschain_result))
		violation("probe answer changed (abi %u, nr %u)", p->abi_version,
			  p->nr_syscalls);
}

/* ------------------------------------------------------------------ */
/* the child and the parent */

typedef void (*part_fn)(uint64_t index);
static const struct {
	const char *name;
	part_fn fn;
	unsigned int share;	/* per mille of the calls */
} parts[] = {
	{ "raw-structs", fuzz_raw, 150 },
	{ "commands", fuzz_cmd, 50 },
	{ "chains", fuzz_chain, 700 },
	{ "probe", fuzz_probe, 100 },
};


static void on_alarm(int sig)
{
	(void)sig;
}

/* Everything that confines the child; called in the child only. */
static void confine(void)
{
	struct rlimit nofile = { 64, 64 }, fsize = { 1 << 20, 1 << 20 };
	int null = open("/dev/null", O_RDWR);
	int dev = open("/dev/syschain", O_RDWR);

	if (null < 0 || dev < 0)
		_exit(80);
	if (chdir(SCRATCH))
		_exit(81);
	if (as_root) {
		if (chroot(".") || chdir("/"))
			_exit(82);
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(83);
		if (getuid() != NOBODY || geteuid() != NOBODY)
			_exit(84);
	}
	setsid();
	/*
	 * Whatever an op may block in (a sleep with a wild timespec, a
	 * socket op), this timer interrupts it: the chain ends INTERRUPTED.
	 */
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL);
	if (setitimer(ITIMER_REAL, &(struct itimerval){
			.it_interval = { 0, 50000 }, .it_value = { 0, 50000 } },
		      NULL))
		_exit(87);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	dup2(dev, 3);
	devfd = 3;
	syscall(__NR_close_range, 4, ~0U, 0);
	if (setrlimit(RLIMIT_NOFILE, &nofile) || setrlimit(RLIMIT_FSIZE, &fsize))
		_exit(85);
}

static void child_main(int part, uint64_t calls)
{
	struct stat st;
	uint64_t i;

	confine();
	if (fstat(devfd, &st))
		_exit(86);
	devrdev = st.st_rdev;
	setup_memory();
	for (i = 0; i < calls; i++) {
		sh->part = part;
		sh->index = i;
		keep_device(i);
		reseed(seed, part, i);
		parts[part].fn(i);
	}
	sh->done = 1;
	_exit(0);
}

static void probe_module(void)
{
	struct syschain_probe p = { .size = sizeof(p) };

	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	p.nr_syscalls = sizeof(sup) / sizeof(sup[0]);
	p.syscalls_uptr = (uintptr_t)sup;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	assert_true(p.nr_syscalls <= sizeof(sup) / sizeof(sup[0]));
	pinfo = p;
}

static void setup_scratch(void)
{
	struct stat st;
	char node[64];

	as_root = geteuid() == 0;
	mkdir(SCRATCH, 0777);
	if (as_root) {
		umount2(SCRATCH, MNT_DETACH);
		assert_int_equal(mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID,
				       "size=4m,nr_inodes=1024,mode=0777"), 0);
		assert_int_equal(stat("/dev/syschain", &st), 0);
		snprintf(node, sizeof(node), "%s/syschain", SCRATCH);
		assert_int_equal(mknod(node, S_IFCHR | 0666, st.st_rdev), 0);
		chmod(node, 0666);
	} else {
		chmod(SCRATCH, 0777);
		printf("fuzz: not root: no chroot, no tmpfs, no uid drop\n");
	}
}

static void teardown_scratch(void)
{
	if (as_root)
		umount2(SCRATCH, MNT_DETACH);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void dump_file(const char *what, pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		printf("fuzz: hang: %s:\n%s\n", path, buf);
	}
}

/* What the child was doing when it stopped making progress. */
static void dump_hang(pid_t pid)
{
	const struct syschain_run *r = &sh->last_run;
	unsigned int i, k;

	dump_file("syscall", pid);
	dump_file("wchan", pid);
	dump_file("stack", pid);
	printf("fuzz: hang: last run: flags %u nr_ops %u nr_conds %u op_size %u cond_size %u max_steps %llu\n",
	       r->flags, r->nr_ops, r->nr_conds, r->op_size, r->cond_size,
	       (unsigned long long)r->max_steps);
	for (i = 0; i < 8 && i < r->nr_ops; i++) {
		const struct syschain_op *o = &sh->last_ops[i];

		printf("fuzz: hang: op %u: nr %u flags %u ref_mask 0x%x conds %u+%u args",
		       i, o->nr, o->flags, o->ref_mask, o->cond_index, o->cond_count);
		for (k = 0; k < 6; k++)
			printf(" 0x%llx/%u", (unsigned long long)o->args[k], o->arg_ref[k]);
		printf("\n");
	}
	for (i = 0; i < 8 && i < r->nr_conds; i++) {
		const struct syschain_cond *c = &sh->last_conds[i];

		printf("fuzz: hang: cond %u: cmp %u action %u flags %u target %u rhs_ref %u rhs 0x%llx\n",
		       i, c->cmp, c->action, c->flags, c->target, c->rhs_ref,
		       (unsigned long long)c->rhs);
	}
	fflush(stdout);
}

static uint64_t total_calls(void)
{
	const char *s = getenv("FUZZ_CALLS");

	return s && *s ? strtoull(s, NULL, 0) : 100000;
}

static void run_part(int part)
{
	uint64_t calls = total_calls() * parts[part].share / 1000, last = 0;
	double t0 = now(), tprog = t0;
	unsigned int i;
	int status;
	pid_t pid;

	if (!calls)
		calls = 1;
	memset(sh, 0, sizeof(*sh));
	probe_module();
	setup_scratch();
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		child_main(part, calls);

	/* watchdog: a call that does not return in 20 s is a hang */
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (sh->progress != last) {
			last = sh->progress;
			tprog = now();
		} else if (now() - tprog > 20) {
			dump_hang(pid);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			teardown_scratch();
			fail_msg("fuzz %s: no progress for 20 s at index %" PRIu64
				 " (seed 0x%" PRIx64 ")", parts[part].name,
				 sh->index, seed);
		}
		usleep(20000);
	}
	teardown_scratch();

	printf("fuzz %s: seed 0x%" PRIx64 ", %" PRIu64 " ioctls in %.1f s, %" PRIu64
	       " chains ran\n", parts[part].name, seed, sh->calls, now() - t0,
	       sh->ran);
	printf("fuzz %s: returns:", parts[part].name);
	for (i = 0; i < 8; i++)
		if (sh->err[i])
			printf(" %s=%" PRIu64, err_names[i], sh->err[i]);
	printf("\n");
	if (sh->ran) {
		printf("fuzz %s: status:", parts[part].name);
		for (i = 0; i < 8; i++)
			printf(" %" PRIu64, sh->status[i]);
		printf(" (completed stopped failed interrupted budget unresolved fault)\n");
	}
	for (i = 0; i < NMSG && i < sh->bad; i++)
		printf("fuzz %s: VIOLATION %s\n", parts[part].name, sh->msg[i]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !sh->done)
		fail_msg("fuzz %s: child ended with status 0x%x at index %" PRIu64
			 " (seed 0x%" PRIx64 ")", parts[part].name, status,
			 sh->index, seed);
	assert_int_equal(sh->calls, calls);
	if (sh->bad)
		fail_msg("fuzz %s: %" PRIu64 " violations (seed 0x%" PRIx64 ")",
			 parts[part].name, sh->bad, seed);
	/* the module still answers, and still runs chains */
	probe_module();
	assert_int_equal(g_chain1(__NR_getppid, 0, 0, 0, 0, 0, 0), getppid());
}

static void test_fuzz_raw(void **state) { (void)state; run_part(0); }
static void test_fuzz_commands(void **state) { (void)state; run_part(1); }
static void test_fuzz_chains(void **state) { (void)state; run_part(2); }
static void test_fuzz_probe(void **state) { (void)state; run_part(3); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_raw),
		cmocka_unit_test(test_fuzz_commands),
		cmocka_unit_test(test_fuzz_chains),
		cmocka_unit_test(test_fuzz_probe),
	};
	const char *s = getenv("FUZZ_SEED");

	if (s && *s)
		seed = strtoull(s, NULL, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	printf("fuzz: seed 0x%" PRIx64 " (FUZZ_SEED), %" PRIu64
	       " calls in all (FUZZ_CALLS)\n", seed, total_calls());
	return cmocka_run_group_tests_name("syschain-fuzz", tests, NULL, NULL);
}
