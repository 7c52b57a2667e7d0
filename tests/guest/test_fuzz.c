// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Fuzz the ioctls of /dev/syschain from userspace, deterministically, and
 * judge every answer.
 *
 * The chains part builds valid chains from a table of the supported ops
 * (fuzz_ops[], keyed by syscall number; each argument of a sane kind:
 * descriptors, earlier ops' descriptors by reference, buffers, paths,
 * flags), with conditions, jumps (loops too) and references, then mutates
 * a quarter of them in exactly one place: a field, a size, a tail byte, a
 * reference, a flag, a count or a pointer. Sizes above a page, up to
 * 64 MiB, are among them: the struct's size, op_size and cond_size, with
 * zero tails or one non-zero byte (in the first page, past it, or last),
 * laid out in an 8 MiB region kept zero (larger ones run into its guard
 * page); the oracle takes -E2BIG for any size above PAGE_SIZE, as
 * openat2(2) gives, or the answer the same bytes get below a page, and
 * the run must have tried each of them. The oracle of fuzz_oracle.h,
 * written from the uapi documentation, judges every answer: a valid chain
 * must run, an invalid one must be refused with the documented errno and a
 * report naming the culprit. A chain that ran must report what the uapi
 * says (the condition that stopped it holds, the op that failed it failed,
 * counts add up to the steps, unwritable results give FAULT...). At the end
 * the run must have covered what matters: every supported op executed,
 * every status reached, every rejection rule hit, more than half of the
 * chain ioctls running ops, chains of the module's max_ops run; and the
 * module's counters must show no chain in flight and exactly as many chains
 * run as ioctls said so.
 *
 * The statuses a run reaches, and what makes each: COMPLETED (no condition
 * fires, or a jump to the end), STOPPED (stop conditions), FAILED (a
 * failing op under STOP_ON_ERROR), BUDGET (loops, and chains longer than
 * their max_steps), UNRESOLVED (a condition's rhs_ref to a later op, a
 * reference to an op a jump skipped), INTERRUPTED (the interval timer
 * below, between ops or in a sleep), FAULT (results on unwritable user
 * memory). All seven are asserted; INVALID is a refusal, not a run.
 *
 * Chains of max_ops ops (0.6% of them; 1 in 7 of those meant to run to
 * their end, with SIGALRM held off) cost about 10 ms each under TCG with
 * the default max_ops of 4096, so the module parameter is left as it is.
 *
 * The other parts: random bytes as the run/probe struct (judged by the
 * oracle where the bytes point only into memory it models), command
 * numbers around SYSCHAIN_TYPE on the device and on a registered chain's
 * descriptor (-ENOTTY but for the descriptor's own commands; a descriptor
 * a stray REGISTER returns is closed), the probe (oracle too), and
 * registered chains: the chains part's chains (with a witness prefix, see
 * part 4) registered with SYSCHAIN_REGISTER, mutated in one place in 60%
 * of the cases, each answer judged by the oracle (fo_register()); each
 * accepted chain then runs one to eight times with SYSCHAIN_EXEC, with no
 * patches, valid patches (values, and references' addends with
 * SYSCHAIN_PATCH_REF), a set with one bad patch (op past the chain,
 * argument past the op's count, PATCH_REF wrong either way, unknown flag,
 * a refused argument, too many, bad or oversized patch_size, a bad
 * patches_uptr) or a struct mutated in one place (sizes, flags, reserved,
 * results_uptr), judged by fo_exec(); a chain that ran is checked as the
 * chains part checks a run, the witness must show the patches accepted so
 * far, and a refused set must have applied nothing (the results untouched,
 * and a run without patches shows the chain as before). Every descriptor
 * is closed at the end of its index: chains_in_flight is back where it
 * started after each part. Its coverage (and the commands part's) is
 * asserted from FUZZ_CALLS=20000 on, the sanitizer kernel's size.
 *
 * The chains do whatever their ops do, so they run in a forked child that
 * cannot hurt the guest: it is chrooted into a small private tmpfs (4 MiB,
 * 1024 inodes) holding only a device node for /dev/syschain, runs as
 * nobody (65534) in its own session with stdio on /dev/null and a
 * nonblocking AF_UNIX datagram pair on descriptors 4 and 5, has
 * RLIMIT_NOFILE 64 and RLIMIT_FSIZE 1 MiB (SIGXFSZ and SIGPIPE ignored),
 * every chain that can loop has max_steps <= 64, and a 50 ms interval
 * timer (SIGALRM, no-op handler) interrupts any op that blocks (one chain
 * in about 1500 sleeps 200 ms on purpose), so such chains end INTERRUPTED.
 * It reports through a MAP_SHARED page rather than a pipe, because random
 * close()/write() ops would hit a pipe's descriptor; the parent enforces a
 * progress watchdog.
 *
 * Environment: FUZZ_SEED (default 0x5c5eed), FUZZ_CALLS (total ioctls,
 * default 100000, split over the parts; coverage is asserted when the
 * chains part makes at least COVERAGE_CALLS of them). Each call's inputs
 * derive from (seed, part, index) alone (a registered chain's runs: from
 * (seed, part, index, step)); a failure prints them.
 */
#include <dirent.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "guest.h"
#include "fuzz_oracle.h"
#include "ops.h"

#define PAGE		4096UL
#define NOBODY		65534
#define FUZZ_MAX_STEPS	64	/* for chains that can loop */
#define SCRATCH		"/tmp/syschain-fuzz"
/* syscall numbers below this are tracked */
#define NR_TRACKED	G_OPTAB_SIZE
#define FD_DEV		3
#define FD_SOCK		4	/* and 5: the socket pair */
#define FD_FREE		6	/* the first descriptor the chains own */
#define MUTATE_PERCENT	25
#define COVERAGE_CALLS	20000
#define HUGE_REGION	(8UL << 20)	/* where oversized structs and arrays go */

/* ------------------------------------------------------------------ */
/* the ops, keyed by syscall number: what each argument is */

/* the kinds of module/oplist.h's SC_I()/SC_P() */
enum akind {
	K_ZERO, K_FD, K_SOCK, K_DIRFD, K_PATH, K_OFLAGS, K_MODE, K_BUF,
	K_LEN, K_OFF, K_WHENCE, K_IOV, K_IOVCNT, K_ATFL, K_AMODE, K_ACCFL,
	K_FALLOC, K_ADVICE, K_OFFP, K_MSGFL, K_ADDRP, K_ADDRLEN, K_ADDRLENP,
	K_MSG, K_RMSG, K_CLOCK, K_SCLOCK, K_TSIN, K_TSREM, K_TIMERFL, K_GRNDFL,
	K_PID, K_KPID, K_SIG, K_XNAME,
	K_IOBUF = K_BUF,	/* a K_BUF a registered buffer may hold */
};

/*
 * What each op takes, from module/oplist.h (SC_I/SC_P(kind, name) give the
 * kinds; @nargs, the syscall's own argument count, is what the oracle
 * judges "an argument past the op's count" with), keyed by syscall
 * number: an op added to the list is fuzzed with no line here. How often
 * each is generated and which return a descriptor: fuzz_tuning[].
 */
struct fuzz_op {
	uint32_t nr;
	const char *name;
	uint8_t nargs;
	uint8_t makes_fd;	/* returns a descriptor */
	uint8_t weight;		/* share of the generated ops */
	uint8_t arg[SYSCHAIN_MAX_ARGS];
};

static struct fuzz_op fuzz_ops[NR_TRACKED] = {
#define SC_I(kind, name) K_##kind
#define SC_P(kind, name) K_##kind
#define SC_OP(sys, n, check, ...) \
	[__NR_##sys] = { __NR_##sys, #sys, n, 0, 1, { __VA_ARGS__ } },
#include "oplist.h"
#undef SC_OP
#undef SC_P
#undef SC_I
};

/* the ops generated more often than once in the pool, and the fd makers */
static const struct {
	uint32_t nr;
	uint8_t weight;
	uint8_t makes_fd;
} fuzz_tuning[] = {
	{ __NR_read, 4, 0 }, { __NR_write, 4, 0 }, { __NR_openat, 6, 1 },
	{ __NR_close, 3, 0 }, { __NR_lseek, 2, 0 }, { __NR_pread64, 2, 0 },
	{ __NR_pwrite64, 2, 0 }, { __NR_readv, 2, 0 }, { __NR_writev, 2, 0 },
	{ __NR_fstat, 2, 0 }, { __NR_newfstatat, 2, 0 }, { __NR_dup, 2, 1 },
	{ __NR_sendto, 2, 0 }, { __NR_recvfrom, 2, 0 }, { __NR_sendmsg, 2, 0 },
	{ __NR_recvmsg, 2, 0 }, { __NR_clock_gettime, 2, 0 },
};

static void setup_fuzz_ops(void)
{
	size_t i;

	for (i = 0; i < sizeof(fuzz_tuning) / sizeof(fuzz_tuning[0]); i++) {
		fuzz_ops[fuzz_tuning[i].nr].weight = fuzz_tuning[i].weight;
		fuzz_ops[fuzz_tuning[i].nr].makes_fd = fuzz_tuning[i].makes_fd;
	}
}

/* The kind the generator uses for argument @k of op @f. */
static enum akind arg_kind(const struct fuzz_op *f, unsigned int k)
{
	return (enum akind)f->arg[k];
}

static bool supported[NR_TRACKED];	/* the probe lists it */
static uint16_t pool[NR_TRACKED * 8];	/* supported ops' nrs, by weight */
static unsigned int npool;

static bool has_fuzz_op(uint32_t nr)
{
	return nr < NR_TRACKED && fuzz_ops[nr].name;
}

/* ------------------------------------------------------------------ */
/* what a call did, and how it went: the shared page */

#define NMSG 8
struct shared {
	volatile uint64_t calls;	/* ioctls made */
	volatile uint64_t progress;	/* bumped every call, for the watchdog */
	volatile uint64_t bad;		/* violations */
	volatile uint64_t ran_total;	/* fresh runs the module started */
	volatile uint64_t chain_calls;	/* chains part: ioctls */
	volatile uint64_t ran;		/* chains part: chains run */
	volatile uint64_t ran_ops;	/* ... with at least one step */
	volatile uint64_t mutated;	/* chains mutated */
	volatile uint64_t max_sent, max_ran, max_full; /* nr_ops == max_ops */
	volatile uint64_t judged, unjudged, overflow;
	volatile uint64_t status[16];	/* INTERRUPTED: -EINTR returns */
	volatile uint64_t err[16];	/* by errno class, see err_class() */
	volatile uint64_t eintr;	/* -EINTR returns (chains part) */
	volatile uint64_t resumed_eintr, resumed_rerun; /* how they went on */
	volatile uint64_t resumes;	/* resuming ioctls, not in calls */
	volatile uint64_t resume_mut_ran; /* RESUME mutations that ran */
	volatile uint64_t reason[FO_NR_REASONS];
	volatile uint64_t unspec_ran[FO_NR_REASONS];
	volatile uint64_t unspec_refused[FO_NR_REASONS];
	volatile uint64_t op_ran[NR_TRACKED];
	volatile uint64_t mut_made[64];	/* by enum mutation */
	volatile uint64_t oversized[16]; /* oversized calls, by err_class() */
	/* the registered part */
	volatile uint64_t reg_calls, reg_ok, exec_calls, exec_ran;
	volatile uint64_t exec_patched;	/* runs with patches applied */
	volatile uint64_t patches_applied;
	volatile uint64_t witness_checked, witness_patched, witness_skipped;
	volatile uint64_t refused_rerun;	/* refusals found unapplied */
	volatile uint64_t reg_reason[FO_NR_REASONS];
	volatile uint64_t exec_reason[FO_NR_REASONS];
	volatile uint64_t exec_made[32];	/* by enum exec_kind */
	/* the commands part: known commands on the other descriptor */
	volatile uint64_t cmd_wrong_fd[4], cmd_stray_fd;
	volatile int part;
	volatile uint64_t index;
	volatile int done;
	char msg[NMSG][400];
	const char *msg_fmt[NMSG];	/* one message per kind of violation */
	volatile uint64_t msg_count[NMSG];
	/* the last chain, for a report on a hang */
	struct syschain_run last_run;
	struct syschain_op last_ops[8];
	struct syschain_cond last_conds[8];
};
static struct shared *sh;
static uint64_t seed = 0x5c5eed;

/* EINTR last: the summary's "rejected" leaves it out */
static const int good_errnos[] = { EINVAL, E2BIG, EOPNOTSUPP, EFAULT, ENOMEM,
				   EPERM, ENOTTY, EMFILE, ENFILE, EBUSY,
				   EINTR };
static const char *const err_names[] = { "0", "EINVAL", "E2BIG", "EOPNOTSUPP",
					 "EFAULT", "ENOMEM", "EPERM", "ENOTTY",
					 "EMFILE", "ENFILE", "EBUSY", "EINTR" };
#define NR_ERR	12
static const char *const status_names[] = { "completed", "stopped", "failed",
					    "interrupted", "budget",
					    "unresolved", "fault", "invalid",
					    "denied" };

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
	uint64_t n;

	sh->bad++;
	/* the first of each kind (format), so that a frequent one hides none */
	for (n = 0; n < NMSG && sh->msg_fmt[n] && sh->msg_fmt[n] != fmt; n++)
		;
	if (n < NMSG && sh->msg_fmt[n]) {
		sh->msg_count[n]++;
		return;
	}
	if (n < NMSG) {
		sh->msg_fmt[n] = fmt;
		sh->msg_count[n] = 1;
		int len = snprintf(sh->msg[n], sizeof(sh->msg[n]),
				   "seed 0x%" PRIx64 " part %d index %" PRIu64 ": ",
				   seed, sh->part, sh->index);
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

#define PICK(arr) ((arr)[rnd(sizeof(arr) / sizeof((arr)[0]))])

static void reseed(uint64_t s, int part, uint64_t index)
{
	rng = s ^ ((uint64_t)part << 56) ^ (index * 0xd1b54a32d192ed03ULL);
	rnd64();
}

/* ------------------------------------------------------------------ */
/* memory of the child, and the oracle's model of it */

static struct syschain_probe pinfo;	/* the module's answer */
static uint32_t sup[512];		/* supported syscall numbers */
static int devfd = -1;
static bool fds_dirty = true;	/* check the device and the sockets */
static int as_root;
static dev_t devrdev;

/* a region of RW pages followed by one PROT_NONE guard page */
struct region {
	char *base;
	size_t len;	/* RW part */
};

/* arena: wild op arguments; bufr: op buffers; constr: read-only inputs */
static struct region arena, bufr, constr, opsr, condsr, resr, structr, rostr;
/* oversized structs and arrays: all zero but while a call uses it */
static struct region hugr;
static char *ro_page, *none_page, *unmapped_page;

static struct {
	uintptr_t base;
	size_t len;
	enum fo_mem state;
} model[16];
static unsigned int nmodel;

static struct region mkregion(size_t pages, enum fo_mem state)
{
	struct region r;
	char *p = mmap(NULL, (pages + 1) * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || nmodel == 16)
		_exit(90);
	mprotect(p + pages * PAGE, PAGE, PROT_NONE);
	r.base = p;
	r.len = pages * PAGE;
	model[nmodel].base = (uintptr_t)p;
	model[nmodel].len = r.len;
	model[nmodel++].state = state;
	return r;
}

static char *guard(const struct region *r)
{
	return r->base + r->len;
}

/*
 * The top of user space: USER_TOP where the mappings are, USER_TOP_MAX
 * the most a kernel's paging mode allows; between the two a range is
 * user memory or not by the kernel's configuration and the hardware.
 * Above USER_TOP_MAX access_ok() fails.
 */
#if defined(__aarch64__)
#define USER_TOP	(1ULL << 48)	/* TASK_SIZE_64, VA_BITS 48 */
#define USER_TOP_MAX	(1ULL << 52)	/* TASK_SIZE_64, VA_BITS 52 */
#else
#define USER_TOP	0x00007ffffffff000ULL	/* TASK_SIZE, 4-level paging */
#define USER_TOP_MAX	0x00fffffffffff000ULL	/* TASK_SIZE, 5-level paging */
#endif

/*
 * The oracle's view of [a, a + len): every mapping of the child that a
 * chain can name is in model[], each followed by a PROT_NONE page.
 */
static enum fo_mem fuzz_mem(uint64_t a, uint64_t len, uint64_t *readable)
{
	uint64_t end = a + len;
	unsigned int i;

	*readable = 0;
	if (end < a || end > USER_TOP_MAX)
		return FO_MEM_KERNEL;
	if (end > USER_TOP)
		return FO_MEM_UNKNOWN;	/* user or not: the paging mode */
	if (!len)
		return FO_MEM_RW;
	if (a < 65536)
		return FO_MEM_BAD;	/* below mmap_min_addr */
	for (i = 0; i < nmodel; i++) {
		uint64_t b = model[i].base, e = b + model[i].len;

		if (a >= e && a < e + PAGE)
			return FO_MEM_BAD;	/* its guard page */
		if (a < b || a >= e)
			continue;
		if (model[i].state == FO_MEM_BAD)
			return FO_MEM_BAD;
		if (end <= e) {
			*readable = len;
			return model[i].state;
		}
		*readable = e - a;
		return FO_MEM_BAD;
	}
	return FO_MEM_UNKNOWN;
}

static int oracle_nargs(uint32_t nr)
{
	if (!has_fuzz_op(nr) || !supported[nr])
		return -1;
	return fuzz_ops[nr].nargs;
}

static struct fo_env oracle_env = {
	.mem = fuzz_mem,
	.nargs = oracle_nargs,
};

static const char *const paths[] = {
	"a", "b", "d", "d/e", ".", "..", "/", "/syschain", "a/", "nonexistent/x",
	"", "d/../a", "f",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))
static char *path_ptr[NPATHS + 1];	/* the last one has no terminator */
/*
 * Extended attribute names: none of the POSIX ACL names, which the module
 * refuses per call (README) and which this oracle does not model. The
 * last two: empty, and one past XATTR_NAME_MAX (-ERANGE both).
 */
static const char *const xnames[] = {
	"user.a", "user.missing", "trusted.t", "security.x", "system.x",
	"nonamespace", "",
};
#define NXNAMES (sizeof(xnames) / sizeof(xnames[0]))
#define XNAME_LONG 256
static char *xname_ptr[NXNAMES + 1];	/* the last: XNAME_LONG bytes */
static struct timespec *ts_short, *ts_zero, *ts_bad, *ts_long;
static struct iovec *iovs;		/* 4 arrays of 4 */
static struct msghdr *smsg;		/* 3 for sendmsg */
static struct msghdr *rmsg_tpl;		/* recvmsg's, copied to rmsg */
static struct msghdr *rmsg;		/* in bufr, reset before each chain */
static socklen_t *addrlen_p;		/* in bufr, reset too */
static char *witness_path;		/* the registered chains' witness file */

static void *carve(size_t *off, size_t len)
{
	void *p = constr.base + *off;

	*off = (*off + len + 15) & ~15UL;
	return p;
}

/* the read-only inputs of the ops: paths, times, iovecs, msghdrs */
static void setup_const(void)
{
	char *reset = bufr.base + bufr.len - PAGE;	/* last page of bufr */
	struct cmsghdr *cm;
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < NPATHS; i++) {
		path_ptr[i] = carve(&off, strlen(paths[i]) + 1);
		strcpy(path_ptr[i], paths[i]);
	}
	for (i = 0; i < NXNAMES; i++) {
		xname_ptr[i] = carve(&off, strlen(xnames[i]) + 1);
		strcpy(xname_ptr[i], xnames[i]);
	}
	xname_ptr[NXNAMES] = carve(&off, XNAME_LONG + 1);
	memset(xname_ptr[NXNAMES], 'x', XNAME_LONG);
	memcpy(xname_ptr[NXNAMES], "user.", 5);
	xname_ptr[NXNAMES][XNAME_LONG] = 0;
	witness_path = carve(&off, sizeof("witness"));
	strcpy(witness_path, "witness");
	ts_short = carve(&off, sizeof(*ts_short));
	*ts_short = (struct timespec){ 0, 1000 };
	ts_zero = carve(&off, sizeof(*ts_zero));
	ts_bad = carve(&off, sizeof(*ts_bad));
	*ts_bad = (struct timespec){ 0, 2000000000L };
	ts_long = carve(&off, sizeof(*ts_long));
	*ts_long = (struct timespec){ 0, 200000000L };
	iovs = carve(&off, 16 * sizeof(*iovs));
	for (i = 0; i < 16; i++) {
		iovs[i].iov_base = bufr.base + PAGE * (i % 12) + 8 * i;
		iovs[i].iov_len = i % 5 == 4 ? 0 : 1 + 37 * i;
	}
	smsg = carve(&off, 3 * sizeof(*smsg));
	for (i = 0; i < 3; i++) {
		smsg[i].msg_iov = &iovs[4 * i];
		smsg[i].msg_iovlen = 1 + i;
	}
	cm = carve(&off, CMSG_SPACE(sizeof(int)));
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memset(CMSG_DATA(cm), 0, sizeof(int));	/* descriptor 0 */
	smsg[2].msg_control = cm;
	smsg[2].msg_controllen = CMSG_SPACE(sizeof(int));
	rmsg_tpl = carve(&off, sizeof(*rmsg_tpl));
	rmsg_tpl->msg_iov = &iovs[4];
	rmsg_tpl->msg_iovlen = 3;
	rmsg_tpl->msg_name = reset + 512;
	rmsg_tpl->msg_namelen = 110;
	rmsg_tpl->msg_control = reset + 1024;
	rmsg_tpl->msg_controllen = 256;
	rmsg = (void *)reset;
	addrlen_p = (void *)(reset + 256);
	/* a path without a terminator, running into the guard page */
	path_ptr[NPATHS] = guard(&constr) - 64;
	memset(path_ptr[NPATHS], 'z', 64);
	mprotect(constr.base, constr.len, PROT_READ);
}

static void setup_memory(void)
{
	size_t ops = (pinfo.max_ops + 2) * 128UL, conds = (pinfo.max_conds + 4) * 64UL;
	char *lab;

	if (ops < 68 * PAGE)
		ops = 68 * PAGE;
	if (conds < 68 * PAGE)
		conds = 68 * PAGE;
	arena = mkregion(16, FO_MEM_RW);
	bufr = mkregion(16, FO_MEM_RW);
	constr = mkregion(4, FO_MEM_RO);
	opsr = mkregion(ops / PAGE + 1, FO_MEM_RW);
	condsr = mkregion(conds / PAGE + 1, FO_MEM_RW);
	resr = mkregion((pinfo.max_ops + 2) * 16UL / PAGE + 1, FO_MEM_RW);
	structr = mkregion(3, FO_MEM_RW);
	rostr = mkregion(1, FO_MEM_RO);		/* written between mprotects */
	hugr = mkregion(HUGE_REGION / PAGE, FO_MEM_RW);
	mprotect(rostr.base, PAGE, PROT_READ);
	/* a read-only page, a PROT_NONE page, a hole, a PROT_NONE page */
	lab = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lab == MAP_FAILED)
		_exit(91);
	ro_page = lab;
	none_page = lab + PAGE;
	unmapped_page = lab + 2 * PAGE;
	mprotect(ro_page, PAGE, PROT_READ);
	munmap(unmapped_page, PAGE);
	model[nmodel].base = (uintptr_t)ro_page;
	model[nmodel].len = PAGE;
	model[nmodel++].state = FO_MEM_RO;
	model[nmodel].base = (uintptr_t)none_page;
	model[nmodel].len = 2 * PAGE;
	model[nmodel++].state = FO_MEM_BAD;
	for (size_t i = 0; i < arena.len; i++)
		arena.base[i] = (char)(i * 131 + 7);
	setup_const();
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
	case 9: return (uintptr_t)path_ptr[rnd(NPATHS + 1)];
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
	default: return PICK(special);
	}
}

