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
#include "../fd_count.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/syschain.h>

/*
 * A syscall that is no op: fork, or clone (fork's form there) on an
 * architecture whose generic syscall table has no fork (arm64).
 */
#ifdef __NR_fork
#define G_NR_NOT_OP	__NR_fork
#else
#define G_NR_NOT_OP	__NR_clone
#endif

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

/*
 * The ops of chain @c (as built, conditions aside) as plain syscalls, one
 * after the other, references resolved from the earlier results; the
 * results in @res.
 */
static inline void g_sys_ops(const struct g_chain *c, long *res)
{
	unsigned int i, k;

	for (i = 0; i < c->n; i++) {
		const struct syschain_op *op = &c->ops[i];
		uint64_t a[SYSCHAIN_MAX_ARGS];

		for (k = 0; k < SYSCHAIN_MAX_ARGS; k++)
			a[k] = op->ref_mask & (1u << k) ?
				(uint64_t)res[op->arg_ref[k]] + op->args[k] :
				op->args[k];
		res[i] = g_sys(op->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
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

/*
 * ---- What an op did to the files around it --------------------------------
 *
 * A side (the chain, or the plain syscall) observes a set of objects (paths,
 * or a descriptor of its own): g_obs_add()/g_obs_add_fd(), g_obs_begin(),
 * the op, g_obs_end() (or g_obs_stop(), a look of one's own at the files,
 * then g_obs_contents()). That records the inotify events of a watch on each
 * object (on a directory: the events of its children too), in order, read
 * after the op returned; which of atime, mtime and ctime changed; every
 * stat field afterwards; and the content (a directory: its sorted names, a
 * symlink: its target). g_obs_diff() compares two sides. Timestamps are
 * compared as changed or not, so g_obs_begin() waits until the coarse
 * clock, the one the kernel stamps inodes with, has moved on: whatever the
 * op changes then gets a time that differs. Atime moves deterministically
 * only where the mount is strictatime: g_mount_strictatime(). None of this
 * uses cmocka, so forked children can use it too.
 */
#include <stdlib.h>
#include <time.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define G_OBJ_MAX	12
#define G_EV_MAX	64
#define G_NAME_MAX	32
#define G_DATA_MAX	16384

/* flags of an observed object */
#define G_OBJ_NOFOLLOW	1	/* a symlink itself, not its target */
#define G_OBJ_PER_SIDE	2	/* each side has its own: st_dev/st_ino differ */

/* which timestamps changed */
#define G_ATIME		1
#define G_MTIME		2
#define G_CTIME		4

struct g_event {
	int obj;			/* the object whose watch reported it */
	uint32_t mask;
	char name[G_NAME_MAX];		/* a child of a watched directory */
};

struct g_obj {
	char path[64];
	int flags;
	int wd;				/* -errno if it could not be watched */
	int existed, exists;		/* before and after the op */
	struct stat before, after;
	unsigned int changed;		/* G_ATIME | G_MTIME | G_CTIME */
	long len;			/* bytes of data, or -errno */
	char data[G_DATA_MAX];
};

struct g_obs {
	int in, n, nev, lost;
	struct g_obj obj[G_OBJ_MAX];
	struct g_event ev[G_EV_MAX];
};

/* A tmpfs on @dir (made if missing) where every access updates atime */
static inline int g_mount_strictatime(const char *dir)
{
	struct statvfs sv;

	umount2(dir, MNT_DETACH);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	if (mount("tmpfs", dir, "tmpfs", MS_STRICTATIME, "mode=0755"))
		return -1;
	if (statvfs(dir, &sv) || (sv.f_flag & (ST_RELATIME | ST_NOATIME))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static inline void g_obs_init(struct g_obs *o)
{
	o->in = -1;
	o->n = o->nev = o->lost = 0;
}

static inline void g_obs_add(struct g_obs *o, const char *path, int flags)
{
	struct g_obj *b = &o->obj[o->n];

	if (o->n == G_OBJ_MAX) {
		o->lost++;
		return;
	}
	o->n++;
	snprintf(b->path, sizeof(b->path), "%s", path);
	b->flags = flags;
	b->wd = -EBADF;
	b->existed = b->exists = 0;
	b->changed = 0;
	b->len = 0;
}

/* a descriptor of this side (a pipe, a socket, a file): through /proc */
static inline void g_obs_add_fd(struct g_obs *o, int fd)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	g_obs_add(o, p, G_OBJ_PER_SIDE);
}

static inline int g_obj_stat(const struct g_obj *b, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	return fstatat(AT_FDCWD, b->path, st,
		       b->flags & G_OBJ_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0);
}

/* Wait until the coarse realtime clock has moved on */
static inline void g_wait_tick(void)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_REALTIME_COARSE, &t0);
	do {
		usleep(500);
		clock_gettime(CLOCK_REALTIME_COARSE, &t);
	} while (t.tv_sec == t0.tv_sec && t.tv_nsec == t0.tv_nsec);
}

static inline void g_obs_begin(struct g_obs *o)
{
	int i;

	o->in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	for (i = 0; i < o->n; i++) {
		struct g_obj *b = &o->obj[i];

		b->existed = !g_obj_stat(b, &b->before);
		b->wd = o->in < 0 ? -EBADF : inotify_add_watch(o->in, b->path,
			IN_ALL_EVENTS |
			(b->flags & G_OBJ_NOFOLLOW ? IN_DONT_FOLLOW : 0));
		if (b->wd < 0)
			b->wd = -errno;
	}
	g_wait_tick();
}

static inline void g_obs_read_events(struct g_obs *o)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t len;

	while (o->in >= 0 && (len = read(o->in, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + len) {
			struct inotify_event *ev = (void *)p;
			struct g_event *e = &o->ev[o->nev];
			int i;

			p += sizeof(*ev) + ev->len;
			if (o->nev == G_EV_MAX) {
				o->lost++;
				continue;
			}
			o->nev++;
			e->obj = -1;
			for (i = 0; i < o->n && e->obj < 0; i++)
				if (o->obj[i].wd == ev->wd)
					e->obj = i;
			e->mask = ev->mask;
			snprintf(e->name, sizeof(e->name), "%s",
				 ev->len ? ev->name : "");
			/* an O_TMPFILE's name is "#" and its inode number */
			if (e->name[0] == '#' &&
			    strspn(e->name + 1, "0123456789") == strlen(e->name + 1))
				strcpy(e->name, "#ino");
		}
	}
}

static inline int g_no_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

/* What an object holds: a file's bytes, a directory's names, a link's target */
static inline void g_obj_content(struct g_obj *b)
{
	const struct stat *st = &b->after;
	struct dirent **names;
	int fd, i, n;

	b->len = 0;
	if (S_ISLNK(st->st_mode)) {
		b->len = readlink(b->path, b->data, sizeof(b->data));
	} else if (S_ISREG(st->st_mode)) {
		fd = open(b->path, O_RDONLY | O_CLOEXEC);
		b->len = fd < 0 ? -1 : pread(fd, b->data, sizeof(b->data), 0);
		if (fd >= 0)
			close(fd);
	} else if (S_ISDIR(st->st_mode)) {
		n = scandir(b->path, &names, g_no_dots, alphasort);
		b->len = n < 0 ? -1 : 0;
		for (i = 0; i < n; i++) {
			b->len += snprintf(b->data + b->len,
					   sizeof(b->data) - b->len, "%s\n",
					   names[i]->d_name);
			if (b->len >= (long)sizeof(b->data))
				b->len = sizeof(b->data) - 1;
			free(names[i]);
		}
		if (n >= 0)
			free(names);
	}
	if (b->len < 0)
		b->len = -errno;
}

/* Which of the three timestamps differ between @a and @b */
static inline unsigned int g_times_changed(const struct stat *a,
					   const struct stat *b)
{
#define G_TS_NE(f) (a->f.tv_sec != b->f.tv_sec || a->f.tv_nsec != b->f.tv_nsec)
	return (G_TS_NE(st_atim) ? G_ATIME : 0) |
	       (G_TS_NE(st_mtim) ? G_MTIME : 0) |
	       (G_TS_NE(st_ctim) ? G_CTIME : 0);
#undef G_TS_NE
}

/* The first field but the timestamps where @a and @b differ, or NULL */
static inline const char *g_stat_differs(const struct stat *a,
					 const struct stat *b, int same_inode)
{
#define G_ST(f) do { if (a->f != b->f) return #f; } while (0)
	if (same_inode) {
		G_ST(st_dev);
		G_ST(st_ino);
	}
	G_ST(st_mode);
	G_ST(st_nlink);
	G_ST(st_uid);
	G_ST(st_gid);
	G_ST(st_rdev);
	G_ST(st_size);
	G_ST(st_blksize);
	G_ST(st_blocks);
#undef G_ST
	return NULL;
}

/* After the op: the events, the stat fields and which timestamps moved */
static inline void g_obs_stop(struct g_obs *o)
{
	int i;

	g_obs_read_events(o);
	for (i = 0; i < o->n; i++) {
		struct g_obj *b = &o->obj[i];

		b->exists = !g_obj_stat(b, &b->after);
		b->changed = b->existed && b->exists ?
			g_times_changed(&b->before, &b->after) : 0;
	}
	if (o->in >= 0)
		close(o->in);
	o->in = -1;
}

/* Then the contents: reading them moves atimes, so after anything else */
static inline void g_obs_contents(struct g_obs *o)
{
	int i;

	for (i = 0; i < o->n; i++)
		if (o->obj[i].exists)
			g_obj_content(&o->obj[i]);
}

static inline void g_obs_end(struct g_obs *o)
{
	g_obs_stop(o);
	g_obs_contents(o);
}

static inline const char *g_mask_str(uint32_t m, char *out, size_t len)
{
	static const struct { uint32_t bit; const char *name; } b[] = {
		{ IN_ACCESS, "ACCESS" }, { IN_MODIFY, "MODIFY" },
		{ IN_ATTRIB, "ATTRIB" }, { IN_CLOSE_WRITE, "CLOSE_WRITE" },
		{ IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" }, { IN_OPEN, "OPEN" },
		{ IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" },
		{ IN_CREATE, "CREATE" }, { IN_DELETE, "DELETE" },
		{ IN_DELETE_SELF, "DELETE_SELF" }, { IN_MOVE_SELF, "MOVE_SELF" },
		{ IN_UNMOUNT, "UNMOUNT" }, { IN_Q_OVERFLOW, "Q_OVERFLOW" },
		{ IN_IGNORED, "IGNORED" }, { IN_ISDIR, "ISDIR" },
	};
	size_t i, used = 0;

	out[0] = 0;
	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if ((m & b[i].bit) && used < len)
			used += snprintf(out + used, len - used, "%s%s",
					 used ? "|" : "", b[i].name);
	return out;
}

static inline void g_obs_print_events(const struct g_obs *o, const char *who)
{
	char m[128];
	int i;

	printf("  %s: %d events%s\n", who, o->nev, o->lost ? " (some lost)" : "");
	for (i = 0; i < o->nev; i++) {
		const struct g_event *e = &o->ev[i];

		printf("    %s %s %s\n",
		       e->obj >= 0 ? o->obj[e->obj].path : "?",
		       g_mask_str(e->mask, m, sizeof(m)), e->name);
	}
}

static inline int g_events_equal(const struct g_obs *c, const struct g_obs *s)
{
	int i;

	if (c->nev != s->nev || c->lost != s->lost)
		return 0;
	for (i = 0; i < c->nev; i++)
		if (c->ev[i].obj != s->ev[i].obj ||
		    c->ev[i].mask != s->ev[i].mask ||
		    strcmp(c->ev[i].name, s->ev[i].name))
			return 0;
	return 1;
}

/* What differs between two sides' views of object @i, or NULL */
static inline const char *g_obj_differs(const struct g_obj *c,
					const struct g_obj *s)
{
	const char *f;

	if ((c->wd < 0) != (s->wd < 0) || (c->wd < 0 && c->wd != s->wd))
		return "watchable";
	if (c->existed != s->existed || c->exists != s->exists)
		return "existence";
	if (c->changed != s->changed)
		return "timestamps changed";
	if (!c->exists)
		return NULL;
	f = g_stat_differs(&c->after, &s->after,
			   c->existed && !(c->flags & G_OBJ_PER_SIDE));
	if (f)
		return f;
	if (c->len != s->len ||
	    (c->len > 0 && memcmp(c->data, s->data, c->len)))
		return "content";
	return NULL;
}

/* Compare the chain's observation @c with the syscall's @s: 0 if equal */
static inline int g_obs_diff(const struct g_obs *c, const struct g_obs *s,
			     const char *what)
{
	int i, bad = 0;

	if (c->n != s->n) {
		printf("%s: observed %d and %d objects\n", what, c->n, s->n);
		return 1;
	}
	if (!g_events_equal(c, s)) {
		printf("%s: inotify events differ\n", what);
		g_obs_print_events(c, "chain");
		g_obs_print_events(s, "syscall");
		bad = 1;
	}
	for (i = 0; i < c->n; i++) {
		const char *f = g_obj_differs(&c->obj[i], &s->obj[i]);

		if (!f)
			continue;
		printf("%s: %s: %s differs (chain: exists %d->%d, times changed %#x, "
		       "size %lld, len %ld; syscall: exists %d->%d, %#x, %lld, %ld)\n",
		       what, c->obj[i].path, f, c->obj[i].existed,
		       c->obj[i].exists, c->obj[i].changed,
		       (long long)c->obj[i].after.st_size, c->obj[i].len,
		       s->obj[i].existed, s->obj[i].exists, s->obj[i].changed,
		       (long long)s->obj[i].after.st_size, s->obj[i].len);
		bad = 1;
	}
	fflush(stdout);
	return bad;
}

/*
 * Whether object @obj had exactly the timestamps @changed move and, unless
 * @mask is 0, an event of @mask: that a side did see what an op does.
 */
static inline int g_obs_saw(const struct g_obs *o, int obj,
			    unsigned int changed, uint32_t mask)
{
	int i, seen = !mask;

	for (i = 0; i < o->nev; i++)
		seen |= o->ev[i].obj == obj && (o->ev[i].mask & mask);
	return o->obj[obj].changed == changed && seen;
}

#define g_obs_assert_same(c, s, what) do {				\
	if (g_obs_diff((c), (s), (what)))				\
		fail_msg("%s: the chain's effects differ from the syscall's", \
			 (what));					\
} while (0)

/*
 * ---- Bounded tests, blocked chains, module parameters ----------------------
 *
 * G_BOUND(s) at the start of a test: if the test still runs @s seconds later
 * (CLOCK_MONOTONIC), it hangs: the process says which test and exits 124, so
 * the run fails at once instead of waiting for the guest's timeout. A POSIX
 * timer of its own, signalling SIGRTMAX, so that it leaves ITIMER_REAL,
 * alarm() and the usual signals to the tests; a forked child that may block
 * calls G_BOUND() itself (timers are not inherited).
 */
#include <signal.h>

static const char *g_bound_what = "?";

static inline void g_bound_fire(int sig)
{
	static const char a[] = "g_bound: ", b[] = " still running: hung, ended\n";

	(void)sig;
	if (write(1, a, sizeof(a) - 1) < 0 ||
	    write(1, g_bound_what, strlen(g_bound_what)) < 0 ||
	    write(1, b, sizeof(b) - 1) < 0)
		_exit(125);
	_exit(124);
}

static inline void g_bound(unsigned int seconds, const char *what)
{
	static pid_t owner;
	static timer_t timer;
	struct itimerspec its = { .it_value = { .tv_sec = seconds } };

	if (owner != getpid()) {
		struct sigaction sa = { .sa_handler = g_bound_fire };
		struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL };

		ev.sigev_signo = SIGRTMAX;
		if (sigaction(SIGRTMAX, &sa, NULL) ||
		    timer_create(CLOCK_MONOTONIC, &ev, &timer)) {
			printf("g_bound: no watchdog: %s\n", strerror(errno));
			_exit(126);
		}
		owner = getpid();
	}
	g_bound_what = what;
	if (timer_settime(timer, 0, &its, NULL)) {
		printf("g_bound: no watchdog: %s\n", strerror(errno));
		_exit(126);
	}
}

#define G_BOUND(seconds) g_bound((seconds), __func__)

/* Call the ioctl again with the struct and the results as they are. */
static inline int g_run_again(struct g_chain *c)
{
	return g_ioctl(SYSCHAIN_RUN, &c->run);
}

/*
 * Wait (5 s at most) until thread @tid of process @pid sleeps
 * interruptibly in syscall @nr (a chain blocked in an op: __NR_ioctl).
 * 0, or -1.
 */
static inline int g_wait_in_syscall(pid_t pid, pid_t tid, long nr_wanted)
{
	char path[64], buf[256];
	int i;

	for (i = 0; i < 5000; i++) {
		FILE *f;
		char *p;
		long nr = -1;
		int state = 0;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		f = fopen(path, "r");
		if (f) {
			if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
				state = p[2];
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%ld", &nr) != 1)
				nr = -1;
			fclose(f);
		}
		if (state == 'S' && nr == nr_wanted)
			return 0;
		usleep(1000);
	}
	printf("g_wait_in_syscall: %d/%d never slept in syscall %ld\n", pid,
	       tid, nr_wanted);
	return -1;
}

#define g_wait_blocked(pid, tid) g_wait_in_syscall((pid), (tid), __NR_ioctl)

/*
 * Send @sig to this process @delay_us after it sleeps in syscall @nr (this
 * thread must be its main thread), from a child; the child's pid, for
 * g_reap(). A signal that must interrupt an op, not arrive before it.
 */
#include <sys/wait.h>

static inline pid_t g_signal_when_blocked(long nr, int sig, long delay_us)
{
	pid_t self = getpid(), pid;

	fflush(stdout);
	pid = fork();
	if (pid)
		return pid;
	G_BOUND(20);
	if (g_wait_in_syscall(self, self, nr))
		_exit(1);
	if (delay_us)
		usleep(delay_us);
	_exit(kill(self, sig) ? 2 : 0);
}

/* Wait for child @pid: its exit status, or 128 + the signal that ended it */
static inline int g_reap(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
				   128 + WTERMSIG(status);
}

/*
 * An interrupted blocking op: g_alarm_when_blocked() installs a SIGALRM
 * handler (with @sa_flags: 0 or SA_RESTART) that counts in g_alarms and,
 * if @fd >= 0, writes @data to @fd (a pipe's write end, a socket's peer),
 * so that a read or receive restarted behind it finds something; then
 * SIGALRM comes @delay_us after this process sleeps in syscall @nr (a
 * chain: __NR_ioctl). The signaller's pid, for g_reap(). g_alarm_off()
 * restores the default action. A failed write counts 100.
 */
static volatile sig_atomic_t g_alarms;
static int g_alarm_fd = -1;
static const char *g_alarm_data = "";

static inline void g_on_alarm(int sig)
{
	ssize_t len = (ssize_t)strlen(g_alarm_data);

	(void)sig;
	g_alarms++;
	if (g_alarm_fd >= 0 && write(g_alarm_fd, g_alarm_data, len) != len)
		g_alarms += 100;
}

static inline pid_t g_alarm_when_blocked(long nr, long delay_us, int sa_flags,
					 int fd, const char *data)
{
	struct sigaction sa = { .sa_handler = g_on_alarm,
				.sa_flags = sa_flags };

	sigaction(SIGALRM, &sa, NULL);
	g_alarms = 0;
	g_alarm_fd = fd;
	g_alarm_data = data ? data : "";
	return g_signal_when_blocked(nr, SIGALRM, delay_us);
}

static inline void g_alarm_off(void)
{
	signal(SIGALRM, SIG_DFL);
	g_alarm_fd = -1;
}

/* Write a module parameter (a string): 0 or -errno. */
static inline int g_param_write(const char *name, const char *value)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/syschain/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

#endif /* SYSCHAIN_GUEST_H */