static uint64_t wild_arg(void)
{
	return chance(40) ? wild_ptr() : wild_int();
}

/* a buffer with at least 3 pages after it */
static uint64_t buf_ptr(void)
{
	return (uintptr_t)bufr.base + 8 * rnd(12 * PAGE / 8) +
	       (chance(10) ? rnd(8) : 0);
}

/* a sane value for an argument of kind @k */
static uint64_t arg_value(enum akind k)
{
	static const uint64_t oflags[] = {
		O_RDONLY, O_WRONLY | O_CREAT, O_RDWR | O_CREAT | O_TRUNC,
		O_RDONLY | O_DIRECTORY, O_WRONLY | O_CREAT | O_EXCL,
		O_RDWR | O_CREAT | O_APPEND, O_RDONLY | O_NONBLOCK, O_PATH,
		O_WRONLY | O_TRUNC, O_RDWR | O_CLOEXEC,
	};
	static const uint64_t clocks[] = {
		CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
		CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME,
		CLOCK_TAI, 10, 12, 64,	/* the last three name no clock */
	};
	static const uint64_t atfl[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
					 AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH };
	static const uint64_t accfl[] = { 0, AT_EACCESS, AT_SYMLINK_NOFOLLOW,
					  AT_EMPTY_PATH };
	static const uint64_t msgfl[] = { 0, MSG_PEEK, MSG_TRUNC, MSG_NOSIGNAL,
					  MSG_CMSG_CLOEXEC, MSG_WAITALL };
	static const uint64_t lens[] = { 0, 4096, 65536, (uint64_t)-1 };
	/* getrandom's: the last two are -EINVAL */
	static const uint64_t grndfl[] = { 0, GRND_NONBLOCK, GRND_RANDOM,
					   GRND_INSECURE, GRND_NONBLOCK | GRND_RANDOM,
					   GRND_INSECURE | GRND_RANDOM, 0x8 };
	static const uint64_t offs[] = { 0, (uint64_t)-1, 1ULL << 40, 1 << 20 };

	switch (k) {
	case K_ZERO: return 0;
	case K_FD: return chance(92) ? rnd(12) : (chance(50) ? (uint64_t)-1 : 63);
	case K_SOCK: return chance(85) ? FD_SOCK + rnd(2) : rnd(12);
	case K_DIRFD: return chance(70) ? (uint64_t)(int64_t)AT_FDCWD : rnd(12);
	case K_PATH: return (uintptr_t)path_ptr[chance(3) ? NPATHS : rnd(NPATHS)];
	case K_OFLAGS: return PICK(oflags);
	case K_MODE: return chance(80) ? 0644 : rnd(01000);
	case K_BUF: return buf_ptr();
	case K_LEN: return chance(85) ? rnd(257) : PICK(lens);
	case K_OFF: return chance(80) ? rnd(8192) : PICK(offs);
	case K_WHENCE: return rnd(6);
	case K_IOV: return (uintptr_t)&iovs[4 * rnd(4)];
	case K_IOVCNT: return chance(92) ? rnd(5) : 1024 + rnd(2);
	case K_ATFL: return PICK(atfl);
	case K_AMODE: return rnd(8);
	case K_ACCFL: return PICK(accfl);
	case K_FALLOC: return rnd(3) == 2 ? 3 : rnd(2);	/* PUNCH_HOLE|KEEP_SIZE */
	case K_ADVICE: return rnd(7);
	case K_OFFP: return chance(60) ? 0 : buf_ptr();
	case K_MSGFL: return MSG_DONTWAIT | PICK(msgfl);
	case K_ADDRP: return chance(85) ? 0 : buf_ptr();
	case K_ADDRLEN: return chance(70) ? 0 : (chance(50) ? 16 : 110);
	case K_ADDRLENP: return chance(50) ? 0 : (uintptr_t)addrlen_p;
	case K_MSG: return (uintptr_t)&smsg[rnd(3)];
	case K_RMSG: return (uintptr_t)rmsg;
	case K_CLOCK: return chance(90) ? PICK(clocks) : CLOCK_REALTIME_ALARM + rnd(2);
	case K_SCLOCK: return PICK(clocks);
	case K_TSIN: return (uintptr_t)(chance(90) ? ts_short :
					chance(50) ? ts_zero : ts_bad);
	case K_TSREM: return chance(70) ? 0 : buf_ptr();
	case K_TIMERFL: return chance(80) ? 0 : TIMER_ABSTIME;
	case K_GRNDFL: return PICK(grndfl);
	case K_PID: return 0;	/* another pid: refused_op() */
	/* kill: itself, init, no one; 0 or a bad signal (never a real one) */
	case K_KPID: return chance(50) ? (uint64_t)getpid() :
			    chance(50) ? 1 : 0x3ffffff0;
	case K_SIG: return chance(80) ? 0 : chance(50) ? 65 : (uint64_t)-1;
	case K_XNAME:	/* a name, or NULL, (void *)1, one without a NUL */
		if (chance(90))
			return (uintptr_t)xname_ptr[rnd(NXNAMES + 1)];
		return chance(50) ? rnd(2) : (uintptr_t)path_ptr[NPATHS];
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* valid chains */

struct gen {
	struct syschain_op *ops;	/* max_ops + 2 */
	struct syschain_cond *conds;	/* max_conds + 4 */
	uint32_t n, nc;			/* ops and conditions generated */
	uint32_t fdops[8];		/* earlier ops that make descriptors */
	unsigned int nfd;
	bool big;			/* near or at max_ops */
	bool full;			/* big, without loops, run to the end */
	bool loops;			/* a jump backwards */
	uint32_t flags;
	uint64_t max_steps;
	uint32_t reserve;		/* ops of max_ops left to the caller */
};

static void set_ref(struct syschain_op *op, unsigned int k, uint32_t j,
		    uint64_t addend)
{
	op->ref_mask |= 1u << k;
	op->arg_ref[k] = j;
	op->args[k] = addend;
}

/* op @i: a supported op with sane arguments, some taken from earlier ops */
static void gen_op(struct gen *g, uint32_t i)
{
	const struct fuzz_op *f = &fuzz_ops[pool[rnd(npool)]];
	struct syschain_op *op = &g->ops[i];
	unsigned int k;

	memset(op, 0, sizeof(*op));
	op->nr = f->nr;
	if (chance(25))
		op->flags = SYSCHAIN_OP_IGNORE_ERROR;
	for (k = 0; k < f->nargs; k++) {
		const enum akind kind = arg_kind(f, k);
		/* README: constant arguments only (the refused ones aside) */
		const bool fixed = kind == K_CLOCK || kind == K_SCLOCK ||
				   kind == K_PID || kind == K_KPID ||
				   kind == K_SIG;

		op->args[k] = arg_value(kind);
		if (!fixed && !g->full && chance(4))
			op->args[k] = wild_arg();
		if (fixed || !i)
			continue;
		if ((kind == K_FD || kind == K_SOCK || kind == K_DIRFD) &&
		    g->nfd && chance(35))
			set_ref(op, k, g->fdops[rnd(g->nfd)], 0);
		else if (chance(3))
			set_ref(op, k, rnd(i), chance(50) ? 0 : rnd(5) - 2);
	}
	if (f->makes_fd)
		g->fdops[g->nfd < 8 ? g->nfd++ : rnd(8)] = i;
}

/* condition of op @i: a comparison, a stop or a jump (forwards mostly) */
static void gen_cond(const struct gen *g, uint32_t i, struct syschain_cond *c)
{
	static const uint64_t rhss[] = {
		0, 1, 2, 3, (uint64_t)-1, (uint64_t)-EBADF, (uint64_t)-EFAULT,
		(uint64_t)-EAGAIN, (uint64_t)-ENOENT, 4096,
		0x8000000000000000ULL,
	};
	const uint32_t n = g->n, r = rnd(10);

	memset(c, 0, sizeof(*c));
	c->cmp = SYSCHAIN_CMP_ALWAYS + rnd(SYSCHAIN_CMP_UGE);
	/* a chain meant to run to its end only jumps forwards */
	c->action = !g->full && chance(35) ? SYSCHAIN_ACT_STOP : SYSCHAIN_ACT_JUMP;
	if (c->action == SYSCHAIN_ACT_JUMP) {
		if (r < 5 || g->full)
			c->target = i + 1 + rnd(n - i < 8 ? n - i : 8);
		else if (r < 7)
			c->target = n;
		else
			c->target = rnd(i + 1);	/* a loop */
	}
	if (c->cmp == SYSCHAIN_CMP_ALWAYS)
		return;
	c->rhs = PICK(rhss);
	if (!g->full && chance(15)) {
		/* any op, later ones included: UNRESOLVED if it has not run */
		c->flags = SYSCHAIN_COND_RHS_REF;
		c->rhs_ref = rnd(n);
		c->rhs = chance(50) ? 0 : (uint64_t)(int64_t)(rnd(5) - 2);
	}
}

static void gen_conds(struct gen *g)
{
	const uint32_t max = pinfo.max_conds;
	uint32_t i, k, cnt;

	g->nc = 0;
	for (i = 0; i < g->n && g->nc < max; i++) {
		struct syschain_op *op = &g->ops[i];

		if (!chance(g->big ? 8 : 35))
			continue;
		if (i && !g->full && chance(5)) {
			/* share the conditions of an earlier op */
			const struct syschain_op *o = &g->ops[rnd(i)];

			op->cond_index = o->cond_index;
			op->cond_count = o->cond_count;
			continue;
		}
		cnt = 1 + rnd(3);
		if (cnt > max - g->nc)
			cnt = max - g->nc;
		op->cond_index = g->nc;
		op->cond_count = cnt;
		for (k = 0; k < cnt; k++)
			gen_cond(g, i, &g->conds[g->nc++]);
	}
	/* conditions no op uses, up to max_conds now and then */
	cnt = chance(10) ? 1 + rnd(3) : 0;
	if (g->big && chance(10))
		cnt = max;
	for (k = 0; k < cnt && g->nc < max; k++)
		gen_cond(g, rnd(g->n), &g->conds[g->nc++]);
}

/* Can the chain as laid out run an op twice (a jump backwards)? */
static bool chain_loops(const struct gen *g, uint32_t n, uint32_t nc)
{
	uint32_t i, k;

	for (i = 0; i < n; i++) {
		const struct syschain_op *op = &g->ops[i];

		for (k = 0; k < op->cond_count; k++) {
			uint64_t ci = (uint64_t)op->cond_index + k;

			if (ci >= nc)
				break;
			if (g->conds[ci].action == SYSCHAIN_ACT_JUMP &&
			    g->conds[ci].target <= i)
				return true;
		}
	}
	return false;
}

static void gen_chain(struct gen *g)
{
	const uint32_t max = pinfo.max_ops - g->reserve;
	uint32_t r = rnd(10000);

	/* 0.6% near or at max_ops: some 10 ms each under TCG */
	g->big = r < 60;
	g->nfd = 0;
	if (r < 50) {
		g->n = max;
	} else if (r < 60) {
		g->n = max - rnd(max < 16 ? max : 16);
	} else {
		r = rnd(100);
		g->n = r < 55 ? 1 + rnd(8) : r < 88 ? 9 + rnd(24) : 33 + rnd(32);
	}
	if (g->n > max)
		g->n = max;
	g->full = g->big && chance(15);
	for (r = 0; r < g->n; r++)
		gen_op(g, r);
	if (!g->big && rnd(1500) == 0) {
		/* a sleep the timer interrupts: INTERRUPTED */
		struct syschain_op *op = &g->ops[rnd(g->n)];

		memset(op, 0, sizeof(*op));
		op->nr = __NR_nanosleep;
		op->args[0] = (uintptr_t)ts_long;
	}
	gen_conds(g);
	g->loops = chain_loops(g, g->n, g->nc);
	g->flags = !g->full && chance(50) ? SYSCHAIN_RUN_STOP_ON_ERROR : 0;
	if (g->loops || (g->big && !g->full) || (!g->full && !chance(25))) {
		g->max_steps = 1 + rnd(FUZZ_MAX_STEPS);
	} else {
		/* no loop: every op runs once at most */
		const uint64_t ms[] = { 0, g->n, g->n + 1 + rnd(4), ~0ULL,
					pinfo.max_steps + 1 };

		g->max_steps = PICK(ms);
	}
}

/* ------------------------------------------------------------------ */
/* one mutation, and where the chain goes in memory */

#define MUTATIONS(X)							\
	X(NONE) X(SIZE_SMALL) X(SIZE_BIG) X(SIZE_TAIL) X(SIZE_HUGE)	\
	X(SIZE_HUGE_TAIL)						\
	X(RUN_FLAGS) X(RUN_RESUME) X(RUN_RESERVED) X(NR_OPS_ZERO) X(NR_OPS_LESS)	\
	X(NR_OPS_MORE) X(NR_OPS_LIMIT) X(NR_CONDS_LESS) X(NR_CONDS_MORE) \
	X(NR_CONDS_LIMIT) X(OP_SIZE_BAD) X(OP_SIZE_BIG) X(OP_SIZE_HUGE)	\
	X(OP_HUGE_TAIL) X(OP_TAIL) X(COND_SIZE_BAD) X(COND_SIZE_BIG)	\
	X(COND_SIZE_HUGE) X(COND_HUGE_TAIL) X(COND_TAIL)		\
	X(OPS_PTR) X(CONDS_PTR) X(CONDS_EMPTY_PTR) X(RESULTS_KERNEL)	\
	X(RESULTS_BAD) X(RESULTS_NULL) X(STRUCT_RO) X(STRUCT_PTR)	\
	X(OP_NR) X(OP_REFUSED) X(OP_FLAGS) X(OP_REF_MASK) X(OP_ARG_PAST) \
	X(OP_REF_LATER) X(OP_REF_PLAIN) X(OP_CONDS_PAST) X(OP_COND_UNUSED) \
	X(OP_CLEANUP)							\
	X(COND_CMP) X(COND_ACTION) X(COND_FLAGS) X(COND_RESERVED)	\
	X(COND_STOP_TARGET) X(COND_JUMP_TARGET) X(COND_JUMP_END)	\
	X(COND_RHS_REF) X(COND_RHS_PLAIN) X(COND_ALWAYS)

enum mutation {
#define M_ENUM(name) M_##name,
	MUTATIONS(M_ENUM)
#undef M_ENUM
	M_NR
};

static const char *const mut_names[] = {
#define M_NAME(name) #name,
	MUTATIONS(M_NAME)
#undef M_NAME
};

_Static_assert(M_NR <= 64, "struct shared counts 64 mutations");

/*
 * Sizes above a page, up to MiBs: openat2(2) refuses them with -E2BIG,
 * and so may the module (the uapi reads its structs like openat2's). Those
 * that do not fit the region hugr run into its guard page. An array of
 * them spans 64 MiB at most, so the range stays below the top of user
 * space, in the oracle's model.
 */
static const uint32_t huge_sizes[] = { 4097, 4104, 8192, 65536, 1U << 20,
				       4U << 20, 16U << 20, 64U << 20 };
static const uint32_t huge_elems[] = { 4100, 4104, 8192, 65536, 1U << 20,
				       4U << 20, 16U << 20 };
#define HUGE_SPAN	(64ULL << 20)

static bool is_huge(enum mutation m)
{
	switch (m) {
	case M_SIZE_HUGE: case M_SIZE_HUGE_TAIL:
	case M_OP_SIZE_HUGE: case M_OP_HUGE_TAIL:
	case M_COND_SIZE_HUGE: case M_COND_HUGE_TAIL:
		return true;
	default:
		return false;
	}
}

enum ptr_kind { P_GOOD, P_NULL, P_STRADDLE, P_RO, P_KERNEL, P_UNMAPPED,
		P_NONE, P_SMALL };

/* which part of a chain goes to hugr, oversized */
enum huge_part { H_NONE, H_RUN, H_OPS, H_CONDS };

struct layout {
	struct syschain_run run;	/* the struct as submitted */
	uint32_t ops_written, conds_written;	/* elements laid out */
	int64_t op_tail, cond_tail;	/* element with a non-zero tail byte */
	bool run_tail;
	enum ptr_kind ops_k, conds_k, res_k, run_k;
	char *runp;			/* where the struct went */
	struct syschain_result *res;	/* the results, with P_GOOD */
	enum huge_part huge;
	/* what was written to hugr, for unplace_huge() */
	char *undo;			/* the first head */
	uint64_t undo_stride;
	size_t undo_head;
	uint32_t undo_n;
	char *undo_tail;		/* the non-zero tail byte, or NULL */
	bool resume;			/* M_RUN_RESUME: zero results */
};

static void layout_init(const struct gen *g, struct layout *L)
{
	memset(L, 0, sizeof(*L));
	L->run.size = sizeof(L->run);
	L->run.flags = g->flags;
	L->run.nr_ops = g->n;
	L->run.nr_conds = g->nc;
	L->run.op_size = sizeof(struct syschain_op);
	L->run.cond_size = sizeof(struct syschain_cond);
	L->run.max_steps = g->max_steps;
	/* output fields are ignored on input */
	L->run.steps = rnd64();
	L->run.status = (uint32_t)rnd64();
	L->run.stop_op = (uint32_t)rnd64();
	L->run.stop_cond = (uint32_t)rnd64();
	L->run.resume_expiry = rnd64();	/* in only with RESUME */
	L->ops_written = g->n;
	L->conds_written = g->nc;
	L->op_tail = L->cond_tail = -1;
	/* results_uptr is required (ABI 2): rarely 0 unmutated */
	L->res_k = chance(99) ? P_GOOD : P_NULL;
}

static enum ptr_kind bad_kind(void)
{
	static const enum ptr_kind k[] = { P_NULL, P_STRADDLE, P_RO, P_KERNEL,
					   P_UNMAPPED, P_NONE, P_SMALL };

	return PICK(k);
}

/* an element size of @sizes that fits @n elements in @r, else @dflt */
static uint32_t fit_size(const uint32_t *sizes, unsigned int nsizes,
			 uint32_t n, const struct region *r, uint32_t dflt)
{
	uint32_t s = sizes[rnd(nsizes)];

	return (uint64_t)n * s + 64 <= r->len ? s : dflt;
}

/* an oversized element size whose array of @n spans HUGE_SPAN at most */
static uint32_t huge_elem(uint32_t n)
{
	uint32_t s;

	do
		s = PICK(huge_elems);
	while ((uint64_t)n * s > HUGE_SPAN);
	return s;
}

/*
 * A chain that never ran, "resumed": random RESUME and RESUME_EINTR bits,
 * stop_op and steps, zero results (or results it cannot read, or only
 * read: status FAULT).
 */
static void mutate_resume(struct layout *L)
{
	static const enum ptr_kind rk[] = { P_RO, P_RO, P_NONE,
					    P_UNMAPPED, P_STRADDLE };
	struct syschain_run *r = &L->run;

	if (chance(85))
		r->flags |= SYSCHAIN_RUN_RESUME;
	if (chance(40))
		r->flags |= SYSCHAIN_RUN_RESUME_EINTR;
	r->stop_op = chance(85) ? rnd(r->nr_ops) :
		     chance(50) ? r->nr_ops + rnd(4) : (uint32_t)rnd64();
	r->steps = chance(60) ? rnd(4) :
		   chance(60) ? rnd(FUZZ_MAX_STEPS + 2) : rnd64();
	r->resume_expiry = chance(80) ? 0 : rnd64();
	if (chance(25))
		L->res_k = PICK(rk);
	L->resume = true;
}

/* the element sizes of the ops and conditions arrays */
static enum mutation mutate_elem_size(struct gen *g, struct layout *L,
				      enum mutation m)
{
	static const uint32_t op_bad[] = { 0, 8, 80, 84, 89, 92, 95 };
	static const uint32_t op_big[] = { 96, 104, 128, 256, 4096 };
	static const uint32_t cond_bad[] = { 0, 8, 16, 20, 25, 28, 31 };
	static const uint32_t cond_big[] = { 32, 40, 64, 4096 };
	struct syschain_run *r = &L->run;

	switch (m) {
	case M_OP_SIZE_BAD: r->op_size = PICK(op_bad); break;
	case M_OP_SIZE_BIG: r->op_size = fit_size(op_big, 5, g->n + 1, &opsr, 96); break;
	case M_OP_SIZE_HUGE:
	case M_OP_HUGE_TAIL:
		r->op_size = huge_elem(g->n);
		L->huge = H_OPS;
		if (m == M_OP_HUGE_TAIL)
			L->op_tail = rnd(g->n);
		break;
	case M_OP_TAIL:
		r->op_size = fit_size(op_big, 5, g->n, &opsr, 96);
		L->op_tail = rnd(g->n);
		break;
	case M_COND_SIZE_BAD: r->cond_size = PICK(cond_bad); break;
	case M_COND_SIZE_BIG:
		r->cond_size = fit_size(cond_big, 4, g->nc + 2, &condsr, 32);
		break;
	case M_COND_SIZE_HUGE:
	case M_COND_HUGE_TAIL:
		if (!g->nc && m == M_COND_HUGE_TAIL) {
			if (!pinfo.max_conds)
				return M_NONE;
			gen_cond(g, rnd(g->n), &g->conds[0]);
			g->nc = r->nr_conds = L->conds_written = 1;
		}
		r->cond_size = huge_elem(g->nc);
		L->huge = H_CONDS;
		if (m == M_COND_HUGE_TAIL)
			L->cond_tail = rnd(g->nc);
		break;
	case M_COND_TAIL:
		if (!g->nc)
			return M_NONE;
		r->cond_size = fit_size(cond_big, 4, g->nc, &condsr, 32);
		L->cond_tail = rnd(g->nc);
		break;
	default:
		return M_NONE;
	}
	return m;
}

/* the struct, its counts, sizes and pointers (element sizes: above) */
static enum mutation mutate_run(struct gen *g, struct layout *L,
				enum mutation m)
{
	static const uint32_t small[] = { 0, 1, 4, 8, 72, 79 };
	static const uint32_t big[] = { 81, 84, 88, 96, 128, 4096 };
	struct syschain_run *r = &L->run;

	switch (m) {
	case M_SIZE_SMALL: r->size = PICK(small); break;
	case M_SIZE_BIG: r->size = PICK(big); break;
	case M_SIZE_TAIL: r->size = PICK(big); L->run_tail = true; break;
	case M_SIZE_HUGE:
	case M_SIZE_HUGE_TAIL:
		r->size = PICK(huge_sizes);
		L->huge = H_RUN;
		L->run_tail = m == M_SIZE_HUGE_TAIL;
		break;
	case M_RUN_FLAGS: r->flags |= 1u << (3 + rnd(29)); break;
	case M_RUN_RESUME:
		mutate_resume(L);
		break;
	case M_RUN_RESERVED: r->__reserved = 1 + rnd(0xfffffffe); break;
	case M_NR_OPS_ZERO: r->nr_ops = 0; break;
	case M_NR_OPS_LESS:
		if (g->n < 2)
			return M_NONE;
		r->nr_ops = 1 + rnd(g->n - 1);
		break;
	case M_NR_OPS_MORE:
		/* one more op, all zero: read(0, NULL, 0), valid */
		memset(&g->ops[g->n], 0, sizeof(g->ops[0]));
		r->nr_ops = L->ops_written = g->n + 1;
		break;
	case M_NR_OPS_LIMIT:
		r->nr_ops = chance(50) ? pinfo.max_ops + 1 + rnd(64) :
			    0xffffffff - rnd(2) * 0x7fffffff;
		break;
	case M_NR_CONDS_LESS:
		if (!g->nc)
			return M_NONE;
		r->nr_conds = rnd(g->nc);
		break;
	case M_NR_CONDS_MORE:
		/* all-zero conditions: cmp 0 is no comparison */
		memset(&g->conds[g->nc], 0, 2 * sizeof(g->conds[0]));
		r->nr_conds = L->conds_written = g->nc + 1 + rnd(2);
		break;
	case M_NR_CONDS_LIMIT:
		r->nr_conds = chance(50) ? pinfo.max_conds + 1 : 0xffffffff;
		break;
	case M_OPS_PTR: L->ops_k = bad_kind(); break;
	case M_CONDS_PTR: L->conds_k = bad_kind(); break;
	case M_CONDS_EMPTY_PTR: L->conds_k = P_KERNEL; break;
	case M_RESULTS_KERNEL: L->res_k = P_KERNEL; break;
	case M_RESULTS_BAD: {
		/* user addresses the module cannot write: -EFAULT */
		static const enum ptr_kind k[] = { P_RO, P_NONE, P_UNMAPPED,
						   P_STRADDLE, P_SMALL };

		L->res_k = PICK(k);
		break;
	}
	case M_RESULTS_NULL: L->res_k = P_NULL; break;
	case M_STRUCT_RO: L->run_k = P_RO; break;
	case M_STRUCT_PTR:
		L->run_k = bad_kind();
		if (L->run_k == P_RO)
			L->run_k = P_STRADDLE;
		break;
	default:
		return mutate_elem_size(g, L, m);
	}
	return m;
}

/* a syscall number the module does not support */
static uint32_t unsupported_nr(void)
{
	static const uint32_t nrs[] = {
		__NR_unlinkat, __NR_renameat, __NR_readlinkat, __NR_ftruncate,
		__NR_fcntl, __NR_dup3, __NR_pipe2, __NR_sendfile, __NR_shutdown,
		__NR_statx, __NR_ioctl, __NR_mmap, __NR_execve, 1000,
		0xffffffff, 0x80000000, 65535,
	};
	uint32_t nr;

	do
		nr = chance(70) ? PICK(nrs) : rnd(NR_TRACKED);
	while (nr < NR_TRACKED && supported[nr]);
	return nr;
}

/* an op whose arguments README's "Refused" table names */
static void refused_op(struct syschain_op *op, uint32_t i)
{
	static const uint32_t cpu[] = { CLOCK_PROCESS_CPUTIME_ID,
					CLOCK_THREAD_CPUTIME_ID,
					(uint32_t)-2, (uint32_t)-6 };
	const uint16_t flags = op->flags;
	const uint32_t ci = op->cond_index, cc = op->cond_count;

	memset(op, 0, sizeof(*op));
	op->flags = flags;
	op->cond_index = ci;
	op->cond_count = cc;
	switch (rnd(4)) {
	case 3:
		/* a signal to a group, to every process: 0, checks only */
		op->nr = __NR_kill;
		op->args[0] = chance(50) ? 0 : (uint64_t)-1 - rnd(2);
		if (i && chance(30))
			set_ref(op, 0, rnd(i), 0);
		break;
	case 2:
		/* another process's group or session */
		op->nr = chance(50) ? __NR_getpgid : __NR_getsid;
		op->args[0] = chance(50) ? (uint64_t)getpid() : 1;
		if (i && chance(30))
			set_ref(op, 0, rnd(i), 0);
		break;
	case 0:
		op->nr = chance(50) ? __NR_clock_gettime : __NR_clock_getres;
		op->args[0] = PICK(cpu);
		if (i && chance(30))
			set_ref(op, 0, rnd(i), 0);
		op->args[1] = buf_ptr();
		break;
	default:
		op->nr = __NR_clock_nanosleep;
		op->args[0] = chance(50) ? PICK(cpu) : CLOCK_REALTIME_ALARM + rnd(2);
		op->args[2] = (uintptr_t)ts_short;
		break;
	}
}

/* one op's fields */
static enum mutation mutate_op(struct gen *g, struct layout *L,
			       enum mutation m)
{
	const uint32_t i = rnd(g->n);
	struct syschain_op *op = &g->ops[i];
	const int nargs = oracle_nargs(op->nr);
	unsigned int k;

	switch (m) {
	case M_OP_NR: op->nr = unsupported_nr(); break;
	case M_OP_REFUSED: refused_op(op, i); break;
	case M_OP_FLAGS: op->flags |= 1u << (2 + rnd(14)); break;
	case M_OP_REF_MASK:
		k = nargs + rnd(16 - nargs);
		op->ref_mask |= 1u << k;
		if (k < SYSCHAIN_MAX_ARGS)	/* an earlier op, only the bit is wrong */
			op->arg_ref[k] = i ? rnd(i) : 0;
		break;
	case M_OP_ARG_PAST:
		if (nargs == SYSCHAIN_MAX_ARGS)
			return M_NONE;
		op->args[nargs + rnd(SYSCHAIN_MAX_ARGS - nargs)] = 1 + rnd(0xffff);
		break;
	case M_OP_REF_LATER:
		if (!nargs)
			return M_NONE;
		k = rnd(nargs);
		op->ref_mask |= 1u << k;
		op->arg_ref[k] = chance(80) ? i + rnd(L->run.nr_ops - i + 1) :
					      0xffffffff;
		break;
	case M_OP_REF_PLAIN:
		k = rnd(SYSCHAIN_MAX_ARGS);
		if (op->ref_mask & (1u << k))
			return M_NONE;
		op->arg_ref[k] = 1 + rnd(g->n + 2);
		break;
	case M_OP_CONDS_PAST:
		if (op->cond_count && chance(30)) {
			op->cond_index = 0xffffffff - rnd(2);	/* wraps */
		} else {
			op->cond_index = g->nc - (g->nc ? rnd(2) : 0);
			op->cond_count = g->nc - op->cond_index + 1 + rnd(2);
		}
		break;
	case M_OP_COND_UNUSED:
		op->cond_count = 0;
		op->cond_index = 1 + rnd(g->nc + 3);
		break;
	case M_OP_CLEANUP:
		/*
		 * Ops i.. the chain's cleanup (uapi "Cleanup ops"), mostly
		 * without their conditions: it runs when jumps stay in the
		 * body; a condition kept or a body op among them: -EINVAL.
		 */
		for (k = i; k < g->n; k++) {
			g->ops[k].flags |= SYSCHAIN_OP_CLEANUP;
			if (chance(90)) {
				g->ops[k].cond_count = 0;
				g->ops[k].cond_index = 0;
			}
		}
		if (chance(10) && i + 1 < g->n)
			g->ops[i + 1 + rnd(g->n - i - 1)].flags &=
				~SYSCHAIN_OP_CLEANUP;
		break;
	default:
		return M_NONE;
	}
	return m;
}

/* one condition's fields (a spare one is added if there is none) */
static enum mutation mutate_cond(struct gen *g, struct layout *L,
				 enum mutation m)
{
	struct syschain_cond *c;
	const uint32_t n = L->run.nr_ops;

	if (!g->nc) {
		if (!pinfo.max_conds)
			return M_NONE;
		gen_cond(g, rnd(g->n), &g->conds[0]);
		g->nc = L->run.nr_conds = L->conds_written = 1;
	}
	c = &g->conds[rnd(g->nc)];
	switch (m) {
	case M_COND_CMP: c->cmp = chance(50) ? 0 : SYSCHAIN_CMP_UGE + 1 + rnd(244); break;
	case M_COND_ACTION: c->action = chance(50) ? 0 : SYSCHAIN_ACT_JUMP + 1 + rnd(253); break;
	case M_COND_FLAGS: c->flags |= 1u << (1 + rnd(15)); break;
	case M_COND_RESERVED: c->__reserved = 1 + rnd(0xfffffffe); break;
	case M_COND_STOP_TARGET:
		c->action = SYSCHAIN_ACT_STOP;
		c->target = 1 + rnd(n + 2);
		break;
	case M_COND_JUMP_TARGET:
		c->action = SYSCHAIN_ACT_JUMP;
		c->target = chance(80) ? n + 1 + rnd(3) : 0xffffffff;
		break;
	case M_COND_JUMP_END:	/* valid: the end */
		c->action = SYSCHAIN_ACT_JUMP;
		c->target = n;
		break;
	case M_COND_RHS_REF:
		if (c->cmp == SYSCHAIN_CMP_ALWAYS)
			c->cmp = SYSCHAIN_CMP_EQ;
		c->flags |= SYSCHAIN_COND_RHS_REF;
		c->rhs_ref = chance(80) ? n + rnd(3) : 0xffffffff;
		break;
	case M_COND_RHS_PLAIN:
		c->flags &= ~SYSCHAIN_COND_RHS_REF;
		c->rhs_ref = 1 + rnd(n + 3);
		break;
	case M_COND_ALWAYS:
		c->cmp = SYSCHAIN_CMP_ALWAYS;
		switch (rnd(3)) {
		case 0: c->rhs = 1 + rnd(100); break;
		case 1: c->flags = SYSCHAIN_COND_RHS_REF; c->rhs_ref = rnd(n); break;
		default: c->rhs_ref = 1 + rnd(n + 3); break;
		}
		break;
	default:
		return M_NONE;
	}
	return m;
}

static enum mutation mutate(struct gen *g, struct layout *L)
{
	enum mutation m;

	/* the huge sizes cost MiBs of reads: rarer */
	do
		m = 1 + rnd(M_NR - 1);
	while (is_huge(m) && !chance(15));
	if (m < M_OP_NR)
		return mutate_run(g, L, m);
	if (m < M_COND_CMP)
		return mutate_op(g, L, m);
	return mutate_cond(g, L, m);
}

static uint64_t special_ptr(enum ptr_kind k)
{
	switch (k) {
	case P_NULL: return 0;
	case P_RO: return (uintptr_t)ro_page + 8 * rnd(4);
	case P_KERNEL: return chance(50) ? 0xffff888000000000ULL : ~0ULL - 15;
	case P_UNMAPPED: return (uintptr_t)unmapped_page + 8 * rnd(16);
	case P_NONE: return (uintptr_t)none_page;
	case P_SMALL: return 8 * rnd(512);
	default: return 0;
	}
}

/*
 * Lay out @n elements of @usize bytes (ksize of them from @src, then a zero
 * tail, with one non-zero byte in element @tail) at the end of region @r
 * (P_GOOD), or across its guard page (P_STRADDLE; what fits is written).
 */
static uint64_t place_array(const struct region *r, const void *src,
			    size_t ksize, uint32_t n, uint32_t usize,
			    enum ptr_kind kind, int64_t tail)
{
	const size_t stride = usize >= ksize ? usize : ksize;
	const uint64_t total = (uint64_t)n * stride;
	char *p, *end = guard(r);
	uint32_t i;

	if (kind != P_GOOD && kind != P_STRADDLE)
		return special_ptr(kind);
	if (kind == P_STRADDLE && total >= 16)
		p = end - (total - 8 * (1 + rnd(total / 8 - 1)));
	else if (kind == P_STRADDLE)
		p = end - 8;
	else if (total + 32 <= r->len)
		p = end - total - 8 * rnd(4);
	else
		p = r->base;	/* too many to lay out: whatever fits */
	for (i = 0; i < n && p + (uint64_t)i * stride < end; i++) {
		char *e = p + (size_t)i * stride;
		size_t room = end - e, len = stride < room ? stride : room;
		size_t head = ksize < len ? ksize : len;

		memcpy(e, (const char *)src + (size_t)i * ksize, head);
		if (len > head)
			memset(e + head, 0, len - head);
		if ((int64_t)i == tail && len > ksize)
			e[ksize + rnd(len - ksize)] = (char)(1 + rnd(255));
	}
	return (uintptr_t)p;
}

/*
 * Where the one non-zero byte of an oversized element or struct of @len
 * readable bytes goes, past its @ksize known ones: in its first page, past
 * it, or last.
 */
static uint64_t huge_tail_at(size_t ksize, uint64_t len)
{
	switch (rnd(3)) {
	case 0:
		return ksize + rnd((len < PAGE ? len : PAGE) - ksize);
	case 1:
		if (len > PAGE)
			return PAGE + rnd(len - PAGE);
		/* fall through */
	default:
		return len - 1;
	}
}

/*
 * @n elements of @usize bytes, larger than a page, in hugr, which is all
 * zero: only the elements' known heads (and the non-zero tail byte of
 * element @tail) are written, and unplace_huge() zeroes them again. An
 * array larger than the region starts at its base and runs into its guard
 * page.
 */
static uint64_t place_huge_array(struct layout *L, const void *src,
				 size_t ksize, uint32_t n, uint32_t usize,
				 int64_t tail)
{
	const uint64_t total = (uint64_t)n * usize;
	char *end = guard(&hugr), *p;
	uint32_t i;

	p = total + 32 <= hugr.len ? end - total - 8 * rnd(4) : hugr.base;
	L->undo = p;
	L->undo_stride = usize;
	L->undo_head = ksize;
	L->undo_n = 0;
	for (i = 0; i < n && (uint64_t)i * usize < (uint64_t)(end - p); i++) {
		char *e = p + (uint64_t)i * usize;
		const uint64_t room = end - e, len = usize < room ? usize : room;

		memcpy(e, (const char *)src + (size_t)i * ksize,
		       ksize < room ? ksize : room);
		L->undo_n++;
		if ((int64_t)i == tail && len > ksize) {
			L->undo_tail = e + huge_tail_at(ksize, len);
			*L->undo_tail = (char)(1 + rnd(255));
		}
	}
	return (uintptr_t)p;
}

/*
 * A struct of @size bytes (more than a page; the first @ksize from @src),
 * in hugr likewise, with a non-zero tail byte if L->run_tail
 */
static char *place_huge_bytes(struct layout *L, const void *src, size_t ksize,
			      uint64_t size)
{
	char *end = guard(&hugr), *p;

	p = size + 32 <= hugr.len ? end - size - 8 * rnd(3) :
				    hugr.base + 8 * rnd(4);
	memcpy(p, src, ksize);
	L->undo = p;
	L->undo_stride = 0;
	L->undo_head = ksize;
	L->undo_n = 1;
	if (L->run_tail) {
		const uint64_t room = end - p;

		L->undo_tail = p + huge_tail_at(ksize, size < room ? size : room);
		*L->undo_tail = (char)(1 + rnd(255));
	}
	return p;
}

/* the struct, L->run.size bytes (more than a page), in hugr likewise */
static char *place_huge_struct(struct layout *L)
{
	return place_huge_bytes(L, &L->run, sizeof(L->run), L->run.size);
}

/* hugr all zero again */
static void unplace_huge(struct layout *L)
{
	char *end = guard(&hugr);
	uint32_t i;

	for (i = 0; i < L->undo_n; i++) {
		char *e = L->undo + i * L->undo_stride;

		memset(e, 0, L->undo_head < (size_t)(end - e) ?
			     L->undo_head : (size_t)(end - e));
	}
	if (L->undo_tail)
		*L->undo_tail = 0;
	L->undo_n = 0;
	L->undo_tail = NULL;
}

static struct syschain_result *place_results(struct layout *L)
{
	const uint32_t n = L->run.nr_ops;
	const uint64_t len = (uint64_t)n * sizeof(struct syschain_result);
	char *end = guard(&resr);

	switch (L->res_k) {
	case P_GOOD:
		if (len + 16 > resr.len)
			return (void *)resr.base;	/* refused anyway */
		/* a fresh run zeroes them; a resumed one reads them */
		memset(end - len - 16, L->resume ? 0 : 0xa5, len + 16);
		return (void *)(end - len - 16 * rnd(2));
	case P_STRADDLE:
		return (void *)(end - (len - 8 * (1 + rnd(len / 8 - 1))));
	default:
		return (void *)(uintptr_t)special_ptr(L->res_k);
	}
}

/*
 * A struct of @size bytes (at most 2 pages; the first @ksize from @src,
 * then a zero tail, or one non-zero byte if L->run_tail), as L->run_k says
 */
static char *place_struct_bytes(struct layout *L, const void *src,
				size_t ksize, size_t size)
{
	const size_t span = size > ksize ? size : ksize;
	char img[2 * PAGE + sizeof(L->run)];
	char *p, *end;

	if (L->run_k != P_GOOD && L->run_k != P_STRADDLE && L->run_k != P_RO)
		return (char *)(uintptr_t)special_ptr(L->run_k);
	memset(img, 0, span);
	memcpy(img, src, ksize);
	if (L->run_tail && span > ksize)
		img[ksize + rnd(span - ksize)] = (char)(1 + rnd(255));
	if (L->run_k == P_RO) {
		mprotect(rostr.base, PAGE, PROT_READ | PROT_WRITE);
		p = guard(&rostr) - span;
		memcpy(p, img, span);
		mprotect(rostr.base, PAGE, PROT_READ);
		return p;
	}
	end = guard(&structr);
	if (L->run_k == P_STRADDLE) {
		p = end - 8 * (1 + rnd(span / 8 - 1));
		memcpy(p, img, end - p);
		return p;
	}
	p = end - span - 8 * rnd(3);
	memcpy(p, img, span);
	return p;
}

/* the struct, with L->run.size bytes (zero tail, or one non-zero byte) */
static char *place_struct(struct layout *L)
{
	return place_struct_bytes(L, &L->run, sizeof(L->run), L->run.size);
}

/* the ops and the conditions, as L says */
static void lay_out_arrays(const struct gen *g, struct layout *L)
{
	if (L->huge == H_OPS)
		L->run.ops_uptr = place_huge_array(L, g->ops, sizeof(g->ops[0]),
						   L->ops_written,
						   L->run.op_size, L->op_tail);
	else
		L->run.ops_uptr = place_array(&opsr, g->ops, sizeof(g->ops[0]),
					      L->ops_written, L->run.op_size,
					      L->ops_k, L->op_tail);
	if (!L->conds_written && L->conds_k == P_GOOD)
		L->run.conds_uptr = chance(50) ? 0 : (uintptr_t)guard(&condsr);
	else if (L->huge == H_CONDS)
		L->run.conds_uptr = place_huge_array(L, g->conds,
						     sizeof(g->conds[0]),
						     L->conds_written,
						     L->run.cond_size,
						     L->cond_tail);
	else
		L->run.conds_uptr = place_array(&condsr, g->conds,
						sizeof(g->conds[0]),
						L->conds_written,
						L->run.cond_size, L->conds_k,
						L->cond_tail);
}

static uint64_t lay_out(const struct gen *g, struct layout *L)
{
	lay_out_arrays(g, L);
	L->res = place_results(L);
	L->run.results_uptr = (uintptr_t)L->res;
	L->runp = L->huge == H_RUN ? place_huge_struct(L) : place_struct(L);
	return (uintptr_t)L->runp;
}

/* ------------------------------------------------------------------ */
/* the checks */

/* an ioctl on @fd (the device, or a registered chain), counted */
static int ioctl_fd_checked(int fd, unsigned long cmd, void *arg)
{
	const bool runs = cmd == SYSCHAIN_RUN || cmd == SYSCHAIN_EXEC;
	bool fresh = false;
	uint64_t rd;
	uint32_t fl;
	int ret, cls;

	/* a run without RESUME is one the module counts (chains_total) */
	_Static_assert(offsetof(struct syschain_run, flags) ==
		       offsetof(struct syschain_exec, flags), "flags");
	if (runs && fuzz_mem((uintptr_t)arg, 8, &rd) <= FO_MEM_RO) {
		memcpy(&fl, (char *)arg + offsetof(struct syschain_run, flags), 4);
		fresh = !(fl & SYSCHAIN_RUN_RESUME);
	}
	ret = ioctl(fd, cmd, arg) < 0 ? -errno : 0;
	cls = err_class(ret);
	sh->calls++;
	sh->progress++;
	if (runs && (!ret || ret == -EINTR)) {
		if (fresh)
			sh->ran_total++;
		fds_dirty = true;	/* the chains part knows better */
	}
	if (cls < 0)
		fds_dirty = true;	/* who knows what ran: check the fds */
	if (ret == -EINTR && !runs)
		violation("ioctl(0x%lx) returned -EINTR", cmd);
	/* no descriptor is short, and no run of ours is concurrent */
	if (ret == -EMFILE || ret == -ENFILE || ret == -EBUSY)
		violation("ioctl(0x%lx) returned %d (%s) (nothing holds the "
			  "descriptors or the chain)", cmd, ret, strerror(-ret));
	if (cls < 0)
		violation("ioctl(0x%lx) returned %d (%s), not a documented errno",
			  cmd, ret, strerror(-ret));
	else
		sh->err[cls]++;
	return ret;
}

static int ioctl_checked(unsigned long cmd, void *arg)
{
	return ioctl_fd_checked(devfd, cmd, arg);
}

static bool is_sock(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISSOCK(st.st_mode);
}

/* a nonblocking datagram pair on FD_SOCK and FD_SOCK + 1 */
static void make_socks(void)
{
	int sv[2], a, b;

	close(FD_SOCK);
	close(FD_SOCK + 1);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv))
		_exit(93);
	a = fcntl(sv[0], F_DUPFD, 32);
	b = fcntl(sv[1], F_DUPFD, 32);
	if (a < 0 || b < 0)
		_exit(94);
	close(sv[0]);
	close(sv[1]);
	dup2(a, FD_SOCK);
	dup2(b, FD_SOCK + 1);
	close(a);
	close(b);
}

/*
 * The device and the sockets survive whatever the chains close. Only a
 * close op can take them (dup takes the lowest free descriptor, it does
 * not replace one), so they are checked after a chain that may have run
 * one (fds_dirty): a syscall costs tens of microseconds under TCG.
 */
static void keep_fds(uint64_t index)
{
	struct stat st;

	/* now and then, drop what the chains opened */
	if (index % 32 == 31)
		syscall(__NR_close_range, FD_FREE, ~0U, 0);
	if (!fds_dirty)
		return;
	fds_dirty = false;
	/* an O_PATH descriptor of the node fstat()s the same */
	if (fstat(devfd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != devrdev ||
	    (fcntl(devfd, F_GETFL) & (O_PATH | O_ACCMODE)) != O_RDWR) {
		int fd = open(as_root ? "/syschain" : "/dev/syschain", O_RDWR);

		if (fd < 0)
			_exit(92);
		if (fd != devfd) {
			dup2(fd, devfd);
			close(fd);
		}
	}
	if (!is_sock(FD_SOCK) || !is_sock(FD_SOCK + 1)) {
		syscall(__NR_close_range, FD_FREE, ~0U, 0);
		make_socks();
	}
}

/* enum syschain_cmp, as the uapi defines it */
static bool cmp_holds(uint8_t cmp, uint64_t l, uint64_t r)
{
	switch (cmp) {
	case SYSCHAIN_CMP_ALWAYS: return true;
	case SYSCHAIN_CMP_EQ: return l == r;
	case SYSCHAIN_CMP_NE: return l != r;
	case SYSCHAIN_CMP_LT: return (int64_t)l < (int64_t)r;
	case SYSCHAIN_CMP_LE: return (int64_t)l <= (int64_t)r;
	case SYSCHAIN_CMP_GT: return (int64_t)l > (int64_t)r;
	case SYSCHAIN_CMP_GE: return (int64_t)l >= (int64_t)r;
	case SYSCHAIN_CMP_ULT: return l < r;
	case SYSCHAIN_CMP_ULE: return l <= r;
	case SYSCHAIN_CMP_UGT: return l > r;
	case SYSCHAIN_CMP_UGE: return l >= r;
	}
	return false;
}

/* condition @ci on result @lhs: 1 holds, 0 not, -1 its rhs_ref never ran */
static int cond_state(const struct gen *g, uint32_t ci,
		      const struct syschain_result *res, int64_t lhs)
{
	const struct syschain_cond *c = &g->conds[ci];
	uint64_t rhs = c->rhs;

	if (c->flags & SYSCHAIN_COND_RHS_REF) {
		if (!res[c->rhs_ref].count)
			return -1;
		/* a cleanup op may have run only after the body: unknown */
		if (g->ops[c->rhs_ref].flags & SYSCHAIN_OP_CLEANUP)
			return -2;
		rhs += (uint64_t)res[c->rhs_ref].ret;
	}
	return cmp_holds(c->cmp, (uint64_t)lhs, rhs);
}

/*
 * Op @so's conditions, checked in order on its result, up to @sc (or all
 * if @sc is not among them): the first that holds fires (uapi). Returns
 * NULL if they behaved as @want says (1 @sc fired, 0 none fired, -1 @sc
 * unresolved), or if one references a cleanup op that has run (whether it
 * had when the condition was checked is not known), else what is wrong.
 */
static const char *check_conds(const struct gen *g, uint32_t so, uint32_t sc,
			       const struct syschain_result *res, int want)
{
	const struct syschain_op *op = &g->ops[so];
	uint32_t k;

	for (k = 0; k < op->cond_count; k++) {
		const uint32_t ci = op->cond_index + k;
		const int h = cond_state(g, ci, res, res[so].ret);

		if (h == -2)
			return NULL;	/* what it saw is not known */
		if (ci == sc && want) {
			if (h != want)
				return want > 0 ? "stop_cond does not hold" :
						  "stop_cond is resolved";
			if (want > 0 && g->conds[ci].action != SYSCHAIN_ACT_STOP)
				return "stop_cond does not stop";
			return NULL;
		}
		if (h)
			return h < 0 ? "an earlier condition is unresolved" :
				       "an earlier condition holds";
	}
	return want ? "stop_cond is not one of stop_op's" : NULL;
}

/* how many cleanup ops the chain has, and how many of them ran */
static uint32_t cleanup_ops(const struct gen *g, const struct layout *L)
{
	uint32_t i, n = 0;

	for (i = 0; i < L->run.nr_ops; i++)
		n += !!(g->ops[i].flags & SYSCHAIN_OP_CLEANUP);
	return n;
}

static uint64_t cleanup_ran(const struct gen *g, const struct layout *L,
			    const struct syschain_result *res)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < L->run.nr_ops; i++)
		if (g->ops[i].flags & SYSCHAIN_OP_CLEANUP)
			n += res[i].count;
	return n;
}

/* The report of a chain that ran, against the uapi's statuses. */
static const char *check_stop(const struct gen *g, const struct layout *L,
			      const struct syschain_run *rep,
			      const struct syschain_result *res, uint64_t eff)
{
	const uint32_t so = rep->stop_op, sc = rep->stop_cond;
	const struct syschain_op *op;
	unsigned int k;

	if (rep->status == SYSCHAIN_STATUS_COMPLETED)
		return so == FO_NO && sc == FO_NO ? NULL :
		       "completed with stop_op or stop_cond";
	if (so >= L->run.nr_ops)
		return "stop_op out of range";
	op = &g->ops[so];
	switch (rep->status) {
	case SYSCHAIN_STATUS_STOPPED:
		if (!res[so].count)
			return "stopped at an op that never ran";
		return check_conds(g, so, sc, res, 1);
	case SYSCHAIN_STATUS_FAILED:
		if (!res[so].count || res[so].ret >= 0 || sc != FO_NO)
			return "failed at an op that did not fail";
		if (!(L->run.flags & SYSCHAIN_RUN_STOP_ON_ERROR) ||
		    (op->flags & SYSCHAIN_OP_IGNORE_ERROR))
			return "failed without stop-on-error";
		return check_conds(g, so, FO_NO, res, 0);
	case SYSCHAIN_STATUS_BUDGET:
		/*
		 * The cleanup ops run past the budget (uapi "Cleanup ops"),
		 * each once; a resumed run's results came back with the
		 * counts the caller gave, so only its range is known.
		 */
		if (L->run.flags & SYSCHAIN_RUN_RESUME ?
		    rep->steps < eff || rep->steps > eff + cleanup_ops(g, L) :
		    rep->steps != eff + cleanup_ran(g, L, res))
			return "budget before max_steps";
		return sc == FO_NO ? NULL : "budget with a stop_cond";
	case SYSCHAIN_STATUS_UNRESOLVED:
		if (sc != FO_NO) {
			if (!res[so].count)
				return "unresolved condition of an op that never ran";
			return check_conds(g, so, sc, res, -1);
		}
		for (k = 0; k < SYSCHAIN_MAX_ARGS; k++)
			if ((op->ref_mask >> k & 1) &&
			    (!res[op->arg_ref[k]].count ||
			     (g->ops[op->arg_ref[k]].flags &
			      SYSCHAIN_OP_CLEANUP)))
				return NULL;
		return "unresolved, but every reference ran";
	}
	return NULL;
}

/* A chain ran: its report and results, and what it covered. */
static void check_ran(const struct gen *g, const struct layout *L,
		      const struct fo_verdict *v, const struct syschain_run *rep)
{
	const uint64_t ms = L->run.max_steps;
	const uint64_t eff = !ms || ms > pinfo.max_steps ? pinfo.max_steps : ms;
	/* a resumed run goes on from the struct's steps (its results zero) */
	const uint64_t base = v->resume ? L->run.steps : 0;
	const uint64_t cap = base > eff ? base : eff;
	const uint32_t flags = L->run.flags & ~(SYSCHAIN_RUN_RESUME |
						SYSCHAIN_RUN_RESUME_EINTR);
	const bool fault = v->results_fault;
	const struct syschain_result *res = L->res;
	uint64_t sum = 0;
	const char *why;
	uint32_t i;

	sh->ran++;
	if (rep->steps > base)
		sh->ran_ops++;
	if (v->resume)
		sh->resume_mut_ran++;
	if (L->run.nr_ops == pinfo.max_ops) {
		sh->max_ran++;
		if (rep->status == SYSCHAIN_STATUS_COMPLETED)
			sh->max_full++;
	}
	/*
	 * INTERRUPTED comes with -EINTR only, DENIED only when the
	 * administrator changes the parameters (never here).
	 */
	if (rep->status >= SYSCHAIN_STATUS_INVALID ||
	    rep->status == SYSCHAIN_STATUS_INTERRUPTED) {
		violation("chain ran (ioctl 0) with status %u, stop_op %u, steps %" PRIu64
			  " (%u ops, flags 0x%x)", rep->status, rep->stop_op,
			  (uint64_t)rep->steps, L->run.nr_ops, L->run.flags);
		return;
	}
	sh->status[rep->status]++;
	if (rep->flags != flags)
		violation("chain ended with flags 0x%x, sent 0x%x (RESUME must be cleared)",
			  rep->flags, L->run.flags);
	/* the cleanup ops run past the budget, each once */
	if (rep->steps > cap + cleanup_ops(g, L) || rep->steps < base)
		violation("steps %" PRIu64 ", max_steps %" PRIu64 ", resumed at %" PRIu64,
			  (uint64_t)rep->steps, eff, base);
	if (fault != (rep->status == SYSCHAIN_STATUS_FAULT))
		violation("results %s (kind %d), status %u",
			  fault ? "unwritable" : "writable", L->res_k,
			  rep->status);
	if (fault || rep->status == SYSCHAIN_STATUS_FAULT)
		return;
	fds_dirty = false;
	for (i = 0; i < L->run.nr_ops; i++) {
		if (res[i].count && g->ops[i].nr == __NR_close &&
		    ((g->ops[i].ref_mask & 1) ||
		     (uint32_t)g->ops[i].args[0] - FD_DEV < FD_FREE - FD_DEV))
			fds_dirty = true;
		if (res[i].count > eff || (!res[i].count && res[i].ret))
			violation("op %u: count %" PRIu64 " ret %" PRId64, i,
				  (uint64_t)res[i].count, (int64_t)res[i].ret);
		if (res[i].count && g->ops[i].nr < NR_TRACKED)
			sh->op_ran[g->ops[i].nr]++;
		sum += res[i].count;
	}
	if (sum != rep->steps - base)
		violation("counts sum to %" PRIu64 ", steps %" PRIu64 " (resumed at %" PRIu64 ")",
			  sum, (uint64_t)rep->steps, base);
	why = check_stop(g, L, rep, res, cap);
	if (why)
		violation("%s: status %s stop_op %u stop_cond %u steps %" PRIu64
			  " (%u ops, %u conds)", why, status_names[rep->status],
			  rep->stop_op, rep->stop_cond, (uint64_t)rep->steps,
			  L->run.nr_ops, L->run.nr_conds);
}

/* a verdict the module's answer does not fit: what the oracle expected */
static void report_verdict(const struct fo_verdict *v, int ret,
			   const struct syschain_run *rep, const char *why,
			   const char *what)
{
	char exp[200] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < v->n && i < 3 && len < sizeof(exp); i++)
		len += snprintf(exp + len, sizeof(exp) - len, " %s(%s op %d cond %d)",
				fo_reasons[v->a[i].reason].name,
				strerror(fo_reasons[v->a[i].reason].err),
				(int)v->a[i].op, (int)v->a[i].cond);
	violation("%s: %s: ret %d (%s), report status %d stop_op %d stop_cond %d; "
		  "uapi allows%s%s", what, why, ret, ret ? strerror(-ret) : "ran",
		  rep ? (int)rep->status : -1, rep ? (int)rep->stop_op : -1,
		  rep ? (int)rep->stop_cond : -1,
		  v->mandatory ? "" : " running", v->n ? exp : "");
}

/* the oracle's verdict against what the module did; the reason matched */
static int judge(const struct fo_verdict *v, int ret,
		 const struct syschain_run *rep, const char *what)
{
	const char *why;
	unsigned int i;
	int reason;

	if (v->unknown) {
		sh->unjudged++;
		return -1;
	}
	sh->judged++;
	if (v->overflow)
		sh->overflow++;
	why = fo_judge(v, ret, rep, &reason);
	if (why) {
		report_verdict(v, ret, rep, why, what);
		return -1;
	}
	if (reason >= 0)
		sh->reason[reason]++;
	/* the cases the uapi leaves open: which way the module went */
	for (i = 0; i < v->n && !v->mandatory; i++) {
		if (!ret)
			sh->unspec_ran[v->a[i].reason]++;
		else if (v->a[i].reason == reason)
			sh->unspec_refused[reason]++;
	}
	return reason;
}

/* ------------------------------------------------------------------ */
/* part 0: random bytes as the run/probe struct, random sizes */

static struct fo_verdict verdict;

static void fuzz_raw(uint64_t index)
{
	static const uint32_t sizes[] = { 0, 1, 7, 8, 23, 24, 56, 63, 64, 72, 79,
					  80, 81, 88, 96, 4096, 8192,
					  0xffffffff, 0x80000000 };
	unsigned long cmd = chance(60) ? SYSCHAIN_RUN : SYSCHAIN_PROBE;
	size_t len = rnd(3) == 0 ? rnd(2 * PAGE) : rnd(160);
	struct syschain_run rep;
	uint64_t rd;
	char *p;
	size_t i;
	int ret;

	(void)index;
	/* the struct ends right at the guard page, or somewhere before */
	if (len > structr.len)
		len = structr.len;
	p = chance(50) ? guard(&structr) - len :
	    structr.base + rnd(structr.len - len + 1);
	for (i = 0; i < len; i++)
		p[i] = chance(50) ? 0 : (char)rnd64();
	if (len >= 4 && chance(80)) {
		uint32_t sz = chance(80) ? PICK(sizes) : (uint32_t)rnd64();

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
	if (cmd == SYSCHAIN_RUN)
		fo_run(&oracle_env, (uintptr_t)p, &verdict);
	else
		fo_probe(&oracle_env, (uintptr_t)p, pinfo.nr_syscalls, &verdict);
	ret = ioctl_checked(cmd, p);
	if (cmd == SYSCHAIN_RUN &&
	    fuzz_mem((uintptr_t)p, sizeof(rep), &rd) == FO_MEM_RW) {
		memcpy(&rep, p, sizeof(rep));
		/* bytes that made a chain a signal interrupted: it ran */
		judge(&verdict, ret == -EINTR ? 0 : ret, &rep, "raw run");
	} else {
		judge(&verdict, ret, NULL, cmd == SYSCHAIN_RUN ? "raw run" :
								 "raw probe");
	}
}

/* a one-op chain (getppid) to register, in the struct at @reg */
static void simple_register(struct syschain_register *reg)
{
	static struct syschain_op op = { .nr = __NR_getppid };

	memset(reg, 0, sizeof(*reg));
	reg->size = sizeof(*reg);
	reg->nr_ops = 1;
	reg->op_size = sizeof(op);
	reg->cond_size = sizeof(struct syschain_cond);
	reg->ops_uptr = (uintptr_t)&op;
}

/* a registered chain's descriptor (not a call of the part), or -1 */
static int simple_chain(void)
{
	struct syschain_register reg;

	simple_register(&reg);
	return ioctl(devfd, SYSCHAIN_REGISTER, &reg) ? -1 : reg.fd;
}

/*
 * part 1: command numbers around SYSCHAIN_TYPE, on the device or on a
 * registered chain's descriptor: the device knows PROBE, RUN and
 * REGISTER, a chain EXEC, and anything else is -ENOTTY
 */
static void fuzz_cmd(uint64_t index)
{
	static const unsigned long known[] = { SYSCHAIN_PROBE, SYSCHAIN_RUN,
					       SYSCHAIN_REGISTER, SYSCHAIN_EXEC };
	struct syschain_probe *pr = (void *)structr.base;
	unsigned int type = SYSCHAIN_TYPE - 4 + rnd(9);
	unsigned int nr = chance(60) ? rnd(4) : rnd(256);
	unsigned int dir = rnd(4), size = chance(50) ? rnd(1 << 14) :
			   (chance(50) ? sizeof(struct syschain_run) :
			    sizeof(struct syschain_probe));
	unsigned long cmd = _IOC(dir, type, nr, size);
	const int chain = chance(40) ? simple_chain() : -1;
	unsigned int k = chance(15) ? rnd(4) : 4;
	bool mine;
	void *arg;
	int ret;

	(void)index;
	if (k < 4)
		cmd = known[k];
	memset(pr, 0, sizeof(*pr));
	pr->size = sizeof(*pr);
	/* now and then a chain a stray REGISTER registers */
	if (cmd == SYSCHAIN_REGISTER && chance(50))
		simple_register((void *)pr);
	arg = chance(80) ? (void *)pr : (void *)(uintptr_t)wild_ptr();
	ret = ioctl_fd_checked(chain >= 0 ? chain : devfd, cmd, arg);
	if (cmd == SYSCHAIN_REGISTER && !ret) {
		close(((struct syschain_register *)arg)->fd);
		sh->cmd_stray_fd++;
	}
	mine = chain >= 0 ? cmd == SYSCHAIN_EXEC :
	       cmd == SYSCHAIN_PROBE || cmd == SYSCHAIN_RUN ||
	       cmd == SYSCHAIN_REGISTER;
	if (!mine && ret != -ENOTTY)
		violation("command 0x%lx on %s returned %d, not -ENOTTY", cmd,
			  chain >= 0 ? "a registered chain" : "the device", ret);
	else if (!mine && k < 4)
		sh->cmd_wrong_fd[k]++;
	if (chain >= 0)
		close(chain);
}

/* part 2: valid chains, a quarter of them mutated in one place */

static struct gen gen;
static sigset_t alarm_set;

static void remember(const struct gen *g, const struct layout *L)
{
	uint32_t i;

	sh->last_run = L->run;
	memset(sh->last_ops, 0, sizeof(sh->last_ops));
	memset(sh->last_conds, 0, sizeof(sh->last_conds));
	for (i = 0; i < 8 && i < L->ops_written; i++)
		sh->last_ops[i] = g->ops[i];
	for (i = 0; i < 8 && i < L->conds_written; i++)
		sh->last_conds[i] = g->conds[i];
}

/*
 * The chain left with -EINTR: a handler (no SA_RESTART) interrupted op
 * stop_op. The struct must say so (status INTERRUPTED, RESUME set, steps
 * and results so far), and calling again goes on: with RESUME_EINTR (the
 * op returns -EINTR) or as it is (the op runs again), at random, until the
 * chain ends. Returns the last answer; none may be an errno but -EINTR.
 */
static int resume_chain(const struct layout *L, const struct fo_verdict *v,
			const char *what)
{
	const uint32_t flags = L->run.flags & ~(SYSCHAIN_RUN_RESUME |
						SYSCHAIN_RUN_RESUME_EINTR);
	const uint64_t base = v->resume ? L->run.steps : 0;
	struct syschain_run rep;
	unsigned int rounds = 0;
	uint64_t sum;
	uint32_t i;
	int ret = -EINTR;

	while (ret == -EINTR) {
		sh->eintr++;
		sh->status[SYSCHAIN_STATUS_INTERRUPTED]++;
		memcpy(&rep, L->runp, sizeof(rep));
		if (rep.status != SYSCHAIN_STATUS_INTERRUPTED ||
		    rep.flags != (flags | SYSCHAIN_RUN_RESUME) ||
		    rep.stop_op >= L->run.nr_ops || rep.stop_cond != FO_NO ||
		    rep.steps < base || v->results_fault) {
			violation("%s: -EINTR (round %u) with status %u flags 0x%x (sent 0x%x) "
				  "stop_op %u stop_cond %u steps %" PRIu64 "%s", what,
				  rounds, rep.status, rep.flags, L->run.flags,
				  rep.stop_op, rep.stop_cond, (uint64_t)rep.steps,
				  v->results_fault ? ", results read-only" : "");
			return ret;
		}
		for (sum = 0, i = 0; v->results == FO_MEM_RW && i < L->run.nr_ops; i++)
			sum += L->res[i].count;
		if (v->results == FO_MEM_RW && sum != rep.steps - base) {
			violation("%s: -EINTR (round %u): counts sum to %" PRIu64
				  ", steps %" PRIu64 " (from %" PRIu64 ")", what,
				  rounds, sum, (uint64_t)rep.steps, base);
			return ret;
		}
		if (++rounds > 200) {
			violation("%s: still -EINTR after 200 resumes", what);
			return ret;
		}
		if (chance(50)) {
			uint32_t f = rep.flags | SYSCHAIN_RUN_RESUME_EINTR;

			memcpy(L->runp + offsetof(struct syschain_run, flags),
			       &f, sizeof(f));
			sh->resumed_eintr++;
		} else {
			sh->resumed_rerun++;
		}
		ret = ioctl(devfd, SYSCHAIN_RUN, L->runp) < 0 ? -errno : 0;
		sh->resumes++;
		sh->progress++;
		fds_dirty = true;
	}
	if (ret)
		violation("%s: resumed after -EINTR, returned %d (%s)", what,
			  ret, strerror(-ret));
	return ret;
}

static void fuzz_chain(uint64_t index)
{
	enum mutation m = M_NONE;
	struct syschain_run rep;
	struct layout L;
	uint64_t uptr;
	char what[96];
	int ret;

	(void)index;
	gen_chain(&gen);
	layout_init(&gen, &L);
	if (chance(MUTATE_PERCENT))
		m = mutate(&gen, &L);
	if (m != M_NONE)
		sh->mutated++;
	sh->mut_made[m]++;
	/* a mutation may have made a loop: keep its budget short */
	if ((!L.run.max_steps || L.run.max_steps > FUZZ_MAX_STEPS) &&
	    chain_loops(&gen, L.ops_written < L.run.nr_ops ? L.ops_written :
			L.run.nr_ops, L.conds_written))
		L.run.max_steps = 1 + rnd(FUZZ_MAX_STEPS);
	memcpy(rmsg, rmsg_tpl, sizeof(*rmsg));
	*addrlen_p = 16;
	uptr = lay_out(&gen, &L);
	/* a read-only page of zeros is what the module reads, if anything */
	if (L.ops_k == P_RO)
		memset(gen.ops, 0, L.ops_written * sizeof(gen.ops[0]));
	if (L.conds_k == P_RO)
		memset(gen.conds, 0, L.conds_written * sizeof(gen.conds[0]));
	fo_run(&oracle_env, uptr, &verdict);
	remember(&gen, &L);
	if (L.run.nr_ops == pinfo.max_ops)
		sh->max_sent++;
	sh->chain_calls++;
	/*
	 * A chain meant to run to its end takes longer than the timer's
	 * period under TCG: hold SIGALRM off (it has no wild argument, so
	 * nothing of it blocks; the watchdog stays).
	 */
	if (gen.full)
		sigprocmask(SIG_BLOCK, &alarm_set, NULL);
	ret = ioctl_checked(SYSCHAIN_RUN, (void *)(uintptr_t)uptr);
	if (gen.full)
		sigprocmask(SIG_UNBLOCK, &alarm_set, NULL);
	snprintf(what, sizeof(what), "chain of %u ops, %u conds, mutation %s",
		 L.run.nr_ops, L.run.nr_conds, mut_names[m]);
	if (err_class(ret) < 0) {
		char ops[200] = "";
		size_t len = 0;
		uint32_t i;

		for (i = 0; i < L.ops_written && i < 8 && len < sizeof(ops); i++)
			len += snprintf(ops + len, sizeof(ops) - len, " %s(%" PRId64 ")",
					has_fuzz_op(gen.ops[i].nr) ?
					fuzz_ops[gen.ops[i].nr].name : "?",
					(gen.ops[i].ref_mask & 1) ? -1 - (int64_t)gen.ops[i].arg_ref[0] :
					(int64_t)gen.ops[i].args[0]);
		violation("%s: errno %d after ops ran? status %u stop_op %u steps %" PRIu64
			  "; ops (arg 0, -1-k: ref to op k):%s", what, ret,
			  ((struct syschain_run *)L.runp)->status,
			  ((struct syschain_run *)L.runp)->stop_op,
			  (uint64_t)((struct syschain_run *)L.runp)->steps, ops);
		return;
	}
	if (ret == -EINTR && L.run_k == P_GOOD && L.huge == H_NONE &&
	    !verdict.unknown) {
		ret = resume_chain(&L, &verdict, what);
		if (ret)
			return;
	}
	if (L.run_k == P_GOOD)
		memcpy(&rep, L.runp, sizeof(rep));
	if (L.huge != H_NONE) {
		unplace_huge(&L);
		if (err_class(ret) >= 0)
			sh->oversized[err_class(ret)]++;
	}
	if (verdict.unknown) {
		violation("%s: memory outside the oracle's model", what);
		return;
	}
	if (L.run_k != P_GOOD) {
		judge(&verdict, ret, NULL, what);
		return;
	}
	judge(&verdict, ret, &rep, what);
	if (!ret)
		check_ran(&gen, &L, &verdict, &rep);
}

/* part 3: the probe */

static uint64_t array_ptr(const struct region *r, size_t len, enum ptr_kind k)
{
	switch (k) {
	case P_GOOD:
		if (len > r->len)
			len = r->len;
		return (uintptr_t)guard(r) - len - 8 * rnd(4);
	case P_STRADDLE:
		return (uintptr_t)guard(r) - (len > 8 ? len - 8 * (1 + rnd(len / 8)) : 0);
	default:
		return special_ptr(k);
	}
}

static enum ptr_kind pick_kind(void)
{
	return chance(85) ? P_GOOD : bad_kind();
}

static void fuzz_probe(uint64_t index)
{
	static const uint32_t sizes[] = { 0, 1, 7, 40, 47, 48, 56, 63, 64, 72,
					  4096, 4097, 8192, 0xffffffff };
	struct syschain_probe *p;
	uint32_t count = pinfo.nr_syscalls, cap, size = sizeof(*p);
	enum ptr_kind k = pick_kind();
	int ret;

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
	if (chance(20))
		size = PICK(sizes);
	if (size <= structr.len && chance(70))
		p = (void *)(guard(&structr) - (size < sizeof(*p) ? sizeof(*p) : size));
	else
		p = (void *)structr.base;
	memset(p, 0, sizeof(*p));
	if (size > sizeof(*p) && size <= structr.len) {
		memset(p, 0, size);
		if (chance(30))
			((char *)p)[sizeof(*p) + rnd(size - sizeof(*p))] = 1;
	}
	p->size = size;
	p->nr_syscalls = cap;
	p->syscalls_uptr = array_ptr(&arena, (size_t)(cap < count ? cap : count) * 4, k);
	if (chance(5))
		p->flags = 1u << rnd(32);
	if (chance(5)) {
		p->abi_version = (uint32_t)rnd64(); /* output: ignored */
		p->max_steps = rnd64();
	}
	if (chance(3))
		p = (void *)(uintptr_t)wild_ptr();
	fo_probe(&oracle_env, (uintptr_t)p, count, &verdict);
	ret = ioctl_checked(SYSCHAIN_PROBE, p);
	judge(&verdict, ret, NULL, "probe");
	if (ret || verdict.unknown)
		return;
	if (p->abi_version != SYSCHAIN_ABI_VERSION || p->nr_syscalls != count ||
	    p->op_size != pinfo.op_size || p->max_ops != pinfo.max_ops ||
	    p->result_size != sizeof(struct syschain_result))
		violation("probe answer changed (abi %u, nr %u)", p->abi_version,
			  p->nr_syscalls);
}

/* ------------------------------------------------------------------ */
/*
 * part 4: registered chains. Each index registers a chain of the
 * generator's, mutated in one place now and then, and judges the answer
 * (the oracle's fo_register()); an accepted chain is then run a few times
 * with SYSCHAIN_EXEC: without patches, with valid patches, with a patch
 * set one patch of which is bad, or with a struct mutated in one place,
 * each judged by fo_exec(). The chain starts with a witness whose results
 * tell its arguments: openat(AT_FDCWD, "witness"), lseek(fd, X, SEEK_SET)
 * (returns X), lseek(fd, <op 1> + A, SEEK_SET) (returns X + A), close(fd).
 * Patches of X (a value) and of A (a reference's addend) must show in the
 * run they come with and in every later one; after a refused set, a run
 * without patches must show the chain as it was.
 */

#define W_OPS		4	/* the witness */
#define FD_CHAIN	40	/* the registered chain's descriptor */
#define REG_MUTATE_PERCENT 60
#define X_MIN		(1ULL << 19)

static uint64_t part_calls;	/* the calls the running part makes */
static bool use_witness;	/* openat, lseek and close are supported */

static bool calls_left(void)
{
	return sh->calls < part_calls;
}

/* the registered chain, as the module must hold it (ops: gen.ops) */
struct sess {
	uint32_t nr_ops, nr_conds;
	bool witness;		/* ops 0-3 are the witness, as generated */
	bool full;		/* SIGALRM held off while it runs */
	uint32_t flags;
	uint64_t max_steps;
	uint64_t index;
	unsigned int step;
};

static uint64_t witness_x(void)
{
	return X_MIN + rnd64() % (1ULL << 39);
}

static uint64_t witness_a(void)
{
	return (uint64_t)((int64_t)rnd(1 << 20) - (1 << 19));
}

/* the witness before the generated ops, whose indices all move up */
static void add_witness(struct gen *g)
{
	struct syschain_op *w = g->ops;
	uint32_t i, k;

	memmove(&g->ops[W_OPS], g->ops, g->n * sizeof(g->ops[0]));
	for (i = W_OPS; i < g->n + W_OPS; i++)
		for (k = 0; k < SYSCHAIN_MAX_ARGS; k++)
			if ((g->ops[i].ref_mask >> k) & 1)
				g->ops[i].arg_ref[k] += W_OPS;
	for (i = 0; i < g->nc; i++) {
		if (g->conds[i].action == SYSCHAIN_ACT_JUMP)
			g->conds[i].target += W_OPS;
		if (g->conds[i].flags & SYSCHAIN_COND_RHS_REF)
			g->conds[i].rhs_ref += W_OPS;
	}
	memset(w, 0, W_OPS * sizeof(*w));
	w[0].nr = __NR_openat;
	w[0].args[0] = (uint64_t)(int64_t)AT_FDCWD;
	w[0].args[1] = (uintptr_t)witness_path;
	w[0].args[2] = O_RDWR | O_CREAT;
	w[0].args[3] = 0644;
	w[1].nr = __NR_lseek;
	set_ref(&w[1], 0, 0, 0);
	w[1].args[1] = witness_x();
	w[1].args[2] = SEEK_SET;
	w[2].nr = __NR_lseek;
	set_ref(&w[2], 0, 0, 0);
	set_ref(&w[2], 1, 1, witness_a());
	w[2].args[2] = SEEK_SET;
	w[3].nr = __NR_close;
	set_ref(&w[3], 0, 0, 0);
	g->n += W_OPS;
	if (g->max_steps && g->max_steps < pinfo.max_steps)
		g->max_steps += W_OPS;
}

/*
 * Did the witness run, and say what the model holds? False if it cannot
 * tell (not run, no descriptor left); a violation if it contradicts.
 */
static bool check_witness(const struct sess *S,
			  const struct syschain_result *res, const char *what)
{
	const struct syschain_op *w = gen.ops;
	const uint64_t x = w[1].args[1], a = w[2].args[1];

	if (!S->witness || !res[0].count || res[0].ret < 0 ||
	    !res[1].count || !res[2].count) {
		sh->witness_skipped++;
		return false;
	}
	if ((uint64_t)res[1].ret != x || (uint64_t)res[2].ret != x + a) {
		violation("%s: witness: lseek returned %" PRId64 " and %" PRId64
			  ", the chain holds X %" PRIu64 " A %" PRId64, what,
			  (int64_t)res[1].ret, (int64_t)res[2].ret, x,
			  (int64_t)a);
		return false;
	}
	sh->witness_checked++;
	return true;
}

/* the struct-level mutations of a register (the rest are the chain's) */
static enum mutation mutate_reg(struct gen *g, struct layout *L,
				struct syschain_register *R)
{
	static const uint32_t small[] = { 0, 1, 4, 8, 48, 55 };
	static const uint32_t big[] = { 60, 64, 72, 128, 4096 };
	enum mutation m;

	do
		m = 1 + rnd(M_NR - 1);
	while ((is_huge(m) && !chance(15)) || m == M_RUN_RESUME ||
	       (m >= M_RESULTS_KERNEL && m <= M_RESULTS_NULL));
	switch (m) {
	case M_SIZE_SMALL: R->size = PICK(small); return m;
	case M_SIZE_BIG: R->size = PICK(big); return m;
	case M_SIZE_TAIL: R->size = PICK(big); L->run_tail = true; return m;
	case M_SIZE_HUGE:
	case M_SIZE_HUGE_TAIL:
		R->size = PICK(huge_sizes);
		L->huge = H_RUN;
		L->run_tail = m == M_SIZE_HUGE_TAIL;
		return m;
	case M_RUN_FLAGS: R->flags |= 1u << (1 + rnd(31)); return m;
	case M_RUN_RESERVED: R->__reserved = 1 + rnd(0xfffffffe); return m;
	case M_STRUCT_RO: L->run_k = P_RO; return m;
	case M_STRUCT_PTR:
		L->run_k = bad_kind();
		if (L->run_k == P_RO)
			L->run_k = P_STRADDLE;
		return m;
	default:
		break;
	}
	if (m < M_OP_NR)
		return mutate_run(g, L, m);
	if (m < M_COND_CMP)
		return mutate_op(g, L, m);
	return mutate_cond(g, L, m);
}

/* the register struct for the chain as L lays it out; R's own fields set */
static uint64_t lay_out_reg(struct layout *L, struct syschain_register *R)
{
	lay_out_arrays(&gen, L);
	R->nr_ops = L->run.nr_ops;
	R->nr_conds = L->run.nr_conds;
	R->op_size = L->run.op_size;
	R->cond_size = L->run.cond_size;
	R->ops_uptr = L->run.ops_uptr;
	R->conds_uptr = L->run.conds_uptr;
	L->runp = L->huge == H_RUN ?
		  place_huge_bytes(L, R, sizeof(*R), R->size) :
		  place_struct_bytes(L, R, sizeof(*R), R->size);
	return (uintptr_t)L->runp;
}

/* what a SYSCHAIN_EXEC of the part submits */
#define EXEC_KINDS(X)							\
	X(PLAIN) X(PATCH) X(PATCH_BIG_SIZE) X(RERUN)			\
	X(BAD_OP) X(BAD_ARG) X(BAD_NO_REF) X(BAD_REF_VALUE) X(BAD_FLAGS) \
	X(BAD_REFUSED) X(TOO_MANY) X(PSIZE_BAD) X(PSIZE_TAIL)		\
	X(PSIZE_HUGE) X(PATCHES_PTR)					\
	X(SIZE_SMALL) X(SIZE_BIG) X(SIZE_TAIL) X(SIZE_HUGE) X(FLAGS)	\
	X(EINTR_ALONE) X(RESUME_OP) X(RESERVED) X(RESULTS_NULL)	\
	X(RESULTS_KERNEL) X(RESULTS_BAD) X(STRUCT_PTR) X(STRUCT_RO)	\
	X(MAX_STEPS)

enum exec_kind {
#define XK_ENUM(name) X_##name,
	EXEC_KINDS(XK_ENUM)
#undef XK_ENUM
	X_NR
};

static const char *const exec_names[] = {
#define XK_NAME(name) #name,
	EXEC_KINDS(XK_NAME)
#undef XK_NAME
};

_Static_assert(X_NR <= 32, "struct shared counts 32 exec kinds");

/* one SYSCHAIN_EXEC: its struct, patches and results, and where they go */
struct xlay {
	struct layout L;	/* the struct's placement, and the results */
	struct syschain_exec ex;
	struct syschain_patch ps[SYSCHAIN_MAX_PATCHES + 9];
	uint32_t np;		/* patches laid out */
	uint32_t psize;		/* their size, as submitted */
	bool nr_set;		/* ex.nr_patches is not np */
	int64_t ptail;		/* the patch with a non-zero tail byte */
	enum ptr_kind pk;	/* patches_uptr */
	bool witness_patch;	/* a patch of X or A */
};

static void exec_init(const struct sess *S, struct xlay *X)
{
	memset(X, 0, sizeof(*X));
	X->L.run.nr_ops = S->nr_ops;	/* for place_results() */
	X->L.op_tail = X->L.cond_tail = -1;
	X->ptail = -1;
	X->psize = sizeof(struct syschain_patch);
	X->ex.size = sizeof(X->ex);
	X->ex.flags = S->flags;
	X->ex.max_steps = S->max_steps;
	/* output fields (and resume_expiry, in only with RESUME) ignored */
	X->ex.steps = rnd64();
	X->ex.status = (uint32_t)rnd64();
	X->ex.stop_op = (uint32_t)rnd64();
	X->ex.stop_cond = (uint32_t)rnd64();
	X->ex.resume_expiry = rnd64();
}

/* an argument no patch of the set names yet (the witness: X, A only) */
static bool patch_target(const struct sess *S, const struct xlay *X,
			 uint32_t *opi, uint16_t *argi)
{
	unsigned int t, j;

	for (t = 0; t < 16; t++) {
		const uint32_t i = rnd(S->nr_ops);
		const int nargs = oracle_nargs(gen.ops[i].nr);
		uint16_t k;

		if (nargs <= 0)
			continue;
		k = (uint16_t)rnd(nargs);
		if (S->witness && i < W_OPS && !((i == 1 || i == 2) && k == 1))
			continue;
		for (j = 0; j < X->np; j++)
			if (X->ps[j].op == i && X->ps[j].arg == k)
				break;
		if (j < X->np)
			continue;
		*opi = i;
		*argi = k;
		return true;
	}
	return false;
}

/* a valid patch of argument @k of op @i: a sane value, or an addend */
static void add_patch(const struct sess *S, struct xlay *X, uint32_t i,
		      uint16_t k)
{
	const struct syschain_op *op = &gen.ops[i];
	struct syschain_patch *p = &X->ps[X->np++];
	const bool ref = (op->ref_mask >> k) & 1;

	p->op = i;
	p->arg = k;
	p->flags = ref ? SYSCHAIN_PATCH_REF : 0;
	if (S->witness && i < W_OPS) {
		p->value = i == 1 ? witness_x() : witness_a();
		X->witness_patch = true;
	} else if (ref) {
		p->value = (uint64_t)(int64_t)(rnd(5) - 2);
	} else {
		const enum akind kind = has_fuzz_op(op->nr) ?
				arg_kind(&fuzz_ops[op->nr], k) : K_ZERO;
		const bool fixed = kind == K_CLOCK || kind == K_SCLOCK ||
				   kind == K_PID || kind == K_KPID ||
				   kind == K_SIG;

		p->value = arg_value(kind);
		if (!fixed && chance(4))
			p->value = wild_arg();
	}
}

/* valid patches, distinct arguments: mostly a few, now and then many */
static void gen_patches(const struct sess *S, struct xlay *X)
{
	const uint32_t n = chance(8) ? 7 + rnd(SYSCHAIN_MAX_PATCHES - 6) :
				       1 + rnd(6);
	uint32_t i;
	uint16_t k;

	if (S->witness && chance(60))
		add_patch(S, X, 1 + rnd(2), 1);
	while (X->np < n && patch_target(S, X, &i, &k))
		add_patch(S, X, i, k);
}

/* an argument that is a reference (@ref) or a value, else false */
static bool find_arg(const struct sess *S, bool ref, struct syschain_patch *p)
{
	uint32_t t, i = rnd(S->nr_ops);
	int k;

	for (t = 0; t < S->nr_ops && t < 512; t++, i = (i + 1) % S->nr_ops) {
		const struct syschain_op *op = &gen.ops[i];

		for (k = 0; k < oracle_nargs(op->nr); k++)
			if (((op->ref_mask >> k) & 1) == ref) {
				p->op = i;
				p->arg = (uint16_t)k;
				return true;
			}
	}
	return false;
}

/* a patch that gives an op README's "Refused" arguments, else false */
static bool refused_patch(const struct sess *S, struct syschain_patch *p)
{
	static const uint32_t cpu[] = { CLOCK_PROCESS_CPUTIME_ID,
					CLOCK_THREAD_CPUTIME_ID,
					(uint32_t)-2, (uint32_t)-6 };
	uint32_t t, i = rnd(S->nr_ops);

	for (t = 0; t < S->nr_ops && t < 512; t++, i = (i + 1) % S->nr_ops) {
		switch (gen.ops[i].nr) {
		case __NR_clock_gettime:
		case __NR_clock_getres:
			p->value = PICK(cpu);
			break;
		case __NR_clock_nanosleep:
			p->value = chance(50) ? PICK(cpu) :
				   CLOCK_REALTIME_ALARM + rnd(2);
			break;
		case __NR_kill:
			p->value = chance(50) ? 0 : (uint64_t)-1;
			break;
		default:
			continue;
		}
		p->op = i;
		p->arg = 0;
		return true;
	}
	return false;
}

/* one bad patch (@k), among the valid ones at a random place */
static enum exec_kind bad_patch(const struct sess *S, struct xlay *X,
				enum exec_kind k)
{
	struct syschain_patch bad = { .value = wild_arg() };
	uint32_t j, pos;
	int nargs;

	bad.op = rnd(S->nr_ops);
	nargs = oracle_nargs(gen.ops[bad.op].nr);
	nargs = nargs < 0 ? 0 : nargs;
	if ((k == X_BAD_NO_REF && !find_arg(S, true, &bad)) ||
	    (k == X_BAD_REF_VALUE && !find_arg(S, false, &bad)) ||
	    (k == X_BAD_FLAGS && !patch_target(S, X, &bad.op, &bad.arg)) ||
	    (k == X_BAD_REFUSED && !refused_patch(S, &bad)))
		k = X_BAD_ARG;
	switch (k) {
	case X_BAD_OP:
		bad.op = chance(80) ? S->nr_ops + rnd(4) : 0xffffffff - rnd(2);
		break;
	case X_BAD_ARG:
		bad.arg = (uint16_t)(nargs + (chance(60) ?
			  rnd(SYSCHAIN_MAX_ARGS + 3 - nargs) : rnd(65536 - nargs)));
		break;
	case X_BAD_REF_VALUE:
		bad.flags = SYSCHAIN_PATCH_REF;
		break;
	case X_BAD_FLAGS:
		bad.flags = ((gen.ops[bad.op].ref_mask >> bad.arg) & 1) |
			    1u << (1 + rnd(15));
		break;
	default:
		break;
	}
	/* no other patch of the set names the same argument */
	for (j = 0; j < X->np; j++)
		if (X->ps[j].op == bad.op && X->ps[j].arg == bad.arg)
			X->ps[j--] = X->ps[--X->np];
	if (X->np == SYSCHAIN_MAX_PATCHES)
		X->np--;
	pos = rnd(X->np + 1);
	memmove(&X->ps[pos + 1], &X->ps[pos], (X->np - pos) * sizeof(bad));
	X->ps[pos] = bad;
	X->np++;
	return k;
}

/* the patch array's count, size or pointer (@k) */
static enum exec_kind bad_array(struct xlay *X, enum exec_kind k)
{
	static const uint32_t bad_sizes[] = { 0, 8, 12, 15, 17, 20, 23 };
	static const uint32_t tail_sizes[] = { 24, 32, 64, 256 };
	static const uint32_t huge_psizes[] = { 4104, 8192, 65536 };
	const struct syschain_patch zero = { 0 };

	if (!X->np)
		X->ps[X->np++] = zero;
	switch (k) {
	case X_TOO_MANY: {
		const uint32_t n = SYSCHAIN_MAX_PATCHES + 1 + rnd(8);

		while (X->np < n) {
			X->ps[X->np] = X->ps[rnd(X->np)];
			X->np++;
		}
		if (chance(20)) {
			X->ex.nr_patches = 0xffffffff - rnd(2);
			X->nr_set = true;
		}
		break;
	}
	case X_PSIZE_BAD:
		X->psize = PICK(bad_sizes);
		if (chance(20))
			X->np = 0;	/* unused: the uapi leaves it open */
		break;
	case X_PSIZE_TAIL:
		X->psize = PICK(tail_sizes);
		X->ptail = rnd(X->np);
		break;
	case X_PSIZE_HUGE:
		X->psize = PICK(huge_psizes);
		break;
	default:	/* X_PATCHES_PTR */
		X->pk = bad_kind();
		if (chance(20))
			X->np = 0;	/* unused: the uapi leaves it open */
		break;
	}
	return k;
}

/* the struct's own members (@k); valid patches or none */
static enum exec_kind mutate_exec(const struct sess *S, struct xlay *X,
				  enum exec_kind k)
{
	static const uint32_t small[] = { 0, 1, 4, 8, 64, 71 };
	static const uint32_t big[] = { 76, 80, 88, 128, 4096 };
	static const enum ptr_kind rk[] = { P_RO, P_NONE, P_UNMAPPED,
					    P_STRADDLE, P_SMALL };
	struct syschain_exec *ex = &X->ex;

	switch (k) {
	case X_SIZE_SMALL: ex->size = PICK(small); break;
	case X_SIZE_BIG: ex->size = PICK(big); break;
	case X_SIZE_TAIL: ex->size = PICK(big); X->L.run_tail = true; break;
	case X_SIZE_HUGE:
		ex->size = PICK(huge_sizes);
		X->L.huge = H_RUN;
		X->L.run_tail = chance(50);
		break;
	case X_FLAGS: ex->flags |= 1u << (3 + rnd(29)); break;
	case X_EINTR_ALONE: ex->flags |= SYSCHAIN_RUN_RESUME_EINTR; break;
	case X_RESUME_OP:
		ex->flags |= SYSCHAIN_RUN_RESUME |
			     (chance(50) ? SYSCHAIN_RUN_RESUME_EINTR : 0);
		ex->stop_op = chance(80) ? S->nr_ops + rnd(4) : 0xffffffff;
		break;
	case X_RESERVED: ex->__reserved = 1 + rnd(0xfffffffe); break;
	case X_RESULTS_NULL: X->L.res_k = P_NULL; break;
	case X_RESULTS_KERNEL: X->L.res_k = P_KERNEL; break;
	case X_RESULTS_BAD: X->L.res_k = PICK(rk); break;
	case X_STRUCT_RO: X->L.run_k = P_RO; break;
	case X_STRUCT_PTR:
		X->L.run_k = bad_kind();
		if (X->L.run_k == P_RO)
			X->L.run_k = P_STRADDLE;
		break;
	default:	/* X_MAX_STEPS: valid, a short budget */
		ex->max_steps = 1 + rnd(W_OPS);
		break;
	}
	return k;
}

static uint64_t lay_out_exec(struct xlay *X)
{
	struct syschain_exec *ex = &X->ex;

	if (!X->nr_set)
		ex->nr_patches = X->np;
	ex->patch_size = X->psize;
	if (!X->np && X->psize == sizeof(X->ps[0]) && chance(50))
		ex->patch_size = 0;
	if (X->psize > PAGE)	/* refused unread */
		ex->patches_uptr = (uintptr_t)opsr.base;
	else if (!X->np && X->pk == P_GOOD && chance(50))
		ex->patches_uptr = 0;
	else
		ex->patches_uptr = place_array(&opsr, X->ps, sizeof(X->ps[0]),
					       X->np, X->psize, X->pk, X->ptail);
	X->L.res = place_results(&X->L);
	ex->results_uptr = (uintptr_t)X->L.res;
	X->L.runp = X->L.huge == H_RUN ?
		    place_huge_bytes(&X->L, ex, sizeof(*ex), ex->size) :
		    place_struct_bytes(&X->L, ex, sizeof(*ex), ex->size);
	return (uintptr_t)X->L.runp;
}

/*
 * An EXEC left with -EINTR: as resume_chain() for a run, on the exec
 * struct. RESUME_EINTR only past the witness, whose results must hold.
 */
static int exec_resume(const struct sess *S, struct xlay *X, const char *what)
{
	const uint32_t flags = X->ex.flags & ~(SYSCHAIN_RUN_RESUME |
					       SYSCHAIN_RUN_RESUME_EINTR);
	struct syschain_exec rep;
	unsigned int rounds = 0;
	int ret = -EINTR;

	while (ret == -EINTR) {
		sh->eintr++;
		sh->status[SYSCHAIN_STATUS_INTERRUPTED]++;
		memcpy(&rep, X->L.runp, sizeof(rep));
		if (rep.status != SYSCHAIN_STATUS_INTERRUPTED ||
		    rep.flags != (flags | SYSCHAIN_RUN_RESUME) ||
		    rep.stop_op >= S->nr_ops || rep.stop_cond != FO_NO) {
			violation("%s: -EINTR (round %u) with status %u flags 0x%x "
				  "(sent 0x%x) stop_op %u stop_cond %u", what,
				  rounds, rep.status, rep.flags, X->ex.flags,
				  rep.stop_op, rep.stop_cond);
			return ret;
		}
		if (++rounds > 200) {
			violation("%s: still -EINTR after 200 resumes", what);
			return ret;
		}
		if (chance(50) && rep.stop_op >= W_OPS) {
			rep.flags |= SYSCHAIN_RUN_RESUME_EINTR;
			memcpy(X->L.runp + offsetof(struct syschain_exec, flags),
			       &rep.flags, sizeof(rep.flags));
			sh->resumed_eintr++;
		} else {
			sh->resumed_rerun++;
		}
		ret = ioctl(FD_CHAIN, SYSCHAIN_EXEC, X->L.runp) < 0 ? -errno : 0;
		sh->resumes++;
		sh->progress++;
		fds_dirty = true;
	}
	if (ret)
		violation("%s: resumed after -EINTR, returned %d (%s)", what,
			  ret, strerror(-ret));
	return ret;
}

/* the registered chain's model takes the patches the module read */
static uint32_t apply_patches(const struct syschain_exec *ex, uint32_t nr_ops)
{
	struct syschain_patch p;
	uint32_t i;

	for (i = 0; i < ex->nr_patches; i++) {
		memcpy(&p, (const char *)fo_ptr(ex->patches_uptr) +
			   (uint64_t)i * ex->patch_size, sizeof(p));
		if (p.op < nr_ops && p.arg < SYSCHAIN_MAX_ARGS)
			gen.ops[p.op].args[p.arg] = p.value;
	}
	return ex->nr_patches;
}

static bool witness_ok;	/* the last EXEC's witness said the model's values */

/* An EXEC that ran: its report, the model, the witness. */
static void exec_ran(const struct sess *S, const struct xlay *X,
		     const struct syschain_run *rep, const char *what)
{
	struct layout L;
	uint32_t n;

	memset(&L, 0, sizeof(L));
	L.run.nr_ops = S->nr_ops;
	L.run.nr_conds = S->nr_conds;
	L.run.flags = X->ex.flags;
	L.run.max_steps = X->ex.max_steps;
	L.res = X->L.res;
	L.res_k = X->L.res_k;
	check_ran(&gen, &L, &verdict, rep);
	sh->exec_ran++;
	n = apply_patches(&X->ex, S->nr_ops);
	if (n) {
		sh->exec_patched++;
		sh->patches_applied += n;
	}
	if (verdict.results_fault || rep->status == SYSCHAIN_STATUS_FAULT)
		return;
	witness_ok = check_witness(S, X->L.res, what);
	if (witness_ok && X->witness_patch)
		sh->witness_patched++;
}

/* A refused EXEC ran nothing: the results are as they were. */
static void exec_refused(const struct xlay *X, const char *what)
{
	const unsigned char *r = (const unsigned char *)X->L.res;
	uint64_t i;

	if (X->L.res_k != P_GOOD)
		return;
	for (i = 0; i < (uint64_t)X->L.run.nr_ops * 16; i++)
		if (r[i] != 0xa5) {
			violation("%s: refused, but the results were written (byte %" PRIu64
				  ")", what, i);
			return;
		}
}

/* One EXEC, laid out as @X says: submitted, resumed, judged, checked. */
static int exec_call(const struct sess *S, struct xlay *X, const char *what)
{
	const uint64_t uptr = lay_out_exec(X);
	struct syschain_exec back;
	struct syschain_run rep;
	int ret, reason;

	fo_exec(&oracle_env, uptr, S->nr_ops, gen.ops, &verdict);
	witness_ok = false;
	memcpy(rmsg, rmsg_tpl, sizeof(*rmsg));
	*addrlen_p = 16;
	syscall(__NR_close_range, FD_FREE, FD_CHAIN - 1, 0);
	syscall(__NR_close_range, FD_CHAIN + 1, ~0U, 0);
	sh->exec_calls++;
	if (S->full)
		sigprocmask(SIG_BLOCK, &alarm_set, NULL);
	ret = ioctl_fd_checked(FD_CHAIN, SYSCHAIN_EXEC, (void *)(uintptr_t)uptr);
	if (S->full)
		sigprocmask(SIG_UNBLOCK, &alarm_set, NULL);
	if (ret == -EINTR && X->L.run_k == P_GOOD && X->L.huge == H_NONE &&
	    !verdict.unknown)
		ret = exec_resume(S, X, what);
	if (X->L.huge != H_NONE)
		unplace_huge(&X->L);
	if (verdict.unknown) {
		violation("%s: memory outside the oracle's model", what);
		return ret;
	}
	if (X->L.run_k != P_GOOD || X->L.huge != H_NONE) {
		reason = judge(&verdict, ret, NULL, what);
	} else {
		memcpy(&back, X->L.runp, sizeof(back));
		memset(&rep, 0, sizeof(rep));
		rep.flags = back.flags;
		rep.steps = back.steps;
		rep.status = back.status;
		rep.stop_op = back.stop_op;
		rep.stop_cond = back.stop_cond;
		if (ret)	/* steps is the caller's on a refusal */
			rep.steps = 0;
		reason = judge(&verdict, ret, &rep, what);
		if (!ret)
			exec_ran(S, X, &rep, what);
	}
	if (reason >= 0)
		sh->exec_reason[reason]++;
	if (ret && ret != -EINTR)
		exec_refused(X, what);
	return ret;
}

/* one EXEC of the session: plain, patched, a bad patch, a bad struct */
static void exec_one(const struct sess *S)
{
	static struct xlay X;
	const uint32_t r = rnd(100);
	enum exec_kind k;
	char what[160];
	int ret;

	exec_init(S, &X);
	if (r < 15) {
		k = X_PLAIN;
	} else if (r < 40) {
		static const uint32_t big[] = { 24, 32, 64, 4096 };

		gen_patches(S, &X);
		k = chance(15) ? X_PATCH_BIG_SIZE : X_PATCH;
		if (k == X_PATCH_BIG_SIZE)
			X.psize = PICK(big);
	} else if (r < 75) {
		gen_patches(S, &X);
		k = X_BAD_OP + rnd(X_PATCHES_PTR - X_BAD_OP + 1);
		k = k <= X_BAD_REFUSED ? bad_patch(S, &X, k) : bad_array(&X, k);
	} else {
		if (chance(50))
			gen_patches(S, &X);
		k = X_SIZE_SMALL + rnd(X_MAX_STEPS - X_SIZE_SMALL + 1);
		k = mutate_exec(S, &X, k);
	}
	sh->exec_made[k]++;
	snprintf(what, sizeof(what), "exec %u of a chain of %u ops: %s, %u patches",
		 S->step, S->nr_ops, exec_names[k], X.np);
	ret = exec_call(S, &X, what);
	if (!ret || ret == -EINTR || !X.np || !S->witness || !calls_left())
		return;
	/* a refused patch set applied nothing: the chain runs as before */
	exec_init(S, &X);
	sh->exec_made[X_RERUN]++;
	snprintf(what, sizeof(what), "exec %u of a chain of %u ops: run after a refused %s",
		 S->step, S->nr_ops, exec_names[k]);
	if (!exec_call(S, &X, what) && witness_ok)
		sh->refused_rerun++;
}

/* the EXECs of a registered chain, each seeded by (index, step) */
static void run_session(struct sess *S)
{
	const unsigned int n = 1 + rnd(8);
	unsigned int j;

	for (j = 0; j < n && calls_left(); j++) {
		reseed(seed ^ ((uint64_t)(j + 1) * 0x9e3779b97f4a7c15ULL), 4,
		       S->index);
		S->step = j;
		exec_one(S);
	}
}

/* An accepted register: its report, the descriptor, then the runs. */
static void registered(struct layout *L, const struct syschain_register *R,
		       const struct syschain_op *wit, uint64_t index)
{
	struct syschain_register back;
	struct sess S;
	int fl;

	memcpy(&back, L->runp, sizeof(back));
	sh->reg_ok++;
	fl = fcntl(back.fd, F_GETFD);
	if (back.fd < 0 || fl < 0 || back.stop_op != FO_NO ||
	    back.stop_cond != FO_NO ||
	    !(fl & FD_CLOEXEC) != !(R->flags & SYSCHAIN_REGISTER_CLOEXEC)) {
		violation("register accepted: fd %d (F_GETFD %d, flags 0x%x) stop_op %u stop_cond %u",
			  back.fd, fl, R->flags, back.stop_op, back.stop_cond);
		if (fl >= 0)
			close(back.fd);
		return;
	}
	if (back.fd != FD_CHAIN) {
		dup2(back.fd, FD_CHAIN);
		close(back.fd);
	}
	memset(&S, 0, sizeof(S));
	S.nr_ops = R->nr_ops;
	S.nr_conds = R->nr_conds;
	S.witness = use_witness && S.nr_ops >= W_OPS &&
		    !memcmp(gen.ops, wit, W_OPS * sizeof(*wit));
	S.full = gen.full;
	S.flags = gen.flags;
	S.max_steps = L->run.max_steps;
	S.index = index;
	run_session(&S);
	close(FD_CHAIN);
}

static void fuzz_reg(uint64_t index)
{
	static struct syschain_op wit[W_OPS];
	enum mutation m = M_NONE;
	struct syschain_register R, back;
	struct syschain_run rep;
	struct layout L;
	char what[96];
	int ret, reason;

	/* the descriptors the last runs left: the register needs one */
	syscall(__NR_close_range, FD_FREE, ~0U, 0);
	gen.reserve = use_witness ? W_OPS : 0;
	gen_chain(&gen);
	gen.reserve = 0;
	if (use_witness)
		add_witness(&gen);
	memcpy(wit, gen.ops, sizeof(wit));
	layout_init(&gen, &L);
	memset(&R, 0, sizeof(R));
	R.size = sizeof(R);
	R.flags = chance(50) ? SYSCHAIN_REGISTER_CLOEXEC : 0;
	R.fd = (int32_t)rnd64();	/* output fields: ignored */
	R.stop_op = (uint32_t)rnd64();
	R.stop_cond = (uint32_t)rnd64();
	if (chance(REG_MUTATE_PERCENT))
		m = mutate_reg(&gen, &L, &R);
	if (m != M_NONE)
		sh->mutated++;
	sh->mut_made[m]++;
	/* a mutation may have made a loop: runs keep a short budget */
	if ((!L.run.max_steps || L.run.max_steps > FUZZ_MAX_STEPS + W_OPS) &&
	    chain_loops(&gen, L.ops_written < L.run.nr_ops ? L.ops_written :
			L.run.nr_ops, L.conds_written))
		L.run.max_steps = W_OPS + 1 + rnd(FUZZ_MAX_STEPS);
	lay_out_reg(&L, &R);
	if (L.ops_k == P_RO)
		memset(gen.ops, 0, L.ops_written * sizeof(gen.ops[0]));
	if (L.conds_k == P_RO)
		memset(gen.conds, 0, L.conds_written * sizeof(gen.conds[0]));
	fo_register(&oracle_env, (uintptr_t)L.runp, &verdict);
	remember(&gen, &L);
	sh->reg_calls++;
	ret = ioctl_checked(SYSCHAIN_REGISTER, L.runp);
	if (L.huge != H_NONE)
		unplace_huge(&L);
	snprintf(what, sizeof(what), "register of %u ops, %u conds, mutation %s",
		 R.nr_ops, R.nr_conds, mut_names[m]);
	if (verdict.unknown) {
		violation("%s: memory outside the oracle's model", what);
		return;
	}
	if (L.run_k != P_GOOD || L.huge != H_NONE) {
		reason = judge(&verdict, ret, NULL, what);
	} else {
		memcpy(&back, L.runp, sizeof(back));
		memset(&rep, 0, sizeof(rep));
		rep.status = SYSCHAIN_STATUS_INVALID;	/* it has none */
		rep.stop_op = back.stop_op;
		rep.stop_cond = back.stop_cond;
		reason = judge(&verdict, ret, &rep, what);
	}
	if (reason >= 0)
		sh->reg_reason[reason]++;
	if (!ret && L.run_k == P_GOOD && L.huge == H_NONE)
		registered(&L, &R, wit, index);
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
	{ "chains", fuzz_chain, 550 },
	{ "probe", fuzz_probe, 100 },
	{ "registered", fuzz_reg, 150 },
};
#define PART_CHAINS	2
#define PART_PROBE	3
#define PART_REG	4

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
	sigemptyset(&alarm_set);
	sigaddset(&alarm_set, SIGALRM);
	if (setitimer(ITIMER_REAL, &(struct itimerval){
			.it_interval = { 0, 50000 }, .it_value = { 0, 50000 } },
		      NULL))
		_exit(87);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	dup2(dev, FD_DEV);
	devfd = FD_DEV;
	syscall(__NR_close_range, FD_DEV + 1, ~0U, 0);
	if (setrlimit(RLIMIT_NOFILE, &nofile) || setrlimit(RLIMIT_FSIZE, &fsize))
		_exit(85);
	make_socks();
}

/* the ops the probe lists, by syscall number, and the generator's pool */
static void setup_ops(void)
{
	unsigned int i, w;

	setup_fuzz_ops();
	memset(supported, 0, sizeof(supported));
	npool = 0;
	for (i = 0; i < pinfo.nr_syscalls; i++) {
		supported[sup[i]] = true;
		for (w = 0; w < fuzz_ops[sup[i]].weight; w++)
			pool[npool++] = (uint16_t)sup[i];
	}
	oracle_env.max_ops = pinfo.max_ops;
	oracle_env.max_conds = pinfo.max_conds;
	use_witness = supported[__NR_openat] && supported[__NR_lseek] &&
		      supported[__NR_close] && pinfo.max_ops > W_OPS;
}

static void child_main(int part, uint64_t calls)
{
	struct stat st;
	uint64_t i;

	confine();
	if (fstat(devfd, &st))
		_exit(86);
	devrdev = st.st_rdev;
	setup_ops();
	setup_memory();
	gen.ops = calloc(pinfo.max_ops + 2, sizeof(*gen.ops));
	gen.conds = calloc(pinfo.max_conds + 4, sizeof(*gen.conds));
	if (!gen.ops || !gen.conds)
		_exit(88);
	/* one call per index; the registered part's make several */
	part_calls = calls;
	for (i = 0; calls_left(); i++) {
		sh->part = part;
		sh->index = i;
		keep_fds(i);
		reseed(seed, part, i);
		parts[part].fn(i);
	}
	sh->done = 1;
	_exit(0);
}

/* The module's limits and ops; every op it lists must be in fuzz_ops[]. */
static void probe_module(void)
{
	struct syschain_probe p = { .size = sizeof(p) };
	unsigned int i;

	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	p.nr_syscalls = sizeof(sup) / sizeof(sup[0]);
	p.syscalls_uptr = (uintptr_t)sup;
	assert_int_equal(g_ioctl(SYSCHAIN_PROBE, &p), 0);
	assert_true(p.nr_syscalls <= sizeof(sup) / sizeof(sup[0]));
	pinfo = p;
	for (i = 0; i < p.nr_syscalls; i++)
		if (!has_fuzz_op(sup[i]))
			fail_msg("the module supports syscall %u, which the fuzzer's op table lacks",
				 sup[i]);
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


static void print_counts(const char *what, const volatile uint64_t *c,
			 const char *const *names, unsigned int n, bool all)
{
	unsigned int i;

	printf("%s", what);
	for (i = 0; i < n; i++)
		if (c[i] || all)
			printf(" %s=%" PRIu64, names[i], c[i]);
}

static void print_reasons(const char *what, const volatile uint64_t *c)
{
	unsigned int i;

	printf("%s", what);
	for (i = 0; i < FO_NR_REASONS; i++)
		if (c[i])
			printf(" %s=%" PRIu64, fo_reasons[i].name, c[i]);
	printf("\n");
}

static void print_registered(void)
{
	printf("fuzz registered: REGISTER %" PRIu64 " (accepted %" PRIu64 ", mutated %" PRIu64
	       "), EXEC %" PRIu64 " (ran %" PRIu64 ", with patches applied %" PRIu64
	       ", %" PRIu64 " patches), witness checked %" PRIu64 " (after a patch of it %" PRIu64
	       ", skipped %" PRIu64 "), refused sets found unapplied %" PRIu64 "\n",
	       sh->reg_calls, sh->reg_ok, sh->mutated, sh->exec_calls, sh->exec_ran,
	       sh->exec_patched, sh->patches_applied, sh->witness_checked,
	       sh->witness_patched, sh->witness_skipped, sh->refused_rerun);
	print_reasons("fuzz registered: REGISTER rules hit:", sh->reg_reason);
	print_reasons("fuzz registered: EXEC rules hit:", sh->exec_reason);
	print_counts("fuzz registered: EXEC kinds", sh->exec_made, exec_names,
		     X_NR, true);
	print_counts(";\nfuzz registered: runs: status", sh->status,
		     status_names, SYSCHAIN_STATUS_FAULT + 1, true);
	printf(", interrupted (-EINTR) %" PRIu64 " (RESUME_EINTR %" PRIu64 ", op run again %" PRIu64 ")\n",
	       sh->eintr, sh->resumed_eintr, sh->resumed_rerun);
}

static void print_part(int part, double secs)
{
	const char *name = parts[part].name;
	unsigned int i;

	printf("fuzz %s: seed 0x%" PRIx64 ", %" PRIu64 " ioctls in %.1f s, "
	       "%" PRIu64 " judged by the oracle, %" PRIu64 " not (memory outside its model)\n",
	       name, seed, sh->calls, secs, sh->judged, sh->unjudged);
	printf("fuzz %s:", name);
	print_counts(" returns", sh->err, err_names, NR_ERR, false);
	printf("\n");
	printf("fuzz %s: rules hit:", name);
	for (i = 0; i < FO_NR_REASONS; i++)
		if (sh->reason[i])
			printf(" %s=%" PRIu64, fo_reasons[i].name, sh->reason[i]);
	printf("\n");
	for (i = 0; i < FO_NR_REASONS; i++)
		if (sh->unspec_ran[i] || sh->unspec_refused[i])
			printf("fuzz %s: unspecified by the uapi: %s: ran %" PRIu64
			       ", refused %" PRIu64 "\n", name, fo_reasons[i].name,
			       sh->unspec_ran[i], sh->unspec_refused[i]);
	if (part == 1)
		printf("fuzz commands: -ENOTTY for EXEC on the device %" PRIu64
		       ", for PROBE/RUN/REGISTER on a chain %" PRIu64 "/%" PRIu64
		       "/%" PRIu64 "; stray REGISTER descriptors closed %" PRIu64 "\n",
		       sh->cmd_wrong_fd[3], sh->cmd_wrong_fd[0],
		       sh->cmd_wrong_fd[1], sh->cmd_wrong_fd[2], sh->cmd_stray_fd);
	if (part == PART_REG)
		print_registered();
	if (part != PART_CHAINS)
		return;
	printf("fuzz summary: calls %" PRIu64 ", chains run %" PRIu64 " (%.1f%% of the chain ioctls ran ops), "
	       "max-size (%u ops) run %" PRIu64 " of %" PRIu64 " (%" PRIu64 " to the end), mutated %" PRIu64 ",",
	       sh->calls, sh->ran, sh->chain_calls ? 100.0 * sh->ran_ops / sh->chain_calls : 0.0,
	       pinfo.max_ops, sh->max_ran, sh->max_sent, sh->max_full, sh->mutated);
	print_counts(" status", sh->status, status_names, SYSCHAIN_STATUS_FAULT + 1, true);
	print_counts(", rejected", sh->err + 1, err_names + 1, NR_ERR - 2, false);
	printf("\n");
	printf("fuzz summary: interrupted (-EINTR) %" PRIu64 ", resumed with RESUME_EINTR %" PRIu64
	       ", op run again %" PRIu64 " (%" PRIu64 " resuming ioctls, not in calls); "
	       "RESUME mutations %" PRIu64 ", of which ran %" PRIu64 "\n",
	       sh->eintr, sh->resumed_eintr, sh->resumed_rerun, sh->resumes,
	       sh->mut_made[M_RUN_RESUME], sh->resume_mut_ran);
	printf("fuzz summary: oversized (a page to 64 MiB): struct %" PRIu64 " + %" PRIu64
	       " with a tail, ops %" PRIu64 " + %" PRIu64 ", conds %" PRIu64 " + %" PRIu64 ";",
	       sh->mut_made[M_SIZE_HUGE], sh->mut_made[M_SIZE_HUGE_TAIL],
	       sh->mut_made[M_OP_SIZE_HUGE], sh->mut_made[M_OP_HUGE_TAIL],
	       sh->mut_made[M_COND_SIZE_HUGE], sh->mut_made[M_COND_HUGE_TAIL]);
	print_counts(" answers", sh->oversized, err_names, NR_ERR, false);
	printf("\n");
}

/* the rules the chains part must hit: all but the probe's and the open ones */
static bool chain_rule(unsigned int r)
{
	if (r >= FO_FIRST_REGISTERED)
		return false;
	switch (r) {
	case FO_PROBE_FLAGS:
	case FO_PROBE_LIST_FAULT:
	case FO_OP_COND_UNUSED:
	case FO_EMPTY_PTR:
		return false;
	}
	return true;
}

static void add_missing(char *buf, size_t size, const char *what)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, " %s", what);
}

/* What a run of the chains part must have reached. */
static void assert_chain_coverage(void)
{
	char miss[2048] = "";
	unsigned int i;

	for (i = 0; i < pinfo.nr_syscalls; i++)
		if (!sh->op_ran[sup[i]])
			add_missing(miss, sizeof(miss),
				    fuzz_ops[sup[i]].name);
	/*
	 * every status but INVALID, a refusal, and DENIED (see the top of
	 * the file); INTERRUPTED counts the -EINTR returns
	 */
	for (i = 0; i <= SYSCHAIN_STATUS_FAULT; i++)
		if (!sh->status[i])
			add_missing(miss, sizeof(miss), status_names[i]);
	if (!sh->resumed_eintr)
		add_missing(miss, sizeof(miss), "resume-with-RESUME_EINTR");
	if (!sh->resumed_rerun)
		add_missing(miss, sizeof(miss), "resume-running-the-op-again");
	if (!sh->resume_mut_ran)
		add_missing(miss, sizeof(miss), "RESUME-mutation-run");
	for (i = 0; i < FO_NR_REASONS; i++)
		if (chain_rule(i) && !sh->reason[i])
			add_missing(miss, sizeof(miss), fo_reasons[i].name);
	if (!sh->max_ran)
		add_missing(miss, sizeof(miss), "max-size-chain");
	for (i = 0; i < M_NR; i++)
		if (is_huge(i) && !sh->mut_made[i])
			add_missing(miss, sizeof(miss), mut_names[i]);
	if (miss[0])
		fail_msg("fuzz chains: never reached:%s (seed 0x%" PRIx64 ")",
			 miss, seed);
	if (sh->ran_ops * 2 < sh->chain_calls)
		fail_msg("fuzz chains: only %" PRIu64 " of %" PRIu64
			 " chain ioctls ran ops (seed 0x%" PRIx64 ")",
			 sh->ran_ops, sh->chain_calls, seed);
}

static void assert_probe_coverage(void)
{
	static const unsigned int rules[] = { FO_PROBE_FLAGS, FO_PROBE_LIST_FAULT,
					      FO_SIZE_SMALL, FO_SIZE_TAIL,
					      FO_STRUCT_FAULT };
	char miss[512] = "";
	unsigned int i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!sh->reason[rules[i]])
			add_missing(miss, sizeof(miss), fo_reasons[rules[i]].name);
	if (miss[0])
		fail_msg("fuzz probe: never reached:%s (seed 0x%" PRIx64 ")",
			 miss, seed);
}

/* the rules each REGISTER and EXEC of the registered part must have hit */
static const unsigned int reg_rules[] = {
	FO_STRUCT_FAULT, FO_SIZE_SMALL, FO_SIZE_TAIL, FO_SIZE_PAGE,
	FO_REG_FLAGS, FO_REG_RESERVED, FO_NR_OPS_ZERO, FO_OP_SIZE,
	FO_COND_SIZE, FO_NR_OPS_LIMIT, FO_NR_CONDS_LIMIT, FO_OPS_FAULT,
	FO_CONDS_FAULT, FO_OP_TAIL, FO_COND_TAIL, FO_OP_UNSUPPORTED,
	FO_OP_REFUSED, FO_OP_FLAGS, FO_OP_REF_MASK, FO_OP_ARG_PAST,
	FO_OP_REF_LATER, FO_OP_REF_PLAIN, FO_OP_CONDS_PAST, FO_COND_CMP,
	FO_COND_ACTION, FO_COND_FLAGS, FO_COND_RESERVED, FO_COND_STOP_TARGET,
	FO_COND_JUMP_TARGET, FO_COND_RHS_REF, FO_COND_RHS_PLAIN,
	FO_COND_ALWAYS,
};
static const unsigned int exec_rules[] = {
	FO_STRUCT_FAULT, FO_SIZE_SMALL, FO_SIZE_TAIL, FO_SIZE_PAGE,
	FO_EXEC_FLAGS, FO_EXEC_RESERVED, FO_RESUME_EINTR, FO_RESUME_STOP_OP,
	FO_RESULTS_NULL, FO_PATCH_SIZE, FO_PATCHES_LIMIT, FO_PATCHES_FAULT,
	FO_PATCH_TAIL, FO_PATCH_OP, FO_PATCH_ARG, FO_PATCH_NO_REF,
	FO_PATCH_REF_VALUE, FO_PATCH_FLAGS, FO_PATCH_REFUSED,
};

static void missing_rules(char *miss, size_t size, const char *what,
			  const unsigned int *rules, unsigned int n,
			  const volatile uint64_t *hit)
{
	char name[64];
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!hit[rules[i]]) {
			snprintf(name, sizeof(name), "%s:%s", what,
				 fo_reasons[rules[i]].name);
			add_missing(miss, size, name);
		}
}

/* What a run of the registered part must have reached. */
static void assert_registered_coverage(void)
{
	char miss[2048] = "";

	if (!sh->reg_ok)
		add_missing(miss, sizeof(miss), "REGISTER-accepted");
	if (!sh->exec_patched)
		add_missing(miss, sizeof(miss), "EXEC-with-patches-applied");
	if (!sh->witness_patched)
		add_missing(miss, sizeof(miss), "patch-seen-by-the-witness");
	if (!sh->refused_rerun)
		add_missing(miss, sizeof(miss), "refused-set-found-unapplied");
	if (!sh->status[SYSCHAIN_STATUS_COMPLETED] ||
	    !sh->status[SYSCHAIN_STATUS_FAULT])
		add_missing(miss, sizeof(miss), "EXEC-completed-and-fault");
	missing_rules(miss, sizeof(miss), "REGISTER", reg_rules,
		      sizeof(reg_rules) / sizeof(reg_rules[0]), sh->reg_reason);
	missing_rules(miss, sizeof(miss), "EXEC", exec_rules,
		      sizeof(exec_rules) / sizeof(exec_rules[0]),
		      sh->exec_reason);
	if (miss[0])
		fail_msg("fuzz registered: never reached:%s (seed 0x%" PRIx64 ")",
			 miss, seed);
}

/* the commands part: each known command on the other descriptor */
static void assert_command_coverage(void)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (!sh->cmd_wrong_fd[i])
			fail_msg("fuzz commands: known command %u never sent to the other descriptor (seed 0x%" PRIx64 ")",
				 i, seed);
	if (!sh->cmd_stray_fd)
		fail_msg("fuzz commands: no stray REGISTER succeeded (seed 0x%" PRIx64 ")",
			 seed);
}

/* the child, watched: a call that does not return in 20 s is a hang */
static int watch(int part, pid_t pid)
{
	double tprog = now();
	uint64_t last = 0;
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
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
}

static uint64_t all_calls;
static double all_secs;

static void run_part(int part)
{
	uint64_t calls = total_calls() * parts[part].share / 1000;
	double t0 = now();
	unsigned int i;
	long total0, flight0;
	int status;
	pid_t pid;

	if (!calls)
		calls = 1;
	memset(sh, 0, sizeof(*sh));
	probe_module();
	setup_scratch();
	total0 = g_module_counter("chains_total");
	flight0 = g_module_counter("chains_in_flight");
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		child_main(part, calls);
	status = watch(part, pid);
	teardown_scratch();
	all_calls += sh->calls;
	all_secs += now() - t0;
	print_part(part, now() - t0);
	for (i = 0; i < NMSG && sh->msg_fmt[i]; i++)
		printf("fuzz %s: VIOLATION (%" PRIu64 " of this kind) %s\n",
		       parts[part].name, sh->msg_count[i], sh->msg[i]);
	fflush(stdout);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !sh->done)
		fail_msg("fuzz %s: child ended with status 0x%x at index %" PRIu64
			 " (seed 0x%" PRIx64 ")", parts[part].name, status,
			 sh->index, seed);
	assert_int_equal(sh->calls, calls);
	if (sh->bad)
		fail_msg("fuzz %s: %" PRIu64 " violations (seed 0x%" PRIx64 ")",
			 parts[part].name, sh->bad, seed);
	/*
	 * every chain freed (registered ones too: their descriptors are
	 * closed), and every chain the module ran one an ioctl ran
	 */
	assert_int_equal(g_module_counter("chains_in_flight"), flight0);
	if (g_module_counter("chains_total") - total0 != (long)sh->ran_total)
		fail_msg("fuzz %s: the module ran %ld chains, the ioctls ran %" PRIu64,
			 parts[part].name, g_module_counter("chains_total") - total0,
			 sh->ran_total);
	if (part == PART_CHAINS || part == PART_PROBE) {
		if (sh->calls * parts[PART_CHAINS].share / parts[part].share <
		    COVERAGE_CALLS)
			printf("fuzz %s: too few calls to assert coverage\n",
			       parts[part].name);
		else if (part == PART_CHAINS)
			assert_chain_coverage();
		else
			assert_probe_coverage();
	} else if (part == 1 || part == PART_REG) {
		/* sized to hold at the sanitizer kernel's FUZZ_CALLS=20000 */
		if (total_calls() < COVERAGE_CALLS)
			printf("fuzz %s: too few calls to assert coverage\n",
			       parts[part].name);
		else if (part == 1)
			assert_command_coverage();
		else
			assert_registered_coverage();
	}
	/* the module still answers, and still runs chains */
	probe_module();
	assert_int_equal(g_chain1(__NR_getppid, 0, 0, 0, 0, 0, 0), getppid());
}

/* an argument-kind line for every op of oplist.h, under its number */
static void test_fuzz_op_table(void **state)
{
	size_t i;

	(void)state;
	g_assert_every_op("test_fuzz's fuzz_ops[]", has_fuzz_op);
	for (i = 0; i < G_NR_OPLIST; i++) {
		const struct fuzz_op *f = &fuzz_ops[g_oplist[i].nr];

		assert_int_equal(f->nr, g_oplist[i].nr);
		assert_string_equal(f->name, g_oplist[i].name);
	}
}

static void test_fuzz_raw(void **state) { (void)state; run_part(0); }
static void test_fuzz_commands(void **state) { (void)state; run_part(1); }
static void test_fuzz_chains(void **state) { (void)state; run_part(2); }
static void test_fuzz_probe(void **state) { (void)state; run_part(3); }
static void test_fuzz_registered(void **state) { (void)state; run_part(4); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_op_table),
		cmocka_unit_test(test_fuzz_raw),
		cmocka_unit_test(test_fuzz_commands),
		cmocka_unit_test(test_fuzz_chains),
		cmocka_unit_test(test_fuzz_probe),
		cmocka_unit_test(test_fuzz_registered),
	};
	const char *s = getenv("FUZZ_SEED");
	int ret;

	if (s && *s)
		seed = strtoull(s, NULL, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	printf("fuzz: seed 0x%" PRIx64 " (FUZZ_SEED), %" PRIu64
	       " calls in all (FUZZ_CALLS)\n", seed, total_calls());
	ret = cmocka_run_group_tests_name("syschain-fuzz", tests, NULL, NULL);
	printf("fuzz: %" PRIu64 " ioctls in %.1f s in all\n", all_calls, all_secs);
	return ret;
}
